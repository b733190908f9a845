"""Inventions as the EPO/OECD count them: a second hand-worked world.

Every expected number below is worked out by hand in the comments, from the
rows of :data:`ROWS` and the contract (sections 1–3 and 5), not from the
code.  Default patent domain (cancer-specific codes alone; generic codes with
a cancer keyword in title or abstract), inventor countries.

Documents (family, type, year, code, title/abstract, inventors, offices)::

  G1  US1            utility  2016  A61P35/00 (specific)       US     US
  G1  USRE049000E1   reissue  2016  A61P35/00                  US     US
  G2  EP2, US2b      utility  2017  A61B6/03 (generic)         FR DE  EP US
      abstract "... detecting lung tumours early" -> keyword -> cancer
  G3  US3            utility  2016  A61B6/00 (generic)         US     US
      "Dental X-ray holder", "... against the molars" -> no keyword -> not
  G4  JP4            utility  2016  B28B1/29 (bricks)          JP     JP + CN prio
  G7  CN7            utility  2019  C12Q1/6886 (specific)      CN     CN
  G8  EP8            utility  2019  A61P35/00 (specific)       FR     EP
  H5  USD0900000S1   design   2018  A61B5/00, "Cancer screening housing"  US
  P6  USPP030000P2   plant    2018  A01H6/00                   US

A design patent (H5) would be a cancer invention by its code and title if it
counted: it does not.  The reissue (kind E1, number RE…) belongs to G1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pytest import approx

from oncometrics.domain_patents import PatentDomain
from oncometrics.engine import Engine, connect, load_tables
from oncometrics.indicators.families import document_type
from oncometrics.indicators.inventions import (
    TABLES_NEEDED,
    InventionSettings,
    cancer_inventions,
    domain_routes,
    invention_tables,
)
from oncometrics.indicators.technology import shift_periods
from oncometrics.schema import TABLES


def _doc(pid: str, fam: str, cc: str, kind: str, year: int, **kw: Any) -> dict:
    return {"patent_id": pid, "family_id": fam, "jurisdiction": cc, "kind": kind,
            "priority_year": year, "source": "canonical", **kw}  # fmt: skip


def _inv(pid: str, fam: str, *countries: str) -> list[dict]:
    return [{"patent_id": pid, "family_id": fam, "role": "inventor", "sequence": i,
             "name": f"n{i}", "country": c} for i, c in enumerate(countries, 1)]  # fmt: skip


def _cls(pid: str, fam: str, code: str) -> dict:
    return {"patent_id": pid, "family_id": fam, "scheme": "ipc", "code": code}


def _prio(pid: str, fam: str, key: str) -> dict:
    return {"patent_id": pid, "family_id": fam, "priority_number": key}


# fmt: off
ROWS: dict[str, list[dict]] = {
    "patents": [
        _doc("US1", "G1", "US", "B2", 2016, title="Taxane salt"),
        _doc("USRE049000E1", "G1", "US", "E1", 2016, title="Taxane salt"),
        _doc("EP2", "G2", "EP", "A1", 2017, title="CT imaging method",
             abstract="A method for detecting lung tumours early."),
        _doc("US2b", "G2", "US", "B2", 2017, title="CT imaging method"),
        _doc("US3", "G3", "US", "B1", 2016, title="Dental X-ray holder",
             abstract="Holds a film against the molars."),
        _doc("JP4", "G4", "JP", "A", 2016, title="Brick press"),
        _doc("CN7", "G7", "CN", "A", 2019, title="Methylation panel"),
        _doc("EP8", "G8", "EP", "A1", 2019, title="Kinase inhibitor"),
        _doc("USD0900000S1", "H5", "US", "S1", 2018,
             title="Cancer screening device housing"),
        _doc("USPP030000P2", "P6", "US", "P2", 2018, title="Rose plant"),
    ],
    "patent_parties": [
        *_inv("US1", "G1", "US"), *_inv("USRE049000E1", "G1", "US"),
        *_inv("EP2", "G2", "FR", "DE"), *_inv("US2b", "G2", "FR", "DE"),
        *_inv("US3", "G3", "US"), *_inv("JP4", "G4", "JP"), *_inv("CN7", "G7", "CN"),
        *_inv("EP8", "G8", "FR"), *_inv("USD0900000S1", "H5", "US"),
        *_inv("USPP030000P2", "P6", "US"),
    ],
    "patent_classes": [
        _cls("US1", "G1", "A61P35/00"), _cls("USRE049000E1", "G1", "A61P35/00"),
        _cls("EP2", "G2", "A61B6/03"), _cls("US2b", "G2", "A61B6/03"),
        _cls("US3", "G3", "A61B6/00"), _cls("JP4", "G4", "B28B1/29"),
        _cls("CN7", "G7", "C12Q1/6886"), _cls("EP8", "G8", "A61P35/00"),
        _cls("USD0900000S1", "H5", "A61B5/00"), _cls("USPP030000P2", "P6", "A01H6/00"),
    ],
    "patent_priorities": [
        _prio("US1", "G1", "US20150101-1"), _prio("JP4", "G4", "CN20150301-77"),
        _prio("CN7", "G7", "CN20180101-9"),
    ],
}
# fmt: on


def _store(root: Path) -> Path:
    for name in TABLES_NEEDED:
        (root / name).mkdir()
        table = pa.Table.from_pylist(ROWS[name], schema=TABLES[name])
        pq.write_table(table, root / name / "part-0.parquet")
    return root


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _store(tmp_path_factory.mktemp("inv_scope"))


Rows = dict[str, list[dict[str, Any]]]


def _compute(con: Any, store: Path, **settings: Any) -> Rows:
    """The invention tables as the pipeline runs them: the shared
    intermediate tables computed once (``Engine.cache``)."""
    engine = Engine(con)
    tables = engine.load_tables(store, TABLES_NEEDED)
    try:
        out = invention_tables(
            tables, PatentDomain(), InventionSettings(**settings), cache=engine.cache
        )
        return {k: engine.to_arrow(v).to_pylist() for k, v in out.items()}
    finally:
        engine.close()


@pytest.fixture(scope="module")
def res(store: Path) -> Rows:
    return _compute(connect("duckdb"), store, shift=((2016, 2017), (2018, 2019)))


def _by(rows: list[dict[str, Any]], *keys: str) -> dict[Any, dict[str, Any]]:
    return {tuple(r[k] for k in keys) if len(keys) > 1 else r[keys[0]]: r for r in rows}


def test_document_types(store: Path) -> None:
    """Kind codes and numbers tell design, plant and reissue from utility."""
    t = load_tables(connect("duckdb"), store, tables=["patents"])["patents"]
    rows = t.select("patent_id", d=document_type(t)).to_pyarrow().to_pylist()
    got = {r["patent_id"]: r["d"] for r in rows}
    assert got["USD0900000S1"] == "design"
    assert got["USPP030000P2"] == "plant"
    assert got["USRE049000E1"] == "reissue"
    assert {got[p] for p in ("US1", "EP2", "JP4", "CN7")} == {"utility"}


def test_domain_two_tiers(store: Path) -> None:
    """Specific codes alone; a generic code only with a keyword; no design."""
    t = load_tables(connect("duckdb"), store, tables=TABLES_NEEDED)
    pat, cls = t["patents"], t["patent_classes"]
    fams = cancer_inventions(pat, cls, PatentDomain()).to_pyarrow().to_pylist()
    # G1, G7, G8 by a specific code; G2 by A61B6 + "tumours" in its abstract;
    # G3 (A61B6, no keyword) out; H5 (design) out although code + keyword fit
    assert {r["family_id"]: r["year"] for r in fams} == {
        "G1": 2016, "G2": 2017, "G7": 2019, "G8": 2019}  # fmt: skip
    routes = domain_routes(pat, cls, PatentDomain()).to_pyarrow().to_pylist()
    got = {(r["family_id"], r["route"]) for r in routes}
    assert ("G2", "generic+keyword") in got
    assert not any(f == "G3" for f, _ in got)
    # without the generic tier G2 is lost
    narrow = PatentDomain(generic_codes=())
    fams2 = cancer_inventions(pat, cls, narrow).to_pyarrow().to_pylist()
    assert {r["family_id"] for r in fams2} == {"G1", "G7", "G8"}


def test_rta_world_over_all_actors(res: Rows) -> None:
    """RTA's world all-field total includes JP, which has no cancer invention.

    Cancer (fractional): US 1 (G1), FR 1/2 (G2) + 1 (G8) = 1.5, DE 1/2,
    CN 1 (G7); world 4.  All fields: US 1 + 1 (G3) = 2, FR 1.5, DE 0.5,
    CN 1, JP 1 (G4); world 6 (5 if JP were wrongly left out).
    RTA = (i / 4) / (all / 6): US 0.25 / (1/3) = 0.75; FR, DE, CN 1.5.
    (With the world over cancer countries only: US 0.625, FR 1.25.)
    """
    t = _by(res["inventions_by_country"], "country")
    assert "JP" not in t
    assert t["US"]["i_frac"] == approx(1.0)
    assert t["US"]["i_all_frac"] == approx(2.0)
    assert t["US"]["rta"] == approx(0.75)
    for c in ("FR", "DE", "CN"):
        assert t[c]["rta"] == approx(1.5), c
    assert t["FR"]["share_frac"] == approx(1.5 / 4)
    assert {r["family_scope"] for r in res["inventions_by_country"]} == {"all"}


def test_documents_table(res: Rows) -> None:
    """What the store holds: 7 utility documents in 6 families, of which G1,
    G2, G7, G8 are counted; the reissue (in G1), the design and the plant
    patent are reported, not counted as inventions of their own.
    International families: G2 (EP+US), G4 (JP + CN priority), G8 (EP).
    """
    t = _by(res["invention_documents"], "doc_type")
    assert (t["utility"]["documents"], t["utility"]["families"]) == (7, 6)
    assert t["utility"]["domain_families"] == 4
    assert t["utility"]["international_families"] == 3
    assert (t["reissue"]["documents"], t["reissue"]["domain_families"]) == (1, 1)
    assert (t["design"]["documents"], t["design"]["domain_families"]) == (1, 0)
    assert (t["plant"]["documents"], t["plant"]["domain_families"]) == (1, 0)


def test_international_scope(store: Path) -> None:
    """International families only: G2 (EP, US) and G8 (EP) in the domain,
    G4 (JP + CN priority) outside it; G1, G3, G7 are single-office.

    Cancer: FR 1/2 + 1 = 1.5, DE 1/2; world 2.  All: FR 1.5, DE 0.5, JP 1;
    world 3.  RTA FR = (1.5/2) / (1.5/3) = 1.5; DE = (0.5/2) / (0.5/3) = 1.5.
    """
    got = _compute(connect("duckdb"), store, family_scope="international")
    t = _by(got["inventions_by_country"], "country")
    assert set(t) == {"FR", "DE", "unassigned"}
    assert t["unassigned"]["i_full"] == 0
    assert t["FR"]["i_frac"] == approx(1.5)
    assert t["FR"]["rta"] == approx(1.5)
    assert t["DE"]["rta"] == approx(1.5)
    assert {r["family_scope"] for r in got["inventions_by_country"]} == {
        "international"
    }


def test_shift_new_and_gone(res: Rows) -> None:
    """Periods 2016-2017 (G1 US, G2 FR+DE) and 2018-2019 (G7 CN, G8 FR).

    Fields: A61P35 -> 16 Pharmaceuticals, A61B6 -> 13 Medical technology,
    C12Q -> 15 Biotechnology.  FR: 13 (share 1) then 16 (share 1): field 13
    -100 pp, field 16 +100 pp.  FS period 1: world 2, field 13 = 1 -> FS(FR,
    13) = (0.5/1) / (0.5/2) = 2; period 2: FS(FR, 16) = (1/1) / (1/2) = 2.
    US and DE are "gone", CN "new": no share, no FS, no change (not 0).
    """
    t = _by(res["technology_shift"], "country", "field_nr")
    fr13, fr16 = t[("FR", 13)], t[("FR", 16)]
    assert fr13["status"] == fr16["status"] == "both"
    assert fr13["shift_pp"] == approx(-100.0)
    assert fr16["shift_pp"] == approx(100.0)
    assert fr13["fs_1"] == approx(2.0) and fr13["fs_2"] == approx(0.0)
    assert fr16["fs_change"] == approx(2.0)
    cn = t[("CN", 15)]
    assert cn["status"] == "new"
    assert cn["share_1"] is None and cn["shift_pp"] is None and cn["fs_1"] is None
    assert cn["share_2"] == approx(1.0)
    us = t[("US", 16)]
    assert us["status"] == "gone" and us["share_2"] is None and us["fs_change"] is None
    assert t[("DE", 13)]["status"] == "gone"
    mix = res["technology_mix"]
    assert "rta" not in mix[0] and "field_specialisation" in mix[0]


def test_truncation_flag_and_default_periods(store: Path) -> None:
    """Years inside the publication lag: the shift says so; defaults avoid them."""
    got = _compute(
        connect("duckdb"), store, shift=((2016, 2017), (2018, 2019)),
        first_truncated_year=2019,
    )  # fmt: skip
    assert {r["truncated_2"] for r in got["technology_shift"]} == {True}
    # 2014-2023 with 2021 on truncated: halves of 2014-2020 (7 years)
    assert shift_periods((2014, 2023), None, 2021) == ((2014, 2016), (2017, 2020))
    assert shift_periods((2014, 2023), None) == ((2014, 2018), (2019, 2023))
    given = ((2002, 2011), (2012, 2021))
    assert shift_periods((2014, 2023), given, 2021) == given
    assert shift_periods(None, None) is None


def test_hk_macao_folding(store: Path) -> None:
    """One inventor in Hong Kong counts for China when folding (default)."""
    rows = {k: list(v) for k, v in ROWS.items()}
    rows["patent_parties"] = [
        {**r, "country": "HK"} if r["patent_id"] == "CN7" else r
        for r in rows["patent_parties"]
    ]
    con = connect("duckdb")
    tables = {
        k: con.create_table(f"hk_{k}", pa.Table.from_pylist(v, schema=TABLES[k]))
        for k, v in rows.items()
    }
    for fold, want in ((True, "CN"), (False, "HK")):
        out = (
            invention_tables(
                tables, PatentDomain(), InventionSettings(hk_macao_to_cn=fold)
            )["inventions_by_country"]
            .to_pyarrow()
            .to_pylist()
        )
        assert want in {r["country"] for r in out}


@pytest.mark.spark
@pytest.mark.filterwarnings("ignore:The 'future.infer_string' option:Warning")
def test_spark_parity(store: Path, spark_con: Any) -> None:
    """The invention tables are equal on DuckDB and Spark."""
    # the international scope exercises the office table too; no shift
    # periods keep the Spark job small (the shift's joins are plain SQL)
    got = _compute(spark_con, store, family_scope="international")
    want = _compute(connect("duckdb"), store, family_scope="international")
    keys = {
        "inventions_by_country": ("country",),
        "inventions_by_country_year": ("country", "year"),
        "coinvention_partners": ("country", "partner"),
        "inventions_by_applicant": ("applicant",),
        "invention_documents": ("doc_type",),
        "technology_mix": ("period", "country", "field_nr"),
    }
    assert set(got) == set(keys) == set(want)
    for name, k in keys.items():
        a, b = _by(want[name], *k), _by(got[name], *k)
        assert set(a) == set(b), name
        for key, row in a.items():
            for col, v in row.items():
                w = b[key][col]
                if isinstance(v, float):
                    assert w == approx(v, rel=1e-9), (name, key, col)
                else:
                    assert w == v, (name, key, col)
