"""The report workbook: a statements sheet, then one sheet per indicator table.

Columns keep their types (integers, floats, text, booleans; missing values
are empty cells), the header row is frozen and filterable.  openpyxl's
write-only mode streams rows, so 10,000-row tables stay fast.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from oncometrics.report.statements import Statement
from oncometrics.safe_text import safe_cell

STATEMENT_COLUMNS = (
    "key",
    "section",
    "text",
    "indicator",
    "actor",
    "value",
    "value_text",
    "rank",
    "n_ranked",
    "robust",
    "period",
    "domain_hash",
    "table",
    "row",
    "column",
    "command",
)


#: The statements sheet in French: its name and headers.
STATEMENTS_FR = ("constats", {
    "key": "clé", "section": "section", "text": "texte", "indicator": "indicateur",
    "actor": "acteur", "value": "valeur", "value_text": "valeur affichée",
    "rank": "rang", "n_ranked": "classés", "robust": "robuste",
    "period": "période", "domain_hash": "empreinte du domaine", "table": "table",
    "row": "ligne", "column": "colonne", "command": "commande",
})  # fmt: skip


def write_workbook(
    tables: Mapping[str, pd.DataFrame],
    statements: list[Statement],
    path: Path,
    log: Callable[[str], None] | None = None,
    lang: str = "en",
) -> Path:
    """Write `path` with a 'statements' sheet and one sheet per table.

    In French the statements sheet is 'constats', with French headers; the
    table sheets keep the tables' names and columns (as in the CSV files).
    """
    wb = Workbook(write_only=True)
    used: set[str] = set()
    rows = [{c: _flat(asdict(s)[c]) for c in STATEMENT_COLUMNS} for s in statements]
    frame = pd.DataFrame(rows, columns=list(STATEMENT_COLUMNS))
    title = "statements"
    if lang == "fr":
        title, frame = STATEMENTS_FR[0], frame.rename(columns=STATEMENTS_FR[1])
    _sheet(wb, _sheet_name(title, used), frame)
    for name, df in tables.items():
        if log and len(df) > 5000:
            log(f"report: workbook sheet {name} ({len(df):,} rows)")
        _sheet(wb, _sheet_name(name, used), df)
    wb.save(path)
    return path


def _flat(v: Any) -> Any:
    return v if not isinstance(v, (tuple, list, dict)) else str(v)


def _sheet_name(name: str, used: set[str]) -> str:
    """Excel's limit is 31 characters; keep names unique."""
    base = "".join(ch for ch in name if ch not in "[]:*?/\\")[:31] or "sheet"
    out, i = base, 2
    while out.lower() in used:
        out = f"{base[:28]}~{i}"
        i += 1
    used.add(out.lower())
    return out


def _sheet(wb: Workbook, title: str, df: pd.DataFrame) -> None:
    ws: WriteOnlyWorksheet = wb.create_sheet(title)
    ws.freeze_panes = "A2"
    for i, c in enumerate(df.columns, start=1):
        width = max(len(str(c)), *(len(str(x)) for x in df[c].head(50)), 6)
        ws.column_dimensions[get_column_letter(i)].width = min(width + 2, 60)
    if len(df.columns):
        ws.auto_filter.ref = f"A1:{get_column_letter(len(df.columns))}{len(df) + 1}"
    bold = Font(bold=True)
    header = []
    for c in df.columns:
        cell = WriteOnlyCell(ws, value=safe_cell(str(c)))
        cell.font = bold
        header.append(cell)
    ws.append(header)
    kinds = [_kind(df[c]) for c in df.columns]
    for row in df.itertuples(index=False, name=None):
        ws.append(_typed(row, kinds))


def _kind(s: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(s):
        return "bool"
    if pd.api.types.is_integer_dtype(s):
        return "int"
    if pd.api.types.is_float_dtype(s):
        return "float"
    return "text"


def _typed(row: Iterable[Any], kinds: list[str]) -> list[Any]:
    out: list[Any] = []
    for v, k in zip(row, kinds, strict=True):
        if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
            out.append(None)
        elif k == "int":
            out.append(int(v))
        elif k == "float":
            out.append(float(v))
        elif k == "bool":
            out.append(bool(v))
        else:
            out.append(v if isinstance(v, (int, float, bool)) else safe_cell(str(v)))
    return out
