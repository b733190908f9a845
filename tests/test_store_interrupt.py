"""Ctrl-C during ``oncometrics ingest``: one line, the store before or after a file.

Three OpenAlex files; the second and third hold later versions of works of
the first (other countries), so their commits delete and insert rows in
every table, take back derived totals and compact.  A real ``oncometrics
ingest`` subprocess gets a SIGINT (a Ctrl-C) at named steps of a commit
(``ONCOMETRICS_CRASH_AT`` with ``ONCOMETRICS_CRASH_SIGNAL=INT``: the
process sends it to itself there), at a statement of the catalog, and once
from outside at a random instant.  Each time: exit status 130, ``interrupted``
as the last line of stderr and no traceback; the store holds exactly the
tables of a clean run of the files it lists as ingested (the file in
progress is either wholly in or wholly out), and a rerun completes it.
(``tests/test_cli_input.py`` interrupts a ``--jobs 2`` run.)
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from oncometrics import lake
from oncometrics.store import Store
from tests.test_store_faults import _dump, write_jsonl

ROOT = Path(__file__).parent.parent
CLI = (sys.executable, "-m", "oncometrics.cli", "ingest", "openalex")


def _work(i: int, updated: str, countries: list[str]) -> dict[str, Any]:
    return {
        "id": f"https://openalex.org/W{i}",
        "doi": f"https://doi.org/10.1/{i}",
        "title": f"Work {i}",
        "publication_year": 2020,
        "type": "article",
        "updated_date": updated,
        "authorships": [
            {
                "author_position": "first" if a == 0 else "middle",
                "author": {"id": f"https://openalex.org/A{i}x{a}", "display_name": "A"},
                "institutions": [
                    {
                        "id": f"https://openalex.org/I{c}",
                        "display_name": f"Inst {c}",
                        "country_code": c,
                    }
                ],
                "countries": [c],
            }
            for a, c in enumerate(countries)
        ],
    }


def _files(d: Path) -> list[Path]:
    """a; b: later versions of W0..W19 and new works; c: W0..W9 again and new."""
    d.mkdir()
    a = [_work(i, "2024-01-01", ["FR"]) for i in range(40)]
    b = [_work(i, "2024-06-01", ["DE", "US"]) for i in range(20)]
    b += [_work(i, "2024-06-01", ["IT"]) for i in range(40, 60)]
    c = [_work(i, "2024-09-01", ["ES", "ES", "FR"]) for i in range(10)]
    c += [_work(i, "2024-09-01", ["JP"]) for i in range(60, 70)]
    return write_jsonl(d, {"a": a, "b": b, "c": c})


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The files, the clean run's tables after 0..3 files, its statement count."""
    base = tmp_path_factory.mktemp("interrupt")
    files = _files(base / "in")
    after = []
    mp = pytest.MonkeyPatch()
    mp.setenv(lake.CRASH_AT_ENV, "sql:0")  # count the statements, never stop
    lake.CRASH_COUNTS.clear()
    clean = base / "clean"
    Store(clean)
    after.append(_dump(clean))
    statements = 0
    for f in files:
        lake.CRASH_COUNTS.clear()
        Store(clean).ingest("openalex", [f], log=lambda m: None)
        statements += lake.CRASH_COUNTS.get("sql", 0)
        after.append(_dump(clean))
    mp.undo()
    lake.CRASH_COUNTS.clear()
    yield {"files": files, "after": after, "base": base, "statements": statements}


def _start(
    store: Path, files: list[Path], env: dict[str, str]
) -> subprocess.Popen[bytes]:
    """The ingest CLI on `files` into `store`, in a process group of its own."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    cmd = [*CLI, *map(str, files), "--store", str(store), "--jobs", "1"]
    return subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        start_new_session=True,
    )


def _interrupted_run(
    store: Path, files: list[Path], env: dict[str, str]
) -> tuple[int, str]:
    proc = _start(store, files, env)
    out, err = proc.communicate(timeout=300)
    assert out == b""  # the summary is printed at the end only
    return proc.returncode, err.decode()


def _check_before_or_after(world: dict[str, Any], store: Path) -> int:
    """The store equals a clean run of the files it lists; a rerun completes it."""
    got = _dump(store)
    n = len(got["files"])
    assert got == world["after"][n], f"store after {n} file(s) differs from clean"
    Store(store).ingest("openalex", world["files"], log=lambda m: None)
    assert _dump(store) == world["after"][3]
    return n


def _assert_one_line(code: int, err: str) -> None:
    assert code == 130, err[-2000:]
    assert "Traceback" not in err and "please report" not in err, err[-2000:]
    lines = err.splitlines()
    assert lines[-1] == "interrupted" and lines.count("interrupted") == 1
    summary = ("+ rejected 0", "authorships", "none")  # per file; the run's last
    assert all(ln.endswith(summary) for ln in lines[:-1]), err[-2000:]


#: Named steps and the files the store must then hold: the Ctrl-C comes
#: before the 2nd file's transaction, before its COMMIT, after the 3rd's
#: COMMIT, after the first compaction (the 2nd file's; the 1st replaces
#: nothing, so it compacts nothing).
NAMED: list[tuple[str, int | None]] = [
    ("begin:2", 1),
    ("before-commit:2", 1),
    ("after-commit:3", 3),
    ("after-compact:1", 2),
]


def _steps(statements: int) -> list[tuple[str, int | None]]:
    """The named steps, and statements of the catalog spread over the run."""
    spread: list[tuple[str, int | None]] = [
        (f"sql:{max(1, int(statements * q))}", None) for q in (0.55,)
    ]
    return NAMED + spread


@pytest.mark.parametrize("k", range(len(NAMED) + 1))
def test_ctrl_c_at_a_commit_step(world: dict[str, Any], k: int) -> None:
    step, want = _steps(world["statements"])[k]
    store = world["base"] / f"step{k}"
    env = {lake.CRASH_AT_ENV: step, lake.CRASH_SIGNAL_ENV: "INT"}
    code, err = _interrupted_run(store, world["files"], env)
    _assert_one_line(code, err)
    n = _check_before_or_after(world, store)
    assert want is None or n == want, (step, n)


def test_ctrl_c_from_outside_at_a_random_instant(world: dict[str, Any]) -> None:
    """SIGINT to the process group once the 1st file is in, at a random instant."""
    store = world["base"] / "outside"
    proc = _start(store, world["files"], {})
    assert proc.stderr is not None
    first = proc.stderr.readline()  # the 1st file's line: it is committed
    time.sleep(random.Random(19).uniform(0.0, 0.02))
    with contextlib.suppress(ProcessLookupError):  # ended already
        os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C
    out, err = proc.communicate(timeout=300)
    if proc.returncode == 0:
        pytest.skip("the ingest ended before the interrupt")
    if proc.returncode == -signal.SIGINT:
        # the signal came while the interpreter was shutting down (Python has
        # restored the default action by then): only once every file is in
        assert _check_before_or_after(world, store) == 3, (first + err).decode()
        return
    _assert_one_line(proc.returncode, (first + err).decode())
    n = _check_before_or_after(world, store)
    assert n in (1, 2, 3)
    assert out == b"" or n == 3  # the summary once every file is in
