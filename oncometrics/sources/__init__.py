"""Source parsers: one module per record format, registered by name.

Each entry maps the name used on the command line (``oncometrics ingest NAME``)
to ``(module, entity)``: the module defines ``parse(path)`` (see
:mod:`oncometrics.sources.base`) and may define ``sniff(head: bytes) -> bool``
for format detection; the entity is a key of :data:`oncometrics.schema.ENTITIES`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from oncometrics.sources.base import Parser


@dataclass(frozen=True)
class SourceSpec:
    """A registered source format."""

    name: str
    module: str
    entity: str
    help: str

    def parser(self) -> Parser:
        """The format's ``parse`` function (imported on first use)."""
        return importlib.import_module(self.module).parse  # type: ignore[no-any-return]


SOURCES: dict[str, SourceSpec] = {
    s.name: s
    for s in (
        SourceSpec(
            "openalex",
            "oncometrics.sources.openalex",
            "work",
            "OpenAlex works: snapshot JSON Lines (.gz) or API result pages",
        ),
        SourceSpec(
            "pubmed",
            "oncometrics.sources.pubmed",
            "work",
            "PubMed/MEDLINE XML (PubmedArticleSet, MedlineCitationSet)",
        ),
        SourceSpec(
            "medline",
            "oncometrics.sources.medline",
            "work",
            "PubMed MEDLINE text export (PMID-, AU  -, AD  - tags)",
        ),
        SourceSpec(
            "wos",
            "oncometrics.sources.wos",
            "work",
            "Web of Science export (plain text with field tags, or tab-delimited)",
        ),
        SourceSpec("scopus", "oncometrics.sources.scopus", "work", "Scopus CSV export"),
        SourceSpec(
            "lens",
            "oncometrics.sources.lens",
            "work",
            "Lens.org scholarly export (CSV or JSON)",
        ),
        SourceSpec(
            "dimensions",
            "oncometrics.sources.dimensions",
            "work",
            "Dimensions publications CSV export",
        ),
        SourceSpec(
            "patents",
            "oncometrics.sources.patents",
            "patent",
            "Patents: USPTO grant XML, EPO OPS XML, Lens CSV/JSON, canonical CSV",
        ),
        SourceSpec(
            "patents-uspto",
            "oncometrics.sources.patents_uspto",
            "patent",
            "Patents, forced format: USPTO bulk grant XML",
        ),
        SourceSpec(
            "patents-epo",
            "oncometrics.sources.patents_epo",
            "patent",
            "Patents, forced format: EPO OPS XML",
        ),
        SourceSpec(
            "patents-lens",
            "oncometrics.sources.patents_lens",
            "patent",
            "Patents, forced format: Lens.org CSV or JSON export",
        ),
        SourceSpec(
            "patents-csv",
            "oncometrics.sources.patents_csv",
            "patent",
            "Patents, forced format: canonical CSV (one row per family x party)",
        ),
        SourceSpec(
            "trials",
            "oncometrics.sources.trials",
            "trial",
            "ClinicalTrials.gov API v2 studies (pages, single, bulk zip/folder, "
            "JSON array, JSON Lines) and NCI CTS API pages",
        ),
    )
}


def get_source(name: str) -> SourceSpec:
    """The source called `name`, or a ValueError listing the known ones."""
    try:
        return SOURCES[name]
    except KeyError:
        known = ", ".join(sorted(SOURCES))
        raise ValueError(f"unknown source {name!r}; known sources: {known}") from None
