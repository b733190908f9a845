"""The exceptions that mean "the user's input or setup is wrong".

A leaf module: it imports nothing from the package (nor any third-party
library), so every module can raise these without an import cycle.  Every
user-facing error subclasses :class:`OncometricsError`; the CLI prints one
as one line and exits 1, and treats anything else as a bug (exit 3, "please
report", traceback in a log file).
"""

from __future__ import annotations


class OncometricsError(Exception):
    """Base class for expected, user-facing errors raised by the library."""


class UserError(OncometricsError):
    """A command-line input the commands reject (printed as one line)."""


class EngineError(OncometricsError):
    """The engine could not be started or cannot read the store (says why)."""


class NotAStoreError(EngineError):
    """An address that holds no store (no manifest, no data files)."""


class SettingError(OncometricsError, ValueError):
    """A setting with a wrong name, type or value (names the setting)."""


class InputError(OncometricsError, ValueError):
    """A user-supplied input file that cannot be used (names the file)."""


def one_line(text: object) -> str:
    """`text` with every run of whitespace (newlines included) made one space.

    >>> one_line("a\\n  b")
    'a b'
    """
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
