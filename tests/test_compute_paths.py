"""The faster compute paths give the same results as the long ways, and the
engine settings (memory limit, spill folder) reach DuckDB.

Each faster path is compared here with a direct re-statement of what it
replaced: the MeSH ``IN`` list of the domain selection, the per-authorship
computation of every work's weights, and the all-field totals summed from
the weights of every counted work.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ibis
import numpy as np
import pyarrow as pa
import pytest

from oncometrics import derived, pipeline
from oncometrics import engine as engine_mod
from oncometrics.config import load_config
from oncometrics.domain import Domain
from oncometrics.engine import Engine, EngineError, connect, load_tables
from oncometrics.indicators import counting, selection, specialisation
from oncometrics.pipeline.inputs import country_totals
from oncometrics.schema import DERIVED
from oncometrics.store import derived_complete, drop_derived
from tests.indicators_fixtures import fixture_store
from tests.test_bench_baseline import random_store


def _rows(expr: Any, keys: list[str]) -> list[tuple[Any, ...]]:
    t = expr.to_pyarrow().sort_by([(k, "ascending") for k in keys])
    return list(zip(*(t[c].to_pylist() for c in t.column_names), strict=True))


StoreOf = Callable[..., Path]


@pytest.fixture(scope="module")
def store_of(tmp_path_factory: pytest.TempPathFactory) -> StoreOf:
    """``store_of(which, n=, seed=)``: the hand-worked fixture store, or a random
    one of `n` works, built once per module and shared by the tests that only
    read it (a test that changes a store changes a copy)."""
    built: dict[tuple[str, int, int], Path] = {}

    def get(which: str, *, n: int = 0, seed: int = 0) -> Path:
        key = (which, 0, 0) if which == "fixture" else (which, n, seed)
        if key not in built:
            root = tmp_path_factory.mktemp("-".join(map(str, key))) / "store"
            built[key] = (
                fixture_store(root)
                if which == "fixture"
                else random_store(root, n=n, seed=seed)
            )
        return built[key]

    return get


# -- domain selection: semi-join on a memtable == IN list of literals --------


def _mesh_ids_in_list(work_subjects: Any, domain: Domain) -> Any:
    """The domain's MeSH match as it was: an ``IN`` list of literals."""
    s = work_subjects
    mesh = s.filter(s.scheme == "mesh")
    return mesh.filter(mesh.code.isin(list(domain.mesh_descriptors) or [""]))


