"""OpenAlex works: snapshot JSON Lines or API result pages → canonical tables.

Accepted inputs (detected from content, plain or gzip):

* snapshot parts (``updated_date=*/part_*.gz``): JSON Lines, one work per
  line, read as a stream; the record number is the 1-based line number;
* API result pages ``{"meta": …, "results": [...]}`` (as written by
  :func:`oncometrics.fetch.openalex.fetch_works`), a bare list of works, or a
  single work object; the record number is the 1-based index in ``results``.

Every work yields one :class:`Record` (rows for ``works``, ``authorships``,
``authorship_countries``, ``authorship_institutions``, ``affiliations``,
``work_subjects``, ``citations``, ``citation_counts``, ``grants`` and
``institutions``) or one :class:`Reject` naming what is wrong with it.  A
file that is not OpenAlex works raises :class:`SourceError`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from pathlib import Path
from typing import IO, Any

import orjson

from oncometrics.sources.base import (
    Limits,
    LongLine,
    Record,
    Reject,
    SourceError,
    TruncatedInput,
    clip,
    first_bytes,
    input_limits,
    open_input,
)
from oncometrics.sources.openalex_work import BadWork, Context, kind, work_record

#: OpenAlex id letters of entities that are not works (for a clear error).
OTHER_ENTITIES = {
    "A": "authors",
    "C": "concepts",
    "F": "funders",
    "I": "institutions",
    "P": "publishers",
    "S": "sources",
    "T": "topics",
}
_WS = b" \t\r\n"
_BOM = b"\xef\xbb\xbf"
_BLOCK = 1 << 20  # bytes per read of a JSON Lines stream
_RAW = 2100  # bytes of a bad line kept for the quarantine


def _affiliation_parser() -> Callable[[str], str | None] | None:
    """``countries.country_from_affiliation`` if it exists yet, else None."""
    try:
        from oncometrics.countries import country_from_affiliation
    except (ImportError, AttributeError):
        return None
    return country_from_affiliation  # type: ignore[no-any-return]


def sniff(head: bytes) -> bool:
    """True when the first (decompressed) bytes look like OpenAlex works."""
    text = head.lstrip(_BOM).lstrip(_WS)
    if text[:1] not in (b"{", b"["):
        return False
    return b"openalex.org/W" in text or (b'"results"' in text and b'"meta"' in text)


def parse(path: Path) -> Iterator[Record | Reject]:
    """Read the OpenAlex works in `path` (see the module docstring).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "w.jsonl"
    >>> _ = p.write_text('{"id": "https://openalex.org/W1", "publication_year": 2020}')
    >>> [r.named().rows["works"][0]["work_id"] for r in parse(p)]
    ['W1']
    """
    path = Path(path)
    head = first_bytes(path, 4096).lstrip(_BOM).lstrip(_WS)
    if head and head[:1] not in (b"{", b"["):  # e.g. a zip: say so without reading it
        raise SourceError(path, f"not OpenAlex JSON: {_describe(head)}")
    ctx = Context(str(path), _affiliation_parser())
    with open_input(path) as fh:
        yield from _read(fh, path, ctx)


# ---------------------------------------------------------------- file shapes
def _read(fh: IO[bytes], path: Path, ctx: Context) -> Iterator[Record | Reject]:
    """Detect the shape from the first lines and dispatch.

    A first line that is a work starts JSON Lines.  A first line that is a
    whole JSON value (a page, a list) is a one-line document.  Otherwise the
    lines are buffered (up to ``max_record_bytes``): a document when they
    parse as one, else JSON Lines when any line is a work (the broken lines
    before it are rejected one by one), else the file is not valid JSON.
    """
    limits = input_limits()
    try:
        lines = _numbered(fh, 0, limits.record_bytes)
        no, first = _first_line(lines, path)
        obj = _try_loads(first)
        if type(obj) is dict and not _is_page(obj):
            yield from _jsonl(chain([(no, first)], lines), path, ctx, True)
            return
        if obj is not None:  # a page, list or value on one line
            _expect_end(lines, path, no)
            yield from _document(obj, path, ctx)
            return
        buffered, doc = _buffer(chain([(no, first)], lines), limits)
    except TruncatedInput as exc:
        raise SourceError(path, str(exc)) from None
    if doc is not None:
        yield from _document(doc, path, ctx)
    elif any(_is_work_line(line) for _, line in buffered):
        yield from _jsonl(chain(buffered, lines), path, ctx, True)
    elif len(buffered) and buffered[-1][0] < 0:
        raise SourceError(
            path,
            f"a JSON document longer than max_record_bytes "
            f"({limits.record_bytes:,} bytes)",
        )
    else:
        raise SourceError(path, f"invalid JSON document ({_doc_error(buffered)})")


def _buffer(
    lines: Iterator[tuple[int, bytes | LongLine]], limits: Limits
) -> tuple[list[tuple[int, bytes | LongLine]], Any]:
    """Lines read up to the record limit, and the document they make (or None).

    When the limit is reached first, the last item has a negative number.
    """
    buffered: list[tuple[int, bytes | LongLine]] = []
    held = 0
    for item in lines:
        buffered.append(item)
        line = item[1]
        held += line.size if isinstance(line, LongLine) else len(line) + 1
        if held > limits.record_bytes:
            if not any(_is_work_line(ln) for _, ln in buffered):
                buffered.append((-1, b""))
            return buffered, None
    if any(isinstance(line, LongLine) for _, line in buffered):
        return buffered, None
    return buffered, _try_loads(b"\n".join(_bytes(ln) for _, ln in buffered))


def _bytes(line: bytes | LongLine) -> bytes:
    return line.head if isinstance(line, LongLine) else line


def _is_work_line(line: bytes | LongLine) -> bool:
    if isinstance(line, LongLine):
        return False
    obj = _try_loads(line)
    return type(obj) is dict and not _is_page(obj)


def _doc_error(buffered: list[tuple[int, bytes | LongLine]]) -> str:
    data = b"\n".join(ln for _, ln in buffered if isinstance(ln, bytes))
    try:
        orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        return _msg(exc)
    return "not JSON"


def _first_line(
    lines: Iterator[tuple[int, bytes | LongLine]], path: Path
) -> tuple[int, bytes]:
    """The first non-blank line and its number; SourceError if not JSON."""
    for no, line in lines:
        if isinstance(line, LongLine):
            if line.head.lstrip(_BOM).lstrip(_WS)[:1] in (b"{", b"["):
                raise SourceError(
                    path, f"line {no}: {input_limits().too_long(line.size)}"
                )
            raise SourceError(path, f"not OpenAlex JSON: {_describe(line.head)}")
        text = line.lstrip(_BOM).lstrip(_WS) if no == 1 else line.lstrip(_WS)
        if not text:
            continue
        if text[:1] not in (b"{", b"["):
            raise SourceError(path, f"not OpenAlex JSON: {_describe(text)}")
        return no, line.lstrip(_BOM)
    raise SourceError(path, "empty file")


def _describe(text: bytes) -> str:
    """What a non-JSON file seems to be, for the error message."""
    if text.startswith(b"PK\x03\x04"):
        return "it is a zip archive (unzip it first)"
    if b"\x00" in text[:512]:
        return "it is binary data"
    if text.startswith(b"<"):
        return "it looks like XML/HTML (starts with " + _quote(text) + ")"
    return "it starts with " + _quote(text)


def _quote(text: bytes) -> str:
    first = text.split(b"\n", 1)[0][:40].decode("utf-8", "replace").strip()
    return repr(first)


def _numbered(
    fh: IO[bytes], after: int, limit: int
) -> Iterator[tuple[int, bytes | LongLine]]:
    """The lines of `fh` numbered from `after` + 1, none longer than `limit`.

    Read in blocks of `_BLOCK` bytes with ``read1`` (so the lines before a
    damaged gzip member are all yielded before :class:`TruncatedInput`) and
    split in C; lines come without their end, which may be ``\\n``,
    ``\\r\\n`` or a lone ``\\r``.  A line longer than `limit` is read through
    without being kept and comes as a :class:`LongLine`.
    """
    no, read1 = after, fh.read1  # type: ignore[attr-defined]
    pending: list[bytes] = []
    held, head, cr = 0, b"", False  # head: start of a line beyond the limit
    while block := read1(_BLOCK):
        if cr:
            block, cr = b"\r" + block, False
        if b"\r" in block:
            if block.endswith(b"\r"):
                block, cr = block[:-1], True
            block = block.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        lines: list[Any] = block.split(b"\n")
        last = lines.pop()
        if len(lines):
            held += len(lines[0])
            if head:
                lines[0] = LongLine(held, head)
            elif pending:
                lines[0] = b"".join([*pending, lines[0]])
            if held > limit and not head:
                lines[0] = LongLine(held, lines[0][:_RAW])
            if limit < _BLOCK and max(map(len, lines[1:]), default=0) > limit:
                lines = [_cap(ln, limit) for ln in lines]
            pending, held, head = [], 0, b""
            yield from enumerate(lines, no + 1)
            no += len(lines)
        held += len(last)
        if head or held > limit:
            head = head or b"".join([*pending, last])[:_RAW]
            pending = []
        else:
            pending.append(last)
    if head:
        yield no + 1, LongLine(held, head)
    elif tail := b"".join(pending):
        yield no + 1, tail


def _cap(line: bytes | LongLine, limit: int) -> bytes | LongLine:
    if type(line) is bytes and len(line) > limit:
        return LongLine(len(line), line[:_RAW])
    return line


def _try_loads(line: bytes) -> Any:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return None


def _is_page(obj: dict[str, Any]) -> bool:
    return "results" in obj or ("meta" in obj and "id" not in obj)


def _expect_end(
    lines: Iterator[tuple[int, bytes | LongLine]], path: Path, no: int
) -> None:
    for _, line in lines:
        if isinstance(line, LongLine) or line.strip(_WS):
            raise SourceError(
                path, f"unexpected content after the JSON document on line {no}"
            )


def _msg(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _check_first(obj: dict[str, Any], path: Path) -> bool:
    """SourceError when the first record is plainly not an OpenAlex work.

    Returns False when `obj` tells nothing (an empty object): check the next.
    """
    if not obj:
        return False
    wid = obj.get("id")
    if type(wid) is str:
        letter = wid.rpartition("/")[2][:1]
        if letter in OTHER_ENTITIES and "openalex.org" in wid:
            what = OTHER_ENTITIES[letter]
            raise SourceError(path, f"OpenAlex {what}, not works (first id {wid})")
        return True
    if not any(k in obj for k in ("authorships", "publication_year", "doi", "title")):
        if "entries" in obj:
            raise SourceError(
                path,
                "an OpenAlex snapshot manifest, not works: "
                "ingest the updated_date=* folders instead",
            )
        keys = ", ".join(list(obj)[:5])
        raise SourceError(path, f"not OpenAlex works: no 'id' (keys: {keys})")
    return True


def _jsonl(
    lines: Iterable[tuple[int, bytes | LongLine]], path: Path, ctx: Context, check: bool
) -> Iterator[Record | Reject]:
    """One work per line; the record number is the line number."""
    loads, decode_error, work = orjson.loads, orjson.JSONDecodeError, _work
    too_long = input_limits().too_long
    no = 0
    try:
        for no, line in lines:
            try:
                obj = loads(line)  # type: ignore[arg-type] # a LongLine fails here
            except decode_error:
                if isinstance(line, LongLine):
                    yield Reject(no, too_long(line.size), clip(line.head))
                elif line.strip(_WS):
                    yield _broken_line(no, line)
                continue
            assert type(line) is bytes
            if type(obj) is not dict:
                reason = f"line is {kind(obj)}, not a JSON object"
                yield Reject(no, reason, clip(line[:_RAW].rstrip(b"\r\n")))
                continue
            if check:
                check = not _check_first(obj, path)
            yield work(obj, no, ctx, line)
    except TruncatedInput as exc:
        yield Reject(no + 1, f"{exc}; reading stopped after line {no}")


def _work(
    obj: dict[str, Any], no: int, ctx: Context, line: bytes | None
) -> Record | Reject:
    """The work's record, or its reject showing `line` (None: the work as JSON)."""
    try:
        return work_record(obj, no, ctx)
    except BadWork as exc:
        raw = orjson.dumps(obj) if line is None else line  # compact: no newline
        return Reject(no, str(exc), clip(raw[:_RAW].rstrip(b"\r\n")))


