"""Bad input through the real CLI: what a user sees on stdout and stderr.

Every ingest format is fed generated bad files (empty, truncated gzip of a real
sample, the sample cut in half, binary bytes, another format, wrong CSV
columns, a missing path, a folder mixing good and bad files), and the other
commands get bad options, configuration and stores.  The project's rules:
no traceback; every message is one line naming the file (and the record
where one is at fault); exit 0 when records were read and some rejected,
non-zero for file-level and fatal errors; ``read = stored + duplicates +
rejected`` holds on the summary line, in the manifest, in the quarantine and
in the stored tables.

The CLI's ``main()`` runs in this process with its stdout and stderr
captured (:func:`cli`; a ``python -m oncometrics.cli`` start-up costs ~0.8 s,
and about 60 runs are checked); the runs of a group run once per module and
each test checks one of them.  :func:`cli_process` runs the real command in
a subprocess: ``test_the_real_command_says_the_same`` checks that it prints
and exits the same as the in-process run, and the tests about the process
itself (no arguments, a file-size limit) use it.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from oncometrics.cli import main as cli_main
from oncometrics.lake import is_lake
from oncometrics.schema import ENTITIES
from oncometrics.sources import SOURCES
from oncometrics.store import Store, _complete, read_manifest, table_files

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).parent.parent

#: One small real sample per format (see tests/data/<format>/README.md).
SAMPLES: dict[str, Path] = {
    "openalex": DATA / "openalex" / "keypaper_results_page1.json",
    "pubmed": DATA / "pubmed" / "pubmed-29768149.xml",
    "medline": DATA / "medline" / "pmid28786991_transcribed.txt",
    "wos": DATA / "wos" / "savedrecs_batch1.txt",
    "scopus": DATA / "scopus" / "scopus_4_real_papers.csv",
    "lens": DATA / "lens" / "lens_4_real_papers.csv",
    "dimensions": DATA / "dimensions" / "dimensions_4_real_papers.csv",
    "patents": DATA / "patents" / "epo_test_biblio_example_3.xml",
    "trials": DATA / "trials" / "NCT00973089.json",
}
XML = DATA / "pubmed" / "pubmed-29768149.xml"
JSON = DATA / "openalex" / "keypaper_results_page1.json"
#: A real file of another format, per format.
OTHER: dict[str, Path] = {
    "openalex": XML,
    "pubmed": JSON,
    "medline": XML,
    "wos": JSON,
    "scopus": XML,
    "lens": XML,
    "dimensions": JSON,
    "patents": JSON,
    "trials": XML,
}
#: Formats read as delimited text: a header of unknown columns is fatal.
WRONG_COLUMNS: dict[str, bytes] = {
    "scopus": b"foo,bar,baz\n1,2,3\n4,5,6\n",
    "lens": b"foo,bar,baz\n1,2,3\n4,5,6\n",
    "dimensions": b"foo,bar,baz\n1,2,3\n4,5,6\n",
    "patents": b"foo,bar,baz\n1,2,3\n4,5,6\n",
    "wos": b"FOO\tBAR\tBAZ\n1\t2\t3\n",
}
#: Cases that must stop the file: non-zero exit, nothing read from it.
FATAL = ("empty", "binary", "other", "wrongcols", "missing")
#: Cases where the reader may keep what precedes the damage (then exit 0).
DAMAGED = ("truncgz", "half")
SUMMARY = re.compile(
    r"read ([\d,]+) = stored ([\d,]+) \+ duplicates ([\d,]+) \+ rejected ([\d,]+)"
)


@dataclass
class Run:
    """One finished CLI run."""

    args: list[str]
    code: int
    out: str
    err: str
    store: Path | None = None
    inputs: tuple[Path, ...] = ()
    #: every input of the run when a check looks at one of them
    all_inputs: tuple[Path, ...] = ()

    @property
    def text(self) -> str:
        return self.out + self.err

    def err_lines(self) -> list[str]:
        return [ln for ln in self.err.splitlines() if ln.strip()]


def cli(*args: Any, cwd: Path, store: Path | None = None, **kw: Any) -> Run:
    """Run ``oncometrics ARGS`` from `cwd` in this process: the CLI's ``main()``
    (what ``python -m oncometrics.cli`` calls) with stdout and stderr captured."""
    argv = [str(a) for a in args]
    out, err = io.StringIO(), io.StringIO()
    before = os.getcwd()
    os.chdir(cwd)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                cli_main(argv)
                code = 0
            except SystemExit as exc:
                code = int(exc.code or 0)
    finally:
        os.chdir(before)
    return Run(argv, code, out.getvalue(), err.getvalue(), store, **kw)


def cli_process(*args: Any, cwd: Path, store: Path | None = None, **kw: Any) -> Run:
    """Run ``python -m oncometrics.cli ARGS`` as a user would."""
    argv = [str(a) for a in args]
    proc = subprocess.run(
        [sys.executable, "-m", "oncometrics.cli", *argv],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        env=_env(),
        check=False,
    )
    return Run(argv, proc.returncode, proc.stdout, proc.stderr, store, **kw)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["COLUMNS"] = "80"  # the narrowest usual terminal: no wrapped messages
    return env


def run_all(jobs: dict[Any, Callable[..., Run]]) -> dict[Any, Run]:
    """Run the jobs one after the other (in-process runs share stdout)."""
    return {k: job() for k, job in jobs.items()}


# ----------------------------------------------------------------- inputs
def _bad_inputs(fmt: str, folder: Path) -> dict[str, Path]:
    """The generated bad inputs for `fmt`, by case name."""
    sample = SAMPLES[fmt]
    data = sample.read_bytes()
    folder.mkdir(parents=True)
    suffix = sample.suffix
    cases: dict[str, Path] = {}

    def put(case: str, name: str, content: bytes) -> None:
        cases[case] = folder / name
        cases[case].write_bytes(content)

    put("empty", f"empty{suffix}", b"")
    packed = gzip.compress(data)
    put("truncgz", f"{sample.name}.gz", packed[: len(packed) * 6 // 10])
    put("half", f"half{suffix}", data[: len(data) // 2])
    put("binary", f"binary{suffix}", bytes(range(256)) * 8)
    put("other", f"other{suffix}", OTHER[fmt].read_bytes())
    if fmt in WRONG_COLUMNS:
        put("wrongcols", f"wrongcols{suffix}", WRONG_COLUMNS[fmt])
    cases["missing"] = folder / f"no_such_file{suffix}"
    mixed = folder / "mixed"
    mixed.mkdir()
    shutil.copy(sample, mixed / sample.name)
    (mixed / f"empty{suffix}").write_bytes(b"")
    (mixed / f"half{suffix}").write_bytes(data[: len(data) // 2])
    cases["mixed"] = mixed
    return cases


INGEST_CASES = [
    (fmt, case)
    for fmt in SAMPLES
    for case in (*FATAL, *DAMAGED, "mixed")
    if case != "wrongcols" or fmt in WRONG_COLUMNS
]


@pytest.fixture(scope="module")
def ingest_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[Any, Run]:
    """CLI runs by (format, case).

    The file-level cases of a format go in one run (a file's error must not
    affect the others); each damaged file and the mixed folder get their own.
    Each run ingests into a copy of one new empty store (creating a store
    costs more than these runs read; ingest into a new folder is run by
    ``command_runs`` and by the real command).  The mixed folder is read by
    two worker processes (``--jobs 2``, whatever the machine's cores): a
    good file, a file-level error and record-level rejects through the
    parallel ingest; the others run sequentially (``--jobs 1``; a worker
    start-up costs more than the run), and the real command repeats the
    wos file-level run with workers.
    """
    root = tmp_path_factory.mktemp("bad_input")
    empty = root / "empty_store"
    Store(empty)
    jobs: dict[Any, Callable[..., Run]] = {}
    fatal: dict[Any, Path] = {}
    for fmt in SAMPLES:
        cases = _bad_inputs(fmt, root / fmt)
        groups = {"fatal": tuple(p for c, p in cases.items() if c in FATAL)}
        groups |= {c: (p,) for c, p in cases.items() if c not in FATAL}
        for group, paths in groups.items():
            store = root / "stores" / f"{fmt}-{group}"
            workers = "2" if group == "mixed" else "1"

            def job(
                fmt: str = fmt,
                paths: Any = paths,
                store: Path = store,
                workers: str = workers,
            ) -> Run:
                shutil.copytree(empty, store)
                return cli(
                    "ingest", fmt, *paths, "--store", store, "--jobs", workers,
                    cwd=root, store=store, inputs=paths,
                )  # fmt: skip

            jobs[fmt, group] = job
        fatal |= {(fmt, c): p for c, p in cases.items() if c in FATAL}
    runs = run_all(jobs)
    return runs | {k: _focus(runs[k[0], "fatal"], p) for k, p in fatal.items()}


def _focus(run: Run, path: Path) -> Run:
    """`run` with `path` as its only input (for the checks of one case)."""
    return Run(run.args, run.code, run.out, run.err, run.store, (path,), run.inputs)


# ----------------------------------------------------------------- checks
def _summary(line: str) -> tuple[int, int, int, int]:
    m = SUMMARY.search(line)
    assert m, f"no read = stored + duplicates + rejected in {line!r}"
    r, s, d, j = (int(g.replace(",", "")) for g in m.groups())
    assert r == s + d + j, f"counts do not balance: {line!r}"
    return r, s, d, j


def _files_of(run: Run) -> list[Path]:
    files: list[Path] = []
    for p in run.all_inputs or run.inputs:
        files.extend(
            sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
        )
    return files


def check_no_traceback(run: Run) -> None:
    assert "Traceback" not in run.text, run.text
    assert "please report this" not in run.text, run.text


def check_ingest_messages(run: Run) -> None:
    """Every stderr line is one message that starts with the file it is about."""
    files = [str(f) for f in _files_of(run)]
    for line in run.err_lines():
        assert any(line.startswith(f + ":") for f in files), (
            f"message does not start with a file name: {line!r}\n{run.err}"
        )


def check_balance(run: Run) -> tuple[int, int, int, int]:
    """Summary line, per-file lines, manifest, quarantine and tables agree."""
    (last,) = [ln for ln in run.out.splitlines() if SUMMARY.search(ln)]
    totals = _summary(last)
    per_file = [_summary(ln) for ln in run.err_lines() if SUMMARY.search(ln)]
    assert tuple(map(sum, zip(*per_file, strict=True))) == (totals if per_file else ())
    assert run.store is not None
    entries = list(read_manifest(run.store)["files"].values())
    in_manifest = tuple(
        sum(e[k] for e in entries) for k in ("read", "stored", "duplicates", "rejected")
    )
    assert in_manifest == totals, (in_manifest, totals)
    for e in entries:
        assert e["read"] == e["stored"] + e["duplicates"] + e["rejected"], e
    quarantined = [
        json.loads(line)
        for q in sorted((run.store / "quarantine").glob("*.jsonl"))
        for line in q.read_text(encoding="utf-8").splitlines()
    ]
    assert len(quarantined) == totals[3]
    for q in quarantined:
        assert q["reason"] and "\n" not in q["reason"], q
        assert q["file"] in {str(f) for f in _files_of(run)} and q["record_no"] >= 1
    entity = SOURCES[run.args[1]].entity
    main = ENTITIES[entity][0]
    parts = table_files(run.store, main) if is_lake(run.store) else []
    rows = sum(pq.ParquetFile(p).metadata.num_rows for p in parts)
    assert rows == totals[1], f"{main}: {rows} rows stored, summary says {totals[1]}"
    return totals


@pytest.mark.parametrize(("fmt", "case"), INGEST_CASES)
def test_ingest_bad_input(ingest_runs: dict[Any, Run], fmt: str, case: str) -> None:
    run = ingest_runs[fmt, case]
    check_no_traceback(run)
    check_ingest_messages(run)
    read, stored, _dups, rejected = check_balance(run)
    (path,) = run.inputs
    if run.code != 0:  # the summary says that some input was not read
        assert re.search(r"; \d+ file\(s\) not read", run.out), run.out
    if case in FATAL:
        assert run.code != 0, run.text
        assert read == 0
        (line,) = [
            ln
            for ln in run.err_lines()
            if ln.startswith(f"{path}: ") and ": hint: " not in ln
        ]
        assert not SUMMARY.search(line), line
        assert not re.search(r": record \d+:", line), line
        if case == "missing":
            assert "cannot read" in line
        if case == "empty":
            assert "empty" in line
    elif case in DAMAGED:
        if run.code == 0:  # what precedes the damage is kept, the rest rejected
            assert rejected >= 1 and read >= 1
            assert re.search(rf"^{re.escape(str(path))}: record \d+: ", run.err, re.M)
        else:  # nothing readable: one file-level error
            assert read == 0
            (line,) = run.err_lines()
            assert line.startswith(f"{path}: ")
        if case == "truncgz":
            assert "truncated" in run.err
    else:  # mixed folder: the good file is stored, the empty one is an error
        assert run.code != 0
        assert stored >= 1
        good = path / SAMPLES[fmt].name
        assert re.search(rf"^{re.escape(str(good))}: read \d+ = ", run.err, re.M)
        assert re.search(
            rf"^{re.escape(str(path / 'empty'))}\S*: .*empty", run.err, re.M
        )


def test_cut_pretty_printed_trial_is_one_error(ingest_runs: dict[Any, Run]) -> None:
    """Half of a pretty-printed study is one broken document, not N JSON lines."""
    run = ingest_runs["trials", "half"]
    assert run.code != 0
    assert "invalid JSON" in run.err and "record" not in run.err


# ----------------------------------------------------------- other commands
UNITS_HEADER = "unit_code,name,parent,team_count,ror_ids,codes,patterns\n"


@pytest.fixture(scope="module")
def command_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    w = tmp_path_factory.mktemp("commands")
    good = w / "good"
    first = cli(
        "ingest", "medline", DATA / "portfolio" / "medline_sample.txt",
        "--store", good, cwd=w,
    )  # fmt: skip
    assert first.code == 0, first.text
    (w / "bad.toml").write_text("period = [2014\n")
    (w / "unknown.toml").write_text('[report]\ncolour = "blue"\n')
    (w / "units_columns.csv").write_text("code,label\nU1,Lab one\n")
    (w / "units_row.csv").write_text(UNITS_HEADER + "U1,Lab,,many,,,\n")
    (w / "units_binary.csv").write_bytes(bytes(range(256)))
    (w / "units.csv").write_text(UNITS_HEADER + "U1,Lab,,2,,U1052,Lyon\n")
    (w / "grants.csv").write_text("call,year,project_id\nX,abc,P1\n")
    (w / "a_file").write_text("not a folder\n")
    damaged = w / "damaged"
    shutil.copytree(good, damaged)
    for part in (damaged / "data" / "main" / "works").glob("*.parquet"):
        part.write_bytes(b"garbage")
    (w / "bare").mkdir()
    sample = DATA / "wos" / "savedrecs_batch1.txt"
    cases: dict[str, tuple[Any, ...]] = {
        "compute: missing store": ("compute", "--store", w / "nostore"),
        "compute: folder without manifest": ("compute", "--store", w / "bare"),
        "compute: store is a file": ("compute", "--store", w / "a_file"),
        "compute: damaged Parquet part": ("compute", "--store", damaged),
        "compute: bad period": ("compute", "--store", good, "--period", "20x4-2023"),
        "compute: reversed period": ("compute", "--store", good, "--period", "2023-2014"),
        "compute: unknown engine": ("compute", "--store", good, "--engine", "polars"),
        "compute: bad TOML": ("compute", "--store", good, "--config", w / "bad.toml"),
        "compute: unknown setting": (
            "compute", "--store", good, "--config", w / "unknown.toml",
        ),
        "compute: missing config": (
            "compute", "--store", good, "--config", w / "nope.toml",
        ),
        "compute: bad --by": ("compute", "--store", good, "--by", "dog"),
        "compute: bad --periods": ("compute", "--store", good, "--periods", "x"),
        "compute: unknown domain": ("compute", "--store", good, "--domain", "zzz"),
        "compute: --seed not a number": ("compute", "--store", good, "--seed", "abc"),
        "report: missing store": ("report", "--store", w / "nostore", "--out", w / "r1"),
        "report: no indicators yet": ("report", "--store", good, "--out", w / "r2"),
        "report: bad language": (
            "report", "--store", good, "--out", w / "r3", "--lang", "de",
        ),
        "portfolio: wrong columns": (
            "portfolio", "--store", good, "--units", w / "units_columns.csv",
        ),
        "portfolio: malformed row": (
            "portfolio", "--store", good, "--units", w / "units_row.csv",
        ),
        "portfolio: binary units": (
            "portfolio", "--store", good, "--units", w / "units_binary.csv",
        ),
        "portfolio: missing units": (
            "portfolio", "--store", good, "--units", w / "nope.csv",
        ),
        "portfolio: malformed grants": (
            "portfolio", "--store", good, "--units", w / "units.csv",
            "--grants", w / "grants.csv", "--out", w / "pf",
        ),
        "serve: missing store": ("serve", "--store", w / "nostore", "--port", "1"),
        "compare-sources: missing store": ("compare-sources", "--store", w / "nostore"),
        "compare-sources: bad period": (
            "compare-sources", "--store", good, "--period", "abc",
        ),
        "fetch openalex: per-page too large": (
            "fetch", "openalex", "--filter", "x:1", "--per-page", "500",
            "--out", w / "pages",
        ),
        "fetch openalex: no --filter": ("fetch", "openalex", "--out", w / "pages"),
        "fetch openalex: unknown option": ("fetch", "openalex", "--filter", "x:1", "--bogus"),
        "fetch openalex: negative max": (
            "fetch", "openalex", "--filter", "x:1", "--max-records", "-5",
            "--out", w / "pages",
        ),
        "fetch trials: max not a number": ("fetch", "trials", "--max-records", "ten"),
        "ingest: unknown format": ("ingest", "bibtex", sample, "--store", w / "s1"),
        "ingest: no paths": ("ingest", "wos", "--store", w / "s2"),
        "ingest: store is a file": ("ingest", "wos", sample, "--store", w / "a_file"),
        "ingest: store under a file": (
            "ingest", "wos", sample, "--store", w / "a_file" / "store",
        ),
        "unknown command": ("frobnicate",),
    }  # fmt: skip
    jobs = {k: (lambda a=a: cli(*a, cwd=w)) for k, a in cases.items()}
    return run_all(jobs)


#: compute's note on a store whose derived tables are stale (here: damaged).
LONG_WAY = re.compile(r"^\S+/damaged: derived tables missing or out of date \(")

#: Case -> a fragment the one-line error must contain.
COMMAND_ERRORS: dict[str, str] = {
    "compute: missing store": "nostore: no store here",
    "compute: folder without manifest": "bare: no store here",
    "compute: store is a file": "a_file: no store here",
    "compute: damaged Parquet part": "too small to be a Parquet file",
    "compute: bad period": "setting period: '20x4-2023' is not YEAR or FIRST-LAST",
    "compute: reversed period": "years reversed (did you mean 2014-2023?)",
    "compute: unknown engine": "setting engine: 'polars' is not one of 'duckdb', 'spark'",
    "compute: bad TOML": "bad.toml: invalid TOML",
    "compute: unknown setting": "unknown setting 'colour'",
    "compute: missing config": "nope.toml: cannot read",
    "compute: bad --by": "setting by: 'dog' is not one of 'inventor', 'applicant'",
    "compute: bad --periods": "setting periods: 'x' is not two periods",
    "compute: unknown domain": "setting domain: 'zzz' is not one of 'cancer', 'all'",
    "compute: --seed not a number": "--seed",
    "report: missing store": "nostore: no store here",
    "report: no indicators yet": "indicators: no indicator tables here",
    "report: bad language": "setting lang: 'de' is not one of 'en', 'fr'",
    "portfolio: wrong columns": "units_columns.csv: line 1: missing column(s)",
    "portfolio: malformed row": "units_row.csv: line 2: team_count 'many'",
    "portfolio: binary units": "units_binary.csv: line 1: not a CSV file",
    "portfolio: missing units": "nope.csv: cannot read",
    "portfolio: malformed grants": "grants.csv: line 1: missing column(s)",
    "serve: missing store": "nostore: no store here",
    "compare-sources: missing store": "nostore: no store here",
    "compare-sources: bad period": "setting period: 'abc' is not YEAR",
    "fetch openalex: per-page too large": "per_page must be between 1 and 200",
    "fetch openalex: no --filter": "--filter",
    "fetch openalex: unknown option": "No such option: --bogus",
    "fetch openalex: negative max": "--max-records",
    "fetch trials: max not a number": "--max-records",
    "ingest: unknown format": "unknown source 'bibtex'",
    "ingest: no paths": "Missing argument",
    "ingest: store is a file": "a_file: not a folder",
    "ingest: store under a file": "a_file/store: cannot create the store",
    "unknown command": "No such command 'frobnicate'",
}


@pytest.mark.parametrize("case", list(COMMAND_ERRORS))
def test_command_bad_input(command_runs: dict[str, Run], case: str) -> None:
    run = command_runs[case]
    check_no_traceback(run)
    assert run.code not in (0, 3), f"exit {run.code}: {run.text}"
    errors = [ln for ln in run.err_lines() if ln.startswith("error: ")]
    assert len(errors) == 1, run.err
    (line,) = errors
    assert COMMAND_ERRORS[case] in line, line
    # nothing else but progress lines that name what they are about (the
    # damaged store also gets compute's note that it takes the long way)
    assert all(
        ln.startswith(("error: ", "report: ")) or LONG_WAY.match(ln)
        for ln in run.err_lines()
    ), run.err
    if case == "serve: missing store":
        assert "serving" not in run.out


def test_no_arguments_shows_help(tmp_path: Path) -> None:
    run = cli_process(cwd=tmp_path)
    check_no_traceback(run)
    assert "Usage:" in run.text and "ingest" in run.text


#: Runs repeated by the real command (none writes a store).
REAL_COMMAND_CASES = (
    "compute: missing store",
    "compute: bad period",
    "portfolio: malformed row",
    "ingest: unknown format",
    "unknown command",
)


def _without_program(text: str) -> str:
    """`text` without usage hints, which name the program (``python -m …``
    in a subprocess, the test runner in this process)."""
    return re.sub(r" \(see `[^`]*`\)", "", text)


def test_the_real_command_says_the_same(
    ingest_runs: dict[Any, Run], command_runs: dict[str, Run], tmp_path: Path
) -> None:
    """``python -m oncometrics.cli`` exits and prints as the in-process runs."""
    jobs = {
        case: (lambda a=command_runs[case].args: cli_process(*a, cwd=tmp_path))
        for case in REAL_COMMAND_CASES
    }
    # the wos file-level run (in process: one store copied, no workers) into
    # a new store with two worker processes: the same lines and exit code
    fatal = ingest_runs["wos", "fatal"]
    assert fatal.args[-4:-2] == ["--store", str(fatal.store)], fatal.args
    args = [*fatal.args[:-3], str(tmp_path / "store"), "--jobs", "2"]
    jobs["ingest"] = lambda: cli_process(*args, cwd=tmp_path)
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = {k: pool.submit(job) for k, job in jobs.items()}
        real = {k: f.result() for k, f in futures.items()}
    for case in REAL_COMMAND_CASES:
        inproc = command_runs[case]
        assert real[case].code == inproc.code, (case, real[case].text)
        assert _without_program(real[case].err) == _without_program(inproc.err), case
        assert real[case].out == inproc.out, case
    got = real["ingest"]
    assert got.code == fatal.code != 0, got.text
    assert got.err_lines() == fatal.err_lines(), got.err


# ------------------------------------------------------------- empty store
@pytest.mark.slow
def test_compute_on_a_store_with_no_records(tmp_path: Path) -> None:
    """Every record rejected: the store exists but holds nothing to compute."""
    bad = tmp_path / "all_bad.csv"
    header = SAMPLES["scopus"].read_text(encoding="utf-8-sig").splitlines()[0]
    bad.write_text(header + '\n"only","two cells"\n', encoding="utf-8")
    store = tmp_path / "store"
    ingest = cli(
        "ingest", "scopus", bad, "--store", store, cwd=tmp_path, store=store,
        inputs=(bad,),
    )  # fmt: skip
    check_no_traceback(ingest)
    assert ingest.code == 0, ingest.text
    assert check_balance(ingest) == (1, 0, 0, 1)
    run = cli("compute", "--store", store, cwd=tmp_path)
    check_no_traceback(run)
    errors = [ln for ln in run.err_lines() if ln.startswith("error: ")]
    if run.code:
        assert len(errors) == 1 and str(store) in errors[0], run.err
    else:
        assert not errors and "tables written" in run.out


# ------------------------------------------------------- unwritable store
@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_FSIZE semantics")
def test_full_store_is_fatal_and_loses_nothing(tmp_path: Path) -> None:
    """A store that cannot take the data (here: a 4 kB file-size limit, as a
    full disk would) is one fatal line; the file is not marked as ingested,
    so a rerun with room reads it in full."""
    import resource

    sample = SAMPLES["wos"]
    store = tmp_path / "store"

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (4000, 4000))

    proc = subprocess.run(
        [sys.executable, "-m", "oncometrics.cli", "ingest", "wos", str(sample),
         "--store", str(store)],
        capture_output=True, text=True, cwd=tmp_path, env=_env(), timeout=300,
        preexec_fn=limit, check=False,
    )  # fmt: skip
    run = Run(["ingest", "wos"], proc.returncode, proc.stdout, proc.stderr, store)
    check_no_traceback(run)
    assert run.code == 1, run.text
    (line,) = run.err_lines()
    assert line.startswith(f"error: {store}: cannot write the store"), line
    assert not _complete(store)  # no catalog committed (maybe a truncated file)
    again = cli(
        "ingest", "wos", sample, "--store", store, cwd=tmp_path, store=store,
        inputs=(sample,),
    )  # fmt: skip
    assert again.code == 0, again.text
    assert check_balance(again) == (15, 15, 0, 0)


# ------------------------------------------------ damage inside a container
def _damaged_zip(src: Path, dest: Path) -> Path:
    """`src` with 64 bytes of its first member's compressed data overwritten."""
    import struct
    import zipfile

    data = bytearray(src.read_bytes())
    with zipfile.ZipFile(src) as zf:
        info = zf.infolist()[0]
    at = info.header_offset
    name_len, extra_len = struct.unpack("<HH", data[at + 26 : at + 30])
    mid = at + 30 + name_len + extra_len + info.compress_size // 2
    data[mid : mid + 64] = b"\xff" * 64
    dest.write_bytes(bytes(data))
    return dest


def test_damage_inside_zip_and_xml_errors_are_one_line(tmp_path: Path) -> None:
    """A zlib error inside a zip member is a file-level error naming the zip;
    an XML parser's multi-line message is quarantined and shown as one line."""
    zipped = _damaged_zip(
        DATA / "patents" / "ipgb20230404_wk14_subset.zip", tmp_path / "damaged.zip"
    )
    xml = SAMPLES["patents"].read_bytes()
    nul = tmp_path / "nul.xml"
    nul.write_bytes(xml[: len(xml) // 2] + b"\x00" + xml[len(xml) // 2 :])
    jobs = {
        p.name: (
            lambda p=p: cli(
                "ingest", "patents", p, "--store", tmp_path / p.stem, cwd=tmp_path,
                store=tmp_path / p.stem, inputs=(p,),
            )
        )
        for p in (zipped, nul)
    }  # fmt: skip
    runs = run_all(jobs)
    for run in runs.values():
        check_no_traceback(run)
        check_ingest_messages(run)
        check_balance(run)
    zrun, xrun = runs["damaged.zip"], runs["nul.xml"]
    assert zrun.code == 1
    (line,) = zrun.err_lines()
    assert line.startswith(f"{zipped}: damaged or unreadable input ("), line
    assert xrun.code == 0 and f"{nul}: record 1: " in xrun.err


# ------------------------------------------------ unknown codes, no files
def test_unknown_code_is_rejected_and_empty_folder_is_an_error(tmp_path: Path) -> None:
    """A party role the canonical patent CSV does not know rejects that family
    (record and line named, exit 0); a folder with no files is an error."""
    codes = tmp_path / "codes.csv"
    codes.write_text(
        "family_id,patent_id,role,sequence,name,country,cpc\n"
        "F1,P1,inventor,1,Ana,FR,A61K31/337\n"
        "F2,P2,inventr,1,Bob,FR,A61K31/337\n"
        "F3,P3,applicant,1,Acme,DE,C07K16/30\n"
    )
    empty = tmp_path / "no_files"
    empty.mkdir()
    (empty / ".hidden.csv").write_text("x\n")
    runs = run_all(
        {
            name: (
                lambda p=p: cli(
                    "ingest", "patents", p, "--store", tmp_path / f"st_{p.name}",
                    cwd=tmp_path, store=tmp_path / f"st_{p.name}", inputs=(p,),
                )
            )
            for name, p in (("codes", codes), ("empty", empty))
        }
    )  # fmt: skip
    run = runs["codes"]
    check_no_traceback(run)
    check_ingest_messages(run)
    assert run.code == 0, run.text
    assert check_balance(run) == (3, 2, 0, 1)
    assert f"{codes}: record 2: " in run.err and "line 3: role must be" in run.err
    assert "line 3: line 3" not in run.err
    run = runs["empty"]
    check_no_traceback(run)
    assert run.code == 1
    assert run.err_lines() == [
        f"error: {empty}: no files to read (hidden and _ files are skipped)"
    ]


def test_lens_json_of_another_source_or_cut_is_a_file_error(tmp_path: Path) -> None:
    """Lens JSON: a trials page or a cut pretty-printed export is not read as
    records (no per-line rejects of a broken document)."""
    src = (DATA / "lens" / "lens_4_real_papers.json").read_bytes()
    cut = tmp_path / "cut.json"
    cut.write_bytes(src[: len(src) // 2])
    trial = tmp_path / "trial.json"
    trial.write_bytes((DATA / "trials" / "NCT00973089.json").read_bytes())
    store = tmp_path / "store"
    run = cli(
        "ingest", "lens", cut, trial, "--store", store, cwd=tmp_path, store=store,
        inputs=(cut, trial),
    )  # fmt: skip
    check_no_traceback(run)
    check_ingest_messages(run)
    assert run.code == 1
    assert check_balance(run) == (0, 0, 0, 0)
    lines = [ln for ln in run.err_lines() if ": hint: " not in ln]
    assert [ln.split(": ")[:2] for ln in lines] == [
        [str(cut), "not valid JSON (Unterminated string starting at"],
        [str(trial), "not a Lens JSON export (record keys"],
    ]
    # the trial page is pointed to its own subcommand; the cut export is not
    hints = [ln for ln in run.err_lines() if ": hint: " in ln]
    assert len(hints) == 1 and hints[0].startswith(f"{trial}: hint: ")
    assert "use `oncometrics ingest trials`" in hints[0]
