"""Bounded, resynchronising input: JSON Lines line ends, bombs, long records.

Limits are set low through the environment (``ONCOMETRICS_MAX_RECORD_BYTES``,
``ONCOMETRICS_MAX_DECOMPRESSION_RATIO``) so that the generated inputs stay
small: a few megabytes at most.
"""

from __future__ import annotations

import gzip
import json
import os
import resource
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from oncometrics.sources.base import Record, Reject, SourceError, guarded
from oncometrics.sources.base import input_limits as limits
from oncometrics.sources.lens import parse as parse_lens
from oncometrics.sources.medline import parse as parse_medline
from oncometrics.sources.openalex import parse as parse_openalex
from oncometrics.sources.patents import parse as parse_patents
from oncometrics.sources.trials import parse as parse_trials

DATA = Path(__file__).parent / "data"
PAGE = json.loads((DATA / "openalex/keypaper_results_page1.json").read_text())
W1, W2 = (json.dumps(w) for w in PAGE["results"][:2])


def _items(parse: Any, path: Path) -> list[tuple[int, str]]:
    """(record number, 'ok' or the reject reason) of every item."""
    out: Iterator[Record | Reject] = guarded(parse(path), path)
    return [(i.record_no, "ok" if isinstance(i, Record) else i.reason) for i in out]


# ------------------------------------------------------------ JSON Lines
@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_jsonl_resyncs_after_broken_first_lines(tmp_path: Path, end: str) -> None:
    p = tmp_path / "works.jsonl"
    p.write_text(end.join(['{"id": "https://openalex', "{oops", W1, "[", W2]) + end)
    items = _items(parse_openalex, p)
    assert [no for no, _ in items] == [1, 2, 3, 4, 5]
    assert [r for _, r in items][2::2] == ["ok", "ok"]
    assert all(r.startswith("invalid JSON") for _, r in items[:2])
    assert items[3][1].startswith(("invalid JSON", "line is"))


def test_jsonl_cr_only_line_ends_are_lines(tmp_path: Path) -> None:
    p = tmp_path / "works.jsonl.gz"
    p.write_bytes(gzip.compress(f"{W1}\r{W2}\r".encode()))
    assert _items(parse_openalex, p) == [(1, "ok"), (2, "ok")]


def test_pretty_printed_page_still_a_document(tmp_path: Path) -> None:
    p = tmp_path / "page.json"
    p.write_text(json.dumps(PAGE, indent=2).replace("\n", "\r\n"))
    assert [r for _, r in _items(parse_openalex, p)] == ["ok"] * len(PAGE["results"])


def test_lens_json_lines_resync(tmp_path: Path) -> None:
    recs = json.loads((DATA / "lens/lens_4_real_papers.json").read_text())
    p = tmp_path / "lens.jsonl"
    lines = ["{broken", '{"lens_id": ', *(json.dumps(r) for r in recs)]
    p.write_text("\r".join(lines))
    items = _items(parse_lens, p)
    assert [r == "ok" for _, r in items] == [False, False, True, True, True, True]


def test_trials_json_lines_resync(tmp_path: Path) -> None:
    studies = json.loads(
        (DATA / "trials/ctrdata_demo_ctgov2_pediatric_oncology_5.json").read_text()
    )
    p = tmp_path / "studies.jsonl"
    lines = ["{broken", "{also broken", *(json.dumps(s) for s in studies)]
    p.write_bytes("\r\n".join(lines).encode())
    items = _items(parse_trials, p)
    assert [r == "ok" for _, r in items] == [False, False] + [True] * len(studies)


# -------------------------------------------------------- long records
def test_long_jsonl_line_rejected_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit = max(len(W1), len(W2)) + 100
    monkeypatch.setenv("ONCOMETRICS_MAX_RECORD_BYTES", str(limit))
    long = json.dumps({"id": "https://openalex.org/W9", "title": "x" * 3_000_000})
    p = tmp_path / "works.jsonl.gz"
    p.write_bytes(gzip.compress(f"{W1}\n{long}\n{W2}\n".encode()))
    items = _items(parse_openalex, p)
    assert items[0] == (1, "ok") and items[2] == (3, "ok")
    no, reason = items[1]
    assert no == 2 and reason == (
        f"record of {len(long):,} bytes is longer than max_record_bytes ({limit:,})"
    )


