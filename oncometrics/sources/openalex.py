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
    Record,
    Reject,
    SourceError,
    TruncatedInput,
    clip,
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
_HEAD = 1 << 16
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
    ctx = Context(str(path), _affiliation_parser())
    with open_input(path) as fh:
        yield from _read(fh, path, ctx)


# ---------------------------------------------------------------- file shapes
def _read(fh: IO[bytes], path: Path, ctx: Context) -> Iterator[Record | Reject]:
    """Detect the shape from the first line and dispatch."""
    no, first = _first_line(fh, path)
    obj = _try_loads(first)
    if type(obj) is dict and not _is_page(obj):
        yield from _jsonl(chain([(no, first)], _numbered(fh, no)), path, ctx, True)
        return
    if obj is not None:  # a page, list or value on one line
        _expect_end(fh, path, no)
        yield from _document(obj, path, ctx)
        return
    # The first line is not JSON by itself: a pretty-printed document, or
    # JSON Lines whose first line is broken (then the next line parses).
    try:
        second = fh.readline()  # not _numbered: the rest may be read whole
        no2 = no + 1 if second else no
    except TruncatedInput as exc:
        raise SourceError(path, str(exc)) from None
    obj2 = _try_loads(second)
    if type(obj2) is dict and not _is_page(obj2):
        lines = chain([(no, first), (no2, second)], _numbered(fh, no2))
        yield from _jsonl(lines, path, ctx, True)
        return
    try:
        data = first + second + fh.read()
    except TruncatedInput as exc:
        raise SourceError(path, str(exc)) from None
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise SourceError(path, f"invalid JSON document ({_msg(exc)})") from None
    yield from _document(doc, path, ctx)


def _first_line(fh: IO[bytes], path: Path) -> tuple[int, bytes]:
    """The first non-blank line and its number; SourceError if not JSON."""
    no = 0
    try:
        while True:
            line = fh.readline(_HEAD)
            no += 1
            if not line:
                raise SourceError(path, "empty file")
            text = line.lstrip(_BOM).lstrip(_WS) if no == 1 else line.lstrip(_WS)
            if text:
                break
        if text[:1] not in (b"{", b"["):
            raise SourceError(path, f"not OpenAlex JSON: {_describe(text)}")
        if len(line) == _HEAD and not line.endswith(b"\n"):
            line += fh.readline()  # a long first line (a one-line page)
    except TruncatedInput as exc:
        raise SourceError(path, str(exc)) from None
    return no, line.lstrip(_BOM)


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


def _numbered(fh: IO[bytes], after: int) -> Iterator[tuple[int, bytes]]:
    """The remaining lines of `fh` with their 1-based numbers.

    Read in blocks of `_BLOCK` bytes with ``read1`` (so the lines before a
    damaged gzip member are all yielded before :class:`TruncatedInput`) and
    split in C; lines come without their ``\\n``.
    """
    no, pending, read1 = after, [], fh.read1  # type: ignore[attr-defined]
    while block := read1(_BLOCK):
        if b"\n" not in block:  # inside a long line: join once it ends
            pending.append(block)
            continue
        if pending:
            pending.append(block)
            block = b"".join(pending)
        lines = block.split(b"\n")
        pending = [lines.pop()]
        yield from enumerate(lines, no + 1)
        no += len(lines)
    tail = b"".join(pending)
    if tail:
        yield no + 1, tail


def _try_loads(line: bytes) -> Any:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return None


def _is_page(obj: dict[str, Any]) -> bool:
    return "results" in obj or ("meta" in obj and "id" not in obj)


def _expect_end(fh: IO[bytes], path: Path, no: int) -> None:
    try:
        rest = fh.read(_HEAD)
    except TruncatedInput as exc:
        raise SourceError(path, str(exc)) from None
    if rest.strip(_WS):
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
    lines: Iterable[tuple[int, bytes]], path: Path, ctx: Context, check: bool
) -> Iterator[Record | Reject]:
    """One work per line; the record number is the line number."""
    loads, decode_error, work = orjson.loads, orjson.JSONDecodeError, work_record
    no = 0
    try:
        for no, line in lines:
            try:
                obj = loads(line)
            except decode_error:
                if line.strip(_WS):
                    yield _broken_line(no, line)
                continue
            if type(obj) is not dict:
                yield Reject(
                    no,
                    f"line is {kind(obj)}, not a JSON object",
                    clip(line[:_RAW].rstrip(b"\r\n")),
                )
                continue
            if check:
                check = not _check_first(obj, path)
            try:
                yield work(obj, no, ctx)
            except BadWork as exc:
                yield Reject(no, str(exc), clip(line[:_RAW].rstrip(b"\r\n")))
    except TruncatedInput as exc:
        yield Reject(no + 1, f"{exc}; reading stopped after line {no}")


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
        try:
            yield work_record(obj, i, ctx)
        except BadWork as exc:
            yield Reject(i, str(exc), clip(orjson.dumps(obj)[:_RAW]))
