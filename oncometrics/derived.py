"""Tables the store derives from its canonical ones, kept in step with them.

* ``work_country_weights``: each work's fractional country weights
  (:func:`oncometrics.indicators.counting.country_weights` of all its
  authorships).  A work's weights depend on its own authorships only, so
  they are computed once, when files are ingested, instead of by every
  ``compute`` from all the authorship rows (~5 per work, window functions).
  ``compute`` selects the domain's works from it.
* ``country_totals``: those weights summed per country, publication year and
  document type, one small aggregate per ingested file: the all-field totals
  of the activity index for any period and document types are the sum of
  its rows, without reading a row per work (docs/benchmarks.md, compute).
* ``work_institution_weights`` and ``institution_totals``: the same for
  institutions (from ``authorship_institutions``).

They are written in the same DuckLake transaction as the rows they come
from (:mod:`oncometrics.store_commit`), so they are never behind: a file's
commit adds the weights of its stored works and their totals; when a richer
record supersedes a stored work, the commit deletes that work's weights and
adds its totals with the opposite sign (a sum of rows, so the totals of any
snapshot are those of its works).  :func:`oncometrics.store.derived_complete` is False only for a
store whose derived table is missing (:func:`oncometrics.store.drop_derived`, tests of
the long way):
``compute`` then works from the canonical tables (same figures, slower).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from oncometrics.schema import TABLES

if TYPE_CHECKING:
    import ibis.expr.types as ir

COUNTRY_WEIGHTS = "work_country_weights"
COUNTRY_TOTALS = "country_totals"
INSTITUTION_WEIGHTS = "work_institution_weights"
INSTITUTION_TOTALS = "institution_totals"
#: Each derived table's sources (parts of the same name), in build order;
#: the first is the canonical table whose parts the derived parts mirror.
SOURCES: dict[str, tuple[str, ...]] = {
    COUNTRY_WEIGHTS: ("authorship_countries",),
    COUNTRY_TOTALS: ("authorship_countries", "works", COUNTRY_WEIGHTS),
    INSTITUTION_WEIGHTS: ("authorship_institutions",),
    INSTITUTION_TOTALS: ("authorship_institutions", "works", INSTITUTION_WEIGHTS),
}
#: The actor column of each derived table (as in its links table).
ACTOR: dict[str, str] = {
    COUNTRY_WEIGHTS: "country",
    COUNTRY_TOTALS: "country",
    INSTITUTION_WEIGHTS: "institution_id",
    INSTITUTION_TOTALS: "institution_id",
}


@functools.cache
def weights_sql(table: str, source: str) -> str:
    """SQL of the weights `table` of the links in relation `source`.

    `source` has the columns of the links table (``SOURCES[table][0]``);
    the query is :func:`oncometrics.indicators.counting.actor_weights`.
    """
    import ibis

    links_table = SOURCES[table][0]
    links = ibis.table(ibis.schema(TABLES[links_table]), name=source)
    return str(ibis.to_sql(_weights_of(links, ACTOR[table]), dialect="duckdb"))


def totals_sql(table: str, weights: str, works: str, sign: str = "") -> str:
    """SQL of the totals `table` of the weights in `weights` joined with `works`.

    ``sign`` ``-`` gives the totals to subtract (superseded works).
    """
    actor = ACTOR[table]
    return f"""SELECT w.{actor}, CAST(k.publication_year AS INTEGER) AS publication_year,
        k.doc_type, {sign}sum(w.weight) AS p_frac, {sign}count(w.work_id) AS p_full
        FROM {weights} w JOIN {works} k ON k.work_id = w.work_id
        GROUP BY ALL ORDER BY ALL"""


def rebuild(con: Any) -> None:
    """Recompute every derived table from the canonical ones (one transaction)."""
    from oncometrics.lake import ALIAS

    for table, sources in SOURCES.items():
        con.execute(f"DELETE FROM {ALIAS}.{table}")
        if table.endswith("_weights"):
            con.execute(
                "CREATE OR REPLACE TEMP VIEW all_links AS "
                f"SELECT * FROM {ALIAS}.{sources[0]}"
            )
            con.execute(
                f"INSERT INTO {ALIAS}.{table} BY NAME {weights_sql(table, 'all_links')}"
            )
        else:
            con.execute(
                f"INSERT INTO {ALIAS}.{table} BY NAME "
                + totals_sql(table, f"{ALIAS}.{sources[2]}", f"{ALIAS}.works")
            )


def _weights_of(links: ir.Table, actor: str) -> ir.Table:
    """Weights of the works of `links` (counting.actor_weights), typed."""
    from oncometrics.indicators import counting

    links = links.select("work_id", "author_position", actor=links[actor])
    w = counting.actor_weights(None, links)
    return w.select(
        work_id=w.work_id.cast("string"),
        **{actor: w.actor.cast("string")},
        weight=w.weight.cast("float64"),
    ).order_by("work_id", actor)  # the same files whatever the threads
