"""Writing the output tables: ``<name>.parquet`` and ``<name>.csv``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from oncometrics import outputs
from oncometrics.safe_text import safe_table

if TYPE_CHECKING:
    from oncometrics.config import Config
    from oncometrics.domain import Domain


def with_meta(table: pa.Table, meta: dict[str, str]) -> pa.Table:
    """`table` with a constant string column per `meta` item (domain, hash…)."""
    for k, v in meta.items():
        table = table.append_column(k, pa.array([v] * table.num_rows, pa.string()))
    return table


def write_table(out: Path, name: str, table: pa.Table) -> Path:
    """Write `table` as ``OUT/name.parquet`` and ``OUT/name.csv``; the Parquet path.

    `table` must match its published schema (:func:`oncometrics.outputs.conform`).
    """
    table = outputs.conform(name, table)
    path = out / f"{name}.parquet"
    pq.write_table(table, path)
    pacsv.write_csv(safe_table(table), out / f"{name}.csv")  # no live formulas
    return path


def write_domain(
    out: Path,
    domain: Domain,
    config: Config,
    country_provenance: dict[str, dict[str, int]] | None = None,
    snapshot: int | None = None,
    corpus: dict[str, Any] | None = None,
    threshold: str = "no size threshold",
) -> Path:
    """``OUT/domain.json``: the domain definition, its hash and every
    figure-changing setting (``settings``, all in the hash).

    `country_provenance` (``{source: {provenance: authorships}}``) records
    how many authorships' countries were read from affiliation strings;
    `corpus`, once the works are selected, the signal counts, which
    reference sets, the citation coverage and observation dates.
    """
    from oncometrics.family_settings import figure_settings

    doc = domain.to_dict()
    doc["store_snapshot"] = snapshot  # compute with `snapshot` = it: same rows
    doc["settings"].update(figure_settings(config))  # + patent domain version
    doc["totals_file"] = config.values.get("totals")
    doc["size_threshold"] = threshold  # how the country size threshold reads
    if country_provenance is not None:
        doc["country_provenance"] = country_provenance
    if corpus is not None:
        doc["corpus"] = corpus
    path = out / "domain.json"
    path.write_text(json.dumps(doc, indent=1, default=str) + "\n", encoding="utf-8")
    return path
