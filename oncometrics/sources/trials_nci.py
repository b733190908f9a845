"""One NCI Clinical Trials Search (CTS) API trial as canonical trial rows.

The CTS API (``{"total": n, "data": [...]}``) describes NCI-supported cancer
trials with site-level countries (``sites[].org_country``), NCI Thesaurus
diseases (no MeSH ids: the condition rows carry the disease names only) and
the lead organisation.  Phases are NCI codes, mapped to API v2 values.
"""

from __future__ import annotations

from typing import Any

from oncometrics.sources.base import Record, Reject, Row
from oncometrics.sources.checks import count, reason_of
from oncometrics.sources.trials_norm import NCT_RE, start_year
from oncometrics.sources.trials_rows import finish as _finish
from oncometrics.sources.trials_rows import raw_json as _raw
from oncometrics.sources.trials_rows import site_row as _site
from oncometrics.sources.trials_rows import sponsor_row as _sponsor

#: NCI CTS phase codes -> ClinicalTrials.gov API v2 phase values
#: ("O" is NCI's Phase 0, which ClinicalTrials.gov calls EARLY_PHASE1).
NCI_PHASES: dict[str, str] = {
    "O": "EARLY_PHASE1",
    "0": "EARLY_PHASE1",
    "I": "PHASE1",
    "I_II": "PHASE1/PHASE2",
    "II": "PHASE2",
    "II_III": "PHASE2/PHASE3",
    "III": "PHASE3",
    "IV": "PHASE4",
    "NA": "NA",
}


def nci_record(trial: Any, record_no: int) -> Record | Reject:
    """Rows of one CTS trial, or a Reject when it has no usable id."""
    if not isinstance(trial, dict):
        return Reject(
            record_no, f"not a trial object (got {type(trial).__name__})", _raw(trial)
        )
    nct = trial.get("nct_id") or trial.get("nci_id")
    if not isinstance(nct, str) or not (NCT_RE.match(nct) or nct.startswith("NCI-")):
        return Reject(record_no, f"missing or invalid NCT id ({nct!r})", _raw(trial))
    try:
        return _rows(trial, nct, record_no)
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        return Reject(record_no, f"{nct}: {reason_of(exc, 'trial')}", _raw(trial))


def _rows(trial: dict[str, Any], nct: str, record_no: int) -> Record:
    rec = Record(record_no)
    for d in trial.get("diseases") or []:
        if (
            isinstance(d, dict)
            and d.get("name")
            and d.get("inclusion_indicator") == "TRIAL"
        ):
            rec.add(
                "trial_conditions",
                {
                    "nct_id": nct,
                    "condition": d["name"],
                    "mesh_id": None,
                    "mesh_term": None,
                    "kind": "condition",
                },
            )
    seen: set[tuple[str, str]] = set()
    for arm in trial.get("arms") or []:
        for iv in (arm or {}).get("interventions") or []:
            key = (iv.get("type"), iv.get("name"))
            trial_level = iv.get("inclusion_indicator", "TRIAL") == "TRIAL"
            if iv.get("name") and trial_level and key not in seen:
                seen.add(key)
                rec.add(
                    "trial_interventions",
                    {"nct_id": nct, "type": key[0], "name": key[1]},
                )
    _sponsor(rec, nct, "lead", trial.get("lead_org"), None)
    for c in trial.get("collaborators") or []:
        name = c.get("name") if isinstance(c, dict) else c
        _sponsor(rec, nct, "collaborator", name, None)
    for s in trial.get("sites") or []:
        if isinstance(s, dict):
            _site(rec, nct, s.get("org_name"), s.get("org_city"), s.get("org_country"))
    phase = NCI_PHASES.get(str(trial.get("phase") or "").upper())
    accrual = trial.get("minimum_target_accrual_number")
    row: Row = {
        "nct_id": nct,
        "source": "nci_cts",
        "title": trial.get("brief_title") or trial.get("official_title"),
        "overall_status": trial.get("current_trial_status"),
        "study_type": (trial.get("study_protocol_type") or "").upper() or None,
        "phases": phase.replace("/", "|") if phase else None,
        "phase": phase,
        "start_date": trial.get("start_date"),
        "start_year": start_year(trial.get("start_date")),
        "completion_date": trial.get("completion_date"),
        "enrollment": count("minimum_target_accrual_number", accrual),
        "lead_sponsor": trial.get("lead_org"),
        "lead_sponsor_class": None,
        "lead_sponsor_country": None,
    }
    _finish(rec, row)
    return rec
