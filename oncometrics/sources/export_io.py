"""Reading bibliographic export files: whole text, CSV rows, damage handling.

Exports are small (Scopus 2,000–20,000 rows, WoS 500–1,000 records, Lens
and Dimensions a few thousand per file), so a file is read whole.  A
truncated gzip is read as far as it goes: the readers report the damage
after the good records, as one reject.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from oncometrics.sources.base import (
    Reject,
    SourceError,
    TruncatedInput,
    clip,
    csv_error,
    csv_limits,
    open_input,
)


def decode(blob: bytes) -> str:
    """Text of an export: UTF-16 when it has a UTF-16 BOM, else UTF-8; no BOM."""
    if blob.startswith((b"\xff\xfe", b"\xfe\xff")):
        return blob.decode("utf-16", "replace").lstrip("\ufeff")
    return blob.decode("utf-8", "replace").lstrip("\ufeff")


def read_text(path: Path) -> tuple[str, str | None]:
    """(text, damage message or None); a damaged file's cut last line is dropped."""
    chunks: list[bytes] = []
    damage = None
    with open_input(path) as fh:
        try:
            read = getattr(fh, "read1", fh.read)  # partial reads keep the good part
            while block := read(1 << 16):
                chunks.append(block)
        except TruncatedInput as exc:
            damage = str(exc)
    text = decode(b"".join(chunks))
    if damage is not None and "\n" in text and not text.endswith("\n"):
        text = text[: text.rindex("\n") + 1]
    return text, damage


Row = dict[str, str]


def csv_rows(
    path: Path,
    *,
    required: tuple[str, ...],
    fmt: str,
    preamble: str | None = None,
) -> Iterator[tuple[int, Row] | Reject]:
    """Numbered rows of a CSV export as dicts, or a :class:`Reject` per bad row.

    `required` columns must all be in the header (else :class:`SourceError`
    "not a <fmt> export"); a first line starting with `preamble` (Dimensions'
    "About the data…") is skipped.  A row with the wrong number of cells is
    rejected; a CSV syntax error or a damaged gzip ends the file with one
    reject.
    """
    text, damage = read_text(path)
    if not text.strip():
        if damage:
            raise SourceError(path, damage)
        raise SourceError(path, "empty file")
    if preamble and text.lstrip('"').startswith(preamble):
        text = text.split("\n", 1)[1] if "\n" in text else ""
    limits = csv_limits()  # "References" cells can be long, but not unbounded
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    missing = [c for c in required if c not in header]
    if missing:
        raise SourceError(
            path,
            f"not a {fmt} export: no column {', '.join(missing)} "
            f"(header starts {', '.join(header[:4])!r})",
        )
    record_no = 0
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            record_no += 1
            if len(cells) != len(header):
                yield Reject(
                    record_no,
                    f"{len(cells)} cells where the header has {len(header)} columns",
                    clip(",".join(cells)),
                )
                continue
            yield record_no, dict(zip(header, cells, strict=True))
    except csv.Error as exc:
        yield Reject(record_no + 1, damage or csv_error(exc, limits))
        return
    if damage:
        yield Reject(record_no + 1, damage)


def cell(row: Row, *names: str) -> str | None:
    """The first non-empty cell among columns `names`, stripped, or None."""
    for name in names:
        value = (row.get(name) or "").strip()
        if value:
            return value
    return None


def split(value: str | None, sep: str = ";") -> list[str]:
    """Non-empty stripped parts of a list cell."""
    return [p.strip() for p in (value or "").split(sep) if p.strip()]
