"""Read an OpenAlex JSON Lines file strictly with pyarrow (the bulk ingest).

pyarrow's JSON reader with an explicit schema (:data:`ARROW_WORK`, the typed
:data:`~oncometrics.sources.openalex_flat.RAW_WORK`) fails where the Python
parser's types fail: a JSON number where text is expected, text where a
number or a boolean is, ``2020.0``, ``1e3`` or a number too large for an
integer, an object or a list where the other is expected, a key given twice,
and invalid JSON (trailing commas, bad escapes, lone surrogates, control
characters in strings).  What it takes and the Python parser (orjson) does
not, or reads otherwise, is looked for in the bytes as they pass
(:class:`_Checked`): a line that does not start with ``{`` and end with ``}``
(a blank line, leading or trailing blanks, one object over two lines), a
carriage return, ``NaN``, ``Inf`` or ``Infinity`` where a value may stand
(after ``:``, ``,`` or ``[`` and before ``,``, ``}`` or ``]``, strings
included: a false alarm only costs time), invalid UTF-8 (pyarrow checks only the fields it
keeps), a line longer than ``max_record_bytes``, more bytes than the
decompression-bomb ratio allows; at the end, as many rows as lines (two
objects on one line).  A damaged or truncated gzip stream fails in pyarrow.
Any of it raises :class:`NotPlain`: the caller gives the whole file to the
Python parser.

Not checked (as with DuckDB's reader before): nesting deeper than orjson's
1,024 levels inside a field the bulk path does not read.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import ibis
import numpy as np
import pyarrow as pa
import pyarrow.json as pj

from oncometrics.sources.base import GZIP_MAGIC, RATIO_FLOOR, input_limits
from oncometrics.sources.openalex_flat import RAW_WORK

#: The Arrow schema of a raw work as read (fields not in it are skipped).
ARROW_WORK = ibis.schema(RAW_WORK).to_pyarrow()
#: Works per table :func:`chunks` yields (bounds the memory of one staging).
CHUNK_ROWS = 50_000
#: Bytes pyarrow parses at a time: a record longer than this may not be read
#: (the file then goes to the Python parser).
BLOCK_BYTES = 64 << 20
_PARSE = pj.ParseOptions(explicit_schema=ARROW_WORK, unexpected_field_behavior="ignore")
_BLANK = b" \t\n"
_ENDS = b",}]"
_STARTS = b":,["


class NotPlain(Exception):
    """The file is not plain JSON Lines of typed works: use the Python parser."""


def chunks(
    path: Path, rows: int = CHUNK_ROWS, block: int = BLOCK_BYTES
) -> Iterator[pa.Table]:
    """The works of `path` in order, typed, by tables of about `rows` works.

    Each table has the :data:`ARROW_WORK` columns and ``record_no`` (1-based,
    counted over the whole file); pyarrow parses `block` bytes at a time.  Raises :class:`NotPlain` (possibly after
    some tables were yielded) when the file is not plain.
    """
    limits = input_limits()
    budget = limits.ratio * max(path.stat().st_size, RATIO_FLOOR) / 2
    with open(path, "rb") as fh:
        gz = fh.read(2) == GZIP_MAGIC
    src = pa.input_stream(str(path), compression="gzip" if gz else None)
    checked = _Checked(src, min(limits.record_bytes, 1 << 30), budget)
    options = pj.ReadOptions(use_threads=False, block_size=block)
    done = 0
    try:
        with src:
            reader = pj.open_json(
                pa.PythonFile(checked, mode="r"),
                read_options=options,
                parse_options=_PARSE,
            )
            batches: list[pa.RecordBatch] = []
            for batch in reader:
                _fail_if(checked)
                batches.append(batch)
                if sum(b.num_rows for b in batches) >= rows:
                    table = _numbered(batches, done)
                    done += table.num_rows
                    batches = []
                    yield table
            _fail_if(checked)
            if batches:
                table = _numbered(batches, done)
                done += table.num_rows
                yield table
    except (pa.ArrowException, OSError) as exc:
        raise NotPlain(str(exc).splitlines()[0] if str(exc) else "unreadable") from exc
    if done != checked.lines or not done:
        raise NotPlain(f"{done:,} works on {checked.lines:,} lines")


def _fail_if(checked: _Checked) -> None:
    if checked.failed:
        raise NotPlain(checked.failed)


def _numbered(batches: list[pa.RecordBatch], before: int) -> pa.Table:
    table = pa.Table.from_batches(batches, schema=ARROW_WORK)
    no = np.arange(before + 1, before + table.num_rows + 1, dtype=np.int64)
    return table.append_column("record_no", pa.array(no))


class _Checked:
    """A file object giving pyarrow the decompressed bytes, checking them.

    `failed` says why the file is not plain (then reading stops: EOF);
    `lines` counts the lines, each a ``{…}`` object candidate.
    """

    def __init__(self, src: pa.NativeFile, limit: int, budget: float) -> None:
        self.src, self.limit, self.budget = src, limit, budget
        self.closed = False
        self.lines = 0
        self.size = 0
        self.tail = b""  # the unfinished line: the bytes after the last newline
        self.failed: str | None = None

    def read(self, n: int = -1) -> bytes:
        if self.failed:
            return b""
        piece = self.src.read(self.limit if n < 0 else min(n, self.limit))
        if piece:
            self._piece(piece)
        elif self.tail or not self.lines:
            self._line(self.tail)  # the last line, without its newline
            self.tail = b""
        return b"" if self.failed else piece

    def _piece(self, p: bytes) -> None:
        self.size += len(p)
        if self.size > self.budget:
            self.failed = "near the decompression-bomb ratio"
        elif b"\r" in p or _non_finite(p):
            self.failed = "a carriage return, NaN or Infinity"
        first = p.find(b"\n")
        if self.failed:
            return
        if first < 0:  # inside a line longer than the piece
            self.tail += p
            if len(self.tail) > self.limit:
                self.failed = "a line longer than max_record_bytes"
            return
        self._line(self.tail + p[: first + 1])
        last = p.rfind(b"\n")
        self.tail = p[last + 1 :]
        n = p.count(b"\n", first + 1, last + 1)
        if not n:
            return
        # lines p[first+1 : last+1]: each starts with '{' and ends with '}'
        joins = p.count(b"}\n{", first + 1, last + 1)
        edges = p[first + 1 : first + 2] == b"{" and p[last - 1 : last] == b"}"
        if joins != n - 1 or not edges or not _utf8(p, first + 1, last + 1):
            self.failed = "a line that is not one plain object"
        self.lines += n

    def _line(self, line: bytes) -> None:
        """One whole line (with its newline, but the last one)."""
        text = line[:-1] if line.endswith(b"\n") else line
        self.lines += 1
        if len(text) > self.limit:
            self.failed = "a line longer than max_record_bytes"
        elif not (text.startswith(b"{") and text.endswith(b"}")):
            self.failed = "a line that is not one plain object"
        elif b"\r" in text or _non_finite(text) or not _utf8(text, 0, len(text)):
            self.failed = "a carriage return, NaN, Infinity or invalid UTF-8"


def _non_finite(buf: bytes) -> bool:
    """Whether `buf` may hold ``NaN``, ``Inf`` or ``Infinity`` as a value
    (which pyarrow reads and orjson rejects); true when unsure (at an edge)."""
    for token in (b"NaN", b"Inf"):
        i = buf.find(token)
        while i >= 0:
            j = i - 2 if buf[i - 1 : i] == b"-" else i - 1
            while j >= 0 and buf[j] in _BLANK:
                j -= 1
            k = i + (8 if buf[i : i + 8] == b"Infinity" else 3)
            while k < len(buf) and buf[k] in _BLANK:
                k += 1
            if (j < 0 or buf[j] in _STARTS) and (k >= len(buf) or buf[k] in _ENDS):
                return True
            i = buf.find(token, i + 3)
    return False


def _utf8(buf: bytes, start: int, end: int) -> bool:
    """Whether ``buf[start:end]`` is valid UTF-8 (no copy)."""
    offsets = pa.py_buffer(np.array([start, end], dtype=np.int64))
    text = pa.Array.from_buffers(
        pa.large_string(), 1, [None, offsets, pa.py_buffer(buf)]
    )
    try:
        text.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True
