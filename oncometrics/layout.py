"""Where a store keeps the data files of each table (a leaf module).

A store is addressed by a plain path or a URL (``file://``, ``s3a://``,
``hdfs://``...).  This module knows the on-disk layout
(``STORE/manifest.json`` and ``STORE/<table>/part-*.parquet``) but lists no
folder itself: the engine passes its own listing (:data:`Lister`), the local
file system for plain paths and ``file://``, Hadoop's for Spark on a
cluster.  :func:`store_files` is the one question the engine asks, so a
store format that keeps its file list elsewhere (a catalog) changes this
module only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

MANIFEST = "manifest.json"
PART_PREFIX, PART_SUFFIX = "part-", ".parquet"


@dataclass(frozen=True)
class DataFile:
    """One file of a folder: its full address, name and modification time."""

    url: str
    name: str
    mtime_ns: int = 0


#: The files directly inside a folder (``[]`` when the folder does not exist).
Lister = Callable[[str], list[DataFile]]


def local_path(store: str | Path) -> Path | None:
    """`store` as a local path (plain path or ``file://`` URL); None otherwise.

    >>> local_path("file:///data/store")
    PosixPath('/data/store')
    >>> local_path("s3a://bucket/store") is None
    True
    """
    if isinstance(store, Path):
        return store
    url = urlparse(store)
    if url.scheme == "file":
        return Path(unquote(url.path))
    if len(url.scheme) <= 1:  # no scheme (or a Windows drive letter)
        return Path(store)
    return None


def join(store: str | Path, *names: str) -> str:
    """`names` appended to the address `store` (a path or a URL).

    >>> join("s3a://bucket/store/", "works")
    's3a://bucket/store/works'
    """
    local = local_path(store)
    if local is not None and "://" not in str(store):
        return str(local.joinpath(*names))
    return "/".join([str(store).rstrip("/"), *names])


def list_local(folder: str) -> list[DataFile]:
    """The files of a local `folder` (plain path or ``file://`` URL)."""
    path = local_path(folder)
    if path is None:
        raise ValueError(f"{folder}: not a local folder")
    if not path.is_dir():
        return []
    out = []
    for p in path.iterdir():
        if p.is_file():
            out.append(DataFile(str(p), p.name, p.stat().st_mtime_ns))
    return out


def table_files(
    store: str | Path, table: str, list_files: Lister = list_local
) -> list[DataFile]:
    """The data files of `table` in `store`, sorted by name."""
    files = list_files(join(store, table))
    parts = [
        f
        for f in files
        if f.name.startswith(PART_PREFIX) and f.name.endswith(PART_SUFFIX)
    ]
    return sorted(parts, key=lambda f: f.name)


def store_files(
    store: str | Path, table: str, list_files: Lister = list_local
) -> list[str]:
    """The addresses of the data files of `table` in `store` (may be empty).

    A local DuckLake store (docs/store.md) answers from its catalog: the
    files of the pinned snapshot, else of the latest (an old-format local
    store is converted first).
    """
    local = local_path(store)
    if local is not None and (is_lake(local) or (local / MANIFEST).exists()):
        from oncometrics.store import table_files as snapshot_files

        return snapshot_files(local, table)
    return [f.url for f in table_files(store, table, list_files)]


def derived_complete(store: str | Path, table: str) -> bool:
    """Whether the store's derived `table` is complete (False read by URL).

    A store read through a URL has no catalog to ask: compute then takes the
    long way from the canonical tables (same figures).
    """
    local = local_path(store)
    if local is None:
        return False
    from oncometrics.store import derived_complete as in_catalog

    return in_catalog(local, table)


def is_lake(root: Path) -> bool:
    """Whether the local folder `root` holds a DuckLake catalog."""
    return (root / "catalog.ducklake").is_file()


def is_store(
    store: str | Path,
    list_files: Lister = list_local,
    tables: tuple[str, ...] = ("works", "patents", "trials"),
) -> bool:
    """Whether `store` holds a store: its catalog or manifest, or data files."""
    local = local_path(store)
    if local is not None and is_lake(local):
        return True
    if any(f.name == MANIFEST for f in list_files(str(store))):
        return True
    return any(table_files(store, t, list_files) for t in tables)
