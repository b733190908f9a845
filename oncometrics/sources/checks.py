"""Range and type checks of parsed values, shared by every reader.

A reader checks a value where it parses it (:func:`year`, :func:`count`,
:func:`text`, :func:`shape`); a bad value raises :class:`BadValue`, whose
message names the field ("publication_year: 20199999999 is not a year in
1800..2027"), and the reader turns it into a :class:`~.base.Reject` of that
record only.  :func:`check_record` is the last line, run on every record a
reader yields whose batch of rows does not convert to Arrow or falls out of
range (see :mod:`oncometrics.store_fit`): each value of
each row must fit its column of :mod:`oncometrics.schema` (text where text
is expected, integers within their Arrow type and not negative, years in
:data:`YEAR_MIN`..:func:`year_max`, finite floats), else the whole record is
rejected with the column named.  So no value can abort the run when the
store converts the rows to Arrow.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from itertools import chain, cycle
from typing import Any

#: The earliest plausible year of a record (publication, priority, trial start).
YEAR_MIN = 1800

#: Integer ranges of the Arrow column types.
INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1

#: Columns that hold a calendar year (checked against the year window).
YEAR_COLUMNS = frozenset({"publication_year", "priority_year", "start_year", "year"})


def year_max() -> int:
    """The latest plausible year: next year (in-press records carry it)."""
    return _dt.date.today().year + 1


class BadValue(ValueError):
    """A value that cannot be stored; the message names its field."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field


def describe(value: Any) -> str:
    """A short readable description of a JSON-ish value, for reasons."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {_short(repr(value))}"
    if isinstance(value, str):
        return f"the text {_short(repr(value))}"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__} value"


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _as_int(field: str, value: Any, what: str) -> int | None:
    """`value` as an int (int, integral float, digit string), or BadValue."""
    if value is None or value == "":
        return None
    if type(value) is int:
        return value
    if type(value) is float and value.is_integer():
        return int(value)
    if type(value) is str:
        t = value.strip().replace(",", "")
        body = t[1:] if t[:1] in "+-" else t
        if body.isdigit() and body.isascii():
            return int(t)
    raise BadValue(field, f"{describe(value)} is not {what}")


def year(field: str, value: Any) -> int | None:
    """A year in :data:`YEAR_MIN`..:func:`year_max`, None when absent."""
    y = _as_int(field, value, "a year")
    if y is not None and not YEAR_MIN <= y <= year_max():
        raise BadValue(
            field, f"{_short(str(y))} is not a year in {YEAR_MIN}..{year_max()}"
        )
    return y


def count(field: str, value: Any) -> int | None:
    """A count: an integer in 0..2^63-1, None when absent."""
    n = _as_int(field, value, "a count")
    if n is not None and not 0 <= n <= INT64_MAX:
        raise BadValue(field, f"{_short(str(n))} is not a count in 0..2^63-1")
    return n


def text(field: str, value: Any) -> str | None:
    """A text value (None when absent); anything else is a BadValue."""
    if value is None or type(value) is str:
        return value
    raise BadValue(field, f"expected text, got {describe(value)}")


_KINDS = {
    str: "text",
    list: "a list",
    dict: "an object",
    int: "a number",
    float: "a number",
    bool: "true or false",
}


def shape(obj: Mapping[str, Any], spec: Mapping[str, type | tuple[type, ...]]) -> None:
    """BadValue for the first key of `obj` whose value is not of `spec`'s type.

    Absent keys and nulls pass; ``int`` in a spec does not accept booleans.
    """
    for key, kinds in spec.items():
        value = obj.get(key)
        if value is None:
            continue
        ok = isinstance(value, kinds) and not (
            type(value) is bool and bool not in _as_tuple(kinds)
        )
        if not ok:
            want = " or ".join(
                dict.fromkeys(_KINDS.get(k, k.__name__) for k in _as_tuple(kinds))
            )
            raise BadValue(key, f"expected {want}, got {describe(value)}")


def _as_tuple(kinds: type | tuple[type, ...]) -> tuple[type, ...]:
    return kinds if isinstance(kinds, tuple) else (kinds,)


# ----------------------------------------------------------- whole records
_NONE = type(None)
_TUPLE = {tuple}


class _Plan:
    """How to check rows of one table: types per column, then int ranges."""

    def __init__(self, table: str):
        import pyarrow as pa

        from oncometrics.schema import TABLES

        schema = TABLES[table]
        self.names = tuple(schema.names)
        self.kinds: list[str] = []
        self.allowed: list[tuple[type, ...]] = []
        allowed: tuple[type, ...]
        for f in schema:
            if pa.types.is_string(f.type):
                kind, allowed = "s", (str, _NONE)
            elif pa.types.is_integer(f.type):
                kind = "y" if f.name in YEAR_COLUMNS else "i"
                kind = kind if f.type.bit_width == 32 or kind == "y" else "l"
                allowed = (int, _NONE)
            elif pa.types.is_floating(f.type):
                kind, allowed = "f", (int, float, _NONE)
            else:
                kind, allowed = "b", (bool, _NONE)
            self.kinds.append(kind)
            self.allowed.append(allowed)
        self.ints = [(i, k) for i, k in enumerate(self.kinds) if k in "yil"]
        self.n = len(self.names)
        self.ranges = [(i, *_RANGES[k]()) for i, k in self.ints]

    def fits(self, rows: list[Any]) -> bool:
        """True when all `rows` are tuples that fit (the fast path, mostly C)."""
        n, allowed = self.n, self.allowed
        if len(rows) == 1:
            row = rows[0]
            if type(row) is not tuple or len(row) != n:
                return False
            if not all(map(isinstance, row, allowed)):
                return False
            for i, lo, hi in self.ranges:
                v = row[i]
                if v is not None and (type(v) is bool or not lo <= v <= hi):
                    return False
            return True
        if set(map(type, rows)) != _TUPLE:
            return False
        flat = list(chain.from_iterable(rows))
        if len(flat) != n * len(rows):
            return False
        if not all(map(isinstance, flat, cycle(allowed))):
            return False
        for i, lo, hi in self.ranges:
            col = [v for v in flat[i::n] if v is not None]
            if col and (bool in set(map(type, col)) or min(col) < lo or max(col) > hi):
                return False
        return True

    def why(self, values: Any) -> str | None:
        """Why a row's `values` (schema order) do not fit, naming the column."""
        if all(map(isinstance, values, self.allowed)):
            for i, kind in self.ints:
                v = values[i]
                if v is not None and (type(v) is not int or not _in_range(kind, v)):
                    return f"{self.names[i]}: {_bad(kind, v)}"
            return None
        for name, kind, v in zip(self.names, self.kinds, values, strict=False):
            if v is not None and (why := _bad(kind, v)) is not None:
                return f"{name}: {why}"
        return None


