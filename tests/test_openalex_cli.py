"""``oncometrics ingest openalex`` end to end through ``cli.main``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.cli_runner import cli

DATA = Path(__file__).parent / "data" / "openalex"
KEYPAPER = DATA / "keypaper_results_page1.json"
SEED = DATA / "snowball_seed_page.json"


def test_ingest_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "st"
    code, out, err = cli(
        ["ingest", "openalex", str(KEYPAPER), str(SEED), "--store", str(store)], capsys
    )
    assert code == 0
    assert "read 4 = stored 4 + duplicates 0 + rejected 0 from 2 file(s)" in out
    assert f"{KEYPAPER}: read 2 = stored 2" in err
    code, out, _ = cli(
        ["ingest", "openalex", str(KEYPAPER), "--store", str(store)], capsys
    )
    assert code == 0
    assert "1 file(s) already in the store" in out


def test_folder_with_bad_records_and_bad_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(KEYPAPER, folder / "a_page.json")
    work = json.loads(SEED.read_text())["results"][0]
    (folder / "b_works.jsonl").write_text(json.dumps(work) + "\n{not json\n")
    store = str(tmp_path / "st")
    # Record-level problems are rejected and counted, the exit code stays 0.
    code, out, err = cli(["ingest", "openalex", str(folder), "--store", store], capsys)
    assert code == 0, err
    assert "read 4 = stored 3 + duplicates 0 + rejected 1 from 2 file(s)" in out
    assert f"{folder / 'b_works.jsonl'}: record 2: invalid JSON" in err
    # A file that is not OpenAlex at all is a file-level error: exit 1.
    (folder / "c_pubmed.xml").write_text('<?xml version="1.0"?>\n<PubmedArticleSet/>\n')
    code, out, err = cli(["ingest", "openalex", str(folder), "--store", store], capsys)
    assert code == 1
    assert f"{folder / 'c_pubmed.xml'}: not OpenAlex JSON: it looks like XML" in err
    assert "2 file(s) already in the store" in out


def test_missing_file_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.json"
    code, _, err = cli(
        ["ingest", "openalex", str(missing), "--store", str(tmp_path / "st")], capsys
    )
    assert code == 1
    assert str(missing) in err


def test_fetch_then_ingest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import httpx

    from oncometrics.fetch import retry as fetch_mod

    seed = json.loads(SEED.read_text())
    seed["meta"]["next_cursor"] = None  # one recorded page, then the end
    answers = [httpx.Response(400, json={"error": "Invalid query parameters error.",
                                         "message": "foo is not a valid field."}),
               httpx.Response(200, content=json.dumps(seed).encode())]  # fmt: skip
    real_client = httpx.Client

    def client(**kw: object) -> httpx.Client:
        return real_client(transport=httpx.MockTransport(lambda r: answers.pop(0)))

    monkeypatch.setattr(fetch_mod.httpx, "Client", client)
    pages = tmp_path / "pages"
    code, _, err = cli(["fetch", "openalex", "--filter", "foo:1", "--out", str(pages)],
                       capsys)  # fmt: skip
    assert code == 1
    assert err.strip() == ("error: https://api.openalex.org/works: HTTP 400: Invalid "
                           "query parameters error. foo is not a valid field.")  # fmt: skip
    code, out, _ = cli(["fetch", "openalex", "--filter", "cites:W3045921891",
                        "--out", str(tmp_path / "ok")], capsys)  # fmt: skip
    assert code == 0
    assert "2 works in 1 pages" in out
    code, out, _ = cli(["ingest", "openalex", str(tmp_path / "ok"),
                        "--store", str(tmp_path / "st")], capsys)  # fmt: skip
    assert code == 0
    assert "read 2 = stored 2 + duplicates 0 + rejected 0 from 1 file(s)" in out
