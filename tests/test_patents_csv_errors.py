"""CSV errors of the two patent CSV readers (canonical and Lens), hand-made files.

Both read their rows through ``patent_files.CsvDicts``: a cell longer than
``max_record_bytes`` stops the canonical file with one error naming the
line, and stops a Lens file after the good records with one reject.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from oncometrics.sources import patents_csv, patents_lens
from oncometrics.sources.base import Record, Reject, SourceError

LIMIT = 1000
LONG = "x" * (LIMIT + 1)
LENS_HEADER = "Lens ID,Jurisdiction,Kind,Display Key,Publication Year,Title\n"


@pytest.fixture(autouse=True)
def _small_records(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONCOMETRICS_MAX_RECORD_BYTES", str(LIMIT))


def test_canonical_long_cell_stops_the_file(tmp_path: Path) -> None:
    f = tmp_path / "families.csv"
    f.write_text(
        f'family_id,role,name,country\nF1,inventor,Ada,FR\nF2,inventor,"{LONG}",DE\n'
    )
    with pytest.raises(SourceError) as err:
        list(patents_csv.parse(f))
    msg = str(err.value)
    assert msg.startswith("families.csv: bad CSV at line ")
    assert msg.endswith("(a cell is longer than max_record_bytes (1,000))")


def test_canonical_needs_family_id(tmp_path: Path) -> None:
    f = tmp_path / "families.csv"
    f.write_text("family_id_x,role\nF1,inventor\n")
    with f.open("rb") as fh, pytest.raises(SourceError) as err:
        list(patents_csv.parse_stream(fh, f.name))
    assert str(err.value) == (
        "families.csv: canonical patent CSV needs a family_id column"
    )


def test_lens_long_cell_rejects_and_stops(tmp_path: Path) -> None:
    f = tmp_path / "lens.csv"
    f.write_text(
        LENS_HEADER
        + "1,US,B2,US 1 B2,2020,One\n"
        + f'2,US,B2,US 2 B2,2020,"{LONG}"\n'
        + "3,US,B2,US 3 B2,2020,Three\n"
    )
    items = list(patents_lens.parse(f))
    assert [type(i) for i in items] == [Record, Reject]
    assert isinstance(items[0], Record)
    assert items[0].rows["patents"][0]["patent_id"] == "US1B2"
    reject = items[1]
    assert isinstance(reject, Reject) and reject.record_no == 2
    assert reject.reason == (
        "lens.csv: a cell is longer than max_record_bytes (1,000); reading stopped"
    )
