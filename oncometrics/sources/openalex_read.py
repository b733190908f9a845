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
included: a false alarm only costs time), invalid UTF-8 (pyarrow checks
only the fields it keeps), a line longer than ``max_record_bytes``, more
bytes than the decompression-bomb ratio allows; at the end, as many rows as
lines (two objects on one line).  A damaged or truncated gzip stream fails in pyarrow.
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
CHUNK_ROWS = 25_000
#: Decompressed bytes read, checked and parsed at a time (bounds memory).
BLOCK_BYTES = 16 << 20
_PARSE = pj.ParseOptions(explicit_schema=ARROW_WORK, unexpected_field_behavior="ignore")
_BLANK = b" \t\n"
_ENDS = b",}]"
_STARTS = b":,["


class NotPlain(Exception):
    """The file is not plain JSON Lines of typed works: use the Python parser."""


def chunks(
    path: Path, rows: int | None = None, block: int | None = None
) -> Iterator[pa.Table]:
    """The works of `path` in order, typed, by tables of about `rows` works
    (default :data:`CHUNK_ROWS`).

    Each table has the :data:`ARROW_WORK` columns and ``record_no`` (1-based,
    counted over the whole file).  The decompressed bytes are read `block`
    bytes at a time (default :data:`BLOCK_BYTES`), checked, and their whole lines parsed (without a copy).
    Raises :class:`NotPlain` (possibly after some tables were yielded) when
    the file is not plain.
    """
    rows, block = rows or CHUNK_ROWS, block or BLOCK_BYTES
    limits = input_limits()
    budget = limits.ratio * max(path.stat().st_size, RATIO_FLOOR) / 2
    with open(path, "rb") as fh:
        gz = fh.read(2) == GZIP_MAGIC
    checked = _Checked(min(limits.record_bytes, 1 << 30), budget)
    tables: list[pa.Table] = []
    done = 0
    try:
        with pa.input_stream(str(path), compression="gzip" if gz else None) as src:
            while True:
                piece = src.read(min(block, checked.limit))
                tables.extend(_parse(buf) for buf in checked.feed(piece))
                if tables and (not piece or sum(t.num_rows for t in tables) >= rows):
                    table = _numbered(tables, done)
                    done += table.num_rows
                    tables = []
                    yield table
                if not piece:
                    break
    except (pa.ArrowException, OSError) as exc:
        raise NotPlain(str(exc).splitlines()[0] if str(exc) else "unreadable") from exc
    if done != checked.lines or not done:
        raise NotPlain(f"{done:,} works on {checked.lines:,} lines")


def _parse(buf: pa.Buffer) -> pa.Table:
    """The works of whole lines `buf`, one pyarrow block."""
    options = pj.ReadOptions(use_threads=False, block_size=max(buf.size, 1))
    return pj.read_json(
        pa.BufferReader(buf), read_options=options, parse_options=_PARSE
    )


def _numbered(tables: list[pa.Table], before: int) -> pa.Table:
    table = pa.concat_tables(tables)
    no = np.arange(before + 1, before + table.num_rows + 1, dtype=np.int64)
    return table.append_column("record_no", pa.array(no))


class _Checked:
    """Checks the decompressed bytes, piece by piece, and cuts them in lines.

    `lines` counts the lines, each a ``{…}`` object candidate.
    """

    def __init__(self, limit: int, budget: float) -> None:
        self.limit, self.budget = limit, budget
        self.lines = 0
        self.size = 0
        self.tail = b""  # the unfinished line: the bytes after the last newline

    def feed(self, p: bytes) -> list[pa.Buffer]:
        """The whole lines completed by piece `p` (b"": the end of the file),
        as buffers; raises :class:`NotPlain`."""
        if not p:
            rest, self.tail = self.tail, b""
            return [self._line(rest)] if rest or not self.lines else []
        self.size += len(p)
        if self.size > self.budget:
            raise NotPlain("near the decompression-bomb ratio")
        if b"\r" in p or _non_finite(p):
            raise NotPlain("a carriage return, NaN or Infinity")
        first = p.find(b"\n")
        if first < 0:  # inside a line longer than the piece
            self.tail += p
            if len(self.tail) > self.limit:
                raise NotPlain("a line longer than max_record_bytes")
            return []
        out = [self._line(self.tail + p[: first + 1])]
        last = p.rfind(b"\n")
        self.tail = p[last + 1 :]
        n = p.count(b"\n", first + 1, last + 1)
        if n:
            # lines p[first+1 : last+1]: each starts with '{' and ends with '}'
            joins = p.count(b"}\n{", first + 1, last + 1)
            edges = p[first + 1 : first + 2] == b"{" and p[last - 1 : last] == b"}"
            if joins != n - 1 or not edges or not _utf8(p, first + 1, last + 1):
                raise NotPlain("a line that is not one plain object")
            self.lines += n
            out.append(pa.py_buffer(p).slice(first + 1, last - first))
        return out

    def _line(self, line: bytes) -> pa.Buffer:
        """One whole line (with its newline, but the last one)."""
        text = line[:-1] if line.endswith(b"\n") else line
        self.lines += 1
        if len(text) > self.limit:
            raise NotPlain("a line longer than max_record_bytes")
        if not (text.startswith(b"{") and text.endswith(b"}")):
            raise NotPlain("a line that is not one plain object")
        if b"\r" in text or _non_finite(text) or not _utf8(text, 0, len(text)):
            raise NotPlain("a carriage return, NaN, Infinity or invalid UTF-8")
        return pa.py_buffer(line)


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
