"""Read-only, validated access to the indicator tables for the web layer.

The tables written by ``oncometrics compute`` (``STORE/indicators/*.parquet``)
and ``oncometrics portfolio`` (``STORE/portfolio/*.parquet``) are loaded once into an in-memory DuckDB database, after which external file
access is switched off and the configuration locked: no query can read or
write a file.  Every query is built from whitelisted identifiers (table and
column names checked against the loaded schema) and bound parameters, and runs
under a time limit.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

#: Columns that date a row, in order of preference (period filters use them).
YEAR_COLUMNS = ("publication_year", "priority_year", "start_year", "year")
#: Filter parameter -> candidate columns it applies to.
ACTOR_FILTERS: dict[str, tuple[str, ...]] = {
    "country": ("country", "country_a", "country_b", "partner"),
    "institution": ("institution_id", "ror", "institution_name"),
    "unit": ("unit", "unit_code"),
    "domain": ("domain_hash",),
}
MAX_LIMIT = 1000


class QueryError(ValueError):
    """A request the data layer refuses (message is safe to show)."""


@dataclass(frozen=True)
class Query:
    """A validated request for rows of one table."""

    table: str
    filters: dict[str, str]
    year_range: tuple[int, int] | None = None
    sort: str | None = None
    descending: bool = False
    limit: int = 100
    offset: int = 0


class IndicatorData:
    """The indicator tables of one store, loaded read-only into DuckDB."""

    def __init__(self, store: Path, *, timeout: float = 5.0):
        self.folder = Path(store) / "indicators"
        self.timeout = timeout
        self._con = duckdb.connect(":memory:")
        self.tables: dict[str, dict[str, str]] = {}
        files = sorted(self.folder.glob("*.parquet"))
        files += sorted((Path(store) / "portfolio").glob("*.parquet"))
        for path in files:
            name = path.stem
            if not name.isidentifier():
                continue
            self._con.execute(
                f'CREATE TABLE "{name}" AS SELECT * FROM read_parquet(?)', [str(path)]
            )
            cols = self._con.execute(f'DESCRIBE "{name}"').fetchall()
            self.tables[name] = {c[0]: str(c[1]) for c in cols}
        self._con.execute("SET enable_external_access = false")
        self._con.execute("SET lock_configuration = true")
        self._lock = threading.Lock()
        domain = self.folder / "domain.json"
        self.domain: dict[str, Any] = (
            json.loads(domain.read_text()) if domain.exists() else {}
        )

    # ---------------------------------------------------------------- schema
    def columns(self, table: str) -> dict[str, str]:
        """Column name -> DuckDB type of `table` (QueryError when unknown)."""
        try:
            return self.tables[table]
        except KeyError:
            known = ", ".join(sorted(self.tables)) or "none (run oncometrics compute)"
            raise QueryError(f"unknown table {table!r}; tables: {known}") from None

    def year_column(self, table: str) -> str | None:
        """The column that dates rows of `table`, if any."""
        cols = self.columns(table)
        return next((c for c in YEAR_COLUMNS if c in cols), None)

    def count(self, table: str) -> int:
        """Rows in `table`."""
        self.columns(table)
        return int(self._run(f'SELECT count(*) FROM "{table}"', [])[0][0])

    # ----------------------------------------------------------------- query
    def where(self, q: Query) -> tuple[str, list[Any]]:
        """WHERE clause and parameters for the filters of `q`."""
        cols = self.columns(q.table)
        clauses: list[str] = []
        params: list[Any] = []
        for key, value in q.filters.items():
            targets = [c for c in ACTOR_FILTERS[key] if c in cols]
            if not targets:
                raise QueryError(f"table {q.table!r} cannot be filtered by {key!r}")
            ors = " OR ".join(f'CAST("{c}" AS VARCHAR) = ?' for c in targets)
            clauses.append(f"({ors})")
            params.extend([value] * len(targets))
        if q.year_range:
            ycol = self.year_column(q.table)
            if ycol is None:
                raise QueryError(f"table {q.table!r} has no year column for a period")
            clauses.append(f'"{ycol}" BETWEEN ? AND ?')
            params.extend(q.year_range)
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    def rows(self, q: Query) -> tuple[int, list[str], list[tuple[Any, ...]]]:
        """Total matching rows, column names and the requested page of rows."""
        cols = self.columns(q.table)
        if q.sort is not None and q.sort not in cols:
            raise QueryError(f"unknown sort column {q.sort!r} for table {q.table!r}")
        if not 1 <= q.limit <= MAX_LIMIT:
            raise QueryError(f"limit must be between 1 and {MAX_LIMIT}")
        if q.offset < 0:
            raise QueryError("offset must be >= 0")
        where, params = self.where(q)
        total = int(self._run(f'SELECT count(*) FROM "{q.table}"{where}', params)[0][0])
        order = ""
        if q.sort:
            direction = "DESC" if q.descending else "ASC"
            order = f' ORDER BY "{q.sort}" {direction} NULLS LAST'
        sql = f'SELECT * FROM "{q.table}"{where}{order} LIMIT ? OFFSET ?'
        data = self._run(sql, [*params, q.limit, q.offset])
        return total, list(cols), data

    def _run(self, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        """Run `sql` on a cursor, interrupted after the time limit."""
        with self._lock:
            cur = self._con.cursor()
        timer = threading.Timer(self.timeout, cur.interrupt)
        timer.start()
        try:
            return cur.execute(sql, params).fetchall()
        except duckdb.InterruptException:
            raise QueryError(
                f"query exceeded the {self.timeout:g} s time limit"
            ) from None
        finally:
            timer.cancel()
            cur.close()
