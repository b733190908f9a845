"""The main job on the bundled real sample: ingest → compute → portfolio → report.

``oncometrics demo`` runs once per module (a module fixture, ~40 s); its
report and its store are checked by the tests below.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from oncometrics.demo import SAMPLE, counts_lines, sample_dir
from oncometrics.store import read_manifest

README = Path(__file__).parents[1] / "README.md"


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


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    """``oncometrics demo`` run once, as a user would: its folder and process."""
    out = tmp_path_factory.mktemp("demo") / "demo"
    run = subprocess.run(
        [sys.executable, "-m", "oncometrics.cli", "demo", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    return out, run


@pytest.mark.slow
def test_demo_runs_from_the_cli(demo: tuple[Path, Any]) -> None:
    out, run = demo
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


@pytest.mark.slow
def test_readme_shows_the_demo_counts(demo: tuple[Path, Any]) -> None:
    """The README shows the counts the demo prints (computed from the store)."""
    out, run = demo
    assert run.returncode == 0, run.stderr[-2000:]
    lines = counts_lines(out / "store")
    text = README.read_text(encoding="utf-8")
    for line in lines:
        assert line in text, line
        assert line in run.stdout.replace("\n", "")  # and the demo prints them
    read, domain, country = (
        int(w.replace(",", ""))
        for w in (lines[0].split()[1], lines[0].split(";")[1].split()[0],
                  lines[0].split(";")[2].split()[0])
    )  # fmt: skip
    assert read > domain >= country > 0
    assert f"the {domain}" in text and f"the {country}" in text
