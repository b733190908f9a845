"""Published output schemas (oncometrics/outputs.py) and atomic output folders."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from oncometrics import outputs
from oncometrics.outputs import OUTPUTS, OutputSchemaError, conform, staging


def _empty(name: str) -> pa.Table:
    return OUTPUTS[name].empty_table()


def test_every_column_has_a_description() -> None:
    for name, schema in OUTPUTS.items():
        assert (schema.metadata or {}).get(b"description"), name
        for f in schema:
            assert (f.metadata or {}).get(b"description"), f"{name}.{f.name}"


def test_conform_reorders_and_accepts_large_strings() -> None:
    t = _empty("trials_summary")
    t = t.select(list(reversed(t.column_names)))
    assert conform("trials_summary", t).schema.names == OUTPUTS["trials_summary"].names
    large = [
        pa.field(f.name, pa.large_string() if f.type == pa.string() else f.type)
        for f in OUTPUTS["units"]
    ]
    units = _empty("units").cast(pa.schema(large))
    assert conform("units", units).schema == OUTPUTS["units"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.rename_columns(["nb_trials", *t.column_names[1:]]), "missing"),
        (lambda t: t.append_column("extra", pa.array([], pa.int64())), "unexpected"),
        (lambda t: t.set_column(0, "trials", pa.array([], pa.float64())), "double"),
    ],
)
def test_a_drifted_table_is_an_internal_error(change, message) -> None:
    with pytest.raises(OutputSchemaError, match=message):
        conform("trials_summary", change(_empty("trials_summary")))
    assert not issubclass(OutputSchemaError, ValueError | OSError)  # "please report"


def test_unpublished_table_is_refused() -> None:
    with pytest.raises(OutputSchemaError, match="not a published"):
        conform("my_table", pa.table({"a": [1]}))


def test_writer_validates(tmp_path: Path) -> None:
    from oncometrics.pipeline import write_table

    bad = _empty("trials_by_phase").drop_columns(["share"])
    with pytest.raises(OutputSchemaError, match="share"):
        write_table(tmp_path, "trials_by_phase", bad)
    assert not list(tmp_path.iterdir())


def _old_output(out: Path) -> None:
    out.mkdir()
    (out / "domain.json").write_text('{"period": "old"}')
    pq.write_table(_empty("trials_summary"), out / "trials_summary.parquet")


def test_interrupted_run_leaves_the_folder_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "indicators"
    _old_output(out)
    with pytest.raises(KeyboardInterrupt), staging(out) as tmp:
        (tmp / "domain.json").write_text('{"period": "new"}')
        (tmp / "trials_summary.parquet").write_bytes(b"")  # half-written
        raise KeyboardInterrupt
    assert (out / "domain.json").read_text() == '{"period": "old"}'
    assert pq.read_table(out / "trials_summary.parquet").num_rows == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["indicators"]


def test_successful_run_replaces_the_whole_folder(tmp_path: Path) -> None:
    out = tmp_path / "indicators"
    _old_output(out)
    with staging(out) as tmp:
        (tmp / "domain.json").write_text('{"period": "new"}')
    assert [p.name for p in out.iterdir()] == ["domain.json"]  # no stale table
    assert sorted(p.name for p in tmp_path.iterdir()) == ["indicators"]


def test_folder_with_other_files_keeps_them(tmp_path: Path) -> None:
    out = tmp_path / "mine"
    _old_output(out)
    (out / "notes.txt").write_text("keep me")
    with staging(out) as tmp:
        (tmp / "domain.json").write_text("{}")
    assert sorted(p.name for p in out.iterdir()) == ["domain.json", "notes.txt"]


def test_leftovers_of_a_killed_run_are_cleaned(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    pid = int(dead.stdout)
    (tmp_path / f".indicators.tmp-{pid}").mkdir()
    (tmp_path / f".indicators.old-{pid}").mkdir()  # killed between the renames
    (tmp_path / f".indicators.old-{pid}" / "domain.json").write_text("{}")
    tmp = outputs.stage(tmp_path / "indicators")
    assert tmp.name == f".indicators.tmp-{os.getpid()}"
    assert (tmp_path / "indicators" / "domain.json").exists()  # recovered
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["indicators", tmp.name]
    )
    outputs.discard(tmp)
