"""Writing the output tables: ``<name>.parquet`` and ``<name>.csv``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from oncometrics import outputs

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
    pacsv.write_csv(table, out / f"{name}.csv")
    return path


def write_domain(
    out: Path, domain: Domain, config: Config, corpus: dict[str, Any] | None = None
) -> Path:
    """``OUT/domain.json``: the domain definition, its hash, every
    figure-changing setting (``settings``, all in the hash) and, once the
    works are selected, the corpus facts (signal counts, reference sets,
    citation coverage and observation dates)."""
    from oncometrics.pipeline import threshold_label

    doc = domain.to_dict()
    doc["totals_file"] = config.values.get("totals")
    doc["size_threshold"] = threshold_label(config)
    if corpus is not None:
        doc["corpus"] = corpus
    path = out / "domain.json"
    path.write_text(json.dumps(doc, indent=1, default=str) + "\n", encoding="utf-8")
    return path
