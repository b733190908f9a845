"""Trials as INCa and the contract count them: a hand-worked world.

Five oncology trials (condition "breast cancer"), worked out by hand::

  T1  INTERVENTIONAL  RECRUITING          PHASE1        2021  US FR DE
  T2  INTERVENTIONAL  COMPLETED           PHASE3        2021  US
  T3  OBSERVATIONAL   NOT_YET_RECRUITING  (none)        2022  FR
  T4  INTERVENTIONAL  WITHDRAWN           PHASE2        2022  US FR
  T5  INTERVENTIONAL  ACTIVE_NOT_RECRUITING PHASE2      2022  HK US

Default filters (interventional; not withdrawn, not "not yet recruiting")
keep T1, T2, T5: 3 trials, all with a resolved site country.

* US has sites in all 3 -> share 3/3 = 1.0 (not 3 / 6 participations = 0.5).
* FR: T1 only -> 1/3.  DE: T1 -> 1/3.  CN (HK folded): T5 -> 1/3.
* Early phase (default EARLY_PHASE1, PHASE1, PHASE1/PHASE2): T1 only ->
  US, FR, DE 1 each, early share 1/1 = 1.0.  With early_phases = PHASE1,
  PHASE2 as well: T1, T5 -> US 2 (share 2/2 = 1.0), CN 1 (1/2).
* Without the filters all 5 count: US 4/5 = 0.8, FR 3/5 = 0.6.
"""

from __future__ import annotations

from typing import Any

import ibis
import pyarrow as pa
import pytest
from pytest import approx

from oncometrics.config import load_config
from oncometrics.family_settings import trial_settings
from oncometrics.indicators.trials import TrialDomain, TrialSettings, trial_tables
from oncometrics.schema import TABLES

T = [
    ("T1", "INTERVENTIONAL", "RECRUITING", "PHASE1", 2021, ("US", "FR", "DE")),
    ("T2", "INTERVENTIONAL", "COMPLETED", "PHASE3", 2021, ("US",)),
    ("T3", "OBSERVATIONAL", "NOT_YET_RECRUITING", None, 2022, ("FR",)),
    ("T4", "INTERVENTIONAL", "WITHDRAWN", "PHASE2", 2022, ("US", "FR")),
    ("T5", "INTERVENTIONAL", "ACTIVE_NOT_RECRUITING", "PHASE2", 2022, ("HK", "US")),
]


def _tables() -> dict[str, ibis.Table]:
    rows: dict[str, list[dict[str, Any]]] = {
        "trials": [
            {"nct_id": n, "study_type": st, "overall_status": os_, "phase": ph,
             "start_year": y, "lead_sponsor_class": "OTHER"}
            for n, st, os_, ph, y, _ in T
        ],
        "trial_conditions": [
            {"nct_id": n, "condition": "Breast Cancer", "kind": "condition"}
            for n, *_ in T
        ],
        "trial_sites": [
            {"nct_id": n, "facility": f"{n}-{c}", "facility_norm": f"{n}-{c}",
             "country": c}
            for n, *_, cs in T for c in cs
        ],
        "trial_sponsors": [],
    }  # fmt: skip
    return {
        k: ibis.memtable(pa.Table.from_pylist(v, schema=TABLES[k]))
        for k, v in rows.items()
    }


DOMAIN = TrialDomain(keywords=("cancer",))


def _run(**settings: Any) -> dict[str, list[dict[str, Any]]]:
    out = trial_tables(_tables(), DOMAIN, TrialSettings(**settings))
    return {k: v.to_pyarrow().to_pylist() for k, v in out.items()}


def _by_country(res: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    return {r["country"]: r for r in res["trials_by_country"]}


@pytest.fixture(scope="module")
def res() -> dict[str, list[dict[str, Any]]]:
    return _run()


def test_filters_keep_interventional_started(res: dict[str, Any]) -> None:
    (s,) = res["trials_summary"]
    assert (s["trials"], s["located_trials"]) == (3, 3)
    assert (s["store_trials"], s["domain_trials_any"]) == (5, 5)


def test_share_over_number_of_trials(res: dict[str, Any]) -> None:
    c = _by_country(res)
    assert c["US"]["trials"] == 3
    assert c["US"]["share"] == approx(1.0)
    for k in ("FR", "DE", "CN"):
        assert c[k]["share"] == approx(1 / 3), k
    assert "HK" not in c  # folded into CN by default
    assert c["US"]["early_phase_trials"] == 1
    assert c["US"]["early_phase_share"] == approx(1.0)


def test_early_phases_setting() -> None:
    c = _by_country(_run(early_phases=("PHASE1", "PHASE2")))
    assert c["US"]["early_phase_trials"] == 2
    assert c["US"]["early_phase_share"] == approx(1.0)
    assert c["CN"]["early_phase_share"] == approx(0.5)


def test_no_filters_and_no_folding() -> None:
    c = _by_country(_run(study_types=(), excluded_statuses=(), hk_macao_to_cn=False))
    assert c["US"]["share"] == approx(4 / 5)
    assert c["FR"]["share"] == approx(3 / 5)
    assert c["HK"]["trials"] == 1 and "CN" not in c


def test_settings_reach_the_indicators() -> None:
    s = trial_settings(load_config())
    assert s == TrialSettings()  # config defaults == indicator defaults
    s = trial_settings(load_config(early_phases=("phase1",), hk_macao_to_cn=False))
    assert s.early_phases == ("PHASE1",) and s.hk_macao_to_cn is False
