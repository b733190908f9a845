"""citation_sources: which database counted the citations of domain works."""

from __future__ import annotations

import ibis
import pyarrow as pa

from oncometrics.indicators.provenance import citation_sources


def test_counts_per_source_with_dates() -> None:
    works = ibis.memtable(
        pa.table(
            {
                "work_id": ["W1", "W2", "W3", "pmid:4", "W5"],
                "citation_source": ["openalex", "wos", "wos", None, "openalex"],
                "citation_date": [None, "2023-09-14", "2023-10-01", None, None],
            }
        )
    )
    domain = ibis.memtable(pa.table({"work_id": ["W1", "W2", "W3", "pmid:4"]}))
    got = ibis.duckdb.connect().to_pyarrow(
        citation_sources(works, domain).order_by("citation_source")
    )
    assert got.to_pylist() == [
        {"citation_source": "none", "works": 1, "first_date": None, "last_date": None},
        {"citation_source": "openalex", "works": 1, "first_date": None, "last_date": None},
        {"citation_source": "wos", "works": 2, "first_date": "2023-09-14",
         "last_date": "2023-10-01"},
    ]  # fmt: skip
