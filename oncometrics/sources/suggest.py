"""Which format a file is, when it was ingested under the wrong one.

`suggest_source` reads the first bytes of a file that a format could not
read and asks every other registered format's ``sniff`` whether the file is
its own: the answer is one line pointing to the right subcommand, e.g.
``x.txt: this is PubMed MEDLINE text export (PMID-, AU  -, AD  - tags): use
`oncometrics ingest medline` ``.  When no format recognises the file, the
line says what the chosen format reads instead.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from oncometrics.sources import SOURCES

HEAD = 1 << 16
#: Formats asked first (the generic ``patents`` before its forced variants).
ORDER = (
    "medline", "pubmed", "openalex", "trials", "patents", "wos", "scopus",
    "lens", "dimensions",
)  # fmt: skip


def _head(path: Path) -> bytes | None:
    from oncometrics.sources.base import first_bytes

    try:
        return first_bytes(path, HEAD)
    except (OSError, ValueError, EOFError):
        return None


def sniffed(path: Path, exclude: str = "") -> str | None:
    """The first format (of `ORDER`) whose ``sniff`` accepts `path`, or None."""
    head = _head(path)
    if head is None:
        return None
    for name in ORDER:
        if name == exclude or (exclude.startswith(name + "-")):
            continue
        sniff = getattr(importlib.import_module(SOURCES[name].module), "sniff", None)
        try:
            if sniff is not None and sniff(head):
                return name
        except (ValueError, UnicodeError):
            continue
    return None


def _is_own(path: Path, used: str) -> bool:
    """Whether `used`'s own ``sniff`` accepts `path` (a damaged file of it)."""
    head = _head(path)
    module = importlib.import_module(SOURCES[used].module)
    sniff = getattr(module, "sniff", None)
    try:
        return head is not None and sniff is not None and bool(sniff(head))
    except (ValueError, UnicodeError):
        return False


def suggest_source(path: Path, used: str) -> str | None:
    """One line telling which subcommand reads `path`, or what `used` reads.

    The line starts with the file, like every ingest message. None when
    `path` is not a non-empty file (the error already says so).
    """
    path = Path(path)
    if not path.is_file() or used not in SOURCES or path.stat().st_size == 0:
        return None
    if _head(path) is None or _is_own(path, used):
        return None  # unreadable, or the right format damaged: the error says
    other = sniffed(path, exclude=used)
    if other is not None:
        return (
            f"{path}: hint: this looks like {SOURCES[other].help}: "
            f"use `oncometrics ingest {other}`"
        )
    with path.open("rb") as fh:
        if fh.read(2) in (b"\x1f\x8b", b"PK"):
            return None  # compressed and of no known format: likely damaged
    kind = path.suffix.lower().lstrip(".") or "this file"
    return (
        f"{path}: hint: `oncometrics ingest {used}` reads {SOURCES[used].help}; "
        f"no format recognises this {kind.upper() if kind != 'this file' else kind}"
        " (formats: " + ", ".join(SOURCES) + ")"
    )
