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

import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from oncometrics.sources.base import (
    Record,
    Reject,
    SourceError,
    TruncatedInput,
    first_bytes,
    input_limits,
    open_input,
)

ZIP_MAGIC = b"PK\x03\x04"
HEAD = 8192  # bytes read to detect a format
StreamParser = Callable[[IO[bytes], str], Iterator[Record | Reject]]
FORMATS = "USPTO grant XML, EPO OPS XML, Lens CSV/JSON or the canonical patent CSV"


def _formats() -> list[tuple[str, Callable[[bytes], bool], StreamParser]]:
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
    for name, sniff, parser in _formats():
        if sniff(head):
            return name, parser
    return None


def sniff(head: bytes) -> bool:
    """True when `head` starts any patent format (or a zip file)."""
    return head.startswith(ZIP_MAGIC) or detect(head) is not None


def members(path: Path) -> Iterator[tuple[str, bytes, IO[bytes]]]:
    """(label, first bytes, binary stream): the file itself, or each zip member."""
    with open(path, "rb") as raw:
        magic = raw.read(4)
    if magic != ZIP_MAGIC:
        yield path.name, first_bytes(path, HEAD), open_input(path)
        return
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SourceError(path, f"damaged zip file ({exc})") from exc
    with zf:
        limits = input_limits()
        for info in zf.infolist():
            if info.is_dir():
                continue
            if (why := limits.bomb(info.file_size, info.compress_size)) is not None:
                raise SourceError(path, f"{info.filename}: {why}")
            with zf.open(info) as peek:
                head = peek.read(HEAD)
            yield f"{path.name}!{info.filename}", head, zf.open(info)


def parse_with(path: Path, only: str | None = None) -> Iterator[Record | Reject]:
    """Parse `path` member by member, with the detected (or `only`) format."""
    offset, found = 0, False
    try:
        for label, head, fh in members(path):
            with fh:
                fmt = detect(head)
                if fmt is None or (only and not fmt[0].startswith(only)):
                    if "!" in label:
                        continue  # zip companion files (lst.txt, rpt.html…)
                    what = (
                        f"not {only} patent data"
                        if only
                        else (f"not a recognised patent format (expected {FORMATS})")
                    )
                    raise SourceError(path, what)
                found = True
                last = 0
                for item in fmt[1](fh, label):
                    last = item.record_no
                    item.record_no += offset
                    yield item
                offset += last
    except TruncatedInput as exc:  # already says "damaged or truncated gzip"
        raise SourceError(path, str(exc)) from exc
    except (zipfile.BadZipFile, EOFError) as exc:
        raise SourceError(path, f"damaged or truncated input ({exc})") from exc
    if not found:
        raise SourceError(path, f"no patent data found (expected {FORMATS})")


def parse(path: Path) -> Iterator[Record | Reject]:
    """Parse any supported patent file (format detected from its content)."""
    if not first_bytes(path, 4):
        raise SourceError(path, "empty file")
    return parse_with(path)
