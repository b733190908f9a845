"""Patents: one entry point for every patent format, detected from content.

``oncometrics ingest patents PATH...`` reads, whatever their names:

* USPTO bulk grant XML (:mod:`~oncometrics.sources.patents_uspto`);
* EPO OPS bibliographic / family XML (:mod:`~oncometrics.sources.patents_epo`);
* Lens.org patent exports, CSV or JSON / JSON Lines
  (:mod:`~oncometrics.sources.patents_lens`);
* the canonical CSV, one row per family x party
  (:mod:`~oncometrics.sources.patents_csv`).

Files may be gzipped or zipped; a zip's members are read in order (the
USPTO ``lst.txt``/``rpt.html`` companions and other unrecognised members are
skipped) and records are numbered across members.  Each format can also be
forced with its own source name (``patents-uspto``, ``patents-epo``,
``patents-lens``, ``patents-csv``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from oncometrics.sources.base import Record, Reject, SourceError, first_bytes
from oncometrics.sources.patent_files import (
    FORMATS,
    HEAD,
    ZIP_MAGIC,
    Format,
    StreamParser,
    detect_in,
    members,
    parse_members,
)

__all__ = ["FORMATS", "HEAD", "ZIP_MAGIC", "detect", "members", "parse",
           "parse_with", "sniff"]  # fmt: skip


def _formats() -> list[Format]:
    from oncometrics.sources import (
        patents_csv,
        patents_epo,
        patents_lens,
        patents_uspto,
    )

    return [
        ("uspto", patents_uspto.sniff, patents_uspto.parse_stream),
        ("epo", patents_epo.sniff, patents_epo.parse_stream),
        ("lens-json", patents_lens.sniff_json, patents_lens.parse_json_stream),
        ("lens-csv", patents_lens.sniff_csv, patents_lens.parse_csv_stream),
        ("csv", patents_csv.sniff, patents_csv.parse_stream),
    ]


def detect(head: bytes) -> tuple[str, StreamParser] | None:
    """The (name, stream parser) of the format `head` starts, or None."""
    return detect_in(_formats(), head)


def sniff(head: bytes) -> bool:
    """True when `head` starts any patent format (or a zip file)."""
    return head.startswith(ZIP_MAGIC) or detect(head) is not None


def parse_with(path: Path, only: str | None = None) -> Iterator[Record | Reject]:
    """Parse `path` member by member, with the detected (or `only`) format."""
    return parse_members(path, _formats(), only)


def parse(path: Path) -> Iterator[Record | Reject]:
    """Parse any supported patent file (format detected from its content)."""
    if not first_bytes(path, 4):
        raise SourceError(path, "empty file")
    return parse_with(path)
