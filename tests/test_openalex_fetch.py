"""OpenAlex fetch client against recorded API responses (no network).

The two "server" bodies are real ``api.openalex.org/works`` responses
recorded by openalexPro (tests/data/openalex/README.md): the seed page (2
works) and the citing page (5 works).  Only ``meta.next_cursor`` is edited
so that they chain: page 1 points to ``CURSOR-2``, page 2 ends paging.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from oncometrics.fetch.openalex import WorksQuery, fetch_works
from oncometrics.fetch.pages import STATE_FILE
from oncometrics.fetch.retry import backoff, retry_after
from oncometrics.sources.base import SourceError
from oncometrics.store import Store

DATA = Path(__file__).parent / "data" / "openalex"
FILTER = "cites:W3045921891"


def _body(name: str, next_cursor: str | None) -> bytes:
    doc = json.loads((DATA / name).read_text())
    doc["meta"]["next_cursor"] = next_cursor
    return json.dumps(doc).encode()


PAGE1 = _body("snowball_seed_page.json", "CURSOR-2")
PAGE2 = _body("snowball_citing_page.json", None)
PAGES = {"*": PAGE1, "CURSOR-2": PAGE2}

Step = Callable[[httpx.Request], httpx.Response]


class Server:
    """A scripted API: optional special answers first, then the pages."""

    def __init__(self, *script: Step) -> None:
        self.script = list(script)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.script:
            return self.script.pop(0)(request)
        return httpx.Response(200, content=PAGES[request.url.params["cursor"]])

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))

    @property
    def cursors(self) -> list[str]:
        return [r.url.params["cursor"] for r in self.requests]


def status(code: int, **headers: str) -> Step:
    body = {"error": "Oops", "message": f"status {code}"}
    return lambda request: httpx.Response(code, json=body, headers=headers)


def run(server: Server, out: Path, **kw: Any) -> tuple[Any, list[float], list[str]]:
    sleeps: list[float] = []
    logs: list[str] = []
    res = fetch_works(FILTER, out, client=server.client(), sleep=sleeps.append,
                      log=logs.append, **kw)  # fmt: skip
    return res, sleeps, logs


def test_cursor_paging_writes_raw_pages(tmp_path: Path) -> None:
    server = Server()
    res, sleeps, _ = run(server, tmp_path / "pages", email="me@example.org",
                         api_key="k3y", per_page=100)  # fmt: skip
    assert (res.records, res.pages, res.resumed) == (7, 2, False)
    assert server.cursors == ["*", "CURSOR-2"]
    params = server.requests[0].url.params
    assert params["filter"] == FILTER
    assert (params["per-page"], params["mailto"], params["api_key"]) == (
        "100",
        "me@example.org",
        "k3y",
    )
    assert server.requests[0].url.path == "/works"
    assert (tmp_path / "pages" / "page-00001.json").read_bytes() == PAGE1
    assert (tmp_path / "pages" / "page-00002.json").read_bytes() == PAGE2
    state = json.loads((tmp_path / "pages" / STATE_FILE).read_text())
    assert state == {"filter": FILTER, "next_cursor": None, "pages": 2, "records": 7}
    assert sleeps == []


def test_fetched_folder_ingests(tmp_path: Path) -> None:
    run(Server(), tmp_path / "pages")
    summary = Store(tmp_path / "st").ingest(
        "openalex", [tmp_path / "pages"], log=lambda m: None
    )
    assert [Path(f.path).name for f in summary.files] == [
        "page-00001.json",
        "page-00002.json",
    ]
    assert (summary.total("read"), summary.total("stored")) == (7, 7)
    assert not summary.errors


def test_429_then_503_are_retried(tmp_path: Path) -> None:
    server = Server(status(429, **{"Retry-After": "7"}), status(503))
    res, sleeps, logs = run(server, tmp_path / "p")
    assert res.records == 7
    assert sleeps == [7.0, backoff(2)] == [7.0, 2.0]
    assert server.cursors == ["*", "*", "*", "CURSOR-2"]
    assert logs[0] == "HTTP 429; retrying in 7.0s (attempt 1 of 6)"


def test_transport_error_is_retried(tmp_path: Path) -> None:
    def drop(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection reset", request=request)

    res, sleeps, _ = run(Server(drop), tmp_path / "p")
    assert res.records == 7
    assert sleeps == [1.0]


def test_gives_up_after_max_attempts(tmp_path: Path) -> None:
    server = Server(*[status(503)] * 3)
    with pytest.raises(SourceError, match=r"giving up after 3 attempts \(HTTP 503\)"):
        run(server, tmp_path / "p", max_attempts=3)
    assert len(server.requests) == 3


def test_client_error_is_one_clear_line(tmp_path: Path) -> None:
    def bad(request: httpx.Request) -> httpx.Response:
        body = {"error": "Invalid query parameters error.",
                "message": "cites is not a valid field."}  # fmt: skip
        return httpx.Response(400, json=body)

    server = Server(bad)
    with pytest.raises(SourceError) as exc:
        run(server, tmp_path / "p", api_key="secret")
    msg = str(exc.value)
    assert msg == ("https://api.openalex.org/works: HTTP 400: Invalid query "
                   "parameters error. cites is not a valid field.")  # fmt: skip
    assert "secret" not in msg
    assert len(server.requests) == 1


def test_interrupted_run_resumes_from_saved_cursor(tmp_path: Path) -> None:
    out = tmp_path / "p"

    def crash(request: httpx.Request) -> httpx.Response:
        raise KeyboardInterrupt

    first = Server(lambda r: httpx.Response(200, content=PAGE1), crash)
    with pytest.raises(KeyboardInterrupt):
        run(first, out)
    state = json.loads((out / STATE_FILE).read_text())
    assert (state["pages"], state["records"], state["next_cursor"]) == (
        1,
        2,
        "CURSOR-2",
    )
    assert not (out / "page-00002.json").exists()

    second = Server()
    res, _, logs = run(second, out)
    assert second.cursors == ["CURSOR-2"]  # page 1 is not downloaded again
    assert (res.records, res.pages, res.resumed) == (7, 2, True)
    assert logs[0] == f"{out}: resuming after page 1 (2 works saved)"

    third = Server()
    res, _, logs = run(third, out)
    assert third.requests == []
    assert logs == [f"{out}: already complete, 7 works in 2 pages"]
    assert (res.records, res.pages, res.resumed, res.complete) == (7, 2, True, True)


def test_max_records_stops_early(tmp_path: Path) -> None:
    server = Server()
    res, _, logs = run(server, tmp_path / "p", max_records=2)
    assert (res.records, res.pages, res.complete) == (2, 1, False)
    assert logs[-1].endswith("stopped at max_records=2 (2 works saved); rerun with "
                             "a larger limit to continue")  # fmt: skip
    assert server.requests[0].url.params["per-page"] == "2"
    assert server.cursors == ["*"]
    # Raising the limit later continues from the saved cursor.
    more = Server()
    res, _, _ = run(more, tmp_path / "p", max_records=100)
    assert more.cursors == ["CURSOR-2"]
    assert res.records == 7


def test_folder_of_another_query_is_refused(tmp_path: Path) -> None:
    run(Server(), tmp_path / "p")
    with pytest.raises(ValueError, match="holds pages of another query"):
        fetch_works("publication_year:2020", tmp_path / "p", client=Server().client(),
                    log=lambda m: None)  # fmt: skip


def test_unexpected_body_is_an_error(tmp_path: Path) -> None:
    server = Server(lambda r: httpx.Response(200, content=b"<html>maintenance</html>"))
    with pytest.raises(SourceError, match="unexpected response"):
        run(server, tmp_path / "p")


def test_query_builder_is_data() -> None:
    q = WorksQuery().filter("type:article").filter(
        publication_year=[2020, 2021], is_oa=True,
        primary_topic={"subfield": {"id": 2730}},
    )  # fmt: skip
    assert q.params(cursor="*") == {
        "per-page": "200",
        "filter": "type:article,publication_year:2020|2021,is_oa:true,"
        "primary_topic.subfield.id:2730",
        "cursor": "*",
    }
    s = q.search("tumour").select("id", "doi").sort(cited_by_count="desc")
    assert s.params(None) == q.params(None) | {
        "search": "tumour",
        "select": "id,doi",
        "sort": "cited_by_count:desc",
    }
    assert q.params(None) == WorksQuery().filter("type:article").filter(
        publication_year=[2020, 2021], is_oa=True,
        primary_topic={"subfield": {"id": 2730}},
    ).params(None)  # fmt: skip
    with pytest.raises(ValueError, match="per_page must be between 1 and 200"):
        q.per_page(500)


def test_retry_after_forms() -> None:
    assert retry_after({"Retry-After": "12"}) == 12.0
    assert retry_after({}) is None
    date = "Wed, 21 Oct 2015 07:28:00 GMT"
    assert retry_after({"Retry-After": date}, now=1445412480.0 - 30) == 30.0
    assert retry_after({"Retry-After": "99999"}) == 300.0
    assert retry_after({"Retry-After": "soon"}) is None
