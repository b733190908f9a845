"""`oncometrics compute` from the command line (DuckDB)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from oncometrics.cli import main
from tests.indicators_fixtures import fixture_store

TABLES = [
    "publications_by_country",
    "publications_by_country_year",
    "publications_by_institution",
    "country_partners",
    "publications_unassigned",
]


def test_compute_writes_csv_parquet_and_domain(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = fixture_store(tmp_path / "store")
    out = tmp_path / "out"
    main(["compute", "--store", str(store), "--out", str(out),
          "--period", "2020-2021", "--seed", "5"])  # fmt: skip
    assert "7 tables written" in capsys.readouterr().out
    domain = json.loads((out / "domain.json").read_text())
    assert (
        domain["settings"]["seed"] == 5 and domain["settings"]["period"] == "2020-2021"
    )
    for name in TABLES:
        csv = pd.read_csv(out / f"{name}.csv", keep_default_na=False, na_values=[""])
        pq = pd.read_parquet(out / f"{name}.parquet")
        assert len(csv) == len(pq) > 0, name
        assert set(csv.domain_hash) == {domain["hash"]}, name
    country = pd.read_csv(out / "publications_by_country.csv", keep_default_na=False)
    head = ["country", "p_full", "p_frac", "share_frac", "rank_p_frac", "mncs",
            "pp_top1", "pp_top10", "ai", "rsi", "intl_collab_rate", "mncs_lo",
            "mncs_hi", "pp_top10_lo", "pp_top10_hi"]  # fmt: skip
    assert list(country.columns[: len(head)]) == head
    assert country.country.tolist() == ["FR", "US", "CN", "DE", "BR"]


def test_compute_without_store_is_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["compute", "--store", str(tmp_path / "nope"), "--out", str(tmp_path)])
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("error:") and "Traceback" not in err
