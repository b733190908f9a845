"""HTTP GET with retries, shared by the downloaders.

429 and 5xx answers and network errors are retried with exponential backoff
(honouring ``Retry-After``); other HTTP errors raise :class:`SourceError`
with the API's own message.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from email.utils import parsedate_to_datetime
from typing import TypedDict

import httpx

from oncometrics.sources.base import SourceError

MAX_ATTEMPTS = 6
BACKOFF_SECONDS = 1.0
MAX_WAIT_SECONDS = 300.0


class HttpOptions(TypedDict, total=False):
    """How a downloader talks to its API (all optional).

    `log` (default ``print``) gets progress lines; `client` an
    :class:`httpx.Client` to use instead of a new one (tests pass a mock);
    `sleep` waits between retries (default ``time.sleep``); `base_url`
    replaces the API's address; `max_attempts` (default 6) bounds the tries
    of one request.
    """

    log: Callable[[str], None]
    client: httpx.Client | None
    sleep: Callable[[float], None]
    base_url: str
    max_attempts: int


@contextmanager
def session(
    options: HttpOptions, timeout: float
) -> Iterator[Callable[[str, dict[str, str]], bytes]]:
    """A ``get(url, params)`` with retries set by `options`; closes what it opens."""
    client = options.get("client")
    http = client or httpx.Client(timeout=timeout, follow_redirects=True)
    attempts = options.get("max_attempts", MAX_ATTEMPTS)
    sleep, log = options.get("sleep", time.sleep), options.get("log", print)

    def one(url: str, params: dict[str, str]) -> bytes:
        return get(http, url, params, max_attempts=attempts, sleep=sleep, log=log)

    try:
        yield one
    finally:
        if client is None:
            http.close()


def get(
    client: httpx.Client,
    url: str,
    params: dict[str, str],
    *,
    max_attempts: int,
    sleep: Callable[[float], None],
    log: Callable[[str], None],
) -> bytes:
    """GET with retries on 429/5xx/network errors; the body of a 200."""
    for attempt in range(1, max_attempts + 1):
        try:
            resp = client.get(url, params=params)
        except httpx.TransportError as exc:
            problem, wait = f"{type(exc).__name__}: {exc}", None
        else:
            if resp.status_code == 200:
                return resp.content
            if resp.status_code != 429 and resp.status_code < 500:
                raise SourceError(url, f"HTTP {resp.status_code}: {_api_message(resp)}")
            problem, wait = f"HTTP {resp.status_code}", retry_after(resp.headers)
        if attempt == max_attempts:
            raise SourceError(url, f"giving up after {attempt} attempts ({problem})")
        wait = backoff(attempt) if wait is None else wait
        log(f"{problem}; retrying in {wait:.1f}s (attempt {attempt} of {max_attempts})")
        sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


def backoff(attempt: int, base: float = BACKOFF_SECONDS) -> float:
    """Seconds to wait before retry number `attempt` (1, 2, 4, … capped)."""
    return float(min(MAX_WAIT_SECONDS, base * 2 ** (attempt - 1)))


def retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds asked for by a ``Retry-After`` header (number or HTTP date)."""
    value = headers.get("retry-after") or headers.get("Retry-After")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError):
            return None
        seconds = when - (time.time() if now is None else now)
    return min(MAX_WAIT_SECONDS, max(0.0, seconds))


def _api_message(resp: httpx.Response) -> str:
    """OpenAlex's own error text (``error``/``message``), on one line."""
    try:
        doc = resp.json()
        text = " ".join(str(doc[k]) for k in ("error", "message") if doc.get(k))
    except (ValueError, AttributeError, TypeError):
        text = ""
    text = text or resp.text or resp.reason_phrase
    return " ".join(text.split())[:300]
