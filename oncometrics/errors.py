"""The exceptions that mean "the user's input or setup is wrong".

The CLI prints these as one line and exits non-zero; anything else is a bug.
"""

from __future__ import annotations

import duckdb

from oncometrics.engine import EngineError
from oncometrics.sources.base import SourceError
from oncometrics.store import StoreError


class OncometricsError(Exception):
    """Base class for expected, user-facing errors raised by the library."""


def _expected() -> tuple[type[BaseException], ...]:
    from oncometrics.cli import UserError

    return (
        OncometricsError,
        UserError,
        StoreError,
        SourceError,
        EngineError,
        ValueError,
        # unreadable/unwritable paths, a file where a folder should be, a full
        # disk: the user's setup, reported as one line naming the path
        OSError,
        duckdb.IOException,  # DuckDB's own "cannot read/write this file"
    )


EXPECTED: tuple[type[BaseException], ...] = _expected()


def one_line(text: object) -> str:
    """`text` with every run of whitespace (newlines included) made one space."""
    return " ".join(str(text).split())


def describe(exc: BaseException) -> str:
    """The one-line message for an expected error (OSError names its path)."""
    if isinstance(exc, OSError) and exc.strerror:
        where = exc.filename if exc.filename is not None else ""
        if exc.filename2 is not None:
            where = f"{where} -> {exc.filename2}"
        return one_line(f"{where}: {exc.strerror}" if where else exc.strerror)
    return one_line(exc) or type(exc).__name__
