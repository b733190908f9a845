"""Materialised output tables of ``oncometrics portfolio`` (used by the runner).

Each function here turns the Ibis expressions of
:mod:`oncometrics.portfolio.indicators` into one pyarrow table, joined onto
the registry (units with no publication are listed with zeros), with the
stability intervals of :mod:`oncometrics.indicators.stability`.
"""

from __future__ import annotations

import uuid
from collections import Counter
from typing import TYPE_CHECKING, Any

import ibis
import pyarrow as pa

from oncometrics.config import Config
from oncometrics.indicators.stability import INTERVAL_COLUMNS, stability_intervals
from oncometrics.portfolio import indicators as pi
from oncometrics.portfolio.registry import Project, Unit, award_keys

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from oncometrics.engine import Engine

#: Partners listed per unit in the ``units`` table.
TOP_PARTNERS = 5


class Keep:
    """Tables made on the engine for one run (cached or uploaded), then dropped."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __call__(self, expr: ir.Table) -> ir.Table:
        return self.engine.cache(expr)

    def upload(self, table: pa.Table) -> ir.Table:
        """`table` as a table of the engine (memtables do not reach Spark SQL)."""
        return self.engine.upload(table, f"portfolio_{uuid.uuid4().hex[:12]}")

    def release(self) -> None:
        self.engine.release()


def _intervals(
    weights: ir.Table, wi: ir.Table, keys: list[str], config: Config, counting_: str
) -> Any:
    j = weights.join(wi, "work_id")
    w = j.weight if counting_ == "fractional" else ibis.literal(1.0)
    df = frame(j.select(*keys, "work_id", "ncs", "top1_share", "top10_share", weight=w))
    if df.empty:
        import pandas as pd

        return pd.DataFrame(columns=[*keys, *INTERVAL_COLUMNS])
    return stability_intervals(
        df, keys=keys, resamples=int(config.bootstrap), seed=int(config.seed),
        exact_max=int(config.values.get("bootstrap_exact_max", 20000)),
    )  # fmt: skip


def _with_intervals(df: Any, iv: Any) -> Any:
    """`df` with the interval columns of `iv` (float, NaN where none)."""
    out = df.merge(iv.astype({"actor": df["actor"].dtype}), on="actor", how="left")
    for c in INTERVAL_COLUMNS:
        out[c] = out[c].astype("float64")
    return out


def units_table(
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
    df = frame(ind)
    iv = _intervals(both, wi, ["actor"], config, cnt)
    df = _with_intervals(df, iv)
    with_org = actors.union(pi.organisation_actors(actors)).distinct()
    part = {
        "top_partner_countries": pi.partner_countries(both, with_org,
                                                      t["authorship_countries"]),
        "top_partner_institutions": pi.partner_institutions(
            both, with_org, t["authorship_institutions"]),
        "partner_units": pi.partner_units(weights),
    }  # fmt: skip
    for col, expr in part.items():
        top = _top(frame(expr))
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
    merged = _zero_without_works(reg.merge(df, on="unit_code", how="left"))
    merged["team_count"] = merged["team_count"].astype("Int64")
    merged["p_full"] = merged["p_full"].astype("Int64")
    for c in ("top_partner_countries", "top_partner_institutions", "partner_units"):
        col = merged[c].astype(object) if c in merged else None
        merged[c] = (
            "" if col is None else [v if isinstance(v, str) else "" for v in col]
        )
    cols = ["unit_code", "name", "parent", "team_count", "p_full", "p_frac",
            "share_of_org", "mncs", *INTERVAL_COLUMNS[:2], "pp_top10",
            *INTERVAL_COLUMNS[2:], "pp_top1", "p_top10", "p_top1", "tncs",
            "intl_collab_rate", "top_partner_countries", "top_partner_institutions",
            "partner_units"]  # fmt: skip
    for c in cols:
        if c not in merged:
            merged[c] = None
    return pa.Table.from_pandas(merged[cols], preserve_index=False)


def unit_year_table(
    weights: ir.Table, wi: ir.Table, intl: ir.Table, cnt: str
) -> pa.Table:
    by = ("publication_year",)
    t = pi.unit_indicators(weights, wi, intl, by=by, counting_=cnt)
    t = t.rename(unit_code="actor")
    return t.to_pyarrow().sort_by([("unit_code", "ascending"),
                                   ("publication_year", "ascending")])  # fmt: skip


def unit_works_table(weights: ir.Table, wi: ir.Table) -> pa.Table:
    j = weights.join(wi, "work_id")
    t = j.select(unit_code=j.actor, work_id=j.work_id, weight=j.weight,
                 publication_year=j.publication_year, field=j.field, c=j.c, ncs=j.ncs,
                 top10_share=j.top10_share)  # fmt: skip
    return t.to_pyarrow().sort_by(
        [("unit_code", "ascending"), ("work_id", "ascending")]
    )


def project_tables(
    projects: tuple[Project, ...],
    grants: ir.Table,
    wi: ir.Table,
    intl: ir.Table,
    config: Config,
    keep: Keep,
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
        df = frame(pi.unit_indicators(w, wi, intl, counting_="full"))
        iv = _intervals(w, wi, ["actor"], config, "full")
        df = _with_intervals(df, iv)
        df = df.rename(columns={"actor": key})
        out[name] = _project_frame(projects, df, key, pd)
    return out


def _award_key_table(grants: ir.Table, keep: Keep) -> ir.Table:
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
    merged = _zero_without_works(reg.merge(df, on=key, how="left"))
    merged["year"] = merged["year"].astype("Int64")
    for c in ("p_full", "p_intl"):  # counts stay integers after the fill
        merged[c] = merged[c].astype("Int64")
    drop = [c for c in ("p_frac",) if c in merged]
    return pa.Table.from_pandas(merged.drop(columns=drop), preserve_index=False)


def _zero_without_works(merged: Any) -> Any:
    """Counts of a row without works are 0; its impact sums too, but a row
    with works none of which is rated keeps null sums (n/a, not 0)."""
    none = merged["p_full"].isna() if "p_full" in merged else None
    for c in ("p_full", "p_frac", "p_intl", "share_of_org"):
        if c in merged:
            merged[c] = merged[c].fillna(0)
    for c in ("p_top1", "p_top10", "tncs"):
        # ... and when no row has a rated work, every sum is n/a
        if c in merged and none is not None and merged[c].notna().any():
            merged[c] = merged[c].mask(none, 0.0)
    return merged


def frame(expr: ir.Table) -> Any:
    """`expr` as a pandas DataFrame (through Arrow)."""
    return expr.to_pyarrow().to_pandas()
