"""The ``oncometrics`` command line: thin wrappers over the library.

No computation happens here: each command parses its options, calls one
library function and prints where the output went.  ``main`` turns every
expected error into one line on stderr and a non-zero exit (no traceback).
"""

from __future__ import annotations

import contextlib
import json
import signal
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from oncometrics.config import load_config
from oncometrics.errors import (
    UserError,
    crash_log,
    describe,
    is_user_error,
    one_line,
)
from oncometrics.sources import SOURCES

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="oncometrics: where a country and its teams stand in world cancer research.",
)
fetch_app = typer.Typer(no_args_is_help=True, help="Download records from open APIs.")
app.add_typer(fetch_app, name="fetch")

# soft_wrap: a message stays one line (rich would break it at 80 columns
# when the output is not a terminal).
err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)

StoreOpt = Annotated[
    Path, typer.Option("--store", help="Store folder (Parquet tables).")
]
StoreUrlOpt = Annotated[
    str,
    typer.Option(
        "--store",
        help="Store folder, or its URL (file://, s3a://, hdfs://… as the "
        "engine reads them).",
    ),
]
ConfigOpt = Annotated[
    Path | None, typer.Option("--config", help="TOML configuration file.")
]
JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print a JSON summary on stdout.")
]


__all__ = ["UserError", "app", "main"]


def _help_without_flag_types() -> None:
    """Help shows no ``<bool>`` for flags, and the configured default of options.

    An option left unset (None) takes its value from the settings: the help
    shows that default (``[default: en]``) instead of nothing.
    """
    from typer.core import TyperOption

    from oncometrics.config import SETTINGS

    defaults = {s.name: s.default for s in SETTINGS}
    show_type, show_default = (
        TyperOption.display_type_rich,
        TyperOption._extract_default_help_str,
    )

    def display_type_rich(self: TyperOption, ctx: Any) -> str | None:
        return None if self.is_flag else show_type(self, ctx)

    def default_help(self: TyperOption, *, ctx: Any) -> Any:
        own = show_default(self, ctx=ctx)
        if own is None and self.name in defaults and not self.is_flag:
            value = defaults[self.name]
            if value not in (None, "", ()):
                self.show_default = True
                return ",".join(map(str, value)) if isinstance(value, tuple) else value
        return own

    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]
    TyperOption._extract_default_help_str = default_help  # type: ignore[method-assign]


_help_without_flag_types()


def _version(value: bool) -> None:
    if value:
        from oncometrics import __version__

        out.print(f"oncometrics {__version__}", markup=False)
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """oncometrics: where a country and its teams stand in world cancer research."""


def _log(message: str) -> None:
    """Print a progress or error message on stderr, always as one line."""
    err.print(" ".join(message.split()), markup=False)


def _progress_factory() -> Any:
    """A `progress(path, size)` callback factory drawing a rich progress bar."""
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    progress = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )

    def make(path: str, size: int) -> Any:
        if not progress.live.is_started:
            progress.start()
        task = progress.add_task(Path(path).name, total=size)
        return lambda done: progress.update(task, completed=done)

    return progress, make


