"""The README shows the counts the demo prints (computed from the store)."""

from __future__ import annotations

from pathlib import Path

import pytest

from oncometrics.demo import counts_lines, run_demo

README = Path(__file__).parents[1] / "README.md"


@pytest.mark.slow
def test_readme_shows_the_demo_counts(tmp_path: Path) -> None:
    run_demo(tmp_path, log=lambda m: None)
    lines = counts_lines(tmp_path / "store")
    text = README.read_text(encoding="utf-8")
    for line in lines:
        assert line in text, line
    read, domain, country = (
        int(w.replace(",", ""))
        for w in (lines[0].split()[1], lines[0].split(";")[1].split()[0],
                  lines[0].split(";")[2].split()[0])
    )  # fmt: skip
    assert read > domain >= country > 0
    assert f"the {domain}" in text and f"the {country}" in text