def _domain_ids_in_list(work_subjects: Any, domain: Domain) -> Any:
    """Every subject signal, the MeSH one by an ``IN`` list."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(selection, "_mesh_ids", _mesh_ids_in_list)
        return selection._domain_ids(work_subjects, domain)


@pytest.mark.parametrize("which", ["fixture", "random"])
@pytest.mark.parametrize("any_topic", [False, True])
def test_semijoin_domain_selects_the_same_works(
    store_of: StoreOf, which: str, any_topic: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = store_of(which, n=400, seed=3)
    domain = Domain.from_config(load_config(any_topic=any_topic))
    con = connect("duckdb")
    try:
        t = load_tables(con, store, ["works", "work_subjects"])
        new = _rows(
            selection.domain_works(t["works"], t["work_subjects"], domain), ["work_id"]
        )
        ids_new = _rows(selection._domain_ids(t["work_subjects"], domain), ["work_id"])
        monkeypatch.setattr(selection, "_mesh_ids", _mesh_ids_in_list)
        old = _rows(
            selection.domain_works(t["works"], t["work_subjects"], domain), ["work_id"]
        )
        ids_old = _rows(selection._domain_ids(t["work_subjects"], domain), ["work_id"])
    finally:
        con.disconnect()
    assert new == old
    assert ids_new == ids_old
    # the MeSH side matters: some works are in the domain by MeSH alone
    assert len(ids_new) > 0 and len(new) > 0
    if which == "random":
        mesh_only = _mesh_only_works(store, domain) & {r[0] for r in new}
        assert mesh_only, "no work selected by MeSH alone"


def _mesh_only_works(store: Path, domain: Domain) -> set[str]:
    """Works with a domain MeSH descriptor whose primary subfield is elsewhere."""
    con = connect("duckdb")
    try:
        t = load_tables(con, store, ["works", "work_subjects"])
        s, w = t["work_subjects"], t["works"]
        mesh = s.filter(
            (s.scheme == "mesh") & s.code.isin(list(domain.mesh_descriptors))
        ).select("work_id")
        other = w.filter(~w.primary_subfield_id.isin(list(domain.openalex_subfields)))
        return {
            r[0]
            for r in _rows(
                other.select("work_id").semi_join(mesh, "work_id"), ["work_id"]
            )
        }
    finally:
        con.disconnect()


def test_semijoin_domain_with_no_mesh_descriptors(tmp_path: Path) -> None:
    store = random_store(tmp_path / "store", n=200, seed=5)
    domain = Domain.from_config(load_config(mesh_tree="Z99"))  # no descriptor
    assert domain.mesh_descriptors == ()
    con = connect("duckdb")
    try:
        t = load_tables(con, store, ["work_subjects"])
        ids = _rows(selection._domain_ids(t["work_subjects"], domain), ["work_id"])
        ref = _rows(_domain_ids_in_list(t["work_subjects"], domain), ["work_id"])
    finally:
        con.disconnect()
    assert ids == ref and len(ids) > 0


# -- weights: single-actor shortcut == per-authorship computation ----------


def _weights_long_way(works: Any, links: Any) -> Any:
    """Every work through the per-authorship windows (the previous code)."""
    links = (
        links.select("work_id", "author_position", "actor")
        .filter(ibis._.actor.notnull())
        .distinct()
    )
    if works is not None:
        links = links.semi_join(works.select("work_id"), "work_id")
    n_act = ibis._.actor.count().over(group_by=["work_id", "author_position"])
    t = links.mutate(n_act=n_act.cast("float64"))
    n_auth = (1.0 / t.n_act).sum().over(group_by="work_id").round()
    t = t.mutate(share=1.0 / (n_auth * t.n_act))
    return t.group_by("work_id", "actor").aggregate(weight=t.share.sum())


def _random_links(seed: int, n_works: int = 300) -> pa.Table:
    rng = np.random.default_rng(seed)
    rows: dict[str, list[Any]] = {"work_id": [], "author_position": [], "actor": []}
    for i in range(n_works):
        # a third of the works single-actor, some with duplicate links
        pool = ["FR"] if rng.random() < 0.35 else ["FR", "US", "DE", "CN", None]
        for pos in range(1, int(rng.integers(1, 12)) + 1):
            for a in rng.choice(pool, size=int(rng.integers(1, 4))):
                rows["work_id"].append(f"W{i}")
                rows["author_position"].append(pos)
                rows["actor"].append(None if a is None else str(a))
    return pa.table(rows)


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("restrict", [True, False])
def test_single_actor_shortcut_gives_the_same_weights(
    seed: int, restrict: bool
) -> None:
    links = ibis.memtable(_random_links(seed))
    works = (
        ibis.memtable(pa.table({"work_id": [f"W{i}" for i in range(0, 300, 2)]}))
        if restrict
        else None
    )
    new = _rows(counting.actor_weights(works, links), ["work_id", "actor"])
    old = _rows(_weights_long_way(works, links), ["work_id", "actor"])
    assert [r[:2] for r in new] == [r[:2] for r in old]
    assert all(
        math.isclose(a[2], b[2], abs_tol=1e-12) for a, b in zip(new, old, strict=True)
    )
    # both kinds of work are there: weight exactly 1, and shared weights
    assert any(r[2] == 1.0 for r in new) and any(r[2] < 1.0 for r in new)
    if restrict:
        assert {r[0] for r in new} <= {f"W{i}" for i in range(0, 300, 2)}


# -- all-field totals: one aggregate == totals from every work's weights ------


def test_streamed_totals_equal_totals_from_all_weights(tmp_path: Path) -> None:
    store = random_store(tmp_path / "store", n=500, seed=11)
    cfg = load_config(bootstrap=0)
    con = connect("duckdb")
    eng = Engine(con)
    inp = pipeline.inputs_of(eng, store, Domain.from_config(cfg), cfg)
    try:
        totals, by_year = country_totals(inp, cfg.totals, lambda m: None)
        assert by_year is not None
        ac = inp.tables["authorship_countries"]
        links = ac.select("work_id", "author_position", actor=ac.country)
        w_all = _weights_long_way(inp.counted, links)
        ref = specialisation.actor_totals(w_all, inp.counted)
        ref_y = specialisation.actor_totals(w_all, inp.counted, by=["publication_year"])
        got, exp = _rows(totals, ["actor"]), _rows(ref, ["actor"])
        got_y = _rows(by_year, ["actor", "publication_year"])
        exp_y = _rows(ref_y, ["actor", "publication_year"])
    finally:
        inp.release()
        con.disconnect()
    for a, b in ((got, exp), (got_y, exp_y)):
        assert len(a) == len(b) > 0
        for x, y in zip(a, b, strict=True):
            assert x[:-2] == y[:-2]
            assert math.isclose(x[-2], y[-2], abs_tol=1e-9)  # p_all
            assert x[-1] == y[-1]  # p_all_full, exact


# -- the store's derived weights == weights from the authorships -------------


def _tables_of(out: Path) -> dict[str, pa.Table]:
    import pyarrow.parquet as pq

    return {p.stem: pq.read_table(p) for p in sorted(out.glob("*.parquet"))}


CONFIG_OF = {
    "fixture": {},
    # the random store: a period and types other than the defaults (the
    # totals' filters), with some works of each left out
    "random": {"period": "2019-2020", "types": ("article",)},
}


def _spy_weights(mp: pytest.MonkeyPatch, calls: list[tuple[str, bool]]) -> None:
    """Record every call of counting's weight functions (and if on all works)."""
    real = {
        fn: getattr(counting, fn) for fn in ("country_weights", "institution_weights")
    }
    for fn in real:

        def spy(works: Any, links: Any, fn: str = fn) -> Any:
            calls.append((fn, works is None))
            return real[fn](works, links)

        mp.setattr(counting, fn, spy)


