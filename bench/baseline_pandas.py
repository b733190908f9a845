"""The country table computed the straightforward pandas way.

A baseline for ``bench/bench_compute.py`` and an independent check of
``oncometrics.pipeline`` (``tests/test_bench_baseline.py``): it reads the
store's Parquet tables whole into pandas and follows the indicator contract
(sections 1-6, as revised for issue 14) line by line, without sharing code
with ``oncometrics.indicators``.  Fractional counting, ``cited_by_count``
citations (a work without a count has no citation data: out of every
reference set and impact figure; impact n/a below 50 % coverage),
reference sets by (publication year,
primary subfield) over every counted work of the store, the cancer domain
as the union of its signals (MeSH C04 without cysts-only descriptors, the
bundled cancer-topic list, subfields 2730/1306, WoS "Oncology"), ratio
ranks among countries with at least 0.5 % of world P_frac; all years unless
a period is given.

Usage::

    python bench/baseline_pandas.py STORE [--out country.csv]
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

import numpy as np
import pandas as pd

MESH_CSV = (
    Path(__file__).resolve().parents[1]
    / "oncometrics"
    / "data"
    / "reference"
    / "mesh2025_c04_complete.csv"
)
TOPICS_CSV = MESH_CSV.with_name("openalex_cancer_topics_2024.csv")
UNCLASSIFIED = "unclassified"
WORK_COLUMNS = [
    "work_id",
    "doc_type",
    "publication_year",
    "cited_by_count",
    "primary_subfield_id",
]
SUBJECT_COLUMNS = ["work_id", "scheme", "code", "label", "is_primary"]
COUNTRY_COLUMNS = ["work_id", "author_position", "country"]


def c04_descriptors(tree: str = "C04", cysts: str = "C04.182") -> set[str]:
    """MeSH descriptor UIs under `tree`, except those only under `cysts`."""
    with open(MESH_CSV, encoding="utf-8") as fh:
        rows = [
            (r["mesh_id"], r["tree_number"])
            for r in csv.DictReader(fh)
            if r["tree_number"] == tree or r["tree_number"].startswith(tree + ".")
        ]
    other = {m for m, t in rows if not (t == cysts or t.startswith(cysts + "."))}
    return other


def cancer_topics() -> tuple[set[str], set[str]]:
    """Ids and lower-case names of the bundled cancer-topic list."""
    with open(TOPICS_CSV, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    ids = {r["topic_id"] for r in rows if r["topic_id"]}
    return ids, {r["display_name"].strip().lower() for r in rows}


def read_table(store: Path, name: str, columns: list[str]) -> pd.DataFrame:
    """All data files of one canonical table (empty frame if none)."""
    from oncometrics.store import table_files

    parts = table_files(store, name)
    if not parts:
        return pd.DataFrame({c: [] for c in columns})
    return pd.concat(
        [pd.read_parquet(p, columns=columns) for p in parts], ignore_index=True
    )


def counted(
    works: pd.DataFrame, types: tuple[str, ...], period: tuple[int, int] | None
) -> pd.DataFrame:
    """Works of the counted types (and period) with a publication year."""
    w = works[works.doc_type.isin(types) & works.publication_year.notna()]
    if period is not None:
        w = w[w.publication_year.between(*period)]
    w = w.copy()
    w["field"] = w.primary_subfield_id.fillna(UNCLASSIFIED)
    w["has_cit"] = w.cited_by_count.notna()
    w["c"] = w.cited_by_count.fillna(0).astype("float64")
    return w


def in_domain(
    w: pd.DataFrame, subjects: pd.DataFrame, subfields: tuple[str, ...]
) -> pd.DataFrame:
    """Works selected by any signal of the default cancer domain."""
    s = subjects
    mesh = s[(s.scheme == "mesh") & s.code.isin(c04_descriptors())]
    ids, names = cancer_topics()
    prim = s[(s.scheme == "openalex_topic") & s.is_primary.fillna(False).astype(bool)]
    topic = prim[
        prim.code.isin(ids) | prim.label.fillna("").str.strip().str.lower().isin(names)
    ]
    wos = s[
        (s.scheme == "wos_category")
        & (s.label.fillna("").str.strip().str.lower() == "oncology")
    ]
    asjc = s[(s.scheme == "scopus_asjc") & s.code.isin(subfields)]
    hit = set(mesh.work_id) | set(topic.work_id) | set(wos.work_id) | set(asjc.work_id)
    return w[w.primary_subfield_id.isin(subfields) | w.work_id.isin(hit)].copy()


def add_impact(d: pd.DataFrame, min_reference_set: int = 2) -> pd.DataFrame:
    """NCS and Waltman-Schreiber top 1 % / 10 % shares per work with
    citation data (`d`: the works of the reference sets); only the works of
    a set of at least `min_reference_set` works are rated (kept)."""
    d = d[d.has_cit].copy()
    keys = ["publication_year", "field"]
    g = d.groupby(keys)["c"]
    d["n"] = g.transform("size").astype("float64")
    d["e"] = g.transform("mean")
    d["ncs"] = np.where(d.e == 0, 1.0, d.c / d.e.where(d.e != 0, 1.0))
    d["lo"] = g.rank(method="min", ascending=False) - 1.0
    d["tie"] = d.groupby([*keys, "c"])["c"].transform("size").astype("float64")
    for pct in (1, 10):
        cut = d.n * pct / 100.0
        top = np.minimum(d.lo + d.tie, cut) - d.lo
        d[f"top{pct}"] = np.maximum(top, 0.0) / d.tie
    return d[d.n >= min_reference_set]


def country_weights(ac: pd.DataFrame, work_ids: pd.Series) -> pd.DataFrame:
    """Fractional weight of each country in each work: (work_id, country, weight)."""
    a = ac[ac.country.notna() & ac.work_id.isin(work_ids)]
    a = a.drop_duplicates(["work_id", "author_position", "country"])
    n_act = a.groupby(["work_id", "author_position"])["country"].transform("size")
    n_auth = a.groupby("work_id")["author_position"].transform("nunique")
    a = a.assign(share=1.0 / (n_auth.astype("float64") * n_act.astype("float64")))
    return (
        a.groupby(["work_id", "country"], as_index=False)["share"]
        .sum()
        .rename(columns={"share": "weight"})
    )


def publications_by_country(
    store: Path | str,
    *,
    types: tuple[str, ...] = ("article", "review"),
    subfields: tuple[str, ...] = ("2730", "1306"),
    period: tuple[int, int] | None = None,
    min_reference_set: int = 2,
) -> pd.DataFrame:
    """One row per country: p_full, p_frac, share_frac, rank_p_frac, mncs,
    pp_top1, pp_top10, p_all, ai, intl_collab_rate."""
    store = Path(store)
    works = read_table(store, "works", WORK_COLUMNS)
    subjects = read_table(store, "work_subjects", SUBJECT_COLUMNS)
    ac = read_table(store, "authorship_countries", COUNTRY_COLUMNS)
    return country_table(
        works,
        subjects,
        ac,
        types=types,
        subfields=subfields,
        period=period,
        min_reference_set=min_reference_set,
    )


def country_table(
    works: pd.DataFrame,
    subjects: pd.DataFrame,
    ac: pd.DataFrame,
    *,
    types: tuple[str, ...] = ("article", "review"),
    subfields: tuple[str, ...] = ("2730", "1306"),
    period: tuple[int, int] | None = None,
    min_reference_set: int = 2,
) -> pd.DataFrame:
    """The country table from the three frames (columns: WORK_COLUMNS,
    SUBJECT_COLUMNS, COUNTRY_COLUMNS), however they were read."""
    allw = counted(works, types, period)
    dom = in_domain(allw, subjects, subfields)
    ref = add_impact(allw, min_reference_set)  # reference sets: the whole store's field
    w_all = country_weights(ac, allw.work_id)
    w_dom = w_all[w_all.work_id.isin(dom.work_id)]
    n_c = w_dom.groupby("work_id")["country"].transform("size")
    w_dom = w_dom.assign(intl=(n_c >= 2).astype("float64"))
    j = w_dom.merge(ref[["work_id", "ncs", "top1", "top10"]], on="work_id", how="left")
    j["cit"] = j.ncs.notna()
    j["w_cit"] = j.weight.where(j.cit, 0.0)
    for col in ("ncs", "top1", "top10"):
        j[f"w_{col}"] = (j.weight * j[col]).fillna(0.0)
    t = j.groupby("country").agg(
        p_full=("work_id", "size"),
        p_frac=("weight", "sum"),
        p_cit=("w_cit", "sum"),
        tncs=("w_ncs", "sum"),
        p_top1=("w_top1", "sum"),
        p_top10=("w_top10", "sum"),
        p_intl=("intl", "sum"),
    )
    # impact figures only with citation data for at least half of the output
    has = (t.p_cit > 0) & (t.p_cit >= 0.5 * t.p_frac)
    t["impact_coverage"] = t.p_cit / t.p_frac
    t["mncs"] = (t.tncs / t.p_cit).where(has)
    t["pp_top1"] = (t.p_top1 / t.p_cit).where(has)
    t["pp_top10"] = (t.p_top10 / t.p_cit).where(has)
    t["share_frac"] = t.p_frac / t.p_frac.sum()
    t["rank_p_frac"] = (
        t.p_frac.round(9).rank(method="min", ascending=False).astype("int64")
    )
    # ratio ranks among countries with at least 0.5 % of world P_frac
    big = t.p_frac.round(9) >= round(0.005 * t.p_frac.sum(), 9)
    for col in ("mncs", "pp_top1", "pp_top10"):
        t[f"rank_{col}"] = (
            t[col].where(big).round(9).rank(method="min", ascending=False)
        )
    t["intl_collab_rate"] = t.p_intl / t.p_full
    p_all = w_all.groupby("country")["weight"].sum()
    t["p_all"] = p_all.reindex(t.index)
    t["ai"] = t.share_frac / (t.p_all / p_all.sum())
    return t.reset_index().sort_values(["rank_p_frac", "country"], ignore_index=True)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Country table, the pandas way.")
    ap.add_argument("store", type=Path)
    ap.add_argument("--out", type=Path, default=None, help="write the table as CSV")
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    table = publications_by_country(a.store)
    dt = time.perf_counter() - t0
    if a.out:
        table.to_csv(a.out, index=False)
    print(table.head(10).to_string(index=False))
    print(f"{len(table)} countries, P_frac total {table.p_frac.sum():,.1f}, {dt:.1f} s")


if __name__ == "__main__":
    main()
