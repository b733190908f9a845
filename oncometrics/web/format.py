"""How the dashboard's pages show a cell and name a column.

Numbers in plain notation (never ``8.651e-05``), columns by the description
of the published output schema (:mod:`oncometrics.outputs`), the raw name
kept for the API and the CSV.

>>> cell(8.651e-05), cell(1234.5678), cell(0.123456), cell(None), cell(7)
('0.00008651', '1,235', '0.1235', '—', '7')
>>> label("p_frac")
'Publications, fractional counting'
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from functools import cache
from typing import Any

from oncometrics.outputs import OUTPUTS


def cell(value: Any) -> str:
    """`value` for a table cell: plain notation, four significant digits."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}" if abs(value) >= 10_000 else str(int(value))
    x = float(value)
    if abs(x) >= 100:
        return f"{x:,.0f}"
    decimals = max(0, 3 - math.floor(math.log10(abs(x)))) if x else 0
    text = f"{x:.{min(decimals, 12)}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@cache
def _labels() -> dict[str, str]:
    out: dict[str, str] = {}
    for schema in OUTPUTS.values():
        for f in schema:
            meta = f.metadata or {}
            text = meta.get(b"description", b"").decode()
            if text and f.name not in out:
                out[f.name] = text.rstrip(".").replace("`", "")
    return out


def label(column: str) -> str:
    """The human name of `column` (its schema description), else the name."""
    text = _labels().get(column, column)
    return text if len(text) <= 60 else text[:57].rsplit(" ", 1)[0] + "…"


def drill_link(
    table: str,
    column: str,
    value: Any,
    cols: Sequence[str] | None = None,
    row: Sequence[Any] | None = None,
) -> str | None:
    """The drill-down page of a cell naming an actor (None for other cells).

    With the cell's row (`cols`, `row`), a facility's link names its country
    and the actor and year cells of a by-year table link to that year.

    >>> drill_link("publications_by_country", "country", "FR")
    '/drill/country/FR'
    >>> drill_link("trials_by_country_year", "start_year", 2019,
    ...            ["country", "start_year"], ["FR", 2019])
    '/drill/trials/FR?year=2019'
    """
    from oncometrics.drill import LEVELS

    r = dict(zip(cols, row, strict=True)) if cols and row is not None else {}
    for level, lv in LEVELS.items():
        if lv.table == table and lv.column == column:
            return _actor_link(level, value, {lv.key: r.get(lv.key)} if lv.key else {})
        if lv.year_table == table and column in (lv.column, lv.year_column) and r:
            year = r.get(lv.year_column or "")
            if isinstance(year, numbers.Real) and year == year:  # not NaN
                return _actor_link(level, r.get(lv.column), {"year": int(float(year))})
    return None


def _actor_link(level: str, actor: Any, query: dict[str | None, Any]) -> str | None:
    """``/drill/<level>/<actor>?…`` (None: not an actor naming one path segment)."""
    from urllib.parse import quote, urlencode

    from oncometrics.drill_levels import UNASSIGNED

    if not isinstance(actor, str) or actor in ("", UNASSIGNED) or "/" in actor:
        return None
    q = urlencode({k: v for k, v in query.items() if k and isinstance(v, (str, int))})
    return f"/drill/{level}/{quote(actor, safe=':')}" + (f"?{q}" if q else "")
