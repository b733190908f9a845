"""Patent files: plain, gzip or zip, read member by member (a leaf module).

Shared by the patent format readers and the format-detecting dispatcher
(:mod:`oncometrics.sources.patents`): :func:`parse_members` parses each
member of a file with the first of the given formats that recognises it.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator, Sequence
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
#: (name, sniff(first bytes), stream parser) of one format
Format = tuple[str, Callable[[bytes], bool], StreamParser]
FORMATS = "USPTO grant XML, EPO OPS XML, Lens CSV/JSON or the canonical patent CSV"


def detect_in(
    formats: Sequence[Format], head: bytes
) -> tuple[str, StreamParser] | None:
    """The (name, stream parser) of the first of `formats` `head` starts."""
    for name, sniff, parser in formats:
        if sniff(head):
            return name, parser
    return None


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


def parse_members(
    path: Path, formats: Sequence[Format], only: str | None = None
) -> Iterator[Record | Reject]:
    """Parse `path` member by member, with the detected (or `only`) format."""
    offset, found = 0, False
    try:
        for label, head, fh in members(path):
            with fh:
                fmt = detect_in(formats, head)
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
