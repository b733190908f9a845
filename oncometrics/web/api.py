"""The read-only JSON API (``/api/v1``): every indicator table, filtered,
sorted, paginated, as JSON or CSV, described by the OpenAPI schema."""

from __future__ import annotations

import csv
import io
import math
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from oncometrics.config import parse_period
from oncometrics.safe_text import safe_cell
from oncometrics.web.data import MAX_LIMIT, IndicatorData, QueryError
from oncometrics.web.data import Query as TableQuery


class Problem(BaseModel):
    """An error: what was wrong with the request."""

    detail: str


router = APIRouter(
    prefix="/api/v1",
    responses={
        400: {"model": Problem, "description": "Bad request"},
        404: {"model": Problem, "description": "Unknown table"},
    },
)

PERIOD = r"^[0-9]{4}(-[0-9]{4})?$"
CODE = r"^[A-Za-z0-9:_./-]{1,64}$"
COLUMN = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"
ROW_PARAMS = {
    "country",
    "institution",
    "unit",
    "centre",
    "domain",
    "period",
    "sort",
    "order",
    "limit",
    "offset",
}


class Column(BaseModel):
    """One column of a table."""

    name: str
    type: str


class TableInfo(BaseModel):
    """A table of indicators."""

    name: str
    rows: int
    columns: list[Column]


class Rows(BaseModel):
    """A page of rows of one table."""

    table: str
    total: int
    limit: int
    offset: int
    columns: list[str]
    rows: list[dict[str, Any]]


def snapshot(request: Request) -> IndicatorData:
    """The snapshot of the tables this request reads (taken once per request)."""
    snap = getattr(request.state, "snapshot", None)
    if snap is None:
        snap = request.state.snapshot = request.app.state.live.current()
    return snap  # type: ignore[no-any-return]


def _reject_unknown(request: Request, allowed: set[str]) -> None:
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise HTTPException(
            400,
            f"unknown parameter(s): {', '.join(unknown)}; "
            f"allowed: {', '.join(sorted(allowed))}",
        )


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@router.get("/tables", response_model=list[TableInfo])
def list_tables(request: Request) -> list[TableInfo]:
    """Every indicator table with its row count and columns."""
    _reject_unknown(request, set())
    data = snapshot(request)
    return [
        TableInfo(
            name=n,
            rows=data.count(n),
            columns=[Column(name=c, type=t) for c, t in cols.items()],
        )
        for n, cols in data.tables.items()
    ]


@router.get("/domain")
def domain(request: Request) -> dict[str, Any]:
    """The domain definition the tables were computed with (and its hash)."""
    _reject_unknown(request, set())
    return snapshot(request).domain


Country = Annotated[str | None, Query(pattern=CODE, description="ISO alpha-2 code.")]
Institution = Annotated[str | None, Query(pattern=CODE, description="Institution id.")]
Unit = Annotated[str | None, Query(pattern=CODE, description="Unit code.")]
Centre = Annotated[
    str | None,
    Query(pattern=r"^[\w.²-]{1,40}$", description="Centre code or label (CLIP²)."),
]
Domain = Annotated[
    str | None, Query(pattern=r"^[0-9a-f]{1,64}$", description="Domain hash.")
]
Period = Annotated[str | None, Query(pattern=PERIOD, description="YEAR or FIRST-LAST.")]
Sort = Annotated[str | None, Query(pattern=COLUMN, description="Column to sort by.")]
Order = Annotated[str, Query(pattern="^(asc|desc)$")]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]


def _query(limit_default: int) -> Any:
    """The dependency that reads and checks the row parameters of a request."""

    def query(
        request: Request,
        table: str,
        country: Country = None,
        institution: Institution = None,
        unit: Unit = None,
        centre: Centre = None,
        domain: Domain = None,
        period: Period = None,
        sort: Sort = None,
        order: Order = "asc",
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = limit_default,
        offset: Offset = 0,
    ) -> TableQuery:
        _reject_unknown(request, ROW_PARAMS)
        if table not in snapshot(request).tables:
            raise HTTPException(404, f"unknown table {table!r}")
        actors = (("country", country), ("institution", institution),
                  ("unit", unit), ("centre", centre), ("domain", domain))  # fmt: skip
        filters = {k: v for k, v in actors if v is not None}
        try:
            years = parse_period(period)
        except ValueError as exc:
            raise HTTPException(400, str(exc)) from None
        return TableQuery(table, filters, years, sort, order == "desc", limit, offset)

    return query


def _rows(request: Request, q: TableQuery) -> tuple[int, list[str], list[Any]]:
    try:
        return snapshot(request).rows(q)
    except QueryError as exc:
        raise HTTPException(400, str(exc)) from None


@router.get("/tables/{table}", response_model=Rows)
def table_rows(
    request: Request, q: Annotated[TableQuery, Depends(_query(100))]
) -> Rows:
    """Rows of one table: filter by actor, domain or period; sort; paginate."""
    total, cols, data = _rows(request, q)
    return Rows(
        table=q.table,
        total=total,
        limit=q.limit,
        offset=q.offset,
        columns=cols,
        rows=[{c: _clean(v) for c, v in zip(cols, r, strict=True)} for r in data],
    )


@router.get(
    "/tables/{table}/csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def table_csv(
    request: Request, q: Annotated[TableQuery, Depends(_query(MAX_LIMIT))]
) -> Response:
    """The same rows as CSV (a download of the current view)."""
    _, cols, data = _rows(request, q)
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([safe_cell(c) for c in cols])
    writer.writerows([[safe_cell(_clean(v)) for v in r] for r in data])
    return Response(
        buf.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{q.table}.csv"'},
    )
