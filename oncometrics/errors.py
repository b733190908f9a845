"""The exceptions that mean "the user's input or setup is wrong".

The CLI prints these as one line and exits non-zero; anything else is a bug.
"""

from __future__ import annotations

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
        FileNotFoundError,
        PermissionError,
        IsADirectoryError,
    )


EXPECTED: tuple[type[BaseException], ...] = _expected()
