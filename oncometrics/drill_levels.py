"""What a drill-down drills into: the levels and the row behind a figure.

A *level* (:data:`LEVELS`) names an output table and its actor column; a
drill-down is asked for one row of it (:func:`resolve`), or for the rows of
the level's by-year table in a year or period (``--year 2020``,
``--year 2019-2020``): the figure is then the sum of that column over those
rows.  A facility is one row per (facility, country): its country is given
(``--country``) when the facility has sites in more than one country; a
partner table's row is a pair of countries (``--partner``); a row of
``technology_mix`` is a country in a WIPO field (``--field``) and a period
(``--period``, default the tables' period; the technology shift's periods
are rows of it too).

>>> sorted(LEVELS)  # doctest: +NORMALIZE_WHITESPACE
['applicant', 'country', 'facility', 'institution', 'inv_partners',
 'inventions', 'partners', 'phase', 'sponsor', 'technology', 'trial_partners',
 'trials']
>>> parse_years("2019-2020"), parse_years(" 2020 ")
((2019, 2020), (2020, 2020))
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict, Unpack

import pyarrow.parquet as pq

from oncometrics.errors import InputError


class DrillError(InputError):
    """A drill-down that cannot be made (unknown level or actor, no settings)."""


@dataclass(frozen=True)
class Level:
    """An output table whose rows can be drilled into: its actor column."""

    table: str
    column: str
    #: the figure the weights add up to
    total: str = "p_frac"
    #: what the rows are: publications, inventions or trials
    kind: str = "publications"
    #: a second key column of the table (a facility's country, a partner),
    #: named by the qualifier of the same name (``country``, ``partner``)
    key: str | None = None
    #: the level's by-year table and its year column (None: none)
    year_table: str | None = None
    year_column: str | None = None
    #: the table's column of the second key, when not named `key`
    key_column: str | None = None
    #: rows of several periods (a ``period`` column, ``--period``)
    periods: bool = False


#: Level name (CLI, API) -> the table and column it drills into.
LEVELS: dict[str, Level] = {
    "country": Level(
        "publications_by_country", "country",
        year_table="publications_by_country_year", year_column="publication_year",
    ),
    "institution": Level("publications_by_institution", "institution_id"),
    "inventions": Level(
        "inventions_by_country", "country", "i_frac", "inventions",
        year_table="inventions_by_country_year", year_column="year",
    ),
    "applicant": Level("inventions_by_applicant", "applicant", "i_frac", "inventions"),
    "trials": Level(
        "trials_by_country", "country", "trials", "trials",
        year_table="trials_by_country_year", year_column="start_year",
    ),
    "sponsor": Level("trials_by_sponsor", "sponsor", "trials", "trials"),
    "facility": Level(
        "trials_by_facility", "facility", "trials", "trials", key="country"
    ),
    # a pair of countries: the items they share, each counting once
    "partners": Level(
        "country_partners", "country", "co_publications", key="partner"
    ),
    "inv_partners": Level(
        "coinvention_partners", "country", "co_inventions", "inventions",
        key="partner",
    ),
    "trial_partners": Level(
        "trial_partners", "country", "shared_trials", "trials", key="partner"
    ),
    # a phase of trials_by_phase (the world's); PHASE1-PHASE2 names PHASE1/PHASE2
    "phase": Level("trials_by_phase", "phase", "trials", "trials"),
    # a country in a WIPO technology field, in one period
    "technology": Level(
        "technology_mix", "country", "i_frac", "inventions", key="field",
        key_column="field_nr", periods=True,
    ),
}  # fmt: skip

#: The row some tables add for the records of no actor (not drillable).
UNASSIGNED = "unassigned"

#: The column of each kind of drill-down the year filter reads.
ROW_YEAR = {
    "publications": "publication_year",
    "inventions": "priority_year",
    "trials": "start_year",
}


@dataclass(frozen=True)
class Row:
    """The row (or the year rows) a drill-down is asked for."""

    level: str
    table: str
    actor: str
    #: the facility's country (partner) as its table writes it, (None,) when
    #: unresolved; None for a level without a second key
    key: tuple[str | None] | None
    years: tuple[int, int] | None
    #: the figure the weights add up to (sum over the year rows)
    figure: float | None
    #: the period label of a level with periods (``2020-2021``, ``all``)
    period: str | None = None


def level_of(level: str) -> Level:
    """The :class:`Level` named `level` (DrillError naming the choices)."""
    try:
        return LEVELS[level]
    except KeyError:
        raise DrillError(
            f"unknown drill-down level {level!r}; choose one of {', '.join(LEVELS)}"
        ) from None


def normalise_actor(level: str, actor: str) -> str:
    """`actor` as the table writes it (country codes and phases upper case;
    a combined phase may be written with ``-``, a URL's segment: ``PHASE1-PHASE2``)."""
    lv = LEVELS.get(level)
    if lv and lv.column == "phase":
        return actor.strip().upper().replace("-", "/")
    return actor.strip().upper() if lv and lv.column == "country" else actor.strip()


def parse_years(text: str | tuple[int, int] | None) -> tuple[int, int] | None:
    """``2020`` or ``2019-2020`` as (first, last) (DrillError when malformed)."""
    if text is None or isinstance(text, tuple):
        return text
    m = re.fullmatch(r"\s*(\d{4})\s*(?:-\s*(\d{4})\s*)?", str(text))
    if not m:
        raise DrillError(f"year {text!r}: expected YYYY or YYYY-YYYY")
    first, last = int(m[1]), int(m[2] or m[1])
    if first > last:
        raise DrillError(f"year {text!r}: the years are reversed ({last}-{first}?)")
    return first, last


def _years_label(years: tuple[int, int]) -> str:
    return str(years[0]) if years[0] == years[1] else f"{years[0]}-{years[1]}"


def _check_qualifiers(
    level: str, lv: Level, years: Any, keys: dict[str, Any], period: str | None
) -> None:
    if years is not None and lv.year_table is None:
        with_years = [n for n, v in LEVELS.items() if v.year_table]
        raise DrillError(
            f"{level}: no by-year table to drill into; a year works with "
            f"{', '.join(with_years)}"
        )
    if period is not None and not lv.periods:
        which = [n for n, v in LEVELS.items() if v.periods]
        raise DrillError(
            f"{level}: --period only qualifies level(s) {', '.join(which)}"
        )
    for name, value in keys.items():
        if value is not None and lv.key != name:
            which = [n for n, v in LEVELS.items() if v.key == name]
            raise DrillError(
                f"{level}: --{name} only qualifies level(s) {', '.join(which)}"
            )


class Qualifiers(TypedDict, total=False):
    """What picks one row among an actor's rows (CLI options, API parameters):
    `year` (``2020``, ``2019-2020``) a by-year table's rows, `country` a
    facility's country, `partner` the other country of a pair, `field` a
    WIPO field and `period` a period of ``technology_mix``."""

    year: str | tuple[int, int] | None
    country: str | None
    partner: str | None
    field: str | int | None
    period: str | None


def resolve(indicators: Path, level: str, actor: str, **q: Unpack[Qualifiers]) -> Row:
    """The row of `indicators` a drill-down of `actor` at `level` stands for.

    Raises :class:`DrillError` (one line) for an unknown level, an actor with
    no such row (in those years), a facility in several countries without
    `country`, a pair without its `partner`, a technology row without its
    `field`, or a year for a level without a by-year table.
    """
    lv, years = level_of(level), parse_years(q.get("year"))
    field, period = q.get("field"), q.get("period")
    actor = normalise_actor(level, actor)
    if actor.lower() == UNASSIGNED:
        raise DrillError(
            f"{actor}: the records with no resolved {lv.column} have no drill-down"
        )
    keys = {"country": q.get("country"), "partner": q.get("partner")}
    keys["field"] = None if field is None else str(field)
    _check_qualifiers(level, lv, years, keys, period)
    table = lv.year_table if years else lv.table
    assert table is not None
    path = Path(indicators) / f"{table}.parquet"
    if not path.is_file():
        raise DrillError(f"{path}: no such table (run `oncometrics compute` first)")
    rows = [r for r in pq.read_table(path).to_pylist() if r.get(lv.column) == actor]
    if lv.periods:
        period = _period_of(Path(indicators), rows, period)
        rows = [r for r in rows if r.get("period") == period]
    col = lv.key_column or lv.key or ""
    rows = [{**r, col: _text(r.get(col))} for r in rows]
    key = _key_of(lv, rows, actor, keys.get(lv.key or ""), path)
    if key is not None:
        rows = [r for r in rows if r.get(col) == key[0]]
    if years is not None:
        yc = lv.year_column or ""
        rows = [r for r in rows if r[yc] is not None and years[0] <= r[yc] <= years[1]]
    if not rows:
        when = f" in {_years_label(years)}" if years else ""
        raise DrillError(f"{actor}: not in {path} (no row for this actor{when})")
    values = [r.get(lv.total) for r in rows]
    figure = None if None in values else float(sum(values))  # type: ignore[arg-type]
    return Row(level, table, actor, key, years, figure, period)


def _text(value: Any) -> Any:
    """A key cell as the qualifier names it (a field number as text)."""
    return value if value is None or isinstance(value, str) else str(value)


def _period_of(indicators: Path, rows: list[dict[str, Any]], given: str | None) -> str:
    """The period label a technology row is asked for: `given`, else the
    tables' period (that of ``inventions_by_country``)."""
    if given is not None:
        return given.strip()
    periods = sorted({str(r["period"]) for r in rows if r.get("period")})
    if len(periods) <= 1:
        return periods[0] if periods else ""
    main = indicators / "inventions_by_country.parquet"
    if main.is_file():
        got = pq.read_table(main, columns=["period"])["period"].to_pylist()
        if got and got[0] in periods:
            return str(got[0])
    raise DrillError(f"rows of {len(periods)} periods ({', '.join(periods)}); name one")


def _key_of(
    lv: Level, rows: list[dict[str, Any]], actor: str, given: str | None, path: Path
) -> tuple[str | None] | None:
    """The facility's country (partner) the rows are narrowed to (None: no
    key column)."""
    if lv.key is None:
        return None
    if given is not None:
        return (given.strip().upper(),)
    col = lv.key_column or lv.key
    keys = sorted({r.get(col) for r in rows}, key=lambda k: (k is None, k or ""))
    if len(keys) > 1:
        named = ", ".join(k or "unresolved" for k in keys)
        raise DrillError(
            f"{actor}: {len(keys)} rows of {path.name} ({lv.key} {named}); "
            f"name the {lv.key}"
        )
    return (keys[0],) if keys else None
