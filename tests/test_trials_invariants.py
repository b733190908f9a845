"""Invariants of the trial tables on random small worlds (hypothesis)."""

from __future__ import annotations

from typing import Any

import ibis
import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oncometrics.config import load_config
from oncometrics.domain import Domain
from oncometrics.family_settings import trial_domain, trial_settings
from oncometrics.indicators.trials import trial_tables
from oncometrics.schema import TABLES

PHASES = ["EARLY_PHASE1", "PHASE1", "PHASE1/PHASE2", "PHASE2", "PHASE3", None]
COUNTRIES = ["FR", "US", "DE", "JP", None]

trial = st.tuples(
    st.sampled_from(PHASES),
    st.sampled_from(["INDUSTRY", "OTHER", None]),
    st.lists(st.sampled_from(COUNTRIES), max_size=4),
    st.booleans(),  # oncology?
)


def _table(name: str, rows: list[dict[str, Any]]) -> Any:
    schema = TABLES[name]
    cols = {f.name: pa.array([r.get(f.name) for r in rows], f.type) for f in schema}
    return ibis.memtable(pa.table(cols, schema=schema))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(trial, min_size=1, max_size=12))
def test_invariants(world: list[tuple[Any, ...]]) -> None:
    trials, conds, sites, sponsors = [], [], [], []
    for i, (phase, cls, ctry, onc) in enumerate(world):
        nct = f"NCT{i:08d}"
        trials.append(
            {
                "nct_id": nct,
                "phase": phase,
                "start_year": 2020,
                "lead_sponsor_class": cls,
            }
        )
        conds.append(
            {
                "nct_id": nct,
                "condition": "Lymphoma" if onc else "Asthma",
                "kind": "condition",
            }
        )
        sites += [
            {"nct_id": nct, "country": c, "facility": f"H{c}", "facility_norm": f"h{c}"}
            for c in ctry
        ]
        sponsors.append({"nct_id": nct, "role": "lead", "name": "S", "name_norm": "s"})
    tables = {
        "trials": _table("trials", trials),
        "trial_conditions": _table("trial_conditions", conds),
        "trial_sites": _table("trial_sites", sites),
        "trial_sponsors": _table("trial_sponsors", sponsors),
    }
    cfg = load_config()
    wanted = (
        "trials_summary",
        "trials_by_country",
        "trial_partners",
        "trials_by_phase",
    )
    dom = Domain.from_config(cfg)
    exprs = trial_tables(tables, trial_domain(dom), trial_settings(cfg))
    out = {k: exprs[k].to_pyarrow().to_pylist() for k in wanted}
    onc = [w for w in world if w[3]]
    (summary,) = out["trials_summary"]
    assert summary["trials"] == len(onc)
    located = sum(1 for w in onc if any(c for c in w[2]))
    assert summary["located_trials"] == located
    assert summary["unassigned_trials"] == len(onc) - located
    by_country = out["trials_by_country"]
    if by_country:
        # share = trials / located trials: the shares add up to the mean
        # number of site countries per located trial, each is at most 1
        total = sum(r["trials"] for r in by_country)
        assert abs(sum(r["share"] for r in by_country) - total / located) < 1e-9
        assert all(0 < r["share"] <= 1 for r in by_country)
        assert min(r["rank"] for r in by_country) == 1
    for r in by_country:
        assert 0 <= r["early_phase_trials"] <= r["trials"] <= len(onc)
        assert 0 <= r["industry_share"] <= 1 and 0 <= r["multinational_rate"] <= 1
    pairs = {
        (r["country"], r["partner"]): r["shared_trials"] for r in out["trial_partners"]
    }
    assert all(pairs[(b, a)] == n for (a, b), n in pairs.items())
    assert sum(r["trials"] for r in out["trials_by_phase"]) == len(onc)
