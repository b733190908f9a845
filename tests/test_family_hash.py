"""Every invention/trial setting that changes a figure changes the hash."""

from __future__ import annotations

from typing import Any

import pytest

from oncometrics import domain as domain_mod
from oncometrics.config import load_config
from oncometrics.domain import Domain
from oncometrics.family_settings import FIGURE_SETTINGS, figure_settings

CHANGES: dict[str, Any] = {
    "family_scope": "international",
    "early_phases": ("PHASE1",),
    "hk_macao_to_cn": False,
    "trial_study_types": (),
    "trial_excluded_statuses": ("WITHDRAWN",),
    "patent_generic_codes": ("A61N5",),
    "patent_cancer_keywords": ("cancer",),
}


def test_recorded_in_domain_json() -> None:
    got = figure_settings(load_config())
    assert set(FIGURE_SETTINGS) <= set(got)
    assert got["early_phases"] == ["EARLY_PHASE1", "PHASE1", "PHASE1/PHASE2"]
    assert got["family_scope"] == "all" and got["hk_macao_to_cn"] is True


@pytest.mark.parametrize("name", sorted(CHANGES))
def test_in_the_hash(name: str) -> None:
    if not hasattr(domain_mod, "figure_settings"):
        pytest.skip("the one settings hash arrives with the pubmethods branch")
    base = Domain.from_config(load_config()).hash
    other = Domain.from_config(load_config(**{name: CHANGES[name]})).hash
    assert other != base
