"""Read-only, validated access to the indicator tables for the web layer.

The tables written by ``oncometrics compute`` (``STORE/indicators/*.parquet``)
and ``oncometrics portfolio`` (``STORE/portfolio/*.parquet``) are loaded once
into an in-memory DuckDB database, after which external file access is
switched off and the configuration locked: no query can read or write a file.
Every query is built from whitelisted identifiers (table and column names
checked against the loaded schema) and bound parameters, and runs under a
time limit.

One :class:`IndicatorData` is one *snapshot*: the API's rows and the pages'
data frames both come from it, so they never disagree.  :class:`Live` holds
the current snapshot of a store and replaces it, whole, when the output
folders change (compute publishes them by renaming, see
:mod:`oncometrics.outputs`); a snapshot that cannot be loaded while a folder is
being replaced leaves the previous one in service.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from oncometrics.outputs import OUTPUTS, check_columns

#: Columns that date a row, in order of preference (period filters use them).
YEAR_COLUMNS = ("publication_year", "start_year", "year")
#: Filter parameter -> the published columns it applies to.
ACTOR_FILTERS: dict[str, tuple[str, ...]] = {
    "country": ("country", "partner"),
    "institution": ("institution_id", "ror"),
    "unit": ("unit_code",),
    "centre": ("key", "centre_code"),
    "domain": ("domain_hash",),
}
MAX_LIMIT = 1000
#: The folders of a store the dashboard serves.
FOLDERS = ("indicators", "portfolio")


def stamp(store: Path) -> tuple[tuple[int, int, int], ...]:
    """What changes when an output folder of `store` is replaced or written."""
    marks = []
    for name in FOLDERS:
        folder = Path(store) / name
        try:
            st = folder.stat()
            newest = max((e.stat().st_mtime_ns for e in os.scandir(folder)), default=0)
        except OSError:  # absent, or being replaced right now
            marks.append((0, 0, 0))
            continue
        marks.append((st.st_ino, st.st_mtime_ns, newest))
    return tuple(marks)


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
    """One snapshot of the output tables of a store, loaded read-only into DuckDB.

    A published table (:data:`oncometrics.outputs.OUTPUTS`) lacking one of
    its columns is refused (ValueError naming table and columns).
    """

    def __init__(self, store: Path, *, timeout: float = 5.0):
        self.folder = Path(store) / "indicators"
        self.timeout = timeout
        self.stamp = stamp(store)
        self._con = duckdb.connect(":memory:")
        self.tables: dict[str, dict[str, str]] = {}
        files = sorted(self.folder.glob("*.parquet"))
        files += sorted((Path(store) / "portfolio").glob("*.parquet"))
        for path in files:
            name = path.stem
            if not name.isidentifier() or name in self.tables:
                continue
            self._con.execute(
                f'CREATE TABLE "{name}" AS SELECT * FROM read_parquet(?)', [str(path)]
            )
            cols = self._con.execute(f'DESCRIBE "{name}"').fetchall()
            self.tables[name] = {c[0]: str(c[1]) for c in cols}
            try:
                check_columns(name, self.tables[name])
            except ValueError as exc:
                raise ValueError(f"{path}: {exc}") from None
        self.cited = self._blank_impact_without_citations()
        domain = self.folder / "domain.json"
        self.domain: dict[str, Any] = (
            json.loads(domain.read_text()) if domain.exists() else {}
        )
        if stamp(store) != self.stamp:  # replaced while we read it: maybe a mix
            raise OSError(f"{self.folder}: replaced while being read")
        self._con.execute("SET enable_external_access = false")
        self._con.execute("SET lock_configuration = true")
        self._lock = threading.Lock()
        self._frames: dict[str, pd.DataFrame] = {}

    def _blank_impact_without_citations(self) -> bool:
        """Set citation-based columns to NULL (n/a) when no work has citations.

        Returns False when ``citation_sources`` says no domain publication has
        citation counts: the impact values computed then (MNCS 1, 10 % in the
        top 10 %) are defaults, not measurements, and are never served.
        """
        from oncometrics.report.tables import IMPACT_COLUMNS

        if "citation_source" not in self.tables.get("citation_sources", {}):
            return True
        sql = "SELECT count(*), count(*) FILTER (WHERE citation_source <> 'none') "
        row = self._con.execute(sql + 'FROM "citation_sources"').fetchone()
        total, cited = row or (0, 0)
        if not total or cited:
            return True
        for name, cols in self.tables.items():
            for c in (c for c in IMPACT_COLUMNS if c in cols):
                self._con.execute(f'UPDATE "{name}" SET "{c}" = NULL')
        return False

    def frames(self) -> dict[str, pd.DataFrame]:
        """Every table as a pandas frame (the pages' view of this snapshot)."""
        with self._lock:
            if not self._frames and self.tables:
                for name in self.tables:
                    cur = self._con.cursor()
                    arrow = cur.execute(f'SELECT * FROM "{name}"').to_arrow_table()
                    cur.close()
                    self._frames[name] = arrow.to_pandas()
            return self._frames

    def published(self) -> dict[str, pd.DataFrame]:
        """:meth:`frames` of the published tables only (what the pages read)."""
        return {n: df for n, df in self.frames().items() if n in OUTPUTS}

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
            if key == "country":  # ISO codes: fr is FR
                value = str(value).upper()
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


class Live:
    """The current snapshot of a store's outputs, replaced whole on change."""

    def __init__(self, store: Path, *, timeout: float = 5.0):
        self.store = Path(store)
        self.timeout = timeout
        for attempt in range(5):  # a compute may be publishing right now
            try:
                self._current = IndicatorData(self.store, timeout=timeout)
                break
            except OSError:
                if attempt == 4:
                    raise
                time.sleep(0.2)
        self._failed: object = None  # the stamp of the last load that failed
        self._lock = threading.Lock()

    def current(self) -> IndicatorData:
        """The newest snapshot that loaded completely."""
        snap, now = self._current, stamp(self.store)
        if now in (snap.stamp, self._failed) or not self._lock.acquire(blocking=False):
            return snap  # unchanged, or another request is reloading
        try:
            self._current = IndicatorData(self.store, timeout=self.timeout)
        except (OSError, ValueError, duckdb.Error):
            self._failed = now  # being replaced, or drifted: keep the previous one
        finally:
            self._lock.release()
        return self._current