@app.command()
def ingest(
    source: Annotated[
        str,
        typer.Argument(
            help="Record format: "
            + "; ".join(f"{name} ({spec.help})" for name, spec in SOURCES.items())
            + "."
        ),
    ],
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Files or folders to read (with --engine spark also file://, "
            "s3a://, hdfs://… URLs)."
        ),
    ],
    store: StoreOpt = Path("store"),
    json_out: JsonOpt = False,
    jobs: Annotated[
        int | None,
        typer.Option(
            "--jobs",
            min=1,
            help="Worker processes parsing files in parallel (default: the "
            "number of CPU cores, at most one per file; 1: no workers). "
            "Files are committed in input order whatever the number.",
        ),
    ] = None,
    engine: Annotated[
        str | None,
        typer.Option(
            help="spark: read and flatten OpenAlex snapshot parts on Spark "
            "(docs/scaling.md); default: this machine."
        ),
    ] = None,
    spark_master: Annotated[str | None, typer.Option(help="Spark master URL.")] = None,
) -> None:
    """Read record files into the store (duplicates and rejects counted)."""
    from oncometrics.store import Store, default_jobs

    if store.exists() and not store.is_dir():
        raise UserError(f"{store}: not a folder (a store is a folder of tables)")
    if engine not in (None, "duckdb", "spark"):
        raise UserError(f"unknown engine {engine!r}; choose duckdb or spark")
    if engine == "spark" and source != "openalex":
        raise UserError("--engine spark reads OpenAlex snapshot parts only")
    st = Store(store)
    progress, make = _progress_factory()
    jobs = jobs or default_jobs()
    try:
        if engine == "spark":
            summary = _ingest_spark(st, paths, spark_master, make)
        else:
            with _interrupts_for_parent_only(workers=jobs > 1):
                summary = st.ingest(
                    source, [Path(p) for p in paths], log=_log, progress=make, jobs=jobs
                )
    finally:
        progress.stop()
    if not summary.files:  # e.g. an empty folder: surely not what was meant
        named = ", ".join(str(p) for p in paths)
        raise UserError(f"{named}: no files to read (hidden and _ files are skipped)")
    for f in summary.files:
        if not f.skipped and not f.error:
            err.print(
                f"{f.path}: read {f.read:,} = stored {f.stored:,} + duplicates "
                f"{f.duplicates:,} + rejected {f.rejected:,}",
                markup=False,
            )
    failed = len(summary.errors)
    if failed:
        from oncometrics.sources.suggest import suggest_source

        for f in summary.errors:
            hint = suggest_source(Path(f.path), source)
            if hint:
                err.print(hint, markup=False)
    unread = f"; {failed} file(s) not read, see the errors above" if failed else ""
    # with --json, stdout holds the JSON document only
    (err if json_out else out).print(summary.line() + unread, markup=False)
    if source in PUBLICATION_SOURCES and summary.total("stored"):
        line = _country_provenance_line(store)
        (err if json_out else out).print(line, markup=False)
    if json_out:
        print(json.dumps({"files": [vars(f) for f in summary.files]}, indent=1))
    if summary.errors:
        raise typer.Exit(1)


def _ingest_spark(st: Any, paths: list[str], master: str | None, make: Any) -> Any:
    """``ingest openalex … --engine spark`` (oncometrics.ingest_spark)."""
    from oncometrics.engine import spark
    from oncometrics.ingest_spark import ingest_spark

    try:
        return ingest_spark(st, paths, spark(master), log=_log, progress=make)
    except ValueError as exc:
        raise UserError(str(exc)) from None


#: Sources whose records give authorships a country (see ``ingest``).
PUBLICATION_SOURCES = ("openalex", "pubmed", "medline", "wos", "scopus", "lens",
                       "dimensions")  # fmt: skip


def _country_provenance_line(store: Path) -> str:
    """Per source, the authorships whose country was read from the strings.

    The query of :func:`~oncometrics.indicators.provenance.country_provenance`
    run on the catalog's connection (no engine to start: ~5x less CPU).
    """
    import ibis

    from oncometrics import lake
    from oncometrics.indicators import provenance
    from oncometrics.schema import TABLES

    names = ("works", "authorship_countries")
    t = {n: ibis.table(ibis.schema(TABLES[n]), name=f"_prov_{n}") for n in names}
    expr = provenance.country_provenance(t["works"], t["authorship_countries"])
    con = lake.connect(store, read_only=True)
    try:
        for n in names:
            con.execute(
                f"CREATE OR REPLACE TEMP VIEW _prov_{n} AS SELECT * FROM {lake.ALIAS}.{n}"
            )
        cur = con.execute(str(ibis.to_sql(expr, dialect="duckdb")))
        cols = [d[0] for d in cur.description]
        rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    finally:
        con.close()
    return provenance.provenance_line(provenance.provenance_counts(rows))


