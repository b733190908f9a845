"""Engine parity: every table computed on DuckDB and on Spark is the same.

Spark reads the store through its ``file://`` URL and DuckDB through its
plain path, so the same comparison proves that a store addressed by URL
computes the tables of its path on Spark (tests/test_engine_seam.py does the
same on DuckDB, both ways).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from oncometrics.config import load_config
from oncometrics.engine import connect
from oncometrics.pipeline import compute
from oncometrics.schema import DERIVED
from oncometrics.store import drop_derived
from tests.indicators_fixtures import fixture_store

pytestmark = pytest.mark.spark


def _tables(written: dict[str, Path]) -> dict[str, pd.DataFrame]:
    return {k: pd.read_parquet(p) for k, p in written.items() if k != "domain"}


@pytest.mark.parametrize("derived_tables", [True, False])
def test_all_tables_equal_on_duckdb_and_spark(
    tmp_path: Path, spark_con: Any, derived_tables: bool
) -> None:
    store = fixture_store(tmp_path / "store")
    if not derived_tables:  # a store of an older version: the long way
        drop_derived(store, list(DERIVED))
    cfg = load_config(period="2020-2021", min_p_institution=1.25)
    duck = connect("duckdb")
    try:
        a = _tables(compute(store, tmp_path / "duckdb", config=cfg, con=duck))
    finally:
        duck.disconnect()
    url = store.resolve().as_uri()
    assert url.startswith("file://")
    b = _tables(compute(url, tmp_path / "spark", config=cfg, con=spark_con))
    assert set(a) == set(b) and len(a) == 6
    for name in a:
        assert list(a[name].columns) == list(b[name].columns), name
        assert len(a[name]) > 0, name
        for col in a[name].columns:
            x, y = a[name][col], b[name][col]
            if pd.api.types.is_float_dtype(x) or pd.api.types.is_float_dtype(y):
                pd.testing.assert_series_equal(
                    x.astype("float64"), y.astype("float64"), rtol=0, atol=1e-9
                )
            else:
                assert x.astype(object).where(x.notna(), None).tolist() == (
                    y.astype(object).where(y.notna(), None).tolist()
                ), (name, col)
    # the interval columns are part of the comparison
    assert {"mncs_lo", "pp_top10_hi"} <= set(a["publications_by_country"].columns)
