"""The main job on the bundled real sample: ingest → compute → portfolio → report."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from oncometrics.demo import SAMPLE, sample_dir
from oncometrics.store import read_manifest


def test_every_bundled_file_is_listed_and_present() -> None:
    listed = {f for files in SAMPLE.values() for f in files}
    root = sample_dir()
    on_disk = {
        str(p.relative_to(root))
        for p in root.rglob("*")
        if p.is_file() and p.name != "SOURCES.md"
    }
    assert listed == on_disk
    text = (root / "SOURCES.md").read_text()
    assert all(
        Path(f).name.split("_")[0] in text or Path(f).name in text for f in listed
    )


@pytest.mark.slow
def test_demo_runs_from_the_cli(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    run = subprocess.run(
        [sys.executable, "-m", "oncometrics.cli", "demo", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Traceback" not in run.stderr
    report = out / "report" / "report.html"
    assert f"demo report written to {report}" in run.stdout.replace("\n", "")
    html = report.read_text()
    assert "illustrative, not representative" in html  # the sample-size warning
    assert 'id="portfolio"' in html and 'id="methodology"' in html
    # patents but no cancer invention: the section says what the store holds
    assert "No patent records in this store" not in html
    assert "17 patent documents (3 design, 1 plant, 3 reissue, 10 utility)" in html
    assert (out / "report" / "report.xlsx").stat().st_size > 0
    manifest = read_manifest(out / "store")
    files = manifest["files"].values()
    assert len(files) == sum(len(v) for v in SAMPLE.values())
    for f in files:
        assert f["read"] == f["stored"] + f["duplicates"] + f["rejected"], f["path"]
    tables = {p.stem for p in (out / "store" / "indicators").glob("*.parquet")}
    assert {
        "publications_by_country",
        "country_partners",
        "trials_by_country",
        "inventions_by_country",
    } <= tables
