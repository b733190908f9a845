"""Patent files: plain, gzip or zip, read member by member (a leaf module).

Shared by the patent format readers and the format-detecting dispatcher
(:mod:`oncometrics.sources.patents`): :func:`parse_members` parses each
member of a file with the first of the given formats that recognises it;
:class:`CsvDicts` reads the rows of the CSV formats.
"""

from __future__ import annotations

import contextlib
import csv
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO

from oncometrics.sources.base import (
    Record,
    Reject,
    SourceError,
    TruncatedInput,
    csv_error,
    csv_limits,
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


class CsvStop(Exception):
    """A CSV error that ends reading: found at `line`, for `reason`."""

    def __init__(self, line: int, reason: str):
        super().__init__(reason)
        self.line = line
        self.reason = reason


class CsvDicts:
    """The rows of a CSV text as dicts, under the input limits.

    A :class:`csv.DictReader` whose errors (a cell longer than
    ``max_record_bytes``, bad syntax) raise :class:`CsvStop` with the reason
    :func:`~oncometrics.sources.base.csv_error` gives.
    """

    def __init__(self, text: Iterable[str]):
        self._limits = csv_limits()
        self._reader = csv.DictReader(text)

    @property
    def line_num(self) -> int:
        """The number of lines read so far."""
        return self._reader.line_num

    def header(self) -> Sequence[str]:
        """The column names (none for an empty text)."""
        with self._stops():
            return self._reader.fieldnames or ()

    def __iter__(self) -> Iterator[dict[str, str]]:
        with self._stops():
            yield from self._reader

    @contextlib.contextmanager
    def _stops(self) -> Iterator[None]:
        try:
            yield
        except csv.Error as exc:
            reason = csv_error(exc, self._limits)
            raise CsvStop(self._reader.line_num, reason) from exc