@app.command()
def compute(
    store: StoreUrlOpt = "store",
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", help="Output folder (default STORE/indicators)."),
    ] = None,
    period: Annotated[str | None, typer.Option(help="Years, e.g. 2014-2023.")] = None,
    domain: Annotated[str | None, typer.Option(help="Domain name.")] = None,
    config: ConfigOpt = None,
    engine: Annotated[str | None, typer.Option(help="duckdb or spark.")] = None,
    spark_master: Annotated[str | None, typer.Option(help="Spark master URL.")] = None,
    seed: Annotated[int | None, typer.Option(help="Bootstrap seed.")] = None,
    by: Annotated[
        str | None, typer.Option(help="Invention actors: inventor or applicant.")
    ] = None,
    periods: Annotated[
        str | None, typer.Option(help="Two periods for the technology shift.")
    ] = None,
) -> None:
    """Compute every indicator table (CSV + Parquet) from the store."""
    cfg = load_config(
        config,
        period=period,
        domain=domain,
        engine=engine,
        spark_master=spark_master,
        seed=seed,
        by=by,
        periods=periods,
    )
    from oncometrics import layout

    local = layout.local_path(store)
    if local is not None:
        _existing_store(local)  # before importing the (heavy) pipeline
    target = out_dir or (local / "indicators" if local is not None else None)
    if target is None:
        raise UserError(f"{store}: give --out for a store addressed by URL")
    from oncometrics.pipeline import compute as run

    written = run(store, target, config=cfg, log=_log)
    out.print(f"{len(written)} tables written to {target}", markup=False)


@app.command()
def report(
    store: StoreOpt = Path("store"),
    out_dir: Annotated[Path, typer.Option("--out", help="Report folder.")] = Path(
        "report"
    ),
    indicators: Annotated[
        Path | None,
        typer.Option(help="Tables from `compute` (default STORE/indicators)."),
    ] = None,
    actor: Annotated[
        str | None, typer.Option(help="Country the report is about.")
    ] = None,
    period: Annotated[str | None, typer.Option(help="Years, e.g. 2016-2020.")] = None,
    lang: Annotated[str | None, typer.Option(help="en or fr.")] = None,
    config: ConfigOpt = None,
) -> None:
    """Write report.html (self-contained) and report.xlsx."""
    from oncometrics.report import write_report
    from oncometrics.report.i18n import check_lang

    cfg = load_config(config, actor=actor, period=period, lang=lang)
    check_lang(cfg.lang)  # before the (long) reading of the tables
    path = write_report(
        _existing_store(store),
        out_dir,
        config=cfg,
        indicators=indicators or store / "indicators",
        log=_log,
    )
    out.print(f"report written to {path}", markup=False)


#: Help of the drill's row qualifiers (``drill_levels.Qualifiers``), by option.
_QUALIFIER_HELP = {
    "year": "A year or period (2020, 2019-2020): the rows of the by-year "
    "table of country, inventions, trials (default: all years).",
    "country": "A facility's country, when it has sites in several.",
    "partner": "The partner country of a pair (partner levels).",
    "field": "A WIPO technology field number (level technology).",
    "period": "A period of technology_mix (2014-2018, all; default the "
    "tables' period): level technology.",
}


def _qualifier(name: str) -> Any:
    """The option of the drill's row qualifier `name` (unset: None)."""
    return typer.Option(help=_QUALIFIER_HELP[name])