def test_long_medline_record_rejected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONCOMETRICS_MAX_RECORD_BYTES", "5000")
    records = (DATA / "medline/gut_microbiome_first15.txt").read_text().split("\n\n")
    records[1] = records[1].replace("\nTI  - ", "\nTI  - " + "long " * 4000, 1)
    p = tmp_path / "medline.txt"
    p.write_text("\n\n".join(records))
    items = _items(parse_medline, p)
    assert len(items) == len([r for r in records if r.strip()])
    assert "longer than max_record_bytes (5,000)" in items[1][1]
    assert all(r == "ok" for no, r in items if no != 2)


# ------------------------------------------------------------------ bombs
def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_gzip_bomb_stops_early(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 64 MiB of one line in a ~64 KiB gzip (ratio ~1000): refused at ratio 100
    # after at most ~6.4 MiB, without holding the line
    monkeypatch.setenv("ONCOMETRICS_MAX_DECOMPRESSION_RATIO", "100")
    p = tmp_path / "bomb.jsonl.gz"
    with gzip.open(p, "wb", compresslevel=9) as fh:
        fh.write(b'{"id": "https://openalex.org/W1", "title": "')
        block = b"a" * (1 << 20)
        for _ in range(64):
            fh.write(block)
        fh.write(b'"}\n')
    assert p.stat().st_size < 200_000
    before = _max_rss_mb()
    with pytest.raises(SourceError, match="max_decompression_ratio"):
        _items(parse_openalex, p)
    assert _max_rss_mb() - before < 40


def test_gzip_bomb_in_line_reader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONCOMETRICS_MAX_DECOMPRESSION_RATIO", "50")
    text = (DATA / "medline/pmid28786991_transcribed.txt").read_text()
    p = tmp_path / "medline.txt.gz"
    p.write_bytes(gzip.compress((text + "\n" + " " * (16 << 20)).encode()))
    items = _items(parse_medline, p)
    assert items[0] == (1, "ok")
    assert "max_decompression_ratio" in items[-1][1]


def test_zip_bomb_member_refused_before_extraction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONCOMETRICS_MAX_DECOMPRESSION_RATIO", "20")
    study = (DATA / "trials/NCT00973089.json").read_bytes()
    p = tmp_path / "studies.zip"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("NCT00973089.json", study)
        z.writestr("bomb.json", b"[" + b" " * (8 << 20) + b"]")
    items = _items(parse_trials, p)
    assert items[0] == (1, "ok")
    assert items[1][0] == 2 and items[1][1].startswith("bomb.json: decompresses to")

    pz = tmp_path / "patents.zip"
    with zipfile.ZipFile(pz, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("bomb.xml", b"<a>" + b" " * (8 << 20) + b"</a>")
    with pytest.raises(SourceError, match=r"bomb\.xml: decompresses to more than 20"):
        _items(parse_patents, pz)


def test_limits_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from oncometrics.config import SETTINGS

    defaults = {s.name: s.default for s in SETTINGS}
    monkeypatch.delenv("ONCOMETRICS_MAX_RECORD_BYTES", raising=False)
    assert limits().record_bytes == defaults["max_record_bytes"]
    monkeypatch.setenv("ONCOMETRICS_MAX_RECORD_BYTES", "1234")
    assert limits().record_bytes == 1234
    monkeypatch.setenv("ONCOMETRICS_MAX_DECOMPRESSION_RATIO", "many")
    with pytest.raises(ValueError, match="ONCOMETRICS_MAX_DECOMPRESSION_RATIO"):
        limits()
    assert os.environ["ONCOMETRICS_MAX_RECORD_BYTES"] == "1234"
