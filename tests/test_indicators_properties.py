"""Invariants of the indicators on random small worlds (hypothesis), on every
engine (the `con` fixture: DuckDB, and Spark under the `spark` marker)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import hypothesis.strategies as st
import ibis
import pandas as pd
import pyarrow as pa
from hypothesis import HealthCheck, given, settings

from oncometrics.engine import Engine
from oncometrics.indicators import counting, impact, output, specialisation

COUNTRIES = ["FR", "US", "DE", "CN", None]

work_st = st.tuples(
    st.sampled_from([2020, 2021]),  # year
    st.sampled_from(["2730", "1306", "unclassified"]),  # field
    st.integers(0, 6),  # citations: small range, many ties
    st.lists(  # authorships: each a set of countries (None = unresolved)
        st.lists(st.sampled_from(COUNTRIES), min_size=1, max_size=3),
        min_size=1,
        max_size=4,
    ),
)
world_st = st.lists(work_st, min_size=1, max_size=40)
SETTINGS = settings(
    deadline=None,
    # one backend per engine serves every example (conftest `con`)
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
#: Random worlds per test: each Spark example costs seconds of query
#: planning (docs/benchmarks.md, "Test suite"): Spark checks the same properties
#: on 5 worlds of the same generator, DuckDB on 20.
EXAMPLES = {"duckdb": 20, "pyspark": 5}


def _on_random_worlds(con: Any, check: Callable[[Any, list[Any]], None]) -> None:
    """`check(con, world)` on EXAMPLES[engine] random worlds."""
    run = settings(SETTINGS, max_examples=EXAMPLES[con.name])(given(world_st)(check))
    run(con)


def _tables(world: list[Any], con: Any) -> tuple[Any, Any]:
    works: dict[str, list[Any]] = {
        "work_id": [], "publication_year": [], "field": [], "doc_type": [], "cited": []
    }  # fmt: skip
    links: dict[str, list[Any]] = {"work_id": [], "author_position": [], "actor": []}
    for i, (year, field, cited, auths) in enumerate(world):
        wid = f"W{i:03d}"
        for k, v in zip(works, (wid, year, field, "article", cited), strict=True):
            works[k].append(v)
        for pos, countries in enumerate(auths, start=1):
            for c in countries:
                links["work_id"].append(wid)
                links["author_position"].append(pos)
                links["actor"].append(c)
    w = pa.table(works).cast(
        pa.schema([("work_id", pa.string()), ("publication_year", pa.int32()),
                   ("field", pa.string()), ("doc_type", pa.string()),
                   ("cited", pa.int64())])
    )  # fmt: skip
    w = w.append_column("has_cit", pa.array([True] * w.num_rows))  # all have data
    a = pa.table(links).cast(
        pa.schema([("work_id", pa.string()), ("author_position", pa.int32()),
                   ("actor", pa.string())])
    )  # fmt: skip
    if con.name != "pyspark":
        return ibis.memtable(w), ibis.memtable(a)
    # on Spark through the engine: Ibis' memtables go through pandas, where a
    # null country becomes the text "NaN"
    engine = Engine(con)
    tag = uuid.uuid4().hex[:8]
    return engine.upload(w, f"works_{tag}"), engine.upload(a, f"links_{tag}")


def _assigned(world: list[Any]) -> int:
    return sum(any(c for a in auths for c in a) for *_, auths in world)


def test_top_shares_sum_to_x_n(con: Any) -> None:
    _on_random_worlds(con, _top_shares_sum_to_x_n)


def _top_shares_sum_to_x_n(con: Any, world: list[Any]) -> None:
    works, _ = _tables(world, con)
    wi = con.to_pyarrow(impact.work_impact(works)).to_pandas()
    for _, g in wi.groupby(["publication_year", "field"]):
        n = len(g)
        if n < 2:  # alone in its set, its own yardstick: not rated
            assert not g.rated.any() and g.ncs.isna().all()
            assert g.top10_share.isna().all() and g.top1_share.isna().all()
            continue
        assert g.rated.all()
        assert abs(g.top10_share.sum() - 0.1 * n) < 1e-9
        assert abs(g.top1_share.sum() - 0.01 * n) < 1e-9
        assert ((g.top10_share >= 0) & (g.top10_share <= 1)).all()
        assert abs(g.ncs.mean() - 1.0) < 1e-9  # NCS averages 1 in each set
        # a more cited work never has a smaller share than a less cited one
        s = g.sort_values("c")
        assert (s.top10_share.diff().dropna() >= -1e-12).all()


def test_counting_and_shares(con: Any) -> None:
    _on_random_worlds(con, _counting_and_shares)


def _counting_and_shares(con: Any, world: list[Any]) -> None:
    works, links = _tables(world, con)
    w = counting.actor_weights(works, links)
    wi = impact.work_impact(works)
    t = con.to_pyarrow(output.ranked_indicators(impact.actor_impact(w, wi)))
    t = t.to_pandas()
    assigned = _assigned(world)
    assert abs(t.p_frac.sum() - assigned) < 1e-9
    assert (t.p_frac <= t.p_full + 1e-12).all()
    if assigned:
        assert abs(t.share_frac.sum() - 1.0) < 1e-9
        assert t.rank_p_frac.min() == 1
    # Σ P(top 10 %) over actors ≤ 0.1 × rated works (a work alone in its
    # set is not rated; equality up to unassigned works)
    rated = int(con.to_pyarrow(wi.rated.cast("int64").sum().name("n")).as_py() or 0)
    sizes = pd.Series([(y, f) for y, f, *_ in world]).value_counts()
    assert rated == int(sizes[sizes >= 2].sum())
    assert t.p_top10.sum() <= 0.1 * rated + 1e-9
    if assigned == len(world):
        assert abs(t.p_top10.sum() - 0.1 * rated) < 1e-9
    per_work = con.to_pyarrow(w).to_pandas().groupby("work_id").weight.sum()
    assert ((per_work - 1.0).abs() < 1e-9).all()


def test_activity_index_is_one_for_everything(con: Any) -> None:
    _on_random_worlds(con, _activity_index_is_one_for_everything)


def _activity_index_is_one_for_everything(con: Any, world: list[Any]) -> None:
    works, links = _tables(world, con)
    w = counting.actor_weights(works, links)
    t = impact.actor_impact(w, impact.work_impact(works))
    totals = specialisation.actor_totals(w, works)
    ai = con.to_pyarrow(specialisation.activity_index(t, totals)).to_pandas()
    assert ((ai.ai - 1.0).abs() < 1e-9).all()
    assert (ai.rsi.abs() < 1e-9).all()
