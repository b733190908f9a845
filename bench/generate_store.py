"""Write a synthetic store's canonical tables directly (no JSON, no parser).

The same world as ``generate_world.py`` (same pools of countries,
institutions, subfields and MeSH descriptors, same distributions of years,
citations, types, authorships and countries), drawn with whole-array numpy
operations and written with pyarrow as the Parquet tables the indicators
read: ``works``, ``work_subjects`` (MeSH, primary topic, subfield, field),
``authorship_countries`` and ``authorship_institutions``, plus a manifest,
then the derived tables as ingest writes them (``work_country_weights``,
see ``oncometrics.derived``).
It exists because building a 10 M-work store through JSON and the
single-threaded parser takes longer than a benchmark session on 2 shared
cores; ``bench/bench_compute.py`` says which kind of store each row used.
The random streams differ from ``generate_world.py``, so the works are not
the same ones, only alike.

Usage::

    python bench/generate_store.py --works 1e7 --out bench/out/world-10m-genstore
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from oncometrics.store import Store

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_world import (
    CHECK_TAGS,
    TYPE_P,
    TYPES,
    YEARS,
    World,
    _citations,
    _year_p,
    build_world,
)

from oncometrics.schema import TABLES


def _ids(prefix: str, nums: np.ndarray) -> pa.Array:
    return pc.binary_join_element_wise(prefix, pc.cast(pa.array(nums), pa.string()), "")


def _paper_countries(rng: np.random.Generator, w: World, n: int) -> np.ndarray:
    """(n, 8) country indices, distinct per row, padded with -1; ~26 % multi."""
    k = np.ones(n, dtype=np.int64)
    multi = rng.random(n) < 0.26
    k[multi] = 1 + rng.geometric(0.55, int(multi.sum()))
    draws = rng.choice(len(w.countries), size=(n, 8), p=w.country_p)
    dup = np.zeros((n, 8), dtype=bool)
    for j in range(1, 8):
        dup[:, j] = (draws[:, :j] == draws[:, j : j + 1]).any(axis=1)
    order = np.argsort(dup, axis=1, kind="stable")  # distinct ones first
    pcs = np.take_along_axis(draws, order, axis=1)
    n_distinct = (~dup).sum(axis=1)
    nc = np.minimum(np.minimum(k, 8), n_distinct)
    pcs[np.arange(8)[None, :] >= nc[:, None]] = -1
    return pcs


def _authorship_links(
    rng: np.random.Generator, w: World, n_auth: np.ndarray, pcs: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(work, position, country, institution) per authorship-country link."""
    nc = (pcs >= 0).sum(axis=1)
    work = np.repeat(np.arange(len(n_auth)), n_auth)
    start = np.repeat(np.cumsum(n_auth) - n_auth, n_auth)
    pos = np.arange(len(work)) - start
    u = rng.random((len(work), 6))
    ncw = nc[work]
    slot = np.where(
        pos < ncw, pos, np.where(u[:, 0] < 0.6, 0, (u[:, 1] * ncw).astype(np.int64))
    )
    slot = np.minimum(slot, ncw - 1)
    links = [(work, pos, pcs[work, slot], u[:, 4])]
    # a second affiliation (8 %): same country 70 %, else another of the paper's
    second = u[:, 2] < 0.08
    s2 = np.where(u[:, 3] < 0.7, slot, (u[:, 3] * ncw).astype(np.int64) % ncw)
    links.append((work[second], pos[second], pcs[work, s2][second], u[second, 5]))
    # a lone last author carries the paper's remaining countries
    last = pos == n_auth[work] - 1
    for j in range(1, 8):
        extra = last & (pos < j) & (j < ncw)
        links.append((work[extra], pos[extra], pcs[work[extra], j], u[extra, 5]))
    wk, ps, c, ui = (np.concatenate(x) for x in zip(*links, strict=True))
    unresolved = rng.random(len(work)) < 0.04  # authorships without affiliation
    first = np.cumsum(n_auth) - n_auth  # index of each work's first authorship
    keep = ~unresolved[first[wk] + ps]
    wk, ps, c, ui = wk[keep], ps[keep], c[keep], ui[keep]
    inst = w.inst_offset[c] + (w.inst_size[c] * ui**2).astype(np.int64)
    return wk, ps + 1, c, inst