def _broken_line(no: int, line: bytes) -> Reject:
    """The reject for a line that is not JSON (message without the newline)."""
    line = line.rstrip(b"\r\n")
    try:
        orjson.loads(line)
        reason = "invalid JSON"
    except orjson.JSONDecodeError as exc:
        reason = f"invalid JSON ({_msg(exc)})"
    return Reject(no, reason, clip(line[:_RAW]))


def _document(doc: Any, path: Path, ctx: Context) -> Iterator[Record | Reject]:
    """An API page, a list of works or a single work."""
    if type(doc) is dict and _is_page(doc):
        results = doc.get("results")
        if type(results) is not list:
            what = (
                "no 'results'" if results is None else f"'results' is {kind(results)}"
            )
            raise SourceError(path, f"not an OpenAlex result page: {what}")
    elif type(doc) is dict:
        results = [doc]
    elif type(doc) is list:
        results = doc
    else:
        raise SourceError(path, f"not OpenAlex JSON: the document is {kind(doc)}")
    check = True
    for i, obj in enumerate(results, 1):
        if type(obj) is not dict:
            yield Reject(
                i, f"result {i} is {kind(obj)}, not an object", clip(repr(obj))
            )
            continue
        if check:
            check = not _check_first(obj, path)
        yield _work(obj, i, ctx, None)
