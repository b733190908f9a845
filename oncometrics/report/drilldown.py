"""Drill-down files written with the report: ``REPORT/drill/<level>_<actor>.csv``.

For the report's country and the largest actors of each drillable table
(:data:`oncometrics.drill.LEVELS`), the publications, patent families or
trials behind their row, as :func:`oncometrics.drill.drill` lists them; a
facility's file also names its country (``facility_<name>_<CC>.csv``), and
each year row of the report's country in the by-year tables has its own
(``country_FR_2020.csv``); the report country's `top` largest WIPO fields
of each period of ``technology_mix`` too (``technology_FR_13_2014-2018.csv``).
Plain CSV files next to ``report.html``, linked from it by relative paths:
they open offline, without the dashboard.  When the store or the tables'
settings are not at hand (tables copied without their store), no file is
written and the report says why.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from oncometrics.drill import LEVELS, Drill, resolve, write_csv
from oncometrics.errors import is_user_error, one_line
from oncometrics.report.tables import country_rows

#: Largest actors of each level that get a file (plus the report's country);
#: the setting ``drill_top``.
TOP = 10
#: The report section each level's links go to.
SECTION = {
    "country": "publications",
    "institution": "publications",
    "inventions": "inventions",
    "applicant": "inventions",
    "trials": "trials",
    "sponsor": "trials",
    "facility": "trials",
    "partners": "publications",
    "inv_partners": "inventions",
    "trial_partners": "trials",
    "technology": "inventions",
    "phase": "trials",
}
#: A file to write: its label in the report, the actor, year / country.
Target = tuple[str, str, dict[str, str]]


def drill_targets(
    tables: Mapping[str, pd.DataFrame], level: str, actor: str, top: int = TOP
) -> list[Target]:
    """The rows of `level` that get a file: :func:`drill_actors` (a
    facility with its country), then each year of the report's country; for
    a partner table, the report country's `top` partners."""
    lv = LEVELS[level]
    if lv.key == "partner":
        return _partner_targets(tables.get(lv.table), lv.total, actor, top)
    if lv.periods:
        return _technology_targets(tables.get(lv.table), actor, top)
    out: list[Target] = []
    for code in drill_actors(tables, level, actor, top):
        if lv.key is None:
            out.append((code, code, {}))
            continue
        df = tables[lv.table]
        keys = df.loc[df[lv.column].astype(str) == code, lv.key].dropna()
        if keys.empty:  # its country unresolved: the one row of the name
            out.append((code, code, {}))
        for key in keys:
            out.append((f"{code} ({key})", code, {"country": str(key)}))
    years = tables.get(lv.year_table or "")
    if years is None or years.empty or lv.column != "country":
        return out
    mine = years[years[lv.column].astype(str) == actor][lv.year_column]
    for y in sorted({int(y) for y in mine.dropna()}):
        out.append((f"{actor} {y}", actor, {"year": str(y)}))
    return out


def _partner_targets(
    df: pd.DataFrame | None, co: str, actor: str, top: int
) -> list[Target]:
    """The report country's `top` partners in a partner table (most shared)."""
    if df is None or df.empty:
        return []
    mine = df[df["country"].astype(str) == actor]
    mine = mine.assign(_v=pd.to_numeric(mine[co], errors="coerce"))
    mine = mine[mine["_v"] > 0].sort_values(["_v", "partner"], ascending=[False, True])
    return [
        (f"{actor}–{p}", actor, {"partner": str(p)}) for p in mine["partner"].head(top)
    ]


def _technology_targets(df: pd.DataFrame | None, actor: str, top: int) -> list[Target]:
    """The report country's `top` largest fields of each period of
    technology_mix."""
    if df is None or df.empty or "field_nr" not in df.columns:
        return []
    mine = df[df["country"].astype(str) == actor]
    mine = mine.assign(_v=pd.to_numeric(mine["i_frac"], errors="coerce"))
    mine = mine[mine["_v"] > 0].sort_values(["period", "_v", "field_nr"],
                                            ascending=[True, False, True])  # fmt: skip
    out: list[Target] = []
    for period, rows in mine.groupby("period", sort=True):
        for _, r in rows.head(top).iterrows():
            field = str(int(r["field_nr"]))
            name = r.get("field_name") or field
            within = {"field": field, "period": str(period)}
            out.append((f"{actor} {name} ({period})", actor, within))
    return out


def drill_actors(
    tables: Mapping[str, pd.DataFrame], level: str, actor: str, top: int = TOP
) -> list[str]:
    """The report's country (when in the table) and the `top` largest actors
    (distinct)."""
    lv = LEVELS[level]
    df = tables.get(lv.table)
    if df is None or df.empty or lv.total not in df.columns:
        return []
    if lv.column == "country":
        df = country_rows(df)
    elif "country_code" in df.columns:  # the actor's institutions, as the table
        mine = df[df["country_code"].astype(str).str.upper() == actor]
        df = mine if not mine.empty else df
    df = df.assign(_v=pd.to_numeric(df[lv.total], errors="coerce"))
    df = df[df["_v"] > 0].sort_values(["_v", lv.column], ascending=[False, True])
    codes = list(dict.fromkeys(str(c) for c in df[lv.column]))[:top]
    if lv.column == "country" and actor in set(df[lv.column]) and actor not in codes:
        codes.insert(0, actor)
    return codes


def file_name(level: str, actor: str, within: Mapping[str, str] | None = None) -> str:
    """``<level>_<actor>[_<country>][_<year>].csv`` with only letters, digits,
    ``-`` and ``_``.

    >>> file_name("facility", "gustave roussy", {"country": "FR"})
    'facility_gustave_roussy_FR.csv'
    """
    stem = "_".join([actor, *(within or {}).values()])
    return f"{level}_{re.sub(r'[^A-Za-z0-9-]', '_', stem)}.csv"


def write_drilldowns(
    store: Path,
    indicators: Path,
    folder: Path,
    tables: Mapping[str, pd.DataFrame],
    actor: str,
    log: Callable[[str], None],
    top: int = TOP,
) -> dict[str, list[tuple[str, str]]]:
    """Write the drill-down CSV files; section -> [(actor, relative path)].

    Returns ``{}`` (with one log line saying why) when they cannot be made,
    or when `top` is 0 (setting ``drill_top``).
    """
    folder = Path(folder)
    if folder.is_dir():
        for old in folder.glob("*.csv"):  # of an earlier report
            old.unlink()
    if top <= 0:
        log("report: no drill-down files (drill_top = 0)")
        return {}
    links: dict[str, list[tuple[str, str]]] = {}
    try:
        with Drill(store, indicators) as d:
            for level in LEVELS:
                targets = drill_targets(tables, level, actor, top)
                rows = [resolve(d.indicators, level, c, **w) for _, c, w in targets]
                # one query for the level's actors (its rows, as works() asks)
                for (label, code, within), t in zip(
                    targets, d.rows_many(rows), strict=True
                ):
                    folder.mkdir(parents=True, exist_ok=True)
                    name = file_name(level, code, within)
                    with (folder / name).open("w", encoding="utf-8", newline="") as fh:
                        write_csv(t, fh)
                    links.setdefault(SECTION[level], []).append(
                        (label, f"{folder.name}/{name}")
                    )
    except Exception as exc:
        if not is_user_error(exc):
            raise
        log(f"report: no drill-down files ({one_line(str(exc))})")
        return {}
    n = sum(len(v) for v in links.values())
    log(f"report: {n} drill-down files (CSV) in {folder}")
    return links