def _mesh(
    rng: np.random.Generator, w: World, cancer: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """(work, descriptor index into C04 + CHECK_TAGS) rows, deduplicated."""
    has_pmid = rng.random(n) < np.where(cancer, 0.95, 0.55)
    c04 = has_pmid & (cancer | (rng.random(n) < 0.03))
    k = 1 + (rng.random(n) < 0.5)
    rows_w, rows_d = [], []
    for j in range(2):
        sel = c04 & (k > j)
        rows_w.append(np.flatnonzero(sel))
        rows_d.append(rng.integers(0, len(w.c04), int(sel.sum())))
    for _ in range(2):
        sel = np.flatnonzero(has_pmid)
        rows_w.append(sel)
        rows_d.append(len(w.c04) + rng.integers(0, len(CHECK_TAGS), len(sel)))
    pairs = np.unique(
        np.stack([np.concatenate(rows_w), np.concatenate(rows_d)]), axis=1
    )
    return pairs[0], pairs[1]


def make_chunk(
    seed: int, chunk: int, start: int, n: int, w: World
) -> dict[str, pa.Table]:
    """Canonical tables for works start..start+n-1."""
    rng = np.random.default_rng([seed, 7_000_000 + chunk])
    years = rng.choice(YEARS, size=n, p=_year_p())
    cites = _citations(rng, years)
    types = rng.choice(len(TYPES), size=n, p=TYPE_P)
    sub = rng.choice(len(w.subfields), size=n, p=w.subfield_p)
    n_auth = np.minimum(1 + rng.negative_binomial(2, 0.33, n), 40)
    wids = _ids("W", 1_000_000_000 + start + np.arange(n))
    sf = pa.array(w.subfields).take(pa.array(sub))
    works = {
        "work_id": wids, "source": pa.array(["openalex"] * n), "openalex_id": wids,
        "publication_year": pa.array(years.astype(np.int32)),
        "doc_type": pa.array(TYPES).take(pa.array(types)),
        "cited_by_count": pa.array(cites),
        "primary_subfield_id": sf, "primary_field_id": pc.utf8_slice_codeunits(sf, 0, 2),
        "primary_topic_id": _ids("T", 10000 + 8 * sub + rng.integers(0, 8, n)),
    }  # fmt: skip
    out = {"works": _table("works", works, n)}
    wk, pos, c, inst = _authorship_links(rng, w, n_auth, _paper_countries(rng, w, n))
    countries = pa.array(w.countries).take(pa.array(c))
    fallback = rng.random(len(wk)) < 0.02
    out["authorship_countries"] = _table("authorship_countries", {
        "work_id": wids.take(pa.array(wk)), "author_position": pa.array(pos, pa.int32()),
        "country": countries,
        "provenance": pa.array(np.where(fallback, "institution", "openalex_countries")),
    }, len(wk))  # fmt: skip
    out["authorship_countries"] = _distinct(out["authorship_countries"])
    inst_ids = _ids("I", 4_200_000 + inst)
    out["authorship_institutions"] = _table("authorship_institutions", {
        "work_id": wids.take(pa.array(wk)), "author_position": pa.array(pos, pa.int32()),
        "institution_id": inst_ids, "country_code": countries,
        "institution_name": pc.binary_join_element_wise("Institute ", inst_ids, ""),
    }, len(wk))  # fmt: skip
    mw, md = _mesh(rng, w, w.is_cancer[sub], n)
    codes = [u for u, _ in w.c04] + [u for u, _ in CHECK_TAGS]
    subj_w = pa.concat_arrays([wids.take(pa.array(mw)), wids, wids])
    subj = {
        "work_id": subj_w,
        "scheme": pa.array(["mesh"] * len(mw) + ["openalex_subfield"] * n
                           + ["openalex_field"] * n),
        "code": pa.concat_arrays([pa.array(codes).take(pa.array(md)), sf,
                                  works["primary_field_id"]]),
        "is_primary": pa.array([None] * len(mw) + [True] * (2 * n), pa.bool_()),
    }  # fmt: skip
    out["work_subjects"] = _table("work_subjects", subj, len(subj_w))
    return out


def _table(name: str, cols: dict[str, pa.Array], n: int) -> pa.Table:
    schema = TABLES[name]
    arrays = [
        cols[f.name].cast(f.type) if f.name in cols else pa.nulls(n, f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(arrays, schema=schema)


def _distinct(t: pa.Table) -> pa.Table:
    keys = ["work_id", "author_position", "country"]
    g = t.group_by(keys, use_threads=False).aggregate([("provenance", "min")])
    return g.rename_columns([*keys, "provenance"]).select(t.column_names)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--works", type=float, default=1e6)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--chunk", type=int, default=500_000)
    ap.add_argument("--cancer-share", type=float, default=0.2)
    a = ap.parse_args(argv)
    n_total = int(a.works)
    shutil.rmtree(a.out, ignore_errors=True)
    w = build_world(a.seed, a.cancer_share, 20_000)
    t0 = time.perf_counter()
    files = {}
    for k, s in enumerate(range(0, n_total, a.chunk)):
        n = min(a.chunk, n_total - s)
        tag = f"{k:016x}"
        for name, table in make_chunk(a.seed, k, s, n, w).items():
            (a.out / name).mkdir(parents=True, exist_ok=True)
            pq.write_table(table, a.out / name / f"part-{tag}.parquet",
                           compression="zstd")  # fmt: skip
        files[tag * 4] = {"path": f"generated chunk {k}", "source": "synthetic",
                          "read": n, "stored": n, "duplicates": 0, "rejected": 0}  # fmt: skip
        print(f"\r{s + n:,}/{n_total:,} works, {time.perf_counter() - t0:.0f} s",
              end="", file=sys.stderr)  # fmt: skip
    (a.out / "manifest.json").write_text(json.dumps({"version": 1, "files": files}))
    print(f"\n{a.out}: {n_total:,} works in {time.perf_counter() - t0:.0f} s",
          file=sys.stderr)  # fmt: skip
    # the store's derived tables, as `oncometrics ingest` writes them
    t1 = time.perf_counter()
    Store(a.out, create=False).derive()
    print(f"{a.out}: derived tables in {time.perf_counter() - t1:.0f} s",
          file=sys.stderr)  # fmt: skip


if __name__ == "__main__":
    main()
