"""What every source parser yields, and the helpers they share.

A parser is a pure generator ``parse(path) -> Iterator[Record | Reject]``: it
reads one input file and yields, for each record in it, either a
:class:`Record` (rows for the canonical tables of :mod:`oncometrics.schema`,
exactly one of them in the entity's main table) or a :class:`Reject` (the
record number, a one-line reason and the raw text, for the quarantine).  A
problem that stops the whole file (wrong format, unreadable) raises
:class:`SourceError`; records yielded before it are kept.  Parsers never
write anything: :class:`oncometrics.store.Store` does.
"""

from __future__ import annotations

import functools
import gzip
import io
import os
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from oncometrics.errors import OncometricsError

Row = dict[str, Any]


@dataclass(slots=True)
class Record:
    """One parsed record: rows by canonical table name.

    A row is a dict by column name (missing columns are null) or, on hot
    paths, a tuple with one value per column of the table in schema order
    (``oncometrics.schema.TABLES[table].names``); :meth:`named` gives dicts.
    """

    record_no: int
    rows: dict[str, list[Row]] = field(default_factory=dict)

    def add(self, table: str, row: Row) -> None:
        """Append `row` to `table`."""
        self.rows.setdefault(table, []).append(row)

    def named(self) -> Record:
        """The same record with every row as a dict by column name."""
        from oncometrics.schema import TABLES

        return self.named_as({t: TABLES[t].names for t in self.rows})

    def named_as(self, columns: Mapping[str, Sequence[str]]) -> Record:
        """The same record with tuple rows named by `columns` of their table."""
        return Record(
            self.record_no,
            {
                t: [
                    r if type(r) is dict else dict(zip(columns[t], r, strict=True))
                    for r in rows
                ]
                for t, rows in self.rows.items()
            },
        )


@dataclass(slots=True)
class Reject:
    """One record that could not be read: where, why, and what it said."""

    record_no: int
    reason: str
    raw: str | None = None


class SourceError(OncometricsError):
    """A problem that stops reading a whole file (the message names it)."""

    def __init__(self, path: Path | str, message: str, record_no: int | None = None):
        where = f"{path}" if record_no is None else f"{path}: record {record_no}"
        super().__init__(f"{where}: {message}")
        self.path = str(path)
        self.record_no = record_no
        self.message = message


Parser = Callable[[Path], Iterator[Record | Reject]]

#: Called with the number of compressed bytes read so far (for progress bars).
_progress: ContextVar[Callable[[int], None] | None] = ContextVar(
    "_progress", default=None
)


class _Wrapper(io.IOBase):
    """What the reader wrappers below share: they read `inner`, and close it."""

    def __init__(self, inner: Any):
        self._inner = inner

    def readable(self) -> bool:
        return True

    def close(self) -> None:
        self._inner.close()
        super().close()


class _CountingReader(_Wrapper, io.RawIOBase):
    """A raw file wrapper that reports how many bytes were read."""

    def __init__(self, raw: IO[bytes], report: Callable[[int], None] | None):
        super().__init__(raw)
        self._report = report
        self._pos = 0

    def readinto(self, b: Any) -> int:
        n = self._inner.readinto(b)
        if n:
            self._pos += n
            if self._report is not None:
                self._report(self._pos)
        return n or 0


GZIP_MAGIC = b"\x1f\x8b"

#: Compressed bytes below which the decompression ratio is not judged (a
#: tiny file of repeated text may legitimately exceed it).
RATIO_FLOOR = 64 * 1024


@dataclass(frozen=True, slots=True)
class Limits:
    """Input limits (settings ``max_record_bytes``, ``max_decompression_ratio``)."""

    record_bytes: int
    ratio: float

    def bomb(self, out: int, into: int) -> str | None:
        """Why `out` decompressed bytes from `into` compressed are too many."""
        if out <= self.ratio * max(into, RATIO_FLOOR):
            return None
        return (
            f"decompresses to more than {self.ratio:g} times its compressed size "
            f"(max_decompression_ratio): a decompression bomb?"
        )

    def too_long(self, size: int) -> str:
        """The reject reason of a record of `size` bytes."""
        return (
            f"record of {size:,} bytes is longer than max_record_bytes "
            f"({self.record_bytes:,})"
        )