@app.command()
def drill(
    level: Annotated[
        str,
        typer.Argument(
            help="country, institution (publications), inventions, applicant "
            "(patent families), trials, sponsor or facility (trials); partners, "
            "inv_partners or trial_partners (a pair of countries); technology "
            "(families of a country in a WIPO field, with --field)."
        ),
    ],
    actor: Annotated[
        str,
        typer.Argument(
            help="Country code (ISO alpha-2), institution id, applicant, sponsor "
            "or facility (as in its table)."
        ),
    ],
    store: StoreOpt = Path("store"),
    indicators: Annotated[
        Path | None,
        typer.Option(help="Tables from `compute` (default STORE/indicators)."),
    ] = None,
    out_csv: Annotated[
        Path | None, typer.Option("--out", help="CSV file (default: stdout).")
    ] = None,
    year: Annotated[str | None, _qualifier("year")] = None,
    country: Annotated[str | None, _qualifier("country")] = None,
    partner: Annotated[str | None, _qualifier("partner")] = None,
    field: Annotated[int | None, _qualifier("field")] = None,
    period: Annotated[str | None, _qualifier("period")] = None,
) -> None:
    """The records behind one actor's row of a table, with their weights (CSV).

    The weights add up to the row's p_frac (i_frac, trials); the store is
    read at the snapshot and with the settings the tables were computed with.
    """
    from oncometrics.drill import drill as run
    from oncometrics.drill import write_csv

    table = run(
        _existing_store(store),
        indicators or store / "indicators",
        level,
        actor,
        year=year,
        country=country,
        partner=partner,
        field=field,
        period=period,
    )
    if out_csv is None:
        write_csv(table, sys.stdout)
        return
    with out_csv.open("w", encoding="utf-8", newline="") as fh:
        write_csv(table, fh)
    out.print(f"{table.num_rows} records written to {out_csv}", markup=False)


@app.command()
def portfolio(
    units: Annotated[Path | None, typer.Option(help="Unit registry CSV.")] = None,
    store: StoreOpt = Path("store"),
    grants: Annotated[Path | None, typer.Option(help="Funded projects CSV.")] = None,
    curation: Annotated[
        Path | None, typer.Option(help="Manual matching decisions CSV.")
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", help="Output folder (default STORE/portfolio)."),
    ] = None,
    config: ConfigOpt = None,
    centres: Annotated[
        Path | None,
        typer.Option(help="The organisation's clinical centres CSV (trial sites)."),
    ] = None,
) -> None:
    """Indicators for the organisation's own units, funded projects and centres."""
    from oncometrics.portfolio import run_portfolio

    cfg = load_config(config)
    target = out_dir or store / "portfolio"
    written = run_portfolio(
        _existing_store(store),
        units,
        target,
        grants=grants,
        curation=curation,
        config=cfg,
        log=_log,
        centres=centres,
    )
    out.print(f"{len(written)} tables written to {target}", markup=False)


@app.command()
def serve(
    store: StoreOpt = Path("store"),
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
) -> None:
    """Start the web dashboard and JSON API (read-only)."""
    import uvicorn

    from oncometrics.web.app import create_app

    web_app = create_app(_existing_store(store))
    out.print(f"serving {store} on http://{host}:{port}/", markup=False)
    uvicorn.run(web_app, host=host, port=port, log_level="warning")


@app.command("expire-snapshots")
def expire_snapshots(
    store: StoreOpt = Path("store"),
    keep_from: Annotated[
        int | None,
        typer.Option("--keep-from", help="Oldest snapshot to keep (an id)."),
    ] = None,
    outputs: Annotated[
        list[Path] | None,
        typer.Option(
            "--outputs", help="Keep the snapshot this output folder was computed from."
        ),
    ] = None,
) -> None:
    """Delete the snapshots older than the ones to keep, and their data files."""
    from oncometrics import store_expire

    keep = store_expire.keep_from(keep_from, outputs or [])
    old, files = store_expire.expire(store, keep)
    out.print(
        f"{store}: {len(old)} snapshot(s) before {keep} expired, "
        f"{files} data file(s) deleted",
        markup=False,
    )


