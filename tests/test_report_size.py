"""The report stays small and quick on 200 countries and 10,000 institutions."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pycountry
import pytest
from openpyxl import load_workbook

from oncometrics.config import load_config
from oncometrics.report import write_report
from tests.outputs_fixtures import write_published

N_COUNTRIES, N_INSTITUTIONS = 200, 10_000


def synthetic_store(root: Path) -> Path:
    """A store whose indicator tables have world-scale row counts."""
    rng = np.random.default_rng(7)
    codes = sorted(c.alpha_2 for c in pycountry.countries)[:N_COUNTRIES]
    if "FR" not in codes:
        codes[-1] = "FR"
    p = rng.pareto(1.2, N_COUNTRIES) * 100 + 1
    pp10 = rng.uniform(0.02, 0.2, N_COUNTRIES)
    mncs = rng.uniform(0.5, 1.8, N_COUNTRIES)
    pubs = pd.DataFrame(
        {
            "country": codes,
            "p_full": (p * 1.3).round(),
            "p_frac": p,
            "share_frac": p / p.sum(),
            "mncs": mncs,
            "pp_top1": pp10 / 8,
            "pp_top10": pp10,
            "ai": rng.uniform(0.5, 1.5, N_COUNTRIES),
            "intl_collab_rate": rng.uniform(0.1, 0.9, N_COUNTRIES),
            "mncs_lo": mncs - 0.1,
            "mncs_hi": mncs + 0.1,
            "pp_top10_lo": pp10 - 0.01,
            "pp_top10_hi": pp10 + 0.01,
            "domain_hash": "0123456789ab",
        }
    )
    for c in ("p_frac", "mncs", "pp_top1", "pp_top10", "ai", "intl_collab_rate"):
        pubs[f"rank_{c}"] = pubs[c].rank(method="min", ascending=False)
    years = pd.concat([pubs.assign(publication_year=y) for y in range(2014, 2024)])
    inst = pd.DataFrame(
        {
            "institution_id": [f"I{i}" for i in range(N_INSTITUTIONS)],
            "institution_name": [
                f"Institute of Oncology number {i}" for i in range(N_INSTITUTIONS)
            ],
            "country_code": rng.choice(codes, N_INSTITUTIONS),
            "p_frac": rng.pareto(1.5, N_INSTITUTIONS) * 5,
            "pp_top10": rng.uniform(0, 0.3, N_INSTITUTIONS),
            "mncs": rng.uniform(0.3, 2.5, N_INSTITUTIONS),
        }
    )
    a, b = np.triu_indices(N_COUNTRIES, 1)
    pairs = pd.DataFrame(
        {
            "country": np.array(codes)[a],
            "partner": np.array(codes)[b],
            "co_publications": rng.integers(0, 500, len(a)),
        }
    )
    trials = pd.DataFrame(
        {
            "country": codes,
            "trials": rng.integers(0, 900, N_COUNTRIES),
            "early_phase_trials": rng.integers(0, 90, N_COUNTRIES),
        }
    )
    out = root / "indicators"
    out.mkdir(parents=True)
    for name, df in {
        "publications_by_country": pubs,
        "publications_by_country_year": years,
        "publications_by_institution": inst,
        "country_partners": pairs,
        "inventions_by_country": pubs.rename(
            columns={"p_frac": "i_frac", "rank_p_frac": "rank_i_frac"}
        ).assign(  # provenance of the invention tables (outputs.INV_META)
            period="2014-2023", domain="cancer", by="inventor", family_scope="all"
        ),
        "trials_by_country": trials,
    }.items():
        write_published(df, out / f"{name}.parquet")
    (root / "manifest.json").write_text(json.dumps({"version": 1, "files": {}}))
    return root


@pytest.mark.slow
def test_world_scale_report_is_small(tmp_path: Path) -> None:
    store = synthetic_store(tmp_path / "store")
    path = write_report(
        store,
        tmp_path / "out",
        config=load_config(period="2014-2023"),
        indicators=store / "indicators",
        log=lambda m: None,
    )
    size = path.stat().st_size
    assert size < 10 * 1024 * 1024, f"report.html is {size / 1e6:.1f} MB"
    assert size < 2 * 1024 * 1024  # charts show the top 20, not 200 bars
    html = path.read_text(encoding="utf-8")
    assert "of 200 countries" in html
    wb = load_workbook(tmp_path / "out" / "report.xlsx", read_only=True)
    sheets = wb.sheetnames
    wb.close()
    with zipfile.ZipFile(tmp_path / "out" / "report.xlsx") as z:

        def rows(sheet: str) -> int:
            xml = z.read(f"xl/worksheets/sheet{sheets.index(sheet) + 1}.xml")
            return xml.count(b"<row ")

        assert rows("publications_by_institution") == N_INSTITUTIONS + 1
        assert rows("country_partners") == N_COUNTRIES * (N_COUNTRIES - 1) // 2 + 1
