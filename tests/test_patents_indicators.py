"""Invention indicators on the hand-worked fixture (tests/data/patents/world).

Every expected value is derived in ``tests/data/patents/world/EXPECTED.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from pytest import approx

from oncometrics.config import load_config
from oncometrics.domain import Domain
from oncometrics.engine import Engine, connect, load_tables
from oncometrics.family_settings import invention_settings, patent_domain
from oncometrics.indicators.inventions import (
    TABLES_NEEDED,
    cancer_inventions,
    invention_tables,
)
from oncometrics.schema import TABLES

WORLD = Path(__file__).parent / "data" / "patents" / "world"
Rows = dict[str, list[dict[str, Any]]]
#: The settings of the `res` fixture (its domain hash covers them).
RES_SETTINGS: dict[str, Any] = {"periods": "2015-2017,2018-2020"}


def _read(name: str) -> pa.Table:
    schema = TABLES[name]
    path = WORLD / f"{name}.csv"
    if not path.exists():
        return schema.empty_table()
    raw = pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            column_types={f.name: f.type for f in schema}, strings_can_be_null=True
        ),
    )
    cols = [
        raw[f.name] if f.name in raw.column_names else pa.nulls(len(raw), f.type)
        for f in schema
    ]
    return pa.table(cols, schema=schema)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("patent_world")
    for name in TABLES_NEEDED:
        (root / name).mkdir()
        pq.write_table(_read(name), root / name / "part-fixture.parquet")
    return root


def _compute(con: Any, store: Path, **overrides: Any) -> Rows:
    """The invention tables as the pipeline runs them: the shared
    intermediate tables computed once (``Engine.cache``)."""
    engine = Engine(con)
    tables = engine.load_tables(store, TABLES_NEEDED)
    cfg = load_config(**overrides)
    meta = {"domain_hash": Domain.from_config(cfg).hash}
    try:
        out = invention_tables(
            tables, patent_domain(cfg), invention_settings(cfg), meta=meta,
            cache=engine.cache,
        )  # fmt: skip
        return {k: engine.to_arrow(v).to_pylist() for k, v in out.items()}
    finally:
        engine.close()


@pytest.fixture(scope="module")
def res(store: Path) -> Rows:
    return _compute(connect("duckdb"), store, **RES_SETTINGS)


def _by(rows: list[dict[str, Any]], *keys: str) -> dict[Any, dict[str, Any]]:
    return {tuple(r[k] for k in keys) if len(keys) > 1 else r[keys[0]]: r for r in rows}


def test_cancer_selection_and_dating(store: Path) -> None:
    con = connect("duckdb")
    t = load_tables(con, store, tables=TABLES_NEEDED)
    dom = patent_domain(load_config())
    got = cancer_inventions(t["patents"], t["patent_classes"], dom).to_pyarrow()
    years = dict(
        zip(got["family_id"].to_pylist(), got["year"].to_pylist(), strict=True)
    )
    assert years == {"F1": 2016, "F2": 2017, "F3": 2016, "F6": 2019, "F7": 2018,
                     "F8": 2020}  # fmt: skip
    kw = patent_domain(load_config(patent_keywords=("brick",)))
    got = cancer_inventions(t["patents"], t["patent_classes"], kw, (2016, 2016))
    assert sorted(got.to_pyarrow()["family_id"].to_pylist()) == ["F1", "F3", "F4"]


def test_inventions_by_country(res: Rows) -> None:
    c = _by(res["inventions_by_country"], "country")
    assert set(c) == {"FR", "DE", "US", "IT", "CH", "unassigned"}
    expected = {  # i_full, i_frac, share, rank, rta, rank_rta, coinvention
        "FR": (3, 5 / 3, 1 / 3, 1, 1.0, 3, 1.0),
        "DE": (2, 1.5, 0.3, 2, 1.6, 1, 0.5),
        "US": (1, 1.0, 0.2, 3, 0.8, 4, 0.0),
        "IT": (1, 0.5, 0.1, 4, 1.6, 1, 1.0),
        "CH": (1, 1 / 3, 1 / 15, 5, 0.4, 5, 1.0),
    }
    for cc, (full, frac, share, rank, rta, rank_rta, co) in expected.items():
        r = c[cc]
        assert r["i_full"] == full and r["rank_i_frac"] == rank, cc
        assert r["i_frac"] == approx(frac) and r["share_frac"] == approx(share), cc
        assert r["rta"] == approx(rta) and r["rank_rta"] == rank_rta, cc
        assert r["coinvention_rate"] == approx(co), cc
    assert c["unassigned"]["i_full"] == 1 and c["unassigned"]["i_frac"] is None
    assert sum(r["share_frac"] for k, r in c.items() if k != "unassigned") == approx(1)
    # the one hash of the fixture's settings: `periods` changes figures, so
    # the hash differs from the default settings' one
    dom = Domain.from_config(load_config(**RES_SETTINGS))
    assert dom.hash != Domain.from_config(load_config()).hash
    assert {r["domain_hash"] for r in res["inventions_by_country"]} == {dom.hash}


def test_by_country_year_and_partners(res: Rows) -> None:
    y = _by(res["inventions_by_country_year"], "country", "year")
    assert y[("FR", 2016)]["i_frac"] == approx(2 / 3)
    assert y[("CH", 2016)]["share_frac"] == approx((1 / 3) / 2)  # F1 + F3 in 2016
    p = _by(res["coinvention_partners"], "country", "partner")
    assert set(p) == {("FR", "CH"), ("CH", "FR"), ("FR", "DE"), ("DE", "FR"),
                      ("FR", "IT"), ("IT", "FR")}  # fmt: skip
    assert p[("FR", "CH")]["salton"] == approx(0.577350, abs=1e-6)
    assert p[("FR", "DE")]["salton"] == approx(0.408248, abs=1e-6)
    assert [p[("FR", x)]["rank_salton"] for x in ("CH", "IT", "DE")] == [1, 1, 3]
    assert {p[("FR", x)]["rank_co"] for x in ("CH", "IT", "DE")} == {1}


def test_applicants(res: Rows) -> None:
    a = _by(res["inventions_by_applicant"], "applicant")
    assert (
        a["INSERM"]["i_full"],
        a["INSERM"]["i_frac"],
        a["INSERM"]["rank_i_frac"],
    ) == (2, 1.5, 1)
    assert a["INSERM"]["name"] == "INSERM" and a["INSERM"]["country"] == "FR"
    assert a["GENENTECH"]["rank_i_frac"] == 2
    assert a["INSTITUT CURIE"]["i_frac"] == approx(0.5)


def test_technology_mix_and_shift(res: Rows) -> None:
    mix = _by(res["technology_mix"], "period", "country", "field_nr")
    fr = {k[2]: v for k, v in mix.items() if k[:2] == ("all", "FR")}
    assert {f: round(v["share"], 6) for f, v in fr.items()} == {
        16: 0.55,
        11: 0.15,
        13: 0.15,
        15: 0.15,
    }
    fs = "field_specialisation"  # not "rta": another quantity (contract 5)
    assert fr[16][fs] == approx(1.1) and fr[11][fs] == approx(1.5)
    assert fr[15][fs] == approx(0.5)
    assert mix[("all", "DE", 16)][fs] == approx(4 / 3)
    assert fr[11]["field_name"] == "Analysis of biological materials"
    s = _by(res["technology_shift"], "country", "field_nr")
    assert s[("FR", 16)]["shift_pp"] == approx(-50 / 7)
    assert s[("FR", 15)]["shift_pp"] == approx(50.0)
    assert s[("FR", 11)]["shift_pp"] == approx(-150 / 7)
    assert s[("FR", 16)]["fs_1"] == approx(12 / 7)
    assert s[("FR", 16)]["fs_change"] == approx(-22 / 21)
    assert s[("FR", 16)]["status"] == "both"
    assert s[("FR", 16)]["period_1"] == "2015-2017"


def test_by_applicant_country(store: Path) -> None:
    r = _compute(connect("duckdb"), store, by="applicant")
    c = _by(r["inventions_by_country"], "country")
    assert c["FR"]["i_frac"] == approx(2.0) and c["US"]["i_frac"] == approx(1.0)
    assert c["unassigned"]["i_full"] == 3
    assert {row["by"] for row in r["inventions_by_country"]} == {"applicant"}


def test_shift_periods() -> None:
    def periods(**kw: Any) -> Any:
        return invention_settings(load_config(**kw)).shift

    assert periods(periods="2002-2011,2012-2021") == ((2002, 2011), (2012, 2021))
    assert periods(period="2014-2023") == ((2014, 2018), (2019, 2023))
    assert periods() is None
    with pytest.raises(ValueError, match="periods"):
        periods(periods="2002-2011")


@pytest.mark.spark
@pytest.mark.filterwarnings("ignore:The 'future.infer_string' option:Warning")
def test_spark_parity(store: Path, spark_con: Any) -> None:
    """The very same expressions give the same numbers on Spark.

    Both engines with the default settings (no shift periods: keeps the
    Spark job small), so every row is compared; the reference is not the
    `res` fixture, whose shift periods cost DuckDB three times as much on
    the worker that runs the Spark tests."""
    got = _compute(spark_con, store)
    ref = _compute(connect("duckdb"), store)
    keys = {
        "inventions_by_country": ("country",),
        "inventions_by_country_year": ("country", "year"),
        "coinvention_partners": ("country", "partner"),
        "inventions_by_applicant": ("applicant",),
        "technology_mix": ("period", "country", "field_nr"),
        "invention_documents": ("doc_type",),
    }
    assert set(got) == set(ref) == set(keys)
    # the default settings' hash (`res`'s covers its `periods`)
    default_hash = Domain.from_config(load_config()).hash
    for name, k in keys.items():
        assert {r["period"] for r in ref[name]} == {"all"}, name
        a, b = _by(ref[name], *k), _by(got[name], *k)
        assert len(a) == len(ref[name]) and len(b) == len(got[name]), name
        assert set(a) == set(b), name
        for key, row in a.items():
            assert set(b[key]) == set(row), (name, key)
            for col, v in row.items():
                w = b[key][col]
                if col == "domain_hash":
                    assert v == w == default_hash, (name, key, col)
                elif isinstance(v, float):
                    assert w == approx(v, rel=1e-9), (name, key, col)
                else:
                    assert w == v, (name, key, col)


def test_priority_family_joins_docdb_family(tmp_path: Path) -> None:
    """A USPTO grant (prio: family) and its EPO equivalent are one invention."""
    from oncometrics.indicators.families import unify_families

    rows = {
        "patents": [
            {"patent_id": "EP1A1", "family_id": "docdb:77", "priority_year": 2014},
            {"patent_id": "US9B2", "family_id": "prio:FR20141017-1459999",
             "priority_year": 2014},
            {"patent_id": "US8B2", "family_id": "app:US20150101-14000001",
             "priority_year": 2015},
        ],
        "patent_priorities": [
            {"patent_id": "EP1A1", "family_id": "docdb:77",
             "priority_number": "FR20141017-1459999", "priority_date": "2014-10-17"},
            {"patent_id": "EP1A1", "family_id": "docdb:77",
             "priority_number": "US20150101-14000001", "priority_date": "2015-01-01"},
        ],
    }  # fmt: skip
    for name in TABLES_NEEDED:
        (tmp_path / name).mkdir()
        table = pa.Table.from_pylist(rows.get(name, []), schema=TABLES[name])
        pq.write_table(table, tmp_path / name / "part-0.parquet")
    t = unify_families(load_tables(connect("duckdb"), tmp_path, tables=TABLES_NEEDED))
    rows_out = t["patents"].to_pyarrow().to_pylist()
    got = {r["patent_id"]: r["family_id"] for r in rows_out}
    # US9 shares EP1's earliest priority; US8's key is only a later priority
    assert got == {"EP1A1": "docdb:77", "US9B2": "docdb:77",
                   "US8B2": "app:US20150101-14000001"}  # fmt: skip
