"""The pinned engine stack works together (Ibis 12 breaks with sqlglot >= 28).

These tests fail when an upgrade breaks the combination the constraints pin.
"""

from __future__ import annotations

from importlib.metadata import version

import ibis
import pyarrow as pa


def _major(pkg: str) -> int:
    return int(version(pkg).split(".")[0])


def test_pinned_versions() -> None:
    assert _major("ibis-framework") == 12
    assert _major("sqlglot") < 28, "ibis 12 breaks with sqlglot >= 28"
    assert _major("duckdb") < 2, "duckdb 2 changed the result API the store uses"


def test_ibis_duckdb_window_and_join_roundtrip() -> None:
    con = ibis.duckdb.connect()
    t = con.create_table(
        "t", pa.table({"w": [1, 1, 2], "c": ["FR", "US", "FR"], "x": [3, 3, 1]})
    )
    n = t.group_by("w").aggregate(n=t.count())
    j = t.join(n, "w").mutate(wt=1.0 / ibis._.n)
    g = j.group_by("c").aggregate(p=ibis._.wt.sum())
    g = g.mutate(r=ibis.rank().over(order_by=ibis.desc(g.p)) + 1)
    got = dict(
        zip(
            *g.order_by("c").to_pyarrow().select(["c", "p"]).to_pydict().values(),
            strict=True,
        )
    )
    assert got == {"FR": 1.5, "US": 0.5}