@app.command("compare-sources")
def compare_sources(
    store: StoreOpt = Path("store"),
    period: Annotated[str | None, typer.Option(help="Years, e.g. 2014-2023.")] = None,
    config: ConfigOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """How publication counts per country differ between ingested sources."""
    from oncometrics.compare import compare_sources as run

    cfg = load_config(config, period=period)
    table = run(_existing_store(store), config=cfg)
    if json_out:
        print(table.to_json(orient="records", indent=1))
    else:
        out.print(table.to_string(index=False), markup=False)


@app.command()
def demo(
    out_dir: Annotated[
        Path, typer.Option("--out", help="Where the demo writes its store and report.")
    ] = Path("oncometrics-demo"),
) -> None:
    """Ingest the bundled real sample, compute the indicators, write the report."""
    from oncometrics.demo import counts_lines, run_demo

    report_path = run_demo(out_dir, log=_log)
    for line in counts_lines(out_dir / "store"):  # read vs counted, computed
        out.print(line, markup=False)
    out.print(f"demo report written to {report_path}", markup=False)


@fetch_app.command("openalex")
def fetch_openalex(
    filter_: Annotated[
        str,
        typer.Option(
            "--filter",
            help="OpenAlex filter, e.g. "
            "primary_topic.subfield.id:2730,"
            "publication_year:2020",
        ),
    ],
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder for the pages.")
    ] = Path("openalex-pages"),
    email: Annotated[
        str | None, typer.Option(help="Contact e-mail (polite pool).")
    ] = None,
    api_key: Annotated[str | None, typer.Option(help="OpenAlex API key.")] = None,
    max_records: Annotated[
        int | None, typer.Option(min=1, help="Stop after N works.")
    ] = None,
    per_page: Annotated[int, typer.Option(help="Works per page (max 200).")] = 200,
) -> None:
    """Download works with cursor paging; rerun to resume."""
    from oncometrics.fetch.openalex import fetch_works

    res = fetch_works(
        filter_,
        out_dir,
        email=email,
        api_key=api_key,
        max_records=max_records,
        per_page=per_page,
        log=_log,
    )
    out.print(
        f"{res.records:,} works in {res.pages} pages under {out_dir}; "
        f"ingest with: oncometrics ingest openalex {out_dir}",
        markup=False,
    )


@fetch_app.command("trials")
def fetch_trials(
    condition: Annotated[str, typer.Option(help="Condition query.")] = "cancer",
    query: Annotated[
        str | None, typer.Option(help="Free-text query (query.term).")
    ] = None,
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder for the pages.")
    ] = Path("trial-pages"),
    max_records: Annotated[
        int | None, typer.Option(min=1, help="Stop after N studies.")
    ] = None,
) -> None:
    """Download ClinicalTrials.gov studies with page tokens; rerun to resume."""
    from oncometrics.fetch.trials import fetch_studies

    res = fetch_studies(
        out_dir,
        condition=condition,
        query=query,
        max_records=max_records,
        log=_log,
    )
    out.print(
        f"{res.records:,} studies in {res.pages} pages under {out_dir}; "
        f"ingest with: oncometrics ingest trials {out_dir}",
        markup=False,
    )


def _existing_store(store: Path) -> Path:
    from oncometrics import layout

    if not layout.is_store(store):
        raise UserError(f"{store}: no store here (run `oncometrics ingest` first)")
    return store


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, mapping expected errors to one line.

    Called from Python code (`argv` given), it leaves the caller's Ctrl-C
    handler as it found it (an interrupted run ignores a second Ctrl-C; a
    process that keeps running, and the programs it starts, must not).
    """
    if argv is not None and threading.current_thread() is threading.main_thread():
        previous = signal.getsignal(signal.SIGINT)
        try:
            _run(argv)
        finally:
            if previous is not None:  # None: a handler not set from Python
                signal.signal(signal.SIGINT, previous)
        return
    _run(argv)


def _run(argv: list[str] | None) -> None:
    try:
        # Without standalone mode, typer *returns* the code of a typer.Exit.
        code = app(args=argv, standalone_mode=False)
        if argv is None:  # the program itself (not a call from Python code)
            # The work is done: a Ctrl-C now must not kill the interpreter as
            # it shuts down (Python restores the default action then: exit -2).
            signal.signal(signal.SIGINT, signal.SIG_IGN)
        if code == INTERRUPTED:  # typer's own Ctrl-C: Exit(130), said nothing
            sys.exit(_interrupted())
        if isinstance(code, int) and code:
            sys.exit(code)
    except typer.Exit as exc:
        sys.exit(_interrupted() if exc.exit_code == INTERRUPTED else exc.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        sys.exit(_interrupted())
    except Exception as exc:  # never show a traceback
        if _is_interrupt(exc):
            sys.exit(_interrupted())
        sys.exit(_fail(exc))


#: Exit status after Ctrl-C (128 + SIGINT, the shell's convention).
INTERRUPTED = 130


def _interrupted() -> int:
    """Say "interrupted" (once: a second Ctrl-C is ignored); exit status 130."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the process is ending
    err.print("interrupted", markup=False)
    return INTERRUPTED