_RANGES = {
    "y": lambda: (YEAR_MIN, year_max()),
    "i": lambda: (0, INT32_MAX),
    "l": lambda: (0, INT64_MAX),
}


def _in_range(kind: str, v: int) -> bool:
    lo, hi = _RANGES[kind]()
    return bool(lo <= v <= hi)


def _bad(kind: str, v: Any) -> str | None:
    """Why `v` does not fit a column of `kind` (None: it fits)."""
    t = type(v)
    if kind == "s":
        return None if t is str else f"expected text, got {describe(v)}"
    if kind == "b":
        return None if t is bool else f"expected true or false, got {describe(v)}"
    if kind == "f":
        if t in (int, float):
            return None
        return f"expected a number, got {describe(v)}"
    if t is not int:
        return f"expected an integer, got {describe(v)}"
    if _in_range(kind, v):
        return None
    if kind == "y":
        return f"{_short(str(v))} is not a year in {YEAR_MIN}..{year_max()}"
    top = "2^31-1" if kind == "i" else "2^63-1"
    return f"{_short(str(v))} is out of range (0..{top})"


_PLANS: dict[str, _Plan] = {}


def check_record(rows: Mapping[str, list[Any]]) -> str | None:
    """Why a record's `rows` cannot be stored (naming the column), or None."""
    for table, table_rows in rows.items():
        plan = _PLANS.get(table)
        if plan is None:
            from oncometrics.schema import TABLES

            if table not in TABLES:
                continue  # the store names the unknown table
            plan = _PLANS[table] = _Plan(table)
        if table_rows and plan.fits(table_rows):
            continue
        why, names = plan.why, plan.names
        for row in table_rows:
            values = list(map(row.get, names)) if type(row) is dict else row
            if (reason := why(values)) is not None:
                return reason
    return None


def pmid_problem(pmid: str) -> str | None:
    """Why `pmid` is not a PubMed id (digits only, at most 12), or None."""
    if pmid.isdigit() and pmid.isascii() and len(pmid) <= 12:
        return None
    return f"PMID: {_short(repr(pmid))} is not a PubMed id (digits only)"


def reason_of(exc: Exception, what: str = "record") -> str:
    """A reject reason for `exc` raised while reading one record.

    A :class:`BadValue` names its field; anything else (a value of a type
    the reader did not expect, deep inside the record) is said plainly,
    without Python's internal wording.
    """
    if isinstance(exc, BadValue):
        return str(exc)
    return f"malformed {what}: a value is not of the expected kind or shape"
