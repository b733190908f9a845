"""``oncometrics portfolio``: match affiliations, compute and write the tables.

The only module of the package that connects an engine and writes files.
Matching runs in Python over the *distinct* affiliation strings of the
counted works (pulled once from the store); the (string → actor) table it
produces goes back to the engine, where the indicators run as Ibis
expressions.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ibis
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from oncometrics.config import Config, parse_period
from oncometrics.domain import Domain
from oncometrics.engine import connect, load_tables
from oncometrics.indicators import collaboration as collab
from oncometrics.indicators import impact, selection
from oncometrics.indicators.stability import INTERVAL_COLUMNS, stability_intervals
from oncometrics.portfolio import indicators as pi
from oncometrics.portfolio.matching import Matcher, best_matches, normalise
from oncometrics.portfolio.registry import (
    Project,
    Unit,
    award_keys,
    load_curation,
    load_grants,
    load_units,
)

if TYPE_CHECKING:
    import ibis.expr.types as ir
    from ibis.backends import BaseBackend

TABLES_NEEDED = ["works", "work_subjects", "authorship_countries",
                 "authorship_institutions", "affiliations", "grants"]  # fmt: skip
#: Partners listed per unit in the ``units`` table.
TOP_PARTNERS = 5


@dataclass
class Matched:
    """What matching produced: the string → actor table and its audit rows."""

    string_actors: pa.Table  # affiliation, actor
    matches: pa.Table  # affiliation, unit_code, method, score, n_authorships
    unmatched: pa.Table  # affiliation, n_authorships, n_works, best_guess, score


class _Keep:
    """Tables made on the engine for one run (cached or uploaded), then dropped."""

    def __init__(self, con: BaseBackend) -> None:
        self.con = con
        self.cached: list[ir.Table] = []
        self.uploaded: list[str] = []

    def __call__(self, expr: ir.Table) -> ir.Table:
        cached = expr.cache()
        self.cached.append(cached)
        return cached

    def upload(self, table: pa.Table) -> ir.Table:
        """`table` as a table of the engine (memtables do not reach Spark SQL)."""
        name = f"portfolio_{uuid.uuid4().hex[:12]}"
        self.uploaded.append(name)
        if self.con.name == "duckdb":
            return self.con.create_table(name, obj=table, temp=True)
        return self.con.create_table(name, obj=table, overwrite=True)

    def release(self) -> None:
        while self.cached:
            self.cached.pop().release()
        while self.uploaded:
            self.con.drop_table(self.uploaded.pop(), force=True)


def run_portfolio(
    store: Path,
    units: Path,
    out: Path,
    *,
    grants: Path | None,
    curation: Path | None,
    config: Config,
    log: Callable[[str], Any] = print,
    con: BaseBackend | None = None,
) -> dict[str, Path]:
    """Indicators of the organisation's units and funded projects.

    Parameters
    ----------
    store
        Store folder.
    units
        Unit registry CSV (``docs/portfolio.md``).
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

    Returns
    -------
    dict[str, Path]
        Table name -> Parquet file (a CSV sits next to each).
    """
    t0 = time.perf_counter()
    registry = load_units(units)
    projects = load_grants(grants, registry) if grants else ()
    decisions = load_curation(curation, registry) if curation else ()
    matcher = Matcher(registry, curation=decisions)
    own = con is None
    if con is None:
        con = connect(config.engine, spark_master=config.spark_master,
                      threads=config.threads)  # fmt: skip
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    domain = Domain.from_config(config)
    meta = {"domain_hash": domain.hash}
    keep = _Keep(con)
    try:
        tables = _compute(con, Path(store), registry, projects, matcher, domain, config,
                          log, keep)  # fmt: skip
        written = {}
        for name, table in tables.items():
            with_meta = table if name.startswith("unmatched") else _meta(table, meta)
            written[name] = _write(out, name, with_meta)
            log(f"{name}: {table.num_rows:,} rows ({time.perf_counter() - t0:.1f} s)")
    finally:
        keep.release()
        if own and con.name == "duckdb":
            con.disconnect()
    return written


def _compute(
    con: BaseBackend,
    store: Path,
    registry: tuple[Unit, ...],
    projects: tuple[Project, ...],
    matcher: Matcher,
    domain: Domain,
    config: Config,
    log: Callable[[str], Any],
    keep: _Keep,
) -> dict[str, pa.Table]:
    """Every output table, materialised."""
    t = load_tables(con, store, TABLES_NEEDED)
    dw = selection.domain_works(t["works"], t["work_subjects"], domain,
                                parse_period(config.period))  # fmt: skip
    wi = keep(impact.work_impact(dw, normalise_by_type=bool(config.normalise_by_type)))
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
        "units": _units_table(registry, weights, wi, intl, actors, t, config),
        "unit_year": _unit_year(weights, wi, intl, counting_),
        "unit_works": _unit_works(weights, wi),
        "affiliation_matches": m.matches,
        "unmatched_affiliations": m.unmatched,
    }
    if projects:
        out.update(_project_tables(projects, t["grants"], wi, intl, config, keep))
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
                sa.append({"affiliation": text, "actor": pi.OTHER + normalise(seg)})
        rows += [{"affiliation": text, "unit_code": m.unit_code, "method": m.method,
                  "score": m.score, "n_authorships": row["n_authorships"]}
                 for m in best_matches(m for _, ms in parts for m in ms)]  # fmt: skip
        open_parts = [s for s, found in parts if not found]
        if any(matcher.names_organisation(s) for s in open_parts) and not (
            matcher.is_ignored(text)
        ):
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


def _ror_units(t: dict[str, ir.Table], matcher: Matcher, keep: _Keep) -> ir.Table:
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


def _intervals(
    weights: ir.Table, wi: ir.Table, keys: list[str], config: Config, counting_: str
) -> Any:
    j = weights.join(wi, "work_id")
    w = j.weight if counting_ == "fractional" else ibis.literal(1.0)
    df = _df(j.select(*keys, "work_id", "ncs", "top10_share", weight=w))
    return stability_intervals(
        df, keys=keys, resamples=int(config.bootstrap), seed=int(config.seed),
        exact_max=int(config.values.get("bootstrap_exact_max", 20000)),
    )  # fmt: skip


def _units_table(
    registry: tuple[Unit, ...],
    weights: ir.Table,
    wi: ir.Table,
    intl: ir.Table,
    actors: ir.Table,
    t: dict[str, ir.Table],
    config: Config,
) -> pa.Table:
    """One row per unit of the registry (zeros for units without works)."""
    cnt = str(config.counting)
    both = weights.union(pi.organisation_weights(weights))
    ind = pi.organisation_share(pi.unit_indicators(both, wi, intl, counting_=cnt))
    df = _df(ind)
    iv = _intervals(both, wi, ["actor"], config, cnt)
    df = df.merge(iv, on="actor", how="left") if len(iv) else df
    with_org = actors.union(pi.organisation_actors(actors)).distinct()
    part = {
        "top_partner_countries": pi.partner_countries(both, with_org,
                                                      t["authorship_countries"]),
        "top_partner_institutions": pi.partner_institutions(
            both, with_org, t["authorship_institutions"]),
        "partner_units": pi.partner_units(weights),
    }  # fmt: skip
    for col, expr in part.items():
        top = _top(_df(expr))
        df[col] = [top.get(str(a), "") for a in df["actor"]]
    return _registry_frame(registry, df)


def _top(partners: Any) -> dict[str, str]:
    """actor -> 'X (3); Y (2)' for its TOP_PARTNERS partners."""
    out: dict[str, str] = {}
    if partners.empty:
        return out
    partners = partners.sort_values(["actor", "co_publications", "partner"],
                                    ascending=[True, False, True])  # fmt: skip
    for actor, g in partners.groupby("actor", sort=False):
        top = g.head(TOP_PARTNERS)
        out[str(actor)] = "; ".join(
            f"{p} ({n})" for p, n in zip(top.partner, top.co_publications, strict=True)
        )
    return out


def _registry_frame(registry: tuple[Unit, ...], df: Any) -> pa.Table:
    """Indicators joined onto the registry (one row per unit + organisation)."""
    import pandas as pd

    reg = pd.DataFrame(
        [
            {
                "unit_code": u.code,
                "name": u.name,
                "parent": "|".join(u.parents),
                "team_count": u.team_count,
            }
            for u in registry
        ]
        + [
            {
                "unit_code": pi.ORGANISATION,
                "name": "All units",
                "parent": "",
                "team_count": sum(u.team_count or 0 for u in registry) or None,
            }
        ]
    )
    df = df.rename(columns={"actor": "unit_code"})
    merged = reg.merge(df, on="unit_code", how="left")
    for c in (
        "p_full",
        "p_frac",
        "p_top1",
        "p_top10",
        "tncs",
        "p_intl",
        "share_of_org",
    ):
        if c in merged:
            merged[c] = merged[c].fillna(0)
    merged["team_count"] = merged["team_count"].astype("Int64")
    merged["p_full"] = merged["p_full"].astype("Int64")
    cols = ["unit_code", "name", "parent", "team_count", "p_full", "p_frac",
            "share_of_org", "mncs", *INTERVAL_COLUMNS[:2], "pp_top10",
            *INTERVAL_COLUMNS[2:], "pp_top1", "p_top10", "p_top1", "tncs",
            "intl_collab_rate", "top_partner_countries", "top_partner_institutions",
            "partner_units"]  # fmt: skip
    for c in cols:
        if c not in merged:
            merged[c] = None
    return pa.Table.from_pandas(merged[cols], preserve_index=False)


def _unit_year(weights: ir.Table, wi: ir.Table, intl: ir.Table, cnt: str) -> pa.Table:
    by = ("publication_year",)
    t = pi.unit_indicators(weights, wi, intl, by=by, counting_=cnt)
    t = t.rename(unit_code="actor")
    return t.to_pyarrow().sort_by([("unit_code", "ascending"),
                                   ("publication_year", "ascending")])  # fmt: skip


def _unit_works(weights: ir.Table, wi: ir.Table) -> pa.Table:
    j = weights.join(wi, "work_id")
    t = j.select(unit_code=j.actor, work_id=j.work_id, weight=j.weight,
                 publication_year=j.publication_year, field=j.field, c=j.c, ncs=j.ncs,
                 top10_share=j.top10_share)  # fmt: skip
    return t.to_pyarrow().sort_by(
        [("unit_code", "ascending"), ("work_id", "ascending")]
    )


def _project_tables(
    projects: tuple[Project, ...],
    grants: ir.Table,
    wi: ir.Table,
    intl: ir.Table,
    config: Config,
    keep: _Keep,
) -> dict[str, pa.Table]:
    """``projects`` and ``calls``: full-counted outputs of funded projects."""
    import pandas as pd

    awards = pa.table({
        "project_id": [p.project_id for p in projects for _ in p.award_keys],
        "call": [p.call for p in projects for _ in p.award_keys],
        "key": [k for p in projects for k in p.award_keys],
    }, schema=pa.schema({"project_id": pa.string(), "call": pa.string(),
                         "key": pa.string()}))  # fmt: skip
    pw = keep(pi.project_works(grants, _award_key_table(grants, keep),
                               keep.upload(awards)))  # fmt: skip
    out = {}
    for key, name in (("project_id", "projects"), ("call", "calls")):
        w = pi.project_weights(pw, key)
        df = _df(pi.unit_indicators(w, wi, intl, counting_="full"))
        iv = _intervals(w, wi, ["actor"], config, "full")
        df = df.merge(iv, on="actor", how="left") if len(iv) else df
        df = df.rename(columns={"actor": key})
        out[name] = _project_frame(projects, df, key, pd)
    return out


def _award_key_table(grants: ir.Table, keep: _Keep) -> ir.Table:
    """(award_id_norm, key) for the distinct award ids of the store (pulled once)."""
    g = grants.filter(grants.award_id_norm.notnull())
    ids = g.select("award_id_norm").distinct().to_pyarrow()["award_id_norm"].to_pylist()
    pairs = [(a, k) for a in ids for k in sorted(award_keys(a))]
    return keep.upload(pa.table(
        {"award_id_norm": [a for a, _ in pairs], "key": [k for _, k in pairs]},
        schema=pa.schema({"award_id_norm": pa.string(), "key": pa.string()}),
    ))  # fmt: skip


def _project_frame(
    projects: tuple[Project, ...], df: Any, key: str, pd: Any
) -> pa.Table:
    if key == "project_id":
        reg = pd.DataFrame(
            [
                {
                    "project_id": p.project_id,
                    "call": p.call,
                    "year": p.year,
                    "team": p.team,
                    "unit_code": p.unit_code,
                    "award_ids": "|".join(p.award_ids),
                }
                for p in projects
            ]
        )
    else:
        n = Counter(p.call for p in projects)
        years = {p.call: p.year for p in projects}
        reg = pd.DataFrame([{"call": c, "year": years[c], "n_projects": k}
                            for c, k in n.items()])  # fmt: skip
    merged = reg.merge(df, on=key, how="left")
    for c in ("p_full", "p_frac", "p_top1", "p_top10", "tncs", "p_intl"):
        if c in merged:
            merged[c] = merged[c].fillna(0)
    merged["year"] = merged["year"].astype("Int64")
    merged["p_full"] = merged["p_full"].astype("Int64")
    drop = [c for c in ("p_frac",) if c in merged]
    return pa.Table.from_pandas(merged.drop(columns=drop), preserve_index=False)


def _df(expr: ir.Table) -> Any:
    """`expr` as a pandas DataFrame (through Arrow)."""
    return expr.to_pyarrow().to_pandas()


def _meta(table: pa.Table, meta: dict[str, str]) -> pa.Table:
    for k, v in meta.items():
        table = table.append_column(k, pa.array([v] * table.num_rows, pa.string()))
    return table


def _write(out: Path, name: str, table: pa.Table) -> Path:
    path = out / f"{name}.parquet"
    pq.write_table(table, path)
    pacsv.write_csv(table, out / f"{name}.csv")
    return path