def _is_interrupt(exc: BaseException) -> bool:
    """True for an error that is a Ctrl-C in disguise (DuckDB's, or a wrapper's)."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        if isinstance(cur, KeyboardInterrupt) or type(cur).__name__ in (
            "InterruptException",  # duckdb: a query stopped by Ctrl-C
        ):
            return True
        seen.add(id(cur))
        cur = cur.__cause__ or cur.__context__
    return False


@contextlib.contextmanager
def _interrupts_for_parent_only(workers: bool = True) -> Iterator[None]:
    """Ctrl-C interrupts this process, never the worker processes it starts.

    A terminal sends SIGINT to every process of the foreground group, so a
    worker still starting (before its initializer ignores the signal) would
    die printing a traceback.  Here SIGINT is blocked in this thread (workers
    started from it inherit the blocked signal for good) and a watcher
    thread takes it and raises KeyboardInterrupt in this thread (through
    SIGUSR1, which also wakes a blocking wait).  multiprocessing's resource
    tracker is started first: starting it unblocks SIGINT.
    """
    main = threading.main_thread()
    if threading.current_thread() is not main or not hasattr(signal, "sigtimedwait"):
        yield
        return
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        yield  # started with Ctrl-C ignored (e.g. in the background)
        return
    if workers:
        from multiprocessing import resource_tracker

        resource_tracker.ensure_running()
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            if signal.sigtimedwait({signal.SIGINT}, 0.1) is not None:
                signal.pthread_kill(main.ident or 0, signal.SIGUSR1)

    def interrupt(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGUSR1, interrupt)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    watcher = threading.Thread(target=watch, name="ctrl-c", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        stop.set()
        watcher.join()
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        signal.signal(signal.SIGUSR1, previous)


def _fail(exc: Exception) -> int:
    """Print `exc` as one line on stderr; the exit status.

    Expected errors (bad input or setup) exit 1, command-line usage errors 2,
    anything else is a bug: 3, with a request to report it and the
    traceback written to a log file whose path is printed.
    """
    if is_user_error(exc):
        err.print(f"error: {describe(exc)}", markup=False)
        return 1
    usage = _usage_error(exc)
    if usage is not None:
        return usage
    log = crash_log(exc)
    err.print(
        f"error: unexpected {type(exc).__name__}: {describe(exc)} (please report "
        f"this, with the traceback in {log})",
        markup=False,
    )
    return 3


def _usage_error(exc: Exception) -> int | None:
    """Print a command-line usage error (click/typer) as one line; its exit code.

    None when `exc` is not one.  No arguments at all shows the help instead.
    """
    from typer.exceptions import TyperException

    if not isinstance(exc, TyperException) or not hasattr(exc, "format_message"):
        return None
    code = int(getattr(exc, "exit_code", 2))
    if type(exc).__name__ == "NoArgsIsHelpError":
        exc.show()  # type: ignore[attr-defined]
        return code
    ctx = getattr(exc, "ctx", None)
    hint = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
    err.print(f"error: {one_line(exc.format_message())}{hint}", markup=False)
    return code


if __name__ == "__main__":  # pragma: no cover
    main()
