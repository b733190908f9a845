"""Converting a store of the old format (manifest.json + Parquet parts).

The old layout was ``STORE/manifest.json`` and ``STORE/<table>/part-*.parquet``.
:func:`_migrate` copies every part into a new catalog and
enters the manifest's files in ``ingested_files``, all in one transaction
(derived tables rebuilt in it); only after the commit does it remove the old
manifest and parts, so an interrupted conversion is simply done again.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

from oncometrics import lake
from oncometrics.lake import ALIAS, FILES_TABLE, LakeError
from oncometrics.schema import DERIVED, TABLES
from oncometrics.store_stage import StoreError


def _legacy(root: Path) -> bool:
    """An old-format store: ``manifest.json`` or ``<table>/part-*.parquet``."""
    if (root / "manifest.json").exists():
        return True
    return any(any((root / t).glob("part-*.parquet")) for t in TABLES)


def _migrate(root: Path) -> None:
    """Convert an old-format store in one transaction, then remove its parts."""
    with _locked(root):
        if not _complete(root):
            _convert(root)
    (root / "manifest.json").unlink(missing_ok=True)
    for table in [*TABLES, *DERIVED]:
        for p in (root / table).glob("part-*"):
            p.unlink()
        with contextlib.suppress(OSError):
            (root / table).rmdir()


def _convert(root: Path) -> None:
    from oncometrics import derived
    from oncometrics.store_commit import _enter, create_all

    old = root / "manifest.json"
    manifest = json.loads(old.read_text()) if old.exists() else {}
    _create_empty(root)
    con = lake.connect(root, read_only=False)
    with contextlib.closing(con):
        con.execute("BEGIN")
        create_all(con)
        for table in TABLES:
            parts = [str(p) for p in sorted((root / table).glob("part-*.parquet"))]
            if parts:
                con.execute(
                    f"INSERT INTO {ALIAS}.{table} BY NAME SELECT * FROM "
                    "read_parquet(?, union_by_name = true)",
                    [parts],
                )
        for entry in manifest.get("files", {}).values():
            _enter(con, entry)
        derived.rebuild(con)
        con.execute("COMMIT")


def _create_empty(root: Path) -> None:
    for leftover in (lake.CATALOG, lake.CATALOG + ".wal"):
        (root / leftover).unlink(missing_ok=True)
    shutil.rmtree(root / lake.DATA, ignore_errors=True)


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    lock = lake.WriterLock(root)
    try:
        lock.acquire()
    except LakeError as exc:
        raise StoreError(str(exc)) from None
    except OSError as exc:
        raise StoreError(f"{root}: cannot write the store ({exc.strerror})") from exc
    try:
        yield
    finally:
        lock.release()


def _complete(root: Path) -> bool:
    """A catalog whose creation committed (it has ``ingested_files``)."""
    if not lake.is_lake(root):
        return False
    try:
        return FILES_TABLE in lake.read_snapshot(root).files
    except LakeError:
        return False
