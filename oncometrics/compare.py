"""How publication counts per country differ between sources (issue 9).

The store merges a paper seen in several sources into one work (the richest
record wins), so its ``works.source`` column says which record was *kept*,
not which sources *saw* the paper.  To compare sources, each source is
looked at on its own: every file of that source listed in the manifest is
read again into a private, temporary store (same parsers, same in-source
deduplication), and the same domain selection and counting as ``compute``
(``selection.domain_works``, ``counting.country_weights``) run on it.

When a source's files are no longer on disk (moved or deleted after
ingest), that source falls back to the works the main store kept from it
(``works.source``); the ``basis`` row says which it was, because the
fallback undercounts every source that lost duplicates to a richer one.
A cheaper, exact alternative would be for the store to keep a small
``work_sources(work_id, source, cited_by_count)`` table of every record
read, duplicates included (proposed in ``docs/sources/exports.md``).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from oncometrics.config import Config, parse_period
from oncometrics.domain import Domain
from oncometrics.engine import Engine, connect
from oncometrics.errors import InputError
from oncometrics.indicators import counting, selection
from oncometrics.sources import SOURCES
from oncometrics.store import Store

#: Ingest command -> database it reads (MEDLINE text is PubMed).
DATABASE = {"medline": "pubmed"}
_TABLES = ["works", "work_subjects", "authorship_countries"]
SUMMARY_ROWS = ("(basis)", "(domain works)", "(no country)", "(also in reference)")


def compare_sources(store: Path, *, config: Config) -> pd.DataFrame:
    """Per country, ``P_full`` of the configured domain and period, per source.

    Returns one row per country (ISO alpha-2, sorted by the reference
    source's ``P_full``) with a column ``P_full_<source>`` per source seen in
    the manifest (works only), and for each other source ``diff_<s>`` =
    ``P_full_<s> − P_full_<ref>`` and ``ratio_<s>`` = ``P_full_<s> /
    P_full_<ref>`` (empty when the reference count is 0).  The reference is
    the source with the most domain works (ties: alphabetical); its column
    comes first.  Four summary rows come first:
    ``(basis)`` ("reread" or "store", see the module docstring), ``(domain
    works)``, ``(no country)`` (domain works without any resolved country)
    and ``(also in reference)`` (domain works whose DOI or PMID is among the
    reference source's domain works).
    """
    files = _files_by_database(Store(store, create=False).manifest())
    if not files:
        raise InputError(f"{store}: no publication source in the store")
    domain, period = Domain.from_config(config), parse_period(config.period)
    views: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="oncometrics-compare-") as tmp:
        for db, entries in sorted(files.items()):
            views[db] = _view(Path(store), db, entries, Path(tmp) / db, domain, period)
    return _table(views)


def _files_by_database(
    manifest: dict[str, Any],
) -> dict[str, list[tuple[str, Path, int]]]:
    out: dict[str, list[tuple[str, Path, int]]] = {}
    for entry in manifest.get("files", {}).values():
        source = entry.get("source", "")
        spec = SOURCES.get(source)
        if spec is None or spec.entity != "work":
            continue
        db = DATABASE.get(source, source)
        out.setdefault(db, []).append(
            (source, Path(entry["path"]), entry.get("size", -1))
        )
    return out


def _view(
    store: Path,
    db: str,
    entries: list[tuple[str, Path, int]],
    tmp: Path,
    domain: Domain,
    period: tuple[int, int] | None,
) -> dict[str, Any]:
    """Counts of one source: re-read from its files, else from the main store."""
    present = all(p.is_file() and p.stat().st_size == size for _, p, size in entries)
    if present:
        own = Store(tmp)
        for source, path, _ in entries:
            own.ingest_file(source, path, log=lambda m: None)
        return _counts(tmp, None, domain, period) | {"basis": "reread"}
    return _counts(store, db, domain, period) | {"basis": "store"}


def _counts(
    root: Path, only_source: str | None, domain: Domain, period: tuple[int, int] | None
) -> dict[str, Any]:
    with Engine(connect("duckdb"), own=True) as engine:
        t = engine.load_tables(root, _TABLES)
        works = t["works"]
        if only_source is not None:
            works = works.filter(works.source == only_source)
        dw = selection.domain_works(works, t["work_subjects"], domain, period)
        weights = counting.country_weights(dw, t["authorship_countries"])
        per = weights.group_by("actor").aggregate(P_full=weights.work_id.nunique())
        p_full = dict(zip(*engine.to_arrow(per).to_pydict().values(), strict=True))
        ids = dw.select("work_id").join(
            works.select("work_id", "doi", "pmid"), "work_id"
        )
        keys = engine.to_arrow(ids).to_pydict()
        assigned = weights.select("work_id").distinct().count().to_pyarrow().as_py()
    pairs = list(zip(keys["doi"], keys["pmid"], strict=True))
    return {
        "p_full": {str(k): int(v) for k, v in p_full.items()},
        "n_works": len(pairs),
        "unassigned": len(pairs) - int(assigned),
        "keys": pairs,
        "dois": {d for d, _ in pairs if d},
        "pmids": {p for _, p in pairs if p},
    }


def _table(views: dict[str, dict[str, Any]]) -> pd.DataFrame:
    ref = max(sorted(views), key=lambda s: views[s]["n_works"])
    sources = [ref] + [s for s in sorted(views) if s != ref]
    countries = sorted(
        {c for v in views.values() for c in v["p_full"]},
        key=lambda c: (-views[ref]["p_full"].get(c, 0), c),
    )
    rows: list[dict[str, Any]] = []
    summary = {
        "(basis)": {s: views[s]["basis"] for s in sources},
        "(domain works)": {s: views[s]["n_works"] for s in sources},
        "(no country)": {s: views[s]["unassigned"] for s in sources},
        "(also in reference)": {s: _overlap(views[s], views[ref]) for s in sources},
    }
    for label in SUMMARY_ROWS:
        rows.append(
            {"country": label} | {f"P_full_{s}": summary[label][s] for s in sources}
        )
    for c in countries:
        row: dict[str, Any] = {"country": c}
        for s in sources:
            row[f"P_full_{s}"] = views[s]["p_full"].get(c, 0)
        for s in sources[1:]:
            a, b = row[f"P_full_{s}"], row[f"P_full_{ref}"]
            row[f"diff_{s}"] = a - b
            row[f"ratio_{s}"] = round(a / b, 4) if b else None
        rows.append(row)
    return pd.DataFrame(rows)


def _overlap(view: dict[str, Any], ref: dict[str, Any]) -> int:
    """Domain works of `view` whose DOI or PMID is among the reference's."""
    return sum(
        (doi is not None and doi in ref["dois"])
        or (pmid is not None and pmid in ref["pmids"])
        for doi, pmid in view["keys"]
    )
