"""Every column the report, the dashboard and the portfolio section name is a
published column (oncometrics/outputs.py): renaming one there fails here."""

from __future__ import annotations

import pytest

from oncometrics.outputs import OUTPUTS
from oncometrics.portfolio import section
from oncometrics.report.relations import PARTNER_COUNT
from oncometrics.report.statements import RANKED
from oncometrics.report.tables import YEAR_COLUMN
from oncometrics.web import data, pages


def _has(table: str, *columns: str) -> None:
    missing = [c for c in columns if c not in OUTPUTS[table].names]
    assert not missing, f"{table} has no published column(s) {missing}"


@pytest.mark.parametrize("spec", RANKED, ids=lambda s: s.key)
def test_ranked_statements_read_published_columns(spec) -> None:
    _has(spec.table, "country", spec.column, spec.rank_col)
    if spec.share_col:
        _has(spec.table, spec.share_col)


def test_pair_and_year_tables() -> None:
    for table, co in PARTNER_COUNT.items():
        _has(table, "country", "partner", co, "salton")
    for table, year in YEAR_COLUMN.items():
        _has(table, "country", year)
    _has("publications_by_institution", "institution_id", "institution_name",
         "country_code", "p_frac", "rank_p_frac", "pp_top10", "mncs")  # fmt: skip
    _has("technology_shift", "country", "field_nr", "field_name", "period_1",
         "period_2", "share_1", "share_2", "shift_pp")  # fmt: skip
    _has("trials_by_phase", "phase", "trials")


@pytest.mark.parametrize(
    ("table", "columns"),
    [
        ("units", section.UNIT_COLUMNS),
        ("projects", section.PROJECT_COLUMNS),
        ("calls", section.CALL_COLUMNS),
    ],
)
def test_portfolio_section_reads_published_columns(table, columns) -> None:
    for name, _, fmt in columns:
        _has(table, name)
        if fmt.startswith("interval:"):
            _has(table, f"{name}_lo", f"{name}_hi")


def test_dashboard_reads_published_columns() -> None:
    every = {c for schema in OUTPUTS.values() for c in schema.names}
    for _, _, table in pages.CHARTS:
        assert table in OUTPUTS
    for columns in [*data.ACTOR_FILTERS.values(), *pages.PAGE_COLUMNS.values()]:
        assert set(columns) <= every, columns
    assert set(data.YEAR_COLUMNS) <= every
