"""``oncometrics portfolio``: match affiliations, compute and write the tables.

The only module of the package that connects an engine and writes files.
Matching runs in Python over the *distinct* affiliation strings of the
counted works (pulled once from the store); the (string → actor) table it
produces goes back to the engine, where the indicators run as Ibis
expressions.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from oncometrics import outputs
from oncometrics.config import Config, parse_period
from oncometrics.domain import Domain
from oncometrics.engine import Engine
from oncometrics.indicators import collaboration as collab
from oncometrics.indicators import impact, selection
from oncometrics.pipeline import with_meta, write_table
from oncometrics.portfolio import indicators as pi
from oncometrics.portfolio.centres import (
    centre_matcher,
    centre_outputs,
    centre_units,
    load_centres,
)
from oncometrics.portfolio.matching import Matcher, best_matches
from oncometrics.portfolio.registry import (
    Project,
    RegistryError,
    Unit,
    load_curation,
    load_grants,
    load_units,
)
from oncometrics.portfolio.tables import (
    Keep,
    project_tables,
    unit_works_table,
    unit_year_table,
    units_table,
)

if TYPE_CHECKING:
    import ibis.expr.types as ir
    from ibis.backends import BaseBackend

#: Tables that do not depend on the domain (no ``domain_hash`` column).
NO_META = {"unmatched_affiliations", "centre_site_matches"}

TABLES_NEEDED = ["works", "work_subjects", "authorship_countries",
                 "authorship_institutions", "affiliations", "grants"]  # fmt: skip


@dataclass
class Matched:
    """What matching produced: the string → actor table and its audit rows."""

    string_actors: pa.Table  # affiliation, actor
    matches: pa.Table  # affiliation, unit_code, method, score, n_authorships
    unmatched: pa.Table  # affiliation, n_authorships, n_works, best_guess, score


def run_portfolio(
    store: Path,
    units: Path | None,
    out: Path,
    *,
    grants: Path | None,
    curation: Path | None,
    config: Config,
    log: Callable[[str], Any] = print,
    con: BaseBackend | None = None,
    centres: Path | None = None,
) -> dict[str, Path]:
    """Indicators of the organisation's units and funded projects.

    Parameters
    ----------
    store
        Store folder.
    units
        Unit registry CSV (``docs/portfolio.md``), or None (centres only).
    out
        Output folder (created).
    grants
        Funded projects CSV, or None (no ``projects``/``calls`` tables).
    curation
        Manual matching decisions CSV, or None.
    config
        Settings (engine, domain, period, counting, bootstrap, seed).
    log
        One-line progress messages.
    con
        An existing Ibis backend (tests); not closed here.
    centres
        The organisation's clinical centres CSV, or None (no centre tables;
        :mod:`~oncometrics.portfolio.centres`).

    Returns
    -------
    dict[str, Path]
        Table name -> Parquet file (a CSV sits next to each).
    """
    t0 = time.perf_counter()
    if units is None and centres is None:
        raise RegistryError("portfolio: give a unit registry (--units) or --centres")
    registry = load_units(units) if units else ()
    sites = load_centres(centres) if centres else ()
    projects = load_grants(grants, registry) if grants else ()
    decisions = (
        load_curation(curation, registry + centre_units(sites)) if curation else ()
    )
    matcher = Matcher(registry, curation=decisions)
    engine = Engine(con) if con is not None else Engine.from_config(config)
    out = Path(out)
    domain = Domain.from_config(config)
    meta = {"domain_hash": domain.hash}
    keep = Keep(engine)
    try:
        engine.check_store(store)
        tables = _compute(engine, Path(store), registry, projects, matcher, domain,
                          config, log, keep) if registry else {}  # fmt: skip
        if sites:
            tables.update(centre_outputs(engine, Path(store), sites,
                                         centre_matcher(sites, decisions), domain, config))  # fmt: skip
        written = {}
        with outputs.staging(out) as tmp:  # `out` replaced only on success
            for name, table in tables.items():
                final = table if name in NO_META else with_meta(table, meta)
                written[name] = out / write_table(tmp, name, final).name
                secs = time.perf_counter() - t0
                log(f"{name}: {table.num_rows:,} rows ({secs:.1f} s)")
    finally:
        engine.close()
    return written


def _compute(
    engine: Engine,
    store: Path,
    registry: tuple[Unit, ...],
    projects: tuple[Project, ...],
    matcher: Matcher,
    domain: Domain,
    config: Config,
    log: Callable[[str], Any],
    keep: Keep,
) -> dict[str, pa.Table]:
    """Every output table, materialised."""
    t = engine.load_tables(store, TABLES_NEEDED)
    counted = selection.counted_works(t["works"], domain.types,
                                      parse_period(config.period))  # fmt: skip
    dw = selection.domain_works(t["works"], t["work_subjects"], domain,
                                counted=counted)  # fmt: skip
    # The domain's works, once: impact, collaboration, affiliations and
    # weights each select from them (only these columns are read).
    dw = keep(dw.select("work_id", "publication_year"))
    by_type = bool(config.normalise_by_type)  # reference sets: the whole store
    wi = impact.work_impact(counted, normalise_by_type=by_type,
                            min_reference_set=int(config.min_reference_set))  # fmt: skip
    wi = keep(wi.semi_join(dw.select("work_id"), "work_id"))
    intl = keep(collab.international_works(dw, t["authorship_countries"]))
    affs = t["affiliations"].semi_join(dw.select("work_id"), "work_id")
    m = match_store(affs, matcher)
    log(
        f"matched {m.matches.num_rows:,} (string, unit) pairs; "
        f"{m.unmatched.num_rows:,} organisation strings left for curation"
    )
    actors = keep(
        pi.authorship_actors(
            affs,
            keep.upload(m.string_actors),
            _ror_units(t, matcher, keep),
            t["authorship_institutions"],
        )
    )
    weights = keep(pi.unit_weights(dw, actors))
    counting_ = str(config.counting)
    out = {
        "units": units_table(registry, weights, wi, intl, actors, t, config),
        "unit_year": unit_year_table(weights, wi, intl, counting_),
        "unit_works": unit_works_table(weights, wi),
        "affiliation_matches": m.matches,
        "unmatched_affiliations": m.unmatched,
    }
    if projects:
        out.update(project_tables(projects, t["grants"], wi, intl, config, keep))
    return out


def match_store(affiliations: ir.Table, matcher: Matcher) -> Matched:
    """Match the distinct affiliation strings of `affiliations` (pulled once)."""
    a = affiliations.filter(affiliations.affiliation.notnull())
    counts = (
        a.group_by("affiliation")
        .aggregate(n_authorships=a.author_position.count(), n_works=a.work_id.nunique())
        .to_pyarrow()
        .to_pylist()
    )
    sa: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    unmatched: list[dict[str, Any]] = []
    for row in counts:
        text = row["affiliation"]
        parts = matcher.match_parts(text)
        for seg, found in parts:
            sa += [{"affiliation": text, "actor": m.unit_code} for m in found]
            if not found:
                other = pi.OTHER + matcher.normal_form(seg)
                sa.append({"affiliation": text, "actor": other})
        if any(found for _, found in parts):
            rows += [{"affiliation": text, "unit_code": m.unit_code, "method": m.method,
                      "score": m.score, "n_authorships": row["n_authorships"]}
                     for m in best_matches(m for _, ms in parts for m in ms)]  # fmt: skip
        open_parts = [s for s, found in parts if not found]
        no_match = len(open_parts) == len(parts)
        if (
            any(matcher.names_organisation(s) for s in open_parts)
            or (no_match and matcher.names_organisation(text))
        ) and not matcher.is_ignored(text):
            guess, score = matcher.best_guess(text)
            unmatched.append({**row, "best_guess": guess, "guess_score": score})
    unmatched.sort(key=lambda r: (-r["n_authorships"], r["affiliation"]))
    return Matched(
        pa.Table.from_pylist(sa, schema=pa.schema({"affiliation": pa.string(),
                                                   "actor": pa.string()})),
        _table(rows, {"affiliation": pa.string(), "unit_code": pa.string(),
                      "method": pa.string(), "score": pa.float64(),
                      "n_authorships": pa.int64()}),
        _table(unmatched, {"affiliation": pa.string(), "n_authorships": pa.int64(),
                           "n_works": pa.int64(), "best_guess": pa.string(),
                           "guess_score": pa.float64()}),
    )  # fmt: skip


def _table(rows: list[dict[str, Any]], fields: dict[str, pa.DataType]) -> pa.Table:
    schema = pa.schema(fields)
    return pa.Table.from_pylist([{k: r.get(k) for k in fields} for r in rows],
                                schema=schema)  # fmt: skip


def _ror_units(t: dict[str, ir.Table], matcher: Matcher, keep: Keep) -> ir.Table:
    """Authorships whose institutions carry a unit's ROR id."""
    index = {ror: u.code for u in matcher.units for ror in u.rors}
    rows: list[dict[str, Any]] = []
    if index:
        ai = t["authorship_institutions"]
        hits = ai.filter(ai.ror.isin(list(index)))
        rows = hits.select("work_id", "author_position", "ror").to_pyarrow().to_pylist()
    schema = pa.schema({"work_id": pa.string(), "author_position": pa.int32(),
                        "actor": pa.string()})  # fmt: skip
    return keep.upload(pa.Table.from_pylist(
        [{"work_id": r["work_id"], "author_position": r["author_position"],
          "actor": index[r["ror"]]} for r in rows], schema=schema,
    ))  # fmt: skip