def input_limits() -> Limits:
    """The input limits in force (environment ``ONCOMETRICS_…`` or defaults)."""
    return _limits(
        os.environ.get("ONCOMETRICS_MAX_RECORD_BYTES"),
        os.environ.get("ONCOMETRICS_MAX_DECOMPRESSION_RATIO"),
    )


@functools.lru_cache(maxsize=8)
def _limits(record: str | None, ratio: str | None) -> Limits:
    from oncometrics.config import SETTINGS

    defaults = {s.name: s.default for s in SETTINGS}
    try:
        size = int(record) if record else int(defaults["max_record_bytes"])
        factor = float(ratio) if ratio else float(defaults["max_decompression_ratio"])
    except ValueError:
        raise ValueError(
            f"bad ONCOMETRICS_MAX_RECORD_BYTES {record!r} or "
            f"ONCOMETRICS_MAX_DECOMPRESSION_RATIO {ratio!r}: expected numbers"
        ) from None
    return Limits(max(size, 1), max(factor, 1.0))


def csv_limits() -> Limits:
    """The input limits, with the csv module's cell limit set to the record size."""
    import csv

    limits = input_limits()
    csv.field_size_limit(limits.record_bytes)
    return limits


def csv_error(exc: Exception, limits: Limits) -> str:
    """A csv module error as a reject reason (a cell too long names the setting)."""
    if "field larger than field limit" in str(exc):
        return f"a cell is longer than max_record_bytes ({limits.record_bytes:,})"
    return f"CSV syntax error: {exc}"


def open_input(path: Path) -> IO[bytes]:
    """Open `path` for binary reading, transparently un-gzipping it.

    Compression is detected from the first bytes, not the name.  Reading a
    truncated gzip, or one that decompresses beyond ``max_decompression_ratio``
    times what was read of it, raises :class:`TruncatedInput` there.  Only
    regular files are opened (not a device or a FIFO, which could hang).
    """
    if not stat.S_ISREG(os.stat(path).st_mode):  # before open: a FIFO blocks
        raise SourceError(path, "not a regular file (a device, FIFO or socket)")
    raw = open(path, "rb")  # noqa: SIM115 - the caller closes it
    head = raw.peek(2)[:2] if hasattr(raw, "peek") else b""
    source = _CountingReader(raw, _progress.get())
    counted = io.BufferedReader(source, 1 << 20)
    if head == GZIP_MAGIC:
        gz = gzip.GzipFile(fileobj=counted, mode="rb")
        return _SafeGzip(gz, path, source, input_limits())  # type: ignore[return-value]
    return counted


_PIECE = 1 << 20


class TruncatedInput(Exception):
    """The compressed stream ended early or is corrupt."""


class _SafeGzip(_Wrapper, io.BufferedIOBase):
    """A gzip reader whose damage errors become :class:`TruncatedInput`.

    It also counts what it gives out against what it read (`source`): beyond
    the decompression ratio of `limits` it raises :class:`TruncatedInput`.
    Reads are done in pieces of at most 1 MiB so that a bomb is caught
    before it fills the memory.
    """

    def __init__(
        self, gz: gzip.GzipFile, path: Path, source: _CountingReader, limits: Limits
    ):
        super().__init__(gz)
        self._path = path
        self._source = source
        self._limits = limits
        self._out = 0

    def _counted(self, data: bytes) -> bytes:
        self._out += len(data)
        if (why := self._limits.bomb(self._out, self._source._pos)) is not None:
            raise TruncatedInput(why)
        return data

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            parts = []
            while block := self.read1(_PIECE):
                parts.append(block)
            return b"".join(parts)
        parts, left = [], size
        while left > 0 and (block := self.read1(min(left, _PIECE))):
            parts.append(block)
            left -= len(block)
        return b"".join(parts)

    def read1(self, size: int = -1) -> bytes:
        size = _PIECE if size is None or size < 0 else min(size, _PIECE)
        try:
            return self._counted(self._inner.read1(size))
        except (EOFError, zlib.error, gzip.BadGzipFile, OSError) as exc:
            raise TruncatedInput(f"damaged or truncated gzip ({exc})") from exc

    def readline(self, size: int | None = -1) -> bytes:
        try:
            return self._counted(self._inner.readline(size))
        except (EOFError, zlib.error, gzip.BadGzipFile, OSError) as exc:
            raise TruncatedInput(f"damaged or truncated gzip ({exc})") from exc

    def __iter__(self) -> Iterator[bytes]:  # type: ignore[override]
        while line := self.readline():
            yield line


