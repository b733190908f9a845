"""Drill-down in the dashboard: the works behind an actor's row.

``/api/v1/drill/{level}/{actor}`` (JSON, paginated: ``limit`` ≤
:data:`MAX_LIMIT`, ``offset``, the ``total`` returned), its ``/csv`` and the
page ``/drill/{level}/{actor}``.  The rows come from
:class:`oncometrics.drill.Drill` on the store, with the settings and store
snapshot of the tables the dashboard serves; one drill-down per actor is
kept in memory (the last :data:`KEEP`), dropped when the tables change.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import Annotated, Any, Unpack

import pyarrow as pa
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from oncometrics.drill import (
    CITATION_COLUMNS,
    LEVELS,
    SCHEMAS,
    Drill,
    DrillError,
    Qualifiers,
    Row,
    resolve,
)
from oncometrics.drill_exprs import NO_CITATIONS, SMALL_SET
from oncometrics.web.api import CODE, Offset, Problem, _reject_unknown, snapshot

MAX_LIMIT = 500
KEEP = 32
router = APIRouter(
    responses={
        400: {"model": Problem, "description": "Bad request"},
        404: {"model": Problem, "description": "Unknown level or actor"},
    }
)


class DrillRows(BaseModel):
    """A page of the works behind one actor's row."""

    level: str
    actor: str
    table: str
    figure_column: str
    figure: float | None
    year: str | None
    country: str | None
    partner: str | None
    field: str | None = None
    period: str | None = None
    weight_sum: float
    total: int
    limit: int
    offset: int
    columns: list[str]
    rows: list[dict[str, Any]]


class Drills:
    """The drill-downs of the tables currently served (one Drill per snapshot)."""

    def __init__(self, store: Path) -> None:
        self.store = store
        self._stamp: object = None
        self._drill: Drill | None = None
        self._tables: OrderedDict[Row, pa.Table] = OrderedDict()
        self._lock = threading.Lock()

    def works(
        self, request: Request, level: str, actor: str, **within: Unpack[Qualifiers]
    ) -> tuple[Row, pa.Table]:
        """The row asked for and every work behind it, for this request's
        snapshot (`within`: ``year``, ``country``, as :func:`resolve`)."""
        data = snapshot(request)
        with self._lock:
            if self._stamp != data.stamp:
                self._reset(data.folder, data.stamp)
            key = resolve(data.folder, level, actor, **within)
            if key not in self._tables:
                assert self._drill is not None
                self._tables[key] = self._drill.rows(key)
                while len(self._tables) > KEEP:
                    self._tables.popitem(last=False)
            self._tables.move_to_end(key)
            return key, self._tables[key]

    def _reset(self, folder: Path, stamp: object) -> None:
        import ibis

        from oncometrics.engine import Engine

        if self._drill is not None:
            self._drill.close()
        self._tables.clear()
        self._drill = None
        # DuckDB here whatever engine computed the tables (same figures)
        engine = Engine(ibis.duckdb.connect(), own=True)
        self._drill = Drill(self.store, folder, engine=engine)
        self._stamp = stamp


def _drills(request: Request) -> Drills:
    app = request.app
    if getattr(app.state, "drills", None) is None:
        app.state.drills = Drills(Path(app.state.store))
    return app.state.drills  # type: ignore[no-any-return]


def _works(
    request: Request, level: str, actor: str, within: Qualifiers
) -> tuple[Row, pa.Table]:
    if level not in LEVELS:
        raise HTTPException(404, f"unknown level {level!r}; one of {', '.join(LEVELS)}")
    try:
        return _drills(request).works(request, level, actor, **within)
    except DrillError as exc:
        msg = str(exc).replace(str(request.app.state.store), "STORE")
        msg = msg.replace(str(snapshot(request).folder), "INDICATORS")
        raise HTTPException(404, msg) from None


def _query(within: Qualifiers) -> str:
    """The query string naming the same row (``year``, ``country``…)."""
    from urllib.parse import urlencode

    return urlencode({k: str(v).strip() for k, v in within.items() if v})


