"""Every staged value fits its column, checked a batch at a time.

The staging writer (:mod:`oncometrics.store_stage`) converts each batch of
parsed rows to Arrow, one struct array per table.  That conversion is the
type check (text where text is expected, integers within their Arrow type,
a boolean where one is expected: Arrow refuses anything else, in C); the
integer columns' minimum and maximum are then compared with their ranges
(years in :data:`~oncometrics.sources.checks.YEAR_MIN`..:func:`year_max`,
counts not negative).  Only when a batch fails either test are its records
checked one by one with :func:`~oncometrics.sources.checks.check_record`:
each record with a value that does not fit is removed from the batch and
rejected with the column named, the others are converted again.

Checking a record at a time in Python cost about 5 CPU-seconds per 100,000
OpenAlex works (a sixth of the ingest, docs/benchmarks.md); Arrow converts
the values anyway.  Arrow also stores values it converts exactly that the
record check alone would refuse (an integral float in an integer column,
UTF-8 bytes as text); the readers never produce them (their own checks,
:mod:`oncometrics.sources.checks`, turn such input values into integers and
text where they parse them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa

from oncometrics.schema import TABLES
from oncometrics.sources.base import clip
from oncometrics.sources.checks import YEAR_COLUMNS, YEAR_MIN, check_record, year_max

#: A staging buffer: per table, its rows and the record number of each row.
Buffer = dict[str, tuple[list[Any], list[int]]]
#: Called with (record number, reason, raw text) for each record removed.
OnReject = Callable[[int, str, str | None], None]
_REC = "_rec"
_CONVERSION_ERRORS = (pa.ArrowException, OverflowError, TypeError, ValueError)


def batch_tables(buf: Buffer, reject: OnReject) -> dict[str, pa.Table]:
    """Arrow tables of `buf` (plus ``_rec``), without the records that do not fit.

    Each record removed is passed to `reject`, in record order.
    """
    tables = _convert(buf)
    if tables is not None:
        return tables
    bad = _unfit(buf)
    for no in sorted(bad):
        reject(no, *bad[no])
    kept: Buffer = {}
    for table, (rows, recs) in buf.items():
        keep = [i for i, no in enumerate(recs) if no not in bad]
        if keep:
            kept[table] = ([rows[i] for i in keep], [recs[i] for i in keep])
    return {t: to_table(t, rows, recs) for t, (rows, recs) in kept.items()}


def _convert(buf: Buffer) -> dict[str, pa.Table] | None:
    """`buf` as Arrow tables, or None when a value does not fit its column."""
    try:
        tables = {t: to_table(t, rows, recs) for t, (rows, recs) in buf.items()}
    except _CONVERSION_ERRORS:
        return None
    if all(_in_ranges(t, tab) for t, tab in tables.items()):
        return tables
    return None


def _in_ranges(table: str, tab: pa.Table) -> bool:
    """Whether every integer column of `tab` is within its range."""
    import pyarrow.compute as pc  # not at import: `compute` imports the store

    for f in TABLES[table]:
        if not pa.types.is_integer(f.type):
            continue
        low_high = pc.min_max(tab[f.name]).as_py()
        low, high = low_high["min"], low_high["max"]
        if low is None:
            continue
        if f.name in YEAR_COLUMNS:
            if low < YEAR_MIN or high > year_max():
                return False
        elif low < 0:  # the type bounds the top
            return False
    return True


def _unfit(buf: Buffer) -> dict[int, tuple[str, str | None]]:
    """The records of `buf` with a value that does not fit: reason and raw text."""
    by_record: dict[int, dict[str, list[Any]]] = {}
    for table, (rows, recs) in buf.items():
        for row, no in zip(rows, recs, strict=True):
            by_record.setdefault(no, {}).setdefault(table, []).append(row)
    bad = {}
    for no, record in by_record.items():
        if (why := check_record(record)) is not None:
            bad[no] = (why, _raw(record))
    return bad


def _raw(rows: dict[str, list[Any]]) -> str | None:
    """The first row of a rejected record, as quarantine text."""
    for table_rows in rows.values():
        if table_rows:
            return clip(repr(table_rows[0]))
    return None


def to_table(table: str, rows: list[Any], recs: list[int]) -> pa.Table:
    """Rows of `table` (dicts or schema-ordered tuples) plus the record column.

    Converted as one struct array (missing dict keys are null), about three
    times less CPU than building Python lists per column.
    """
    schema = TABLES[table]
    struct = pa.struct(list(schema))
    try:
        arr = pa.array(rows, type=struct)
    except pa.ArrowTypeError:  # dicts and tuples mixed: name every value
        names = schema.names
        rows = [
            r if type(r) is dict else dict(zip(names, r, strict=True)) for r in rows
        ]
        arr = pa.array(rows, type=struct)
    out = pa.Table.from_struct_array(arr)
    return out.append_column(pa.field(_REC, pa.int64()), pa.array(recs, pa.int64()))
