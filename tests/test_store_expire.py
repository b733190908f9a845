"""Expiring old snapshots: the kept ones read as before, the older ones refused.

Three toy files (tests/test_store_faults.py); the second and third
supersede records of the earlier ones, so their commits rewrite data files
(compaction) and the files of the first snapshots are used by those
snapshots only.  An output folder records the snapshot after the second
file; ``oncometrics expire-snapshots --outputs`` must keep it (same tables,
row by row) and the latest, delete the files only older snapshots used, and
a read of an expired snapshot must be one line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from oncometrics import lake
from oncometrics.store import StoreError, pin, snapshot_id, table_files, unpin
from tests.cli_runner import cli
from tests.test_store import toy  # noqa: F401 (fixture)
from tests.test_store_faults import _dump, _dump_pinned, _files, _ingest

pytestmark = pytest.mark.usefixtures("toy")


def _dump_at(root: Path, snap: int) -> dict[str, Any]:
    pin(root, snap)
    try:
        return _dump_pinned(root)
    finally:
        unpin(root)


def _data_files(root: Path) -> set[Path]:
    return set((root / lake.DATA).rglob("*.parquet"))


def test_expire_keeps_the_snapshot_an_output_records(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files = _files(tmp_path / "in")
    root = tmp_path / "st"
    _ingest(root, files[:2])
    kept = snapshot_id(root)
    at_kept = _dump_at(root, kept)
    _ingest(root, files[2:])
    latest = _dump(root)
    before = _data_files(root)
    outputs = tmp_path / "indicators"
    outputs.mkdir()
    (outputs / "domain.json").write_text(json.dumps({"store_snapshot": kept}))

    code, out, err = cli(
        ["expire-snapshots", "--store", str(root), "--outputs", str(outputs)], capsys
    )
    assert code == 0, err
    n_deleted = len(before - _data_files(root))
    assert n_deleted > 0  # the files compaction replaced
    assert out == (
        f"{root}: {kept} snapshot(s) before {kept} expired, "
        f"{n_deleted} data file(s) deleted\n"
    )
    assert _data_files(root) <= before  # nothing written but the catalog
    assert _dump_at(root, kept) == at_kept
    assert _dump(root) == latest
    with pytest.raises(StoreError, match=f"snapshot {kept - 1} was expired"):
        table_files(root, "works", kept - 1)
    # the store goes on: a rerun skips every file, the same tables
    _ingest(root, files)
    assert _dump(root) == latest


def test_expire_needs_to_be_told_what_to_keep(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "st"
    _ingest(root, _files(tmp_path / "in")[:1])
    code, out, err = cli(["expire-snapshots", "--store", str(root)], capsys)
    assert code == 1 and out == ""
    assert err.startswith("error: say which snapshots to keep: --keep-from N")
    code, out, err = cli(
        ["expire-snapshots", "--store", str(root), "--keep-from", "99"], capsys
    )
    assert code == 1 and "no snapshot 99 (the latest is" in err
    assert len(err.splitlines()) == 1
