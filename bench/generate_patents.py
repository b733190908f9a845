"""A synthetic world of patent families, written straight into a store.

Distributions are rough imitations of the real thing (seeded, vectorised):
priority years 1995–2022 with growth, inventor teams of 1–6 from a
country mix dominated by US/CN/JP/DE/KR, 15 % international teams,
30 % of families published twice (the second document naming only its
first inventor, so the representative-document rule matters), 1–5 IPC and
CPC codes per document drawn from the WIPO concordance's subclasses, and
about 8 % cancer families (A61P35, C12Q1/6886, G01N33/574, C07K16/30,
A61K39/0011).  Applicants come from a Zipf-like pool of 50,000 names.

Usage::

    python bench/generate_patents.py --families 1000000 --out bench/out/patents-1m
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from oncometrics.indicators.technology import concordance
from oncometrics.schema import TABLES

COUNTRIES = [
    "US",
    "CN",
    "JP",
    "DE",
    "KR",
    "FR",
    "GB",
    "CH",
    "NL",
    "IT",
    "SE",
    "CA",
    "ES",
    "IL",
    "BE",
    "AT",
    "DK",
    "AU",
    "IN",
    "FI",
    "SG",
    "TW",
    "NO",
    "IE",
]
WEIGHTS = np.array([26, 22, 16, 8, 7, 3.5, 3, 2, 1.6, 1.5, 1.2, 1.2, 0.9, 0.9, 0.7,
                    0.7, 0.6, 0.6, 0.6, 0.5, 0.3, 0.5, 0.3, 0.2])  # fmt: skip
CANCER = ["A61P35/00", "A61P35/02", "A61P35/04", "C12Q1/6886", "G01N33/57492",
          "G01N33/574", "C07K16/30", "A61K39/0011"]  # fmt: skip
CANCER_SIDE = ["A61K31/4745", "A61K45/06", "A61B5/0033", "A61N5/10", "C07K16/2818",
               "G01N33/5011", "A61K47/6803", "C12N15/113", "G16H50/20", "A61B6/032"]  # fmt: skip


def _code_pool(rng: np.random.Generator, n: int = 4000) -> np.ndarray:
    """Plausible codes: concordance subclasses/groups with random subgroups."""
    c = concordance()
    sub = np.array(c["subclass"].to_pylist())
    grp = np.array([g or str(rng.integers(1, 40)) for g in c["main_group"].to_pylist()])
    pick = rng.integers(0, len(sub), n)
    subgroups = rng.choice(["00", "02", "04", "10", "12", "20", "32", "44"], n)
    return np.char.add(np.char.add(np.char.add(sub[pick], grp[pick]), "/"), subgroups)


def _repeat_ids(ids: np.ndarray, counts: np.ndarray) -> np.ndarray:
    return np.repeat(ids, counts)


def generate(n: int, seed: int = 20141) -> dict[str, pa.Table]:
    rng = np.random.default_rng(seed)
    fam = np.char.add("docdb:", np.arange(10_000_000, 10_000_000 + n).astype(str))
    years = (1995 + np.floor(28 * rng.random(n) ** 0.7)).astype(np.int32)
    n_docs = 1 + (rng.random(n) < 0.3)
    doc_fam = np.repeat(np.arange(n), n_docs)
    second = np.zeros(len(doc_fam), bool)
    second[1:] = doc_fam[1:] == doc_fam[:-1]
    pid = np.char.add(np.where(second, "EP", "US"), np.arange(len(doc_fam)).astype(str))
    pid = np.char.add(pid, np.where(second, "A1", "B2"))
    patents = {
        "patent_id": pid, "family_id": fam[doc_fam],
        "source": np.full(len(doc_fam), "canonical"),
        "priority_year": years[doc_fam] + second.astype(np.int32),
        "jurisdiction": np.where(second, "EP", "US"),
    }  # fmt: skip
    # inventors: first docs get the team, second docs only its first inventor
    team = rng.integers(1, 7, n)
    lead = rng.choice(len(COUNTRIES), n, p=WEIGHTS / WEIGHTS.sum())
    intl = rng.random(n) < 0.15
    k = np.where(second, 1, team[doc_fam])
    row_doc = np.repeat(np.arange(len(doc_fam)), k)
    seq = np.arange(len(row_doc)) - np.repeat(np.cumsum(k) - k, k) + 1
    row_fam = doc_fam[row_doc]
    other = rng.choice(len(COUNTRIES), len(row_doc), p=WEIGHTS / WEIGHTS.sum())
    foreign = intl[row_fam] & (seq > 1) & (rng.random(len(row_doc)) < 0.5)
    country = np.where(foreign, other, lead[row_fam])
    inv = {
        "patent_id": pid[row_doc], "family_id": fam[row_fam],
        "role": np.full(len(row_doc), "inventor"), "sequence": seq.astype(np.int32),
        "country": np.array(COUNTRIES, dtype=object)[country],
    }  # fmt: skip
    inv["country"][rng.random(len(row_doc)) < 0.03] = None  # unresolved addresses
    # applicants: one per first document, Zipf-like pool
    firsts = np.flatnonzero(~second)
    a_idx = np.minimum(rng.zipf(1.3, len(firsts)), 50_000)
    names = np.char.add("APPLICANT ", a_idx.astype(str))
    app = {
        "patent_id": pid[firsts], "family_id": fam[doc_fam[firsts]],
        "role": np.full(len(firsts), "applicant"),
        "sequence": np.ones(len(firsts), np.int32), "name": names, "name_norm": names,
        "country": np.array(COUNTRIES, dtype=object)[lead[doc_fam[firsts]]],
    }  # fmt: skip
    # classes: 1-5 codes per document, 8 % cancer families
    pool = _code_pool(rng)
    nc = rng.integers(1, 6, len(doc_fam))
    c_doc = np.repeat(np.arange(len(doc_fam)), nc)
    codes = pool[rng.integers(0, len(pool), len(c_doc))]
    cancer_fam = rng.random(n) < 0.08
    first_code = np.ones(len(c_doc), bool)
    first_code[1:] = c_doc[1:] != c_doc[:-1]
    is_c = cancer_fam[doc_fam[c_doc]] & first_code
    codes = np.where(is_c, rng.choice(CANCER, len(c_doc)), codes)
    side = cancer_fam[doc_fam[c_doc]] & ~first_code & (rng.random(len(c_doc)) < 0.5)
    codes = np.where(side, rng.choice(CANCER_SIDE, len(c_doc)), codes)
    cls = {
        "patent_id": pid[c_doc], "family_id": fam[doc_fam[c_doc]],
        "scheme": np.where(rng.random(len(c_doc)) < 0.5, "ipc", "cpc"), "code": codes,
    }  # fmt: skip
    out = {"patents": patents, "patent_classes": cls}
    parties = {k: np.concatenate([inv.get(k, np.full(len(row_doc), None)),
                                  app[k]]) for k in app}  # fmt: skip
    out["patent_parties"] = parties
    return {name: _table(name, cols) for name, cols in out.items()}


def _table(name: str, cols: dict[str, np.ndarray]) -> pa.Table:
    schema = TABLES[name]
    n = len(next(iter(cols.values())))
    arrays = [pa.array(cols[f.name], type=f.type, from_pandas=True)
              if f.name in cols else pa.nulls(n, f.type) for f in schema]  # fmt: skip
    return pa.table(arrays, schema=schema)


def write_store(tables: dict[str, pa.Table], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, table in tables.items():
        (out / name).mkdir(exist_ok=True)
        pq.write_table(table, out / name / "part-synthetic.parquet", compression="zstd")
    (out / "manifest.json").write_text(json.dumps({"version": 1, "files": {}}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--families", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=20141)
    ap.add_argument("--out", type=Path, default=Path("bench/out/patents-1m"))
    args = ap.parse_args()
    t0 = time.perf_counter()
    tables = generate(args.families, args.seed)
    write_store(tables, args.out)
    rows = {k: v.num_rows for k, v in tables.items()}
    print(json.dumps({"families": args.families, "rows": rows,
                      "seconds": round(time.perf_counter() - t0, 1)}))  # fmt: skip


if __name__ == "__main__":
    main()
