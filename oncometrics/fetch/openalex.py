"""Download OpenAlex works page by page, resumably.

:class:`WorksQuery` builds the query as data (each method returns a new
query, in the manner of pyalex); :func:`fetch_works` is the only function
that does I/O.  It follows ``meta.next_cursor``, writes every response body
unchanged as ``page-00001.json``, ``page-00002.json``… (the files
``oncometrics ingest openalex FOLDER`` reads) and records its progress in
``_state.json`` after each page, so an interrupted run resumes where it
stopped and a finished one does nothing (:mod:`oncometrics.fetch.pages`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Unpack

import orjson

from oncometrics.fetch import pages
from oncometrics.fetch.pages import FetchResult
from oncometrics.fetch.retry import HttpOptions, session
from oncometrics.sources.base import SourceError

BASE_URL = "https://api.openalex.org"
MAX_PER_PAGE = 200


# ---------------------------------------------------------------- the query
@dataclass(frozen=True)
class WorksQuery:
    """An OpenAlex ``/works`` query as plain data.

    Examples
    --------
    >>> q = WorksQuery().filter(publication_year=2020).filter(
    ...     primary_topic={"subfield": {"id": [2730, 1306]}})
    >>> q.params()["filter"]
    'publication_year:2020,primary_topic.subfield.id:2730|1306'
    >>> p = q.per_page(50).polite("me@example.org").params(cursor="abc")
    >>> p["per-page"], p["cursor"], p["mailto"]
    ('50', 'abc', 'me@example.org')
    """

    filters: tuple[str, ...] = ()
    search_text: str | None = None
    fields: tuple[str, ...] = ()
    sort_by: tuple[str, ...] = ()
    page_size: int = MAX_PER_PAGE
    email: str | None = None
    key: str | None = None

    def filter(self, raw: str | None = None, **fields: Any) -> WorksQuery:
        """Add filters: a raw ``"a:b,c:d"`` string and/or nested keywords."""
        extra = [raw] if raw else []
        return replace(self, filters=(*self.filters, *extra, *_flatten(fields)))

    def search(self, text: str) -> WorksQuery:
        """Full-text search (``search=``)."""
        return replace(self, search_text=text)

    def select(self, *fields: str) -> WorksQuery:
        """Only return these top-level fields (``select=``)."""
        return replace(self, fields=(*self.fields, *fields))

    def sort(self, **fields: str) -> WorksQuery:
        """Sort, e.g. ``sort(cited_by_count="desc")``."""
        keys = tuple(f"{k}:{v}" if v else k for k, v in fields.items())
        return replace(self, sort_by=(*self.sort_by, *keys))

    def per_page(self, n: int) -> WorksQuery:
        """Works per page, 1–200."""
        if not 1 <= n <= MAX_PER_PAGE:
            raise ValueError(f"per_page must be between 1 and {MAX_PER_PAGE}, not {n}")
        return replace(self, page_size=n)

    def polite(self, email: str | None) -> WorksQuery:
        """Identify yourself (``mailto=``, OpenAlex's polite pool)."""
        return replace(self, email=email)

    def api_key(self, key: str | None) -> WorksQuery:
        """Authenticate with an OpenAlex API key (``api_key=``)."""
        return replace(self, key=key)

    def params(
        self, cursor: str | None = "*", per_page: int | None = None
    ) -> dict[str, str]:
        """The query string for one page (``cursor="*"`` starts paging)."""
        out = {"per-page": str(per_page or self.page_size)}
        optional = {
            "filter": ",".join(self.filters),
            "search": self.search_text,
            "select": ",".join(self.fields),
            "sort": ",".join(self.sort_by),
            "cursor": cursor,
            "mailto": self.email,
            "api_key": self.key,
        }
        return out | {k: v for k, v in optional.items() if v}


def _flatten(fields: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Nested keyword filters → ``a.b:value`` strings (lists are OR-ed)."""
    out: list[str] = []
    for name, value in fields.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping):
            out.extend(_flatten(value, key + "."))
        elif isinstance(value, list | tuple | set):
            out.append(f"{key}:" + "|".join(_value(v) for v in value))
        else:
            out.append(f"{key}:{_value(value)}")
    return out


def _value(v: Any) -> str:
    return str(v).lower() if isinstance(v, bool) else str(v)


# ---------------------------------------------------------------- fetching
def fetch_works(
    filter: str,
    out_dir: Path,
    *,
    email: str | None = None,
    api_key: str | None = None,
    max_records: int | None = None,
    per_page: int = MAX_PER_PAGE,
    **options: Unpack[HttpOptions],
) -> FetchResult:
    """Download the works matching `filter` into `out_dir`, resuming if possible.

    Pages are ``page-NNNNN.json`` (raw API bodies); ``_state.json`` holds the
    filter, the next cursor and the totals.  Rerunning with the same filter
    continues after the last saved page; a finished run is a no-op.  429 and
    5xx answers and network errors are retried with exponential backoff
    (honouring ``Retry-After``) up to `max_attempts` times; other HTTP errors
    raise :class:`SourceError` with OpenAlex's message.  `options`: see
    :class:`~oncometrics.fetch.retry.HttpOptions`.
    """
    query = (
        WorksQuery().filter(filter).per_page(per_page).polite(email).api_key(api_key)
    )
    out_dir, log = Path(out_dir), options.get("log", print)
    state = pages.load_state(out_dir, "filter", filter, {"next_cursor": "*"})
    resumed = state["pages"] > 0
    done = f"{state['records']:,} works in {state['pages']} pages"
    if not state["next_cursor"]:
        log(f"{out_dir}: already complete, {done}")
        return FetchResult(state["records"], state["pages"], resumed, True)
    if resumed:
        log(
            f"{out_dir}: resuming after page {state['pages']} ({state['records']:,} works saved)"
        )
    url = f"{options.get('base_url', BASE_URL).rstrip('/')}/works"
    with session(options, timeout=60.0) as get:
        while state["next_cursor"] and not pages.enough(state["records"], max_records):
            size = pages.next_size(per_page, state["records"], max_records)
            body = get(url, query.params(state["next_cursor"], size))
            results, next_cursor, total = _page(body, url)
            pages.save_page(out_dir, state, body, len(results))
            state["next_cursor"] = next_cursor if results else None
            pages.save_state(out_dir, state)
            log(
                f"page {state['pages']}: {len(results)} works ({state['records']:,} of {total:,})"
            )
    if not state["next_cursor"]:
        log(
            f"{out_dir}: complete, {state['records']:,} works in {state['pages']} pages"
        )
    else:
        log(
            f"{out_dir}: stopped at max_records={max_records} ({state['records']:,} "
            "works saved); rerun with a larger limit to continue"
        )
    complete = not state["next_cursor"]
    return FetchResult(state["records"], state["pages"], resumed, complete)


def _page(body: bytes, url: str) -> tuple[list[Any], str | None, int]:
    """Results, next cursor and total count of one response body."""
    try:
        doc = orjson.loads(body)
        results, meta = doc["results"], doc.get("meta") or {}
    except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
        raise SourceError(
            url, f"unexpected response, not a result page ({exc})"
        ) from None
    if not isinstance(results, list):
        raise SourceError(url, "unexpected response: 'results' is not a list")
    return results, meta.get("next_cursor"), int(meta.get("count") or 0)
