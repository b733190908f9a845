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
Keywords are case-insensitive substrings.  The lists are data: each entry
names its area and why it is there, and :data:`VERSION` changes whenever a
list does (the domain hash changes with it).  ``docs/inventions.md`` lists
the published sources side by side with ours.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Version of the lists below (part of the domain definition and its hash).
VERSION = "cancer-patents-2026.1"


@dataclass(frozen=True)
class CodeEntry:
    """One code prefix of the patent domain."""

    code: str
    area: str  # therapeutics | diagnostics | devices | ict
    label: str


#: Cancer-specific codes (CPC/IPC prefixes): select a family alone.
SPECIFIC: tuple[CodeEntry, ...] = (
    CodeEntry("A61P35", "therapeutics", "Antineoplastic agents"),
    CodeEntry("A61K39/0011", "therapeutics", "Cancer antigens (vaccines)"),
    CodeEntry("C07K16/30", "therapeutics", "Antibodies against tumour antigens"),
    CodeEntry("C07K14/4748", "therapeutics", "Tumour-associated antigens"),
    CodeEntry("A61K47/6851", "therapeutics", "Conjugates targeting tumour cells"),
    CodeEntry("C12N5/0693", "therapeutics", "Tumour cells, cancer cell lines"),
    CodeEntry("C12Q1/6886", "diagnostics", "Nucleic-acid analysis for cancer"),
    CodeEntry("G01N33/574", "diagnostics", "Immunoassay for cancer"),
)

#: Generic codes: select a family only with a cancer keyword.
GENERIC: tuple[CodeEntry, ...] = (
    CodeEntry("A61K", "therapeutics", "Medical preparations"),
    CodeEntry("A61P", "therapeutics", "Therapeutic activity"),
    CodeEntry("C07K16", "therapeutics", "Antibodies"),
    CodeEntry("C12N", "therapeutics", "Cells, gene therapy"),
    CodeEntry("C12Q1/68", "diagnostics", "Nucleic-acid analysis"),
    CodeEntry("G01N33", "diagnostics", "Analysis of biological material"),
    CodeEntry("A61N5", "devices", "Radiotherapy"),
    CodeEntry("A61N7", "devices", "Ultrasound therapy (HIFU)"),
    CodeEntry("A61K51", "devices", "Radiopharmaceuticals"),
    CodeEntry("A61K49", "devices", "Contrast agents for imaging"),
    CodeEntry("A61B1", "devices", "Endoscopes"),
    CodeEntry("A61B5", "devices", "Diagnostic measurement, imaging"),
    CodeEntry("A61B6", "devices", "Radiation diagnosis (X-ray, CT, PET)"),
    CodeEntry("A61B8", "devices", "Ultrasound diagnosis"),
    CodeEntry("A61B10", "devices", "Biopsy, sampling"),
    CodeEntry("A61B17", "devices", "Surgical instruments"),
    CodeEntry("A61B18", "devices", "Ablation (energy transfer to the body)"),
    CodeEntry("A61B34", "devices", "Computer-aided surgery"),
    CodeEntry("G01R33/56", "devices", "MR imaging"),
    CodeEntry("G06T", "ict", "Image analysis"),
    CodeEntry("G16H", "ict", "Medical informatics"),
    CodeEntry("G16B", "ict", "Bioinformatics"),
    CodeEntry("G06N", "ict", "Machine learning"),
)

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
