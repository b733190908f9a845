"""The folder a resumable download fills: raw pages and a state file.

Both downloaders (:mod:`oncometrics.fetch.openalex`,
:mod:`oncometrics.fetch.trials`) write every response body unchanged as
``page-00001.json``, ``page-00002.json``… and record their progress in
``_state.json`` after each page (page first, then state, each written
atomically), so an interrupted run resumes where it stopped and a finished
one does nothing.  The state holds the query under a key of the downloader's
choosing, the page and record totals and where paging stands.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STATE_FILE = "_state.json"
PAGE_NAME = "page-{:05d}.json"


@dataclass(frozen=True)
class FetchResult:
    """What a download left in its folder (totals so far)."""

    records: int
    pages: int
    resumed: bool
    complete: bool


def load_state(
    out_dir: Path, key_name: str, key: Any, fresh: dict[str, Any]
) -> dict[str, Any]:
    """The saved state of the query `key`, else `fresh` (ValueError on a clash).

    The query is stored under `key_name`; a folder holding another query's
    pages, or pages without a state file, is refused.
    """
    path = out_dir / STATE_FILE
    if path.exists():
        try:
            state: dict[str, Any] = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise ValueError(f"{path}: unreadable fetch state ({exc})") from None
        if state.get(key_name) != key:
            raise ValueError(
                f"{out_dir}: holds pages of another query "
                f"({key_name} {state.get(key_name)!r}); use a new folder"
            )
        return state
    if out_dir.exists() and any(out_dir.glob("page-*.json")):
        raise ValueError(
            f"{out_dir}: has page files but no {STATE_FILE}; use a new folder"
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    return {key_name: key, "pages": 0, "records": 0} | fresh


def save_page(out_dir: Path, state: dict[str, Any], body: bytes, records: int) -> None:
    """Write `body` as the next page and count its `records` in `state`."""
    state["pages"] += 1
    atomic_write(out_dir / PAGE_NAME.format(state["pages"]), body)
    state["records"] += records


def save_state(out_dir: Path, state: dict[str, Any]) -> None:
    """Write `state` to the folder's state file."""
    atomic_write(out_dir / STATE_FILE, json.dumps(state, indent=1).encode())


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file (never half a file)."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def next_size(page_size: int, records: int, max_records: int | None) -> int:
    """Records to ask for next: a page, or what is left below `max_records`."""
    return page_size if max_records is None else min(page_size, max_records - records)


def enough(records: int, max_records: int | None) -> bool:
    """True when `max_records` (if any) are saved."""
    return max_records is not None and records >= max_records
