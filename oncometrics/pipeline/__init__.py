"""The runner: wires the indicator functions and writes the tables.

This package is the only code that materialises results (through the
:class:`~oncometrics.engine.Engine`) and writes files.  One module per
family of tables, each a set of functions named after the table they make
(:mod:`.publications`, :mod:`.inventions`, :mod:`.trials`); :func:`compute`
is the short driver.  Each output table is written twice in the output
folder, as ``<name>.csv`` and ``<name>.parquet``, next to ``domain.json``
(the domain definition and its hash, which every table also carries in its
``domain_hash`` column).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oncometrics import derived, layout, outputs
from oncometrics.config import Config, parse_period
from oncometrics.domain import Domain
from oncometrics.engine import Engine
from oncometrics.pipeline.actors import HEAD, Resampling, Threshold
from oncometrics.pipeline.families import invention_tables, trial_tables
from oncometrics.pipeline.inputs import TABLES_NEEDED, Inputs, inputs, read_totals
from oncometrics.pipeline.output import with_meta, write_domain, write_table
from oncometrics.pipeline.publications import Counting, publication_tables
from oncometrics.settings_file import write_settings
from oncometrics.store import pin as pin_store
from oncometrics.store import unpin as unpin_store

if TYPE_CHECKING:
    import pyarrow as pa
    from ibis.backends import BaseBackend

__all__ = [
    "HEAD",
    "TABLES_NEEDED",
    "Counting",
    "Inputs",
    "compute",
    "counting_of",
    "inputs_of",
    "read_totals",
    "with_meta",
    "write_table",
]


def compute(
    store: Path | str,
    out: Path,
    *,
    config: Config,
    log: Callable[[str], Any] = print,
    spark_session: Any = None,
    con: BaseBackend | None = None,
) -> dict[str, Path]:
    """Compute the indicator tables of `store` into `out`.

    Parameters
    ----------
    store
        The store: a folder or a URL (``file://``, ``s3a://``, ``hdfs://``…
        as the engine can read).
    out
        Output folder; created if needed.
    config
        Settings (engine, domain, period, counting, bootstrap, ...).
    log
        One-line progress messages.
    spark_session
        An existing SparkSession to run on (implies the Spark engine).
    con
        An existing Ibis backend (tests); not closed here.

    Returns
    -------
    dict[str, Path]
        Table name -> Parquet file (the CSV sits next to it); ``"domain"`` ->
        ``domain.json``.
    """
    t0 = time.perf_counter()
    engine = (
        Engine(con)
        if con is not None
        else Engine.from_config(config, spark_session=spark_session)
    )
    try:
        engine.check_store(store)
        snap = _pin(store, config)  # every table from one snapshot
        domain = Domain.from_config(config)
        final, out = Path(out), outputs.stage(Path(out))  # `final` replaced on success
        try:
            prov = _country_provenance(engine, store)
            written = {
                "domain": write_domain(
                    out, domain, config, prov, snap, threshold=threshold_label(config)
                )
            }
            write_settings(out, config)  # every resolved setting: --config reruns
            rows = 0
            tables = _all_tables(engine, (out, prov, snap), store, domain, config, log)
            for name, table in tables:
                written[name] = write_table(out, name, table)
                secs = time.perf_counter() - t0
                log(f"{name}: {table.num_rows:,} rows ({secs:.1f} s)")
                rows += _country_rows(table) if name in COUNTED else 0
            if rows == 0 and config.period:
                raise ValueError(
                    f"no publication, invention or trial of the store falls in "
                    f"the period {config.period}: nothing computed (check --period)"
                )
        except BaseException:
            outputs.discard(out)
            raise
    finally:
        engine.close()
        if layout.local_path(store) is not None:
            unpin_store(layout.local_path(store))  # type: ignore[arg-type]
    outputs.publish(out, final)
    return {k: final / p.name for k, p in written.items()}


def _pin(store: Path | str, config: Config) -> int | None:
    """Pin a local DuckLake store's snapshot (setting ``snapshot``: which).

    Returns its id, recorded in ``domain.json``; None for a store read
    through a URL (no catalog).
    """
    local = layout.local_path(store)
    if local is None or not (
        layout.is_lake(local) or (local / layout.MANIFEST).exists()
    ):
        return None
    return pin_store(local, config.values.get("snapshot")).id


def _country_provenance(
    engine: Engine, store: Path | str
) -> dict[str, dict[str, int]] | None:
    """Authorships by source and country provenance (None without publications)."""
    if not engine.has_data(store, "authorship_countries"):
        return None
    from oncometrics.indicators import provenance

    t = engine.load_tables(store, ["works", "authorship_countries"])
    expr = provenance.country_provenance(t["works"], t["authorship_countries"])
    return provenance.provenance_counts(expr.to_pyarrow().to_pylist())


#: The tables that say whether a period holds any record at all.
COUNTED = ("publications_by_country", "inventions_by_country", "trials_by_country")


def _country_rows(table: pa.Table) -> int:
    """Rows of `table` about a country (not the 'unassigned' remainder)."""
    import pyarrow.compute as pc

    if "country" not in table.column_names:
        return table.num_rows
    codes = pc.match_substring_regex(table["country"], r"^[A-Z]{2}$")
    return int(pc.sum(pc.fill_null(codes, False)).as_py() or 0)


def _all_tables(
    engine: Engine,
    dest: tuple[Path, dict[str, dict[str, int]] | None, int | None],
    store: Path | str,
    domain: Domain,
    config: Config,
    log: Callable[[str], Any],
) -> Iterator[tuple[str, pa.Table]]:
    """Every output table, materialised one after the other."""
    stale = [t for t in derived.SOURCES
             if not layout.derived_complete(store, t)]  # fmt: skip
    if stale:
        log(
            f"{store}: derived tables missing or out of date ({', '.join(stale)}): "
            "computing from the authorships, same figures, slower; rerun "
            "`oncometrics ingest` on the same files to add them"
        )
    inp = inputs_of(engine, store, domain, config)
    write_domain(
        dest[0],
        domain,
        config,
        dest[1],
        dest[2],
        corpus=inp.summary,
        threshold=threshold_label(config),
    )
    facts = inp.summary or {}
    meta = {"domain": domain.label, "domain_hash": domain.hash,
            "period": _period_label(config),
            "citations_observed": str(facts.get("citations_observed", "n/a"))}  # fmt: skip
    how = counting_of(config)
    for name, table in publication_tables(inp, how, totals_csv=config.totals, log=log):
        yield name, with_meta(table, meta)
    for exprs in (invention_tables(engine, store, domain, config),
                  trial_tables(engine, store, domain, config)):  # fmt: skip
        for name, expr in exprs.items():
            yield name, engine.to_arrow(expr)


def inputs_of(
    engine: Engine, store: Path | str, domain: Domain, config: Config
) -> Inputs:
    """The shared publication inputs with the settings of `config`."""
    window = config.citation_window
    return inputs(
        engine,
        store,
        domain,
        period=parse_period(config.period),
        citation_window=None if window is None else int(window),
        normalise_by_type=bool(config.normalise_by_type),
        field_scheme=str(config.values.get("field_scheme") or "openalex_subfield"),
        min_reference_set=int(config.min_reference_set),
    )


def counting_of(config: Config) -> Counting:
    """The counting and ranking settings of `config` as plain values."""
    min_p, share = config.values.get("min_p"), config.values.get("min_share")
    return Counting(
        counting=str(config.counting),
        size=Threshold(
            min_p=None if min_p in (None, "") else float(min_p),
            min_share=None if share in (None, "") else float(share),
        ),
        min_p_institution=float(config.min_p_institution),
        min_coverage=float(config.values.get("min_coverage") or 0.0),
        totals_file=bool(config.totals),
        resampling=Resampling(
            resamples=int(config.bootstrap),
            seed=int(config.seed),
            exact_max=int(config.bootstrap_exact_max),
        ),
    )


def threshold_label(config: Config) -> str:
    """How domain.json names the country size threshold."""
    size = counting_of(config).size
    if size.min_p is not None:
        return f"P_frac ≥ {size.min_p:g}"
    if size.min_share:
        return f"at least {size.min_share * 100:g} % of world output"
    return "no size threshold"


def _period_label(config: Config) -> str:
    p = parse_period(config.period)
    return "all" if p is None else f"{p[0]}-{p[1]}"
