"""The command line says what it does: version, help, formats, clear refusals."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from oncometrics import __version__
from oncometrics.sources import SOURCES
from tests.cli_runner import cli
from tests.test_honest_output import make_uncited_store

SAMPLE = Path(__file__).parents[1] / "oncometrics" / "data" / "sample"
MEDLINE = SAMPLE / "publications" / "peche12_pubmed-breastcanc-set.txt"


def _plain(text: str) -> str:
    """Help text without the box drawing and line breaks."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(["--version"], capsys)
    assert code == 0 and out.strip() == f"oncometrics {__version__}"


def test_help_has_no_bool_placeholder_and_shows_defaults(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = cli(["report", "--help"], capsys)
    assert code == 0
    assert "<bool>" not in out
    text = _plain(out)
    assert "en or fr. [default: en]" in text  # an option read from the settings
    code, out, _ = cli(["ingest", "--help"], capsys)
    assert "<bool>" not in out
    text = _plain(out).replace(" ", "")
    for name in SOURCES:  # every format, the forced patent ones included
        assert name.replace(" ", "") in text, name


def test_ingest_under_the_wrong_format_points_to_the_right_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store"
    code, _, err = cli(
        ["ingest", "pubmed", str(MEDLINE), "--store", str(store)], capsys
    )
    assert code == 1
    assert "use `oncometrics ingest medline`" in err
    csv = tmp_path / "trials.csv"
    csv.write_bytes(b"nct_id,title\nNCT01,caf\xe9\n")
    code, _, err = cli(["ingest", "trials", str(csv), "--store", str(store)], capsys)
    assert code == 1
    hint = [ln for ln in err.splitlines() if ln.startswith("hint: ")]
    assert len(hint) == 1 and "`oncometrics ingest trials` reads" in hint[0]
    assert "no format recognises this CSV" in hint[0]


def test_report_on_an_unknown_actor_is_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = make_uncited_store(tmp_path / "s")
    args = ["report", "--store", str(store), "--out", str(tmp_path / "r")]
    code, _, err = cli([*args, "--actor", "ZZ"], capsys)
    errors = [ln for ln in err.splitlines() if ln.startswith("error:")]
    assert code == 1 and len(errors) == 1
    assert "ZZ: not an ISO 3166 country code" in errors[0]
    assert not (tmp_path / "r" / "report.html").exists()
    code, _, err = cli([*args, "--actor", "IS"], capsys)  # a country, no record
    assert code == 1 and "IS: a country with no record in these tables" in err
    code, _, _ = cli([*args, "--actor", "fr"], capsys)
    assert code == 0


def test_reversed_period_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = make_uncited_store(tmp_path / "s")
    code, _, err = cli(
        ["compute", "--store", str(store), "--period", "2023-2014"], capsys
    )
    assert code == 1
    assert "years reversed (did you mean 2014-2023?)" in err
    assert len(err.strip().splitlines()) == 1


def test_compute_on_a_period_without_records_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store"
    code, _, _ = cli(["ingest", "medline", str(MEDLINE), "--store", str(store)], capsys)
    assert code == 0
    out_dir = tmp_path / "ind"
    code, _, err = cli(
        [
            "compute",
            "--store",
            str(store),
            "--period",
            "1800-1810",
            "--out",
            str(out_dir),
        ],
        capsys,
    )
    errors = [ln for ln in err.splitlines() if ln.startswith("error:")]
    assert code == 1 and len(errors) == 1, err
    assert "1800-1810" in errors[0] and "nothing computed" in errors[0]
    assert not out_dir.exists()  # no folder of empty tables
