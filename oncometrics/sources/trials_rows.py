"""Child rows and the finishing touch of a trial record (shared by the
ClinicalTrials.gov and NCI readers; a leaf of both)."""

from __future__ import annotations

from typing import Any

import orjson

from oncometrics.sources.base import Record, Row, richness
from oncometrics.sources.trials_norm import norm_sponsor, trial_country


def sponsor_row(rec: Record, nct: str, role: str, name: Any, cls: Any) -> None:
    """Add a ``trial_sponsors`` row to `rec` (none for a blank name)."""
    if isinstance(name, str) and name.strip():
        rec.add(
            "trial_sponsors",
            {
                "nct_id": nct,
                "role": role,
                "name": name.strip(),
                "name_norm": norm_sponsor(name),
                "sponsor_class": cls,
            },
        )


def site_row(rec: Record, nct: str, facility: Any, city: Any, country: Any) -> None:
    """Add a ``trial_sites`` row to `rec` (country name resolved to ISO)."""
    name = country.strip() if isinstance(country, str) and country.strip() else None
    rec.add(
        "trial_sites",
        {
            "nct_id": nct,
            "facility": facility,
            "city": city,
            "country_name": name,
            "country": trial_country(name),
            "facility_norm": norm_sponsor(facility)
            if isinstance(facility, str)
            else None,
        },
    )


def finish(rec: Record, row: Row) -> None:
    """Add the main row with its richness (facts + child rows)."""
    children = sum(len(v) for v in rec.rows.values())
    row["richness"] = richness(row, children)
    row["ingest_file"] = None
    row["record_no"] = rec.record_no
    rec.rows = {"trials": [row], **rec.rows}


def raw_json(obj: Any) -> str:
    """`obj` as JSON text, cut to 2,000 characters (for a reject)."""
    try:
        return orjson.dumps(obj).decode()[:2000]
    except TypeError:
        return repr(obj)[:2000]