@dataclass(frozen=True, slots=True)
class LongLine:
    """A line longer than ``max_record_bytes``: its size and its first bytes."""

    size: int
    head: bytes


def bounded_lines(
    fh: IO[bytes], limit: int | None = None
) -> Iterator[bytes | LongLine]:
    """The lines of `fh` (with their line end), none held beyond `limit` bytes.

    A longer line is read through in pieces and given as a :class:`LongLine`
    (so memory stays bounded whatever the input); `limit` defaults to the
    ``max_record_bytes`` setting.
    """
    cap = (input_limits().record_bytes if limit is None else limit) + 1
    readline = fh.readline
    while line := readline(cap):
        if len(line) < cap or line.endswith(b"\n"):
            yield line
            continue
        size, head = len(line), line[:2000]
        while (more := readline(_PIECE)) and not more.endswith(b"\n"):
            size += len(more)
        yield LongLine(size + len(more), head)


#: What a damaged file makes a reader raise (compressed streams, zip members,
#: undecodable bytes, an unreadable disk), whichever parser is reading it.
DAMAGE_ERRORS: tuple[type[BaseException], ...] = (
    TruncatedInput,
    zlib.error,
    zipfile.BadZipFile,
    EOFError,
    UnicodeDecodeError,
    OSError,
)


def guarded(items: Iterator[Record | Reject], path: Path) -> Iterator[Record | Reject]:
    """A parser's `items`, kept to the contract whatever the parser does.

    A damaged-input error of any reader (:data:`DAMAGE_ERRORS`, e.g. a zlib
    error inside a zip member) becomes a :class:`SourceError` naming `path`,
    and reject reasons and error messages are made one line (XML libraries
    put newlines in theirs).  Whether every value fits its column (a year
    outside the plausible window, a count beyond int64, a number where text
    is expected) is checked where the rows are staged, a batch at a time
    (:mod:`oncometrics.store_fit`, with
    :func:`oncometrics.sources.checks.check_record`).
    """
    try:
        for item in items:
            if isinstance(item, Reject) and "\n" in item.reason:
                item.reason = " ".join(item.reason.split())
            yield item
    except SourceError as exc:
        if "\n" not in str(exc):
            raise
        raise SourceError(
            exc.path, " ".join(exc.message.split()), exc.record_no
        ) from None
    except DAMAGE_ERRORS as exc:
        what = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        msg = " ".join(str(what).split()) or type(exc).__name__
        raise SourceError(path, f"damaged or unreadable input ({msg})") from None


def first_bytes(path: Path, n: int = 4096) -> bytes:
    """The first `n` decompressed bytes of `path` (for format sniffing)."""
    with open_input(path) as fh:
        try:
            return fh.read(n)
        except TruncatedInput:
            return b""


def clip(text: str | bytes | None, limit: int = 2000) -> str | None:
    """`text` as str, cut to `limit` characters for the quarantine."""
    if text is None:
        return None
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return text if len(text) <= limit else text[:limit] + "…"


def norm_doi(doi: str | None) -> str | None:
    """Lower-case DOI without resolver prefix, or None."""
    if not doi:
        return None
    d = doi.strip().lower()
    for prefix in (
        "https://doi.org/",
        "http://doi.org/",
        "http://dx.doi.org/",
        "https://dx.doi.org/",
        "doi:",
    ):
        if d.startswith(prefix):
            d = d[len(prefix) :]
    return d or None


def norm_award_id(award: str | None) -> str | None:
    """Award id in upper case with spaces and punctuation removed."""
    if not award:
        return None
    out = "".join(ch for ch in award.upper() if ch.isalnum())
    return out or None


def work_id_for(
    openalex_id: str | None,
    doi: str | None,
    pmid: str | None,
    source: str,
    source_id: str | None = None,
) -> str:
    """The canonical work id: W…, else doi:…, else pmid:…, else source:id."""
    if openalex_id:
        return openalex_id
    if doi:
        return f"doi:{doi}"
    if pmid:
        return f"pmid:{pmid}"
    return f"{source}:{source_id}"


def richness(row: Row, children: int = 0) -> int:
    """How many non-empty facts a record has (main-row fields + child rows)."""
    return sum(v not in (None, "", [], {}) for v in row.values()) + children
