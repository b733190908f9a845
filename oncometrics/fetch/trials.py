"""Download ClinicalTrials.gov API v2 studies page by page, resumably.

:class:`StudiesQuery` holds the query as data; :func:`fetch_studies` is the
only function that does I/O.  It follows ``nextPageToken``, writes every
response body unchanged as ``page-00001.json``, ``page-00002.json``… (the
files ``oncometrics ingest trials FOLDER`` reads) and records its progress in
``_state.json`` after each page, so an interrupted run resumes where it
stopped and a finished one does nothing.  The HTTP retry loop (429, 5xx and
network errors, exponential backoff honouring ``Retry-After``) is the one of
:mod:`oncometrics.fetch.openalex`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import orjson

from oncometrics.fetch.openalex import MAX_ATTEMPTS, _atomic_write, _get
from oncometrics.sources.base import SourceError

BASE_URL = "https://clinicaltrials.gov/api/v2/studies"
MAX_PAGE_SIZE = 1000
PAGE_SIZE = 100
STATE_FILE = "_state.json"
PAGE_NAME = "page-{:05d}.json"


@dataclass(frozen=True)
class FetchResult:
    """What a :func:`fetch_studies` run left in its folder (totals so far)."""

    records: int
    pages: int
    resumed: bool
    complete: bool


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
    log: Callable[[str], None] = print,
    client: httpx.Client | None = None,
    sleep: Callable[[float], None] = time.sleep,
    base_url: str = BASE_URL,
    max_attempts: int = MAX_ATTEMPTS,
) -> FetchResult:
    """Download the studies matching `condition` / `query` into `out_dir`.

    Pages are ``page-NNNNN.json`` (raw API bodies); ``_state.json`` holds the
    query, the next page token and the totals.  Rerunning with the same query
    continues after the last saved page (a larger `max_records` fetches
    more); a finished run is a no-op.  Other HTTP errors than 429/5xx raise
    :class:`SourceError` with the API's message.
    """
    q = StudiesQuery(condition=condition or None).term(query).page_size(page_size)
    out_dir = Path(out_dir)
    state = _load_state(out_dir, q.key())
    resumed = state["pages"] > 0
    if resumed:
        log(
            f"{out_dir}: resuming after page {state['pages']} "
            f"({state['records']:,} studies already saved)"
        )
    own = client is None
    http = client or httpx.Client(timeout=120.0, follow_redirects=True)
    try:
        while not state["done"] and not _enough(state["records"], max_records):
            size = (
                page_size
                if max_records is None
                else min(page_size, max_records - state["records"])
            )
            params = q.params(state["next_token"], size)
            body = _get(
                http, base_url, params, max_attempts=max_attempts, sleep=sleep, log=log
            )
            studies, token, total = _page(body, base_url)
            state["total"] = total if total is not None else state.get("total")
            if studies:
                state["pages"] += 1
                _atomic_write(out_dir / PAGE_NAME.format(state["pages"]), body)
                state["records"] += len(studies)
            state["next_token"], state["done"] = token, not token or not studies
            _save_state(out_dir, state)
            of = f" of {state['total']:,}" if state.get("total") else ""
            log(
                f"page {state['pages']}: {len(studies)} studies "
                f"({state['records']:,}{of})"
            )
    finally:
        if own:
            http.close()
    if state["done"]:
        log(
            f"{out_dir}: complete, {state['records']:,} studies in "
            f"{state['pages']} pages"
        )
    return FetchResult(state["records"], state["pages"], resumed, state["done"])


def _enough(records: int, max_records: int | None) -> bool:
    return max_records is not None and records >= max_records


def _load_state(out_dir: Path, key: dict[str, Any]) -> dict[str, Any]:
    """The saved state of the query `key`, or a fresh one (ValueError on a clash)."""
    path = out_dir / STATE_FILE
    if path.exists():
        try:
            state: dict[str, Any] = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise ValueError(f"{path}: unreadable fetch state ({exc})") from None
        if state.get("query") != key:
            raise ValueError(
                f"{out_dir}: holds pages of another query "
                f"({state.get('query')!r}); use a new folder"
            )
        return state
    if out_dir.exists() and any(out_dir.glob("page-*.json")):
        raise ValueError(
            f"{out_dir}: has page files but no {STATE_FILE}; use a new folder"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    return {"query": key, "next_token": None, "pages": 0, "records": 0, "done": False}


def _save_state(out_dir: Path, state: dict[str, Any]) -> None:
    _atomic_write(out_dir / STATE_FILE, json.dumps(state, indent=1).encode())


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
