"""The cancer patent domain: two tiers of classification codes, and keywords.

Contract section 2 (inventions), following the approach of the EPO's 2024
cancer study ("Patents and innovation against cancer"), which combines
classes with keywords over therapeutics, diagnostics, devices and ICT:

* **cancer-specific codes** select a family on their own (a code that only
  cancer inventions receive: antineoplastic agents, cancer immunoassays,
  nucleic-acid analysis for cancer, antibodies against tumour antigens …);
* **generic codes** (radiotherapy, imaging, surgery, biopsy, contrast agents,
  medical informatics, image analysis, machine learning, and the generic
  drug/biotech classes) select a family only when one of its documents also
  has a cancer keyword in its title or abstract.

Codes are compared as normalised prefixes (``"A61P 35/00"`` ==
``"A61P35/00"``, see :func:`oncometrics.indicators.inventions.code_matches`).
Keywords are case-insensitive substrings.  The lists are data (the codes in
``data/reference/cancer_patent_codes.csv``, one row per code with its tier,
area and why it is there), and :data:`VERSION` changes whenever a list does
(the domain hash changes with it).  ``docs/inventions.md`` lists
the published sources side by side with ours.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources

#: Version of the lists below (part of the domain definition and its hash).
VERSION = "cancer-patents-2026.1"


@dataclass(frozen=True)
class CodeEntry:
    """One code prefix of the patent domain."""

    code: str
    area: str  # therapeutics | diagnostics | devices | ict
    label: str


def _code_table() -> tuple[tuple[CodeEntry, ...], tuple[CodeEntry, ...]]:
    """(specific, generic) code entries of the bundled ``cancer_patent_codes.csv``."""
    ref = resources.files("oncometrics.data.reference") / "cancer_patent_codes.csv"
    with ref.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    tiers = {
        tier: tuple(
            CodeEntry(r["code"], r["area"], r["label"])
            for r in rows
            if r["tier"] == tier
        )
        for tier in ("specific", "generic")
    }
    return tiers["specific"], tiers["generic"]


#: Cancer-specific codes (CPC/IPC prefixes): select a family alone.
#: Generic codes: select a family only with a cancer keyword.
SPECIFIC, GENERIC = _code_table()

#: Cancer types both default keyword lists (patents here, trials in
#: ``config.trial_keywords``) look for, in their order.
CANCER_TYPES: tuple[str, ...] = (
    "lymphoma",
    "melanoma",
    "sarcoma",
    "myeloma",
    "glioma",
    "glioblastoma",
    "blastoma",
)

#: Cancer keywords (title or abstract, case-insensitive substrings).
KEYWORDS: tuple[str, ...] = (
    "cancer",
    "tumour",
    "tumor",
    "neoplas",
    "oncolog",
    "carcinom",
    "malignan",
    "metasta",
    "leukaemia",
    "leukemia",
    *CANCER_TYPES,
    "mesothelioma",
)

#: Default ``patent_codes`` setting (the cancer-specific tier).
SPECIFIC_CODES: tuple[str, ...] = tuple(e.code for e in SPECIFIC)
#: Default ``patent_generic_codes`` setting.
GENERIC_CODES: tuple[str, ...] = tuple(e.code for e in GENERIC)


@dataclass(frozen=True)
class PatentDomain:
    """The plain values the invention indicators select with."""

    specific_codes: tuple[str, ...] = SPECIFIC_CODES
    generic_codes: tuple[str, ...] = GENERIC_CODES
    keywords: tuple[str, ...] = KEYWORDS
    #: title keywords that select a family on their own (off by default)
    title_keywords: tuple[str, ...] = ()
    #: True: every invention of the store (the ``all`` domain)
    everything: bool = False


def area_of(code: str) -> str | None:
    """The area (therapeutics, diagnostics, devices, ict) of a listed prefix."""
    for e in (*SPECIFIC, *GENERIC):
        if e.code == code:
            return e.area
    return None