Actor = Annotated[str, Query(pattern=CODE)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Year = Annotated[
    str | None,
    Query(
        pattern=r"^\d{4}(-\d{4})?$",
        description="A year or period (2020, 2019-2020): the rows of the "
        "level's by-year table (country, inventions, trials).",
    ),
]
Country = Annotated[
    str | None,
    Query(pattern=CODE, description="A facility's country (ISO alpha-2)."),
]
Partner = Annotated[
    str | None,
    Query(pattern=CODE, description="The partner country of a pair (ISO alpha-2)."),
]
Field = Annotated[
    int | None,
    Query(ge=1, le=99, description="A WIPO technology field (level technology)."),
]
Period = Annotated[
    str | None,
    Query(
        pattern=r"^(all|\d{4}-\d{4})$",
        description="A period of technology_mix (level technology; default the "
        "tables' period).",
    ),
]


def _qualifiers(
    year: Year = None,
    country: Country = None,
    partner: Partner = None,
    field: Field = None,
    period: Period = None,
) -> Qualifiers:
    """The query parameters that pick one of an actor's rows (the same
    qualifiers as :func:`oncometrics.drill.resolve`'s, as text)."""
    return Qualifiers(
        year=year,
        country=country,
        partner=partner,
        field=None if field is None else str(field),
        period=period,
    )


#: The qualifiers of every drill-down route, read by one dependency.
Within = Annotated[Qualifiers, Depends(_qualifiers)]
QUALIFIERS = set(Qualifiers.__annotations__)


def _year(within: Qualifiers) -> str | None:
    """The ``year`` parameter as the request gave it."""
    year = within.get("year")
    return year if isinstance(year, str) else None


@router.get("/api/v1/drill/{level}/{actor}", response_model=DrillRows)
def drill_rows(
    request: Request,
    level: str,
    actor: str,
    within: Within,
    limit: Limit = 100,
    offset: Offset = 0,
) -> DrillRows:
    """The rows behind one actor's row, heaviest first: publications of a
    `country` or `institution` (weight, citations, NCS, top shares; null: no
    citation data), patent families of a country (`inventions`) or an
    applicant (`applicant`), trials of a country (`trials`), a sponsor
    (`sponsor`) or a site facility (`facility`, its `country` when in
    several), the items a pair of countries shares (`partners`,
    `inv_partners`, `trial_partners`, with `partner`), the families of a
    country in a WIPO field (`technology`, with `field`, `period`); `year`
    keeps a year or period of the by-year table.  The weights add up to
    `figure`."""
    _reject_unknown(request, {"limit", "offset"} | QUALIFIERS)
    row, t = _works(request, level, actor, within)
    page = t.slice(offset, limit)
    weights = t["weight"].to_pylist()
    return DrillRows(
        level=level,
        actor=row.actor,
        table=row.table,
        figure_column=LEVELS[level].total,
        figure=row.figure,
        year=_year(within),
        country=_key(row, "country"),
        partner=_key(row, "partner"),
        field=_key(row, "field"),
        period=row.period,
        weight_sum=float(sum(w for w in weights if w is not None)),
        total=t.num_rows,
        limit=limit,
        offset=offset,
        columns=list(t.column_names),
        rows=page.to_pylist(),
    )


@router.get(
    "/api/v1/drill/{level}/{actor}/csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def drill_csv(request: Request, level: str, actor: str, within: Within) -> Response:
    """Every work behind one actor's row, as CSV (missing citation data: n/a)."""
    import io
    import re

    from oncometrics.drill import write_csv

    _reject_unknown(request, QUALIFIERS)
    row, t = _works(request, level, actor, within)
    buf = io.StringIO()
    write_csv(t, buf)
    parts = [level, row.actor, *(row.key or ()), row.period, _year(within)]
    stem = "_".join(str(p) for p in parts if p)
    name = "drill_" + re.sub(r"[^A-Za-z0-9-]", "_", stem) + ".csv"
    return Response(
        buf.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    "/drill/{level}/{actor}", response_class=HTMLResponse, include_in_schema=False
)
def drill_page(
    request: Request,
    level: str,
    actor: str,
    within: Within,
    offset: Offset = 0,
    lang: Annotated[str, Query(pattern="^(en|fr)$")] = "en",
) -> HTMLResponse:
    """The works behind one actor's row, 100 a page, with a CSV download."""
    from oncometrics.web.pages import _banners, _render

    row, t = _works(request, level, actor, within)
    actor = row.actor
    size = 100
    page = t.slice(offset, size)
    cols = list(t.column_names)
    weights = [w for w in t["weight"].to_pylist() if w is not None]
    return _render(
        "drill.html",
        banners=_banners(request, lang),
        title=f"{actor} · drill-down",
        t=TEXT[lang],
        lang=lang,
        level=level,
        actor=actor,
        table=row.table,
        figure_column=LEVELS[level].total,
        figure=row.figure,
        within=_within(row, lang),
        query=_query(within),
        weight_sum=sum(weights),
        total=t.num_rows,
        offset=offset,
        size=size,
        cols=cols,
        na_columns=CITATION_COLUMNS,
        cited=cols.index("citations") if "citations" in cols else 0,
        rows=[list(r.values()) for r in page.to_pylist()],
        descriptions={f.name: (f.metadata or {}).get(b"description", b"").decode()
                      for f in SCHEMAS[LEVELS[level].kind]},
    )  # fmt: skip


def _key(row: Row, name: str) -> str | None:
    """The row's `name` (``country``, ``partner``) qualifier, if it has one."""
    lv = LEVELS[row.level]
    return None if row.key is None or lv.key != name else row.key[0]


def _within(row: Row, lang: str) -> str:
    """The year(s), facility country or partner the page is narrowed to."""
    t, parts = TEXT[lang], []
    if row.key is not None:
        name = LEVELS[row.level].key or "country"
        parts.append(t[name].format(c=row.key[0] or "n/a"))
    if row.period is not None:
        parts.append(t["period"].format(p=row.period))
    if row.years is not None:
        first, last = row.years
        parts.append(
            t["year"].format(y=first)
            if first == last
            else t["years"].format(y=f"{first}-{last}")
        )
    return ", ".join(parts)


#: The drill-down page's wording by language.
TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "What makes up {actor} in {table}",
        "row": "Row of {table}: {col} = {p}; the weights below add up to {w}.",
        "works": "{n} rows", "csv": "Download CSV",
        "prev": "Previous", "next": "Next",
        "na": NO_CITATIONS,
        "unrated": SMALL_SET,
        "year": "year {y}", "years": "years {y}", "country": "country {c}",
        "partner": "with {c}", "field": "WIPO field {c}", "period": "period {p}",
    },
    "fr": {
        "title": "Ce qui compose {actor} dans {table}",
        "row": "Ligne de {table} : {col} = {p} ; les poids ci-dessous totalisent {w}.",
        "works": "{n} lignes", "csv": "Télécharger le CSV",
        "prev": "Précédentes", "next": "Suivantes",
        "na": "n.d. : pas de données de citation pour cette publication",
        "unrated": "n.d. : trop peu de publications dans l'ensemble de référence "
        "de cette publication (min_reference_set)",
        "year": "année {y}", "years": "années {y}", "country": "pays {c}",
        "partner": "avec {c}", "field": "domaine OMPI {c}",
        "period": "période {p}",
    },
}  # fmt: skip
