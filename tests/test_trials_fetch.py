"""The ClinicalTrials.gov client on replayed responses (no network).

The studies served are the real API v2 records of ``tests/data/trials``;
only the page envelopes ``{"studies": [...], "nextPageToken": ...}`` are
ours.  They are served through ``httpx.MockTransport``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from oncometrics.fetch.trials import BASE_URL, StudiesQuery, fetch_studies
from oncometrics.sources.base import SourceError
from oncometrics.store import Store

DATA = Path(__file__).parent / "data" / "trials"


def _studies() -> list[dict[str, Any]]:
    arr = json.loads(
        (DATA / "ctrdata_demo_ctgov2_pediatric_oncology_5.json").read_text()
    )
    singles = [
        json.loads((DATA / f"{n}.json").read_text())
        for n in ("NCT02552212", "NCT06171568")
    ]
    return [*arr, *singles]


class FakeAPI:
    """Serves the 7 real studies in pages of `size`, with scripted failures."""

    def __init__(self, failures: dict[int, list[int]] | None = None) -> None:
        self.studies = _studies()
        self.failures = failures or {}  # call number -> status codes to return
        self.calls: list[dict[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params)
        self.calls.append(params)
        assert str(request.url).startswith(BASE_URL)
        n = len(self.calls)
        if n in self.failures:
            status = self.failures[n]
            headers = {"Retry-After": "2"} if status == 429 else {}
            return httpx.Response(status, text="Too Many Requests", headers=headers)
        start = int(params.get("pageToken", "tok0")[3:])
        size = int(params["pageSize"])
        chunk = self.studies[start : start + size]
        page: dict[str, Any] = {"studies": chunk}
        if start + size < len(self.studies):
            page["nextPageToken"] = f"tok{start + size}"
        if "pageToken" not in params:
            page["totalCount"] = len(self.studies)
        return httpx.Response(200, content=json.dumps(page).encode())


def _client(api: FakeAPI) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(api))


def test_pages_retry_then_ingest(tmp_path: Path) -> None:
    api = FakeAPI(failures={1: 429, 3: 503})
    waits: list[float] = []
    logs: list[str] = []
    out = tmp_path / "pages"
    res = fetch_studies(
        out,
        condition="cancer",
        query=None,
        max_records=None,
        page_size=3,
        log=logs.append,
        client=_client(api),
        sleep=waits.append,
    )
    assert (res.records, res.pages, res.complete) == (7, 3, True)
    assert waits == [2.0, 1.0]  # Retry-After of the 429; 1 s backoff after the 503
    assert [c.get("pageToken") for c in api.calls] == [
        None,
        None,
        "tok3",
        "tok3",
        "tok6",
    ]
    assert all(c["query.cond"] == "cancer" and c["pageSize"] == "3" for c in api.calls)
    assert sorted(p.name for p in out.iterdir()) == [
        "_state.json",
        "page-00001.json",
        "page-00002.json",
        "page-00003.json",
    ]
    assert any("HTTP 429; retrying in 2.0s" in m for m in logs)
    summary = Store(tmp_path / "store").ingest("trials", [out], log=lambda m: None)
    assert not summary.errors
    assert (summary.total("read"), summary.total("stored")) == (7, 7)


def test_resume_after_interruption(tmp_path: Path) -> None:
    out = tmp_path / "pages"
    broken = FakeAPI(failures={2: 500, 3: 500})
    with pytest.raises(SourceError, match="giving up after 2 attempts"):
        fetch_studies(
            out,
            condition="cancer",
            page_size=3,
            log=lambda m: None,
            client=_client(broken),
            sleep=lambda s: None,
            max_attempts=2,
        )
    state = json.loads((out / "_state.json").read_text())
    assert (state["pages"], state["records"], state["next_token"]) == (1, 3, "tok3")
    api = FakeAPI()
    res = fetch_studies(
        out,
        condition="cancer",
        page_size=3,
        log=lambda m: None,
        client=_client(api),
        sleep=lambda s: None,
    )
    assert res.resumed and (res.records, res.pages) == (7, 3)
    assert [c.get("pageToken") for c in api.calls] == ["tok3", "tok6"]
    again = FakeAPI()
    res = fetch_studies(
        out,
        condition="cancer",
        page_size=3,
        log=lambda m: None,
        client=_client(again),
        sleep=lambda s: None,
    )
    assert again.calls == [] and res.complete


def test_max_records_and_query_clash(tmp_path: Path) -> None:
    out = tmp_path / "pages"
    api = FakeAPI()
    res = fetch_studies(
        out,
        condition="cancer",
        query="AREA[Phase]PHASE3",
        max_records=4,
        page_size=3,
        log=lambda m: None,
        client=_client(api),
    )
    assert (res.records, res.pages, res.complete) == (4, 2, False)
    assert [c["pageSize"] for c in api.calls] == ["3", "1"]
    assert api.calls[0]["query.term"] == "AREA[Phase]PHASE3"
    with pytest.raises(ValueError, match="holds pages of another query"):
        fetch_studies(
            out, condition="lymphoma", client=_client(FakeAPI()), log=lambda m: None
        )


def test_client_error_is_one_line(tmp_path: Path) -> None:
    def bad(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, text="Invalid pageSize\nvalue")

    client = httpx.Client(transport=httpx.MockTransport(bad))
    with pytest.raises(SourceError) as exc:
        fetch_studies(tmp_path / "p", client=client, log=lambda m: None)
    assert "HTTP 400: Invalid pageSize value" in str(exc.value)
    assert "\n" not in str(exc.value)


def test_query_params() -> None:
    p = StudiesQuery(condition="cancer").page_size(10).params()
    assert p == {
        "format": "json",
        "pageSize": "10",
        "query.cond": "cancer",
        "countTotal": "true",
    }
    with pytest.raises(ValueError, match="between 1 and 1000"):
        StudiesQuery().page_size(5000)


def test_cli_fetch_trials(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from oncometrics.cli import app

    api = FakeAPI()
    real_client = httpx.Client

    def fake_client(**kwargs: Any) -> httpx.Client:
        return real_client(transport=httpx.MockTransport(api))

    monkeypatch.setattr(httpx, "Client", fake_client)
    out = tmp_path / "pages"
    args = [
        "fetch",
        "trials",
        "--condition",
        "neuroblastoma",
        "--max-records",
        "5",
        "--out",
        str(out),
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "5 studies in 1 pages" in result.output
    assert api.calls[0]["query.cond"] == "neuroblastoma"
    assert api.calls[0]["pageSize"] == "5"
