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
from typing import Annotated, Any

import pyarrow as pa
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel

from oncometrics.drill import LEVELS, SCHEMAS, Drill, DrillError, normalise_actor
from oncometrics.web.api import CODE, Problem, _reject_unknown, snapshot

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
        self._tables: OrderedDict[tuple[str, str], pa.Table] = OrderedDict()
        self._lock = threading.Lock()

    def works(self, request: Request, level: str, actor: str) -> pa.Table:
        """Every work behind `actor` at `level` for this request's snapshot."""
        data = snapshot(request)
        with self._lock:
            if self._stamp != data.stamp:
                self._reset(data.folder, data.stamp)
            key = (level, actor)
            if key not in self._tables:
                assert self._drill is not None
                self._tables[key] = self._drill.works(level, actor)
                while len(self._tables) > KEEP:
                    self._tables.popitem(last=False)
            self._tables.move_to_end(key)
            return self._tables[key]

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


def _works(request: Request, level: str, actor: str) -> tuple[str, pa.Table]:
    if level not in LEVELS:
        raise HTTPException(404, f"unknown level {level!r}; one of {', '.join(LEVELS)}")
    actor = normalise_actor(level, actor)
    try:
        return actor, _drills(request).works(request, level, actor)
    except DrillError as exc:
        msg = str(exc).replace(str(request.app.state.store), "STORE")
        raise HTTPException(404, msg) from None


def _figure(request: Request, level: str, actor: str) -> float | None:
    lv = LEVELS[level]
    df = snapshot(request).published().get(lv.table)
    if df is None or lv.column not in df.columns:
        return None
    sub = df[df[lv.column].astype(str) == actor]
    return None if sub.empty else float(sub[lv.total].iloc[0])


Actor = Annotated[str, Query(pattern=CODE)]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]


@router.get("/api/v1/drill/{level}/{actor}", response_model=DrillRows)
def drill_rows(
    request: Request, level: str, actor: str, limit: Limit = 100, offset: Offset = 0
) -> DrillRows:
    """The rows behind one actor's row, heaviest first: publications of a
    `country` or `institution` (weight, citations, NCS, top shares; null: no
    citation data), patent families of a country (`inventions`) or an
    applicant (`applicant`), trials of a country (`trials`).  The weights add
    up to `figure`."""
    _reject_unknown(request, {"limit", "offset"})
    actor, t = _works(request, level, actor)
    page = t.slice(offset, limit)
    weights = t["weight"].to_pylist()
    return DrillRows(
        level=level,
        actor=actor,
        table=LEVELS[level].table,
        figure_column=LEVELS[level].total,
        figure=_figure(request, level, actor),
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
def drill_csv(request: Request, level: str, actor: str) -> Response:
    """Every work behind one actor's row, as CSV (missing citation data: n/a)."""
    import io

    from oncometrics.drill import write_csv

    _reject_unknown(request, set())
    actor, t = _works(request, level, actor)
    buf = io.StringIO()
    write_csv(t, buf)
    name = f"drill_{level}_{actor}.csv".replace(":", "_").replace("/", "_")
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
    offset: Offset = 0,
    lang: Annotated[str, Query(pattern="^(en|fr)$")] = "en",
) -> HTMLResponse:
    """The works behind one actor's row, 100 a page, with a CSV download."""
    from oncometrics.web.pages import _banners, _render

    actor, t = _works(request, level, actor)
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
        table=LEVELS[level].table,
        figure_column=LEVELS[level].total,
        figure=_figure(request, level, actor),
        weight_sum=sum(weights),
        total=t.num_rows,
        offset=offset,
        size=size,
        cols=cols,
        rows=[list(r.values()) for r in page.to_pylist()],
        descriptions={f.name: (f.metadata or {}).get(b"description", b"").decode()
                      for f in SCHEMAS[LEVELS[level].kind]},
    )  # fmt: skip


#: The drill-down page's wording by language.
TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "What makes up {actor} in {table}",
        "row": "Row of {table}: {col} = {p}; the weights below add up to {w}.",
        "works": "{n} rows", "csv": "Download CSV",
        "prev": "Previous", "next": "Next",
        "na": "n/a: no citation data for this work",
    },
    "fr": {
        "title": "Ce qui compose {actor} dans {table}",
        "row": "Ligne de {table} : {col} = {p} ; les poids ci-dessous totalisent {w}.",
        "works": "{n} lignes", "csv": "Télécharger le CSV",
        "prev": "Précédentes", "next": "Suivantes",
        "na": "n.d. : pas de données de citation pour cette publication",
    },
}  # fmt: skip
