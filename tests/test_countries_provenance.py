"""Countries read from affiliation strings: counted per source (issue 18)."""

from __future__ import annotations

import json
from pathlib import Path

from oncometrics.indicators.provenance import provenance_counts, provenance_line

ROOT = Path(__file__).parent


def test_provenance_counts_and_line() -> None:
    rows = [
        {"source": "pubmed", "provenance": "affiliation_text", "authorships": 4},
        {"source": "openalex", "provenance": "institution", "authorships": 7},
        {"source": "openalex", "provenance": "affiliation_text", "authorships": 3},
    ]
    counts = provenance_counts(rows)
    assert list(counts) == ["openalex", "pubmed"]
    assert provenance_line(counts) == (
        "countries read from affiliation strings: openalex 3 of 10 authorships; "
        "pubmed 4 of 4 authorships"
    )


def test_country_provenance_in_ingest_line_and_domain_json(
    tmp_path: Path, capsys
) -> None:
    """OpenAlex authorships whose country was read from the raw strings are
    counted per source (the real OpenAlex sample of tests/data/openalex)."""
    from oncometrics.cli import main

    store = tmp_path / "store"
    files = sorted((ROOT / "data" / "openalex").glob("*.json*"))[:1]
    main(["ingest", "openalex", *map(str, files), "--store", str(store)])
    line = [
        x for x in capsys.readouterr().out.splitlines() if "affiliation strings" in x
    ]
    assert line and line[0].startswith(
        "countries read from affiliation strings: openalex "
    )
    main(["compute", "--store", str(store), "--out", str(tmp_path / "ind")])
    doc = json.loads((tmp_path / "ind" / "domain.json").read_text())
    counts = doc["country_provenance"]["openalex"]
    assert set(counts) <= {"openalex_countries", "institution", "affiliation_text"}
    n_text = counts.get("affiliation_text", 0)
    assert f"openalex {n_text:,} of {sum(counts.values()):,} authorships" in line[0]
