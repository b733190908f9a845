"""DuckDB: read an OpenAlex JSON Lines file typed exactly (:data:`RAW_WORK`).

DuckDB's ``read_json`` with an explicit schema turns a JSON number found
where text is expected into text, and the text "2020" into the integer
2020, where the Python parser rejects the record.  So every scalar leaf is
read as ``JSON`` and converted here with its JSON type checked: text only
from a JSON string, integers only from JSON integers, booleans only from
``true``/``false``, floats from JSON numbers.  :func:`typed_sql` gives the
typed value of each column and one ``_typed`` flag per work, true when every
leaf had its expected JSON type (a structural mismatch — an object where a
list is expected — makes ``read_json`` fail, which the caller treats the
same way: the file goes to the Python parser).
"""

from __future__ import annotations

from typing import Any

import ibis.expr.datatypes as dt

from oncometrics.sources.openalex_flat import RAW_WORK

_DUCK = {
    "string": "VARCHAR",
    "int64": "BIGINT",
    "boolean": "BOOLEAN",
    "float64": "DOUBLE",
}


def _kind(t: dt.DataType) -> str:
    if t.is_string():
        return "string"
    if t.is_int64():
        return "int64"
    if t.is_boolean():
        return "boolean"
    if t.is_float64():
        return "float64"
    raise TypeError(f"no JSON reading for {t}")


def read_type(t: dt.DataType, leaf: str = "JSON") -> str:
    """The DuckDB type ``read_json`` reads `t` as: scalar leaves as `leaf`."""
    if t.is_struct():
        inner = ", ".join(f'"{k}" {read_type(v, leaf)}' for k, v in t.items())
        return f"STRUCT({inner})"
    if t.is_array():
        return read_type(t.value_type, leaf) + "[]"
    return leaf if leaf == "JSON" else _DUCK[_kind(t)]


def typed_type(t: dt.DataType) -> str:
    """The DuckDB type of the typed value of `t`."""
    return read_type(t, "")


def _conv(x: str, t: dt.DataType, depth: int = 0) -> tuple[str, str]:
    """SQL (value, ok) of JSON-leaved `x` typed as `t`; ok may be NULL = true."""
    if t.is_struct():
        vals, oks = [], []
        for k, v in t.items():
            val, ok = _conv(f'{x}."{k}"', v, depth)
            vals.append(f'"{k}" := {val}')
            oks.append(ok)
        value = (
            f"CASE WHEN {x} IS NULL THEN NULL ELSE struct_pack({', '.join(vals)}) END"
        )
        return value, " AND ".join(f"coalesce({o}, true)" for o in oks)
    if t.is_array():
        e = f"e{depth}"
        val, ok = _conv(e, t.value_type, depth + 1)
        return (
            f"list_transform({x}, {e} -> {val})",
            f"coalesce(list_bool_and(list_transform({x}, {e} -> coalesce({ok}, true))), true)",
        )
    kind = _kind(t)
    v = f"{x}::VARCHAR"  # the leaf's JSON text, as read (escapes kept)
    if kind == "string":  # unescaped by the JSON parser only when needed
        value = f"CASE WHEN contains({v}, '\\') THEN {x} ->> '$' ELSE ({v})[2:-2] END"
        return value, f"({x} IS NULL OR starts_with({v}, '\"'))"
    if kind == "boolean":
        return f"({v} = 'true')", f"({x} IS NULL OR {v} IN ('true', 'false'))"
    value = f"TRY_CAST({v} AS {_DUCK[kind]})"
    if kind == "int64":  # not 2020.0 or 1e3, which the cast takes
        ok = f"regexp_full_match({v}, '-?[0-9]+') AND {value} IS NOT NULL"
    else:
        ok = f"{value} IS NOT NULL"
    return value, f"({x} IS NULL OR ({ok}))"


def typed_sql(source: str, extra: str | None = None) -> str:
    """SELECT of the typed :data:`RAW_WORK` columns and ``_typed`` from `source`.

    `extra`: a column of `source` passed through unchanged.
    """
    cols, oks = [], []
    for name, t in RAW_WORK.items():
        val, ok = _conv(f'"{name}"', dt.dtype(t))
        cols.append(f'{val} AS "{name}"')
        oks.append(f"coalesce({ok}, true)")
    if extra:
        cols.append(f'"{extra}"')
    return f"SELECT {', '.join(cols)}, ({' AND '.join(oks)}) AS _typed FROM {source}"


def _structure(t: dt.DataType) -> Any:
    if t.is_struct():
        return {k: _structure(v) for k, v in t.items()}
    if t.is_array():
        return [_structure(t.value_type)]
    return "JSON"


def structure() -> str:
    """``json_transform`` structure of a raw work: every scalar leaf as JSON."""
    import json

    return json.dumps({k: _structure(dt.dtype(t)) for k, t in RAW_WORK.items()})


def read_columns() -> dict[str, Any]:
    """``read_json`` ``columns=``: every scalar leaf as JSON."""
    return {name: read_type(dt.dtype(t)) for name, t in RAW_WORK.items()}
