"""The exceptions that mean "the user's input or setup is wrong".

The CLI prints these as one line and exits non-zero; anything else is a bug.
"""

from __future__ import annotations

import sys

import duckdb

from oncometrics.sources.base import SourceError
from oncometrics.store import StoreError


class OncometricsError(Exception):
    """Base class for expected, user-facing errors raised by the library."""


def expected() -> tuple[type[BaseException], ...]:
    """The exception types that are the user's input or setup, not a bug.

    :class:`~oncometrics.engine.EngineError` is included when that module is
    loaded (only it raises the error; importing it costs ibis, which the
    CLI's failing fast paths do not need).
    """
    from oncometrics.cli import UserError

    types: tuple[type[BaseException], ...] = (
        OncometricsError,
        UserError,
        StoreError,
        SourceError,
        ValueError,
        # unreadable/unwritable paths, a file where a folder should be, a full
        # disk: the user's setup, reported as one line naming the path
        OSError,
        duckdb.IOException,  # DuckDB's own "cannot read/write this file"
        # e.g. "File '…/works/part-….parquet' too small to be a Parquet file":
        # a damaged store or input file, named in the message
        duckdb.InvalidInputException,
    )
    engine = sys.modules.get("oncometrics.engine")
    return types + ((engine.EngineError,) if engine is not None else ())


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
    # DuckDB appends the offending SQL ("LINE 1: …"): not for the user
    return one_line(str(exc).split("\nLINE ")[0]) or type(exc).__name__
