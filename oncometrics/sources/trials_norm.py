"""Normalisers shared by the trial parsers: countries, sponsors, MeSH, phases.

Location country names are mapped with the shared country table
(``oncometrics/data/countries/variants.csv``, which holds the registry's
historical and variant names too; tested in ``tests/test_trials_parse.py``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from oncometrics.countries import registry_country_code

NCT_RE = re.compile(r"^NCT\d{8}$")
EARLY_PHASES = ("EARLY_PHASE1", "PHASE1", "PHASE1/PHASE2")


def trial_country(name: str | None) -> str | None:
    """ISO alpha-2 code of a location country name as trial registries print it.

    The registry's historical and variant names are rows of the shared
    ``oncometrics/data/countries/variants.csv`` (``scope`` = ``trials`` where a
    registry keeps a historical code).
    """
    return registry_country_code(name, "trials")


_LEGAL = re.compile(
    r"\b(inc|incorporated|ltd|limited|llc|gmbh|ag|sa|sas|srl|s r l|spa|bv|nv|plc|"
    r"co|corp|corporation|company|kg|kgaa|ab|as|oy|pty|kk)\b"
)


def norm_sponsor(name: str | None) -> str | None:
    """Sponsor (or facility) name for grouping: ASCII, lower case, no punctuation, acronym
    in trailing parentheses and legal-form suffixes dropped.

    >>> norm_sponsor("National Cancer Institute (NCI)")
    'national cancer institute'
    >>> norm_sponsor("UCB BIOSCIENCES GmbH")
    'ucb biosciences'
    """
    if not name or not name.strip():
        return None
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"\s*\([^)]*\)\s*$", "", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    text = _LEGAL.sub(" ", text)
    out = " ".join(text.split())
    return out or " ".join(re.sub(r"[^a-z0-9]+", " ", name.lower()).split()) or None


def norm_phase(phases: Iterable[str] | None) -> str | None:
    """One phase value from the API v2 list: ['PHASE1', 'PHASE2'] -> 'PHASE1/PHASE2'."""
    vals = sorted({p.strip().upper() for p in phases or () if p and p.strip()})
    if not vals:
        return None
    if vals == ["NA"]:
        return "NA"
    vals = [v for v in vals if v != "NA"]
    return "/".join(vals)


def start_year(date: str | None) -> int | None:
    """Year of an ISO-ish date ('2007-11-05', '2006-11'), or None."""
    if isinstance(date, str) and len(date) >= 4 and date[:4].isdigit():
        return int(date[:4])
    return None
