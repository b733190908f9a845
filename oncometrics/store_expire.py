"""Expiring old snapshots of a store (``oncometrics expire-snapshots``).

Every ingested file is a snapshot, and the data files of a snapshot stay on
disk as long as the snapshot does: rows superseded by a later file, and the
files rewritten by compaction, keep taking space.  oncometrics never expires
a snapshot on its own, because outputs record the snapshot they were
computed from (``store_snapshot`` in ``domain.json``) and the reproduce
command reads it again.  This module expires, on request, the snapshots
older than one to keep, and deletes the data files only they used
(``ducklake_expire_snapshots``, then ``ducklake_cleanup_old_files``); the
snapshots from that one on, and the latest, are untouched.  Reading an
expired snapshot afterwards is refused with one line
(:func:`oncometrics.lake.read_snapshot`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from oncometrics import lake
from oncometrics.lake import ALIAS
from oncometrics.store_stage import StoreError


def recorded_snapshot(outputs: Path) -> int:
    """The store snapshot an output folder was computed from (its domain.json)."""
    path = outputs / "domain.json" if outputs.is_dir() else outputs
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreError(f"{path}: cannot read the recorded snapshot ({exc})") from None
    snap = doc.get("store_snapshot") if isinstance(doc, dict) else None
    if not isinstance(snap, int) or isinstance(snap, bool):
        raise StoreError(f"{path}: no store_snapshot recorded")
    return snap


def keep_from(before: int | None, outputs: Iterable[Path]) -> int:
    """The oldest snapshot to keep: `before` and every output's, the smallest."""
    wanted = [recorded_snapshot(p) for p in outputs]
    if before is not None:
        wanted.append(before)
    if not wanted:
        raise StoreError(
            "say which snapshots to keep: --keep-from N or --outputs FOLDER "
            "(the snapshots before it are expired)"
        )
    return min(wanted)


def expire(root: Path | str, keep: int) -> tuple[list[int], int]:
    """Expire the snapshots of `root` older than `keep` (never the latest).

    Under the writer lock, in DuckLake's own transactions.  Returns the
    snapshots expired and the number of data files deleted.
    """
    root = Path(root)
    if not lake.is_lake(root):
        raise StoreError(f"{root}: no store here (run `oncometrics ingest` first)")
    try:
        with lake.WriterLock(root):
            con = lake.connect(root, read_only=False)
            try:
                ids = [
                    int(r[0])
                    for r in con.execute(
                        "SELECT snapshot_id FROM ducklake_snapshots(?) "
                        "ORDER BY snapshot_id",
                        [ALIAS],
                    ).fetchall()
                ]
                if keep > ids[-1]:
                    raise StoreError(
                        f"{root}: no snapshot {keep} (the latest is {ids[-1]})"
                    )
                old = [i for i in ids if i < keep]
                if old:
                    con.execute(
                        "CALL ducklake_expire_snapshots(?, versions => ?)",
                        [ALIAS, old],
                    )
                deleted = con.execute(
                    "CALL ducklake_cleanup_old_files(?, cleanup_all => true)", [ALIAS]
                ).fetchall()
            finally:
                con.close()
    except lake.LakeError as exc:
        raise StoreError(str(exc)) from None
    return old, len(deleted)