@pytest.fixture(scope="module")
def fast_compute(
    store_of: StoreOf, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], dict[str, Any]]:
    """``fast_compute(which)``: compute on the store with its derived tables,
    once per store for both `drop` cases (the same computation for both):
    its tables, the weight functions called and the log."""
    done: dict[str, dict[str, Any]] = {}

    def get(which: str) -> dict[str, Any]:
        if which not in done:
            store = store_of(which, n=500, seed=13)
            out = tmp_path_factory.mktemp(f"fast-{which}") / "fast"
            calls: list[tuple[str, bool]] = []
            logs: list[str] = []
            with pytest.MonkeyPatch.context() as mp:
                _spy_weights(mp, calls)
                pipeline.compute(
                    store,
                    out,
                    config=load_config(bootstrap=50, **CONFIG_OF[which]),
                    log=logs.append,
                )
            done[which] = {
                "store": store,
                "tables": _tables_of(out),
                "calls": calls,
                "logs": logs,
            }
        return done[which]

    return get


@pytest.mark.parametrize("drop", ["totals", "both"])
@pytest.mark.parametrize("which", ["fixture", "random"])
def test_compute_same_with_and_without_derived_tables(
    tmp_path: Path,
    which: str,
    drop: str,
    fast_compute: Callable[[str], dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ref = fast_compute(which)  # computed once for both `drop` cases
    store = tmp_path / "store"
    shutil.copytree(ref["store"], store)  # the shared store stays complete
    assert derived_complete(store) and derived_complete(store, derived.COUNTRY_TOTALS)
    cfg = load_config(bootstrap=50, **CONFIG_OF[which])
    assert ref["calls"] == []  # read from the store, never recomputed
    assert not any("derived tables" in m for m in ref["logs"])
    calls: list[tuple[str, bool]] = []
    _spy_weights(monkeypatch, calls)
    logs: list[str] = []
    # a store of an older version: no totals, or no derived table at all
    drop_derived(store, [t for t in DERIVED if drop == "both" or t.endswith("_totals")])
    assert not derived_complete(store, derived.COUNTRY_TOTALS)
    assert not derived_complete(store, derived.INSTITUTION_TOTALS) or which == "random"
    pipeline.compute(store, tmp_path / "slow", config=cfg, log=logs.append)
    hint = [m for m in logs if "derived tables missing or out of date" in m]
    assert len(hint) == 1 and "country_totals" in hint[0] and "ingest" in hint[0]
    # without weights: those of the domain works, then of all works
    both = [("country_weights", False), ("country_weights", True),
            ("institution_weights", False), ("institution_weights", True)]  # fmt: skip
    if which == "random":  # no institutions: nothing to derive, still complete
        both = both[:2]
    assert sorted(calls) == (both if drop == "both" else [])
    fast, slow = ref["tables"], _tables_of(tmp_path / "slow")
    assert fast.keys() == slow.keys() and "publications_by_country" in fast
    for name in fast:
        a, b = fast[name], slow[name]
        assert a.schema == b.schema and a.num_rows == b.num_rows, name
        for col in a.column_names:
            x, y = a[col].to_pylist(), b[col].to_pylist()
            if pa.types.is_floating(a.schema.field(col).type):
                assert all(
                    (u is None and v is None)
                    or math.isclose(u, v, rel_tol=1e-12, abs_tol=1e-12)
                    for u, v in zip(x, y, strict=True)
                ), (name, col)
            else:
                assert x == y, (name, col)
    assert fast["publications_by_country"].num_rows > 1


# -- engine settings ----------------------------------------------------------


def _setting(con: Any, name: str) -> str:
    return str(con.raw_sql(f"SELECT current_setting('{name}')").fetchone()[0])


def test_memory_limit_and_temp_directory_reach_duckdb(tmp_path: Path) -> None:
    spill = tmp_path / "spill"
    con = connect("duckdb", memory_limit="1GB", temp_directory=spill)
    ref = connect("duckdb")
    try:
        default = _setting(ref, "memory_limit")
        ref.raw_sql("SET memory_limit = '1GB'")
        assert _setting(con, "memory_limit") == _setting(ref, "memory_limit")
        assert _setting(con, "memory_limit") != default
        assert _setting(con, "temp_directory") == str(spill)
        assert spill.is_dir()
    finally:
        con.disconnect()
        ref.disconnect()


def test_bad_memory_limit_is_a_one_line_error() -> None:
    with pytest.raises(EngineError) as err:
        connect("duckdb", memory_limit="lots")
    msg = str(err.value)
    assert "memory_limit" in msg and "lots" in msg and "\n" not in msg


def test_compute_passes_memory_settings_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, store_of: StoreOf
) -> None:
    monkeypatch.setenv("ONCOMETRICS_MEMORY_LIMIT", "700MB")
    monkeypatch.setenv("ONCOMETRICS_TEMP_DIRECTORY", str(tmp_path / "spill"))
    cfg = load_config(bootstrap=0)
    assert cfg.memory_limit == "700MB"
    seen: dict[str, str] = {}
    real_connect = engine_mod.connect_config

    def spy(*args: Any, **kwargs: Any) -> Any:
        con = real_connect(*args, **kwargs)
        seen["memory_limit"] = _setting(con, "memory_limit")
        seen["temp_directory"] = _setting(con, "temp_directory")
        return con

    monkeypatch.setattr(engine_mod, "connect_config", spy)
    store = store_of("fixture")
    pipeline.compute(store, tmp_path / "out", config=cfg, log=lambda m: None)
    ref = connect("duckdb", memory_limit="700MB")
    try:
        assert seen["memory_limit"] == _setting(ref, "memory_limit")
    finally:
        ref.disconnect()
    assert seen["temp_directory"] == str(tmp_path / "spill")
    assert (tmp_path / "out" / "publications_by_country.parquet").exists()
