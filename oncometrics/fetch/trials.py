"""Download ClinicalTrials.gov API v2 studies page by page, resumably.

:class:`StudiesQuery` holds the query as data; :func:`fetch_studies` is the
only function that does I/O.  It follows ``nextPageToken``, writes every
response body unchanged as ``page-00001.json``, ``page-00002.json``… (the
files ``oncometrics ingest trials FOLDER`` reads) and records its progress in
``_state.json`` after each page, so an interrupted run resumes where it
stopped and a finished one does nothing.  The HTTP retry loop (429, 5xx and
network errors, exponential backoff honouring ``Retry-After``) is the one of
:mod:`oncometrics.fetch.retry`; the folder is kept by :mod:`oncometrics.fetch.pages`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Unpack

import orjson

from oncometrics.fetch import pages
from oncometrics.fetch.pages import FetchResult
from oncometrics.fetch.retry import HttpOptions, session
from oncometrics.sources.base import SourceError

BASE_URL = "https://clinicaltrials.gov/api/v2/studies"
MAX_PAGE_SIZE = 1000
PAGE_SIZE = 100


@dataclass(frozen=True)
class StudiesQuery:
    """A ClinicalTrials.gov ``/studies`` query as plain data.

    Examples
    --------
    >>> q = StudiesQuery(condition="cancer").term("AREA[LocationCountry]France")
    >>> p = q.page_size(50).params("tok")
    >>> p["query.cond"], p["query.term"], p["pageSize"], p["pageToken"]
    ('cancer', 'AREA[LocationCountry]France', '50', 'tok')
    """

    condition: str | None = None
    query: str | None = None
    size: int = PAGE_SIZE
    fields: tuple[str, ...] = ()

    def term(self, text: str | None) -> StudiesQuery:
        """Free-text / Essie expression (``query.term``)."""
        return replace(self, query=text)

    def page_size(self, n: int) -> StudiesQuery:
        """Studies per page, 1–1000."""
        if not 1 <= n <= MAX_PAGE_SIZE:
            raise ValueError(
                f"page_size must be between 1 and {MAX_PAGE_SIZE}, not {n}"
            )
        return replace(self, size=n)

    def select(self, *fields: str) -> StudiesQuery:
        """Only return these fields or modules (``fields=``)."""
        return replace(self, fields=(*self.fields, *fields))

    def key(self) -> dict[str, Any]:
        """What identifies the query in the state file."""
        return {
            "condition": self.condition,
            "query": self.query,
            "fields": list(self.fields),
        }

    def params(
        self, token: str | None = None, size: int | None = None
    ) -> dict[str, str]:
        """The query string of one page (no token: the first page)."""
        optional = {
            "query.cond": self.condition,
            "query.term": self.query,
            "fields": ",".join(self.fields),
            "pageToken": token,
            "countTotal": "true" if token is None else None,
        }
        return {"format": "json", "pageSize": str(size or self.size)} | {
            k: v for k, v in optional.items() if v
        }


def fetch_studies(
    out_dir: Path,
    *,
    condition: str | None = "cancer",
    query: str | None = None,
    max_records: int | None = None,
    page_size: int = PAGE_SIZE,
    **options: Unpack[HttpOptions],
) -> FetchResult:
    """Download the studies matching `condition` / `query` into `out_dir`.

    Pages are ``page-NNNNN.json`` (raw API bodies); ``_state.json`` holds the
    query, the next page token and the totals.  Rerunning with the same query
    continues after the last saved page (a larger `max_records` fetches
    more); a finished run is a no-op.  Other HTTP errors than 429/5xx raise
    :class:`SourceError` with the API's message.  `options`: see
    :class:`~oncometrics.fetch.retry.HttpOptions`.
    """
    q = StudiesQuery(condition=condition or None).term(query).page_size(page_size)
    out_dir, log = Path(out_dir), options.get("log", print)
    fresh = {"next_token": None, "done": False}
    state = pages.load_state(out_dir, "query", q.key(), fresh)
    resumed = state["pages"] > 0
    if resumed:
        log(
            f"{out_dir}: resuming after page {state['pages']} "
            f"({state['records']:,} studies already saved)"
        )
    url = options.get("base_url", BASE_URL)
    with session(options, timeout=120.0) as get:
        while not state["done"] and not pages.enough(state["records"], max_records):
            size = pages.next_size(page_size, state["records"], max_records)
            body = get(url, q.params(state["next_token"], size))
            studies, token, total = _page(body, url)
            state["total"] = total if total is not None else state.get("total")
            if studies:
                pages.save_page(out_dir, state, body, len(studies))
            state["next_token"], state["done"] = token, not token or not studies
            pages.save_state(out_dir, state)
            of = f" of {state['total']:,}" if state.get("total") else ""
            log(
                f"page {state['pages']}: {len(studies)} studies "
                f"({state['records']:,}{of})"
            )
    if state["done"]:
        log(
            f"{out_dir}: complete, {state['records']:,} studies in "
            f"{state['pages']} pages"
        )
    return FetchResult(state["records"], state["pages"], resumed, state["done"])


def _page(body: bytes, url: str) -> tuple[list[Any], str | None, int | None]:
    """Studies, next page token and total count of one response body."""
    try:
        doc = orjson.loads(body)
        studies = doc["studies"]
    except (orjson.JSONDecodeError, KeyError, TypeError) as exc:
        msg = f"unexpected response, not a studies page ({exc})"
        raise SourceError(url, msg) from None
    if not isinstance(studies, list):
        raise SourceError(url, "unexpected response: 'studies' is not a list")
    total = doc.get("totalCount")
    return studies, doc.get("nextPageToken"), int(total) if total is not None else None
