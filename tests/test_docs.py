"""Documentation stays in step with the code (as datasette's test_docs does)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from oncometrics.config import settings_markdown
from oncometrics.outputs import outputs_markdown
from oncometrics.schema import DERIVED, TABLES

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _section(text: str, table: str) -> str:
    m = re.search(rf"^## `{table}`\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert m, f"docs/data-model.md has no section for table {table!r}"
    return m.group(1)


@pytest.mark.parametrize("table", [*TABLES, *DERIVED])
def test_every_column_is_documented(table: str) -> None:
    section = _section((DOCS / "data-model.md").read_text(), table)
    schema = {**TABLES, **DERIVED}[table]
    missing = [c for c in schema.names if f"| `{c}` |" not in section]
    assert not missing, (
        f"{table}: columns not documented in docs/data-model.md: {missing}"
    )


def test_configuration_page_is_current() -> None:
    assert (DOCS / "configuration.md").read_text() == settings_markdown(), (
        "docs/configuration.md is stale: python -m oncometrics.config > docs/configuration.md"
    )


def test_outputs_page_is_current() -> None:
    assert (DOCS / "outputs.md").read_text() == outputs_markdown(), (
        "docs/outputs.md is stale: python -m oncometrics.outputs > docs/outputs.md"
    )
