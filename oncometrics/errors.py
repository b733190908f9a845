"""The exceptions that mean "the user's input or setup is wrong".

A leaf module: it imports nothing from the package (nor any third-party
library), so every module can raise these without an import cycle.  Every
user-facing error subclasses :class:`OncometricsError`; the CLI prints one
as one line and exits 1, and treats anything else as a bug (exit 3, "please
report", traceback in a log file).  :func:`is_user_error` tells the two
apart (standard library only) and :func:`crash_log` writes the log.
"""

from __future__ import annotations

import errno
import os
import sys
import tempfile
import traceback
from pathlib import Path


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


#: OS errors that are the user's setup: a path missing, unreadable,
#: unwritable or of the wrong kind, a full or read-only disk, no network.
_SETUP_OS_ERRORS = (
    FileNotFoundError,
    PermissionError,
    IsADirectoryError,
    NotADirectoryError,
    FileExistsError,
    ConnectionError,
    TimeoutError,
)
_SETUP_ERRNOS = frozenset(
    getattr(errno, n) for n in ("ENOSPC", "EDQUOT", "EROFS", "ENAMETOOLONG")
    if hasattr(errno, n)
)  # fmt: skip


def is_user_error(exc: BaseException) -> bool:
    """Whether `exc` is the user's input or setup (exit 1), not a bug.

    :class:`~oncometrics.errors.OncometricsError` (and the store's and
    sources' errors); OS errors on the user's paths; DuckDB's "cannot
    read this file" on a damaged store; a ``ValueError`` raised by
    oncometrics' own code (one raised inside pandas or Ibis is a bug).
    """
    if isinstance(exc, (OncometricsError, *_loaded_errors())):
        return True
    if isinstance(exc, OSError):
        return isinstance(exc, _SETUP_OS_ERRORS) or exc.errno in _SETUP_ERRNOS
    duckdb = sys.modules.get("duckdb")
    if duckdb is not None and isinstance(
        exc, duckdb.IOException | duckdb.InvalidInputException
    ):
        return True
    return isinstance(exc, ValueError) and _raised_by_oncometrics(exc)


def _loaded_errors() -> tuple[type[BaseException], ...]:
    """StoreError and SourceError, when their (heavy) modules are loaded."""
    found = []
    for module, name in (("oncometrics.store", "StoreError"),
                         ("oncometrics.sources.base", "SourceError")):  # fmt: skip
        mod = sys.modules.get(module)
        if mod is not None:
            found.append(getattr(mod, name))
    return tuple(found)


def _raised_by_oncometrics(exc: BaseException) -> bool:
    """Whether the innermost frame of `exc`'s traceback is oncometrics' code."""
    tb = exc.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    module = str(tb.tb_frame.f_globals.get("__name__", ""))
    return module.split(".")[0] in ("oncometrics", "__main__")


def crash_log(exc: BaseException) -> Path:
    """Write `exc`'s traceback to a new log file; its path.

    In ``$ONCOMETRICS_LOG_DIR`` when set, else the system's temporary folder.
    """
    folder = os.environ.get("ONCOMETRICS_LOG_DIR") or tempfile.gettempdir()
    Path(folder).mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="oncometrics-crash-", suffix=".log", dir=folder)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(f"oncometrics {' '.join(sys.argv[1:])}\n")
        f.write("".join(traceback.format_exception(exc)))
    return Path(name)
