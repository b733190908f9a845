"""Child process of bench_compute.py: one country-table run, timed by phase.

``python bench/_country_table.py STORE ENGINE OUT.csv`` computes the
publication-by-country table with the pipeline's own code path
(``oncometrics.pipeline.inputs_of``, ``inputs.country_totals``, ``actors.actor_table``),
bootstrap intervals off so that it does the same work as the pandas
baseline, writes it as CSV and prints one JSON line of phase timings
(``BENCH_BOOTSTRAP=1000``: with the stability and rank intervals).
``ENGINE`` = ``pandas`` runs ``bench/baseline_pandas.py`` instead.
``ENGINE`` = ``duckdb-semijoin`` is a what-if: DuckDB with the domain's
MeSH descriptors matched by a semi-join on a memtable instead of an ``IN``
list of ~1,000 literals (see docs/benchmarks.md); the pipeline has done
this itself since, so the patch changes nothing on current code.
``ENGINE`` = ``duckdb-noderived`` (or ``spark-noderived``) ignores the
store's derived ``work_country_weights`` and computes every work's weights
from the authorships, as on a store written before that table existed.  Settings
come from the environment as for the CLI (e.g. ``ONCOMETRICS_MEMORY_LIMIT=3GB``,
``ONCOMETRICS_SPARK_DRIVER_MEMORY=6g``); ``BENCH_DUCKDB_MEMORY_LIMIT`` is an
older name for the first.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path


def _semijoin_domain_ids() -> None:
    """Patch selection._domain_ids to match MeSH codes with a semi-join."""
    import ibis

    from oncometrics.indicators import selection

    def domain_ids(work_subjects, domain):  # type: ignore[no-untyped-def]
        s = work_subjects
        codes = ibis.memtable({"code": list(domain.mesh_descriptors)})
        mesh = (s.scheme == "mesh") & s.code.isin(codes.code)
        subfields = list(domain.openalex_subfields)
        topic = (s.scheme == "openalex_subfield") & s.code.isin(subfields)
        if not domain.any_topic:
            topic = topic & s.is_primary.fill_null(False)
        return s.filter(mesh | topic).select("work_id").distinct()

    selection._domain_ids = domain_ids


def run_engine(store: Path, engine: str, out: Path) -> dict[str, float]:
    from oncometrics import layout, pipeline
    from oncometrics.config import load_config
    from oncometrics.domain import Domain
    from oncometrics.engine import Engine, connect
    from oncometrics.pipeline.actors import actor_table
    from oncometrics.pipeline.inputs import country_totals

    t0 = time.perf_counter()
    if engine.endswith("-noderived"):  # as on a store without derived tables
        layout.derived_complete = lambda *args: False  # type: ignore[assignment]
        engine = engine.removesuffix("-noderived")
    if engine.endswith("-semijoin"):
        _semijoin_domain_ids()
        engine = engine.removesuffix("-semijoin")
    cfg = load_config(
        engine=engine,
        spark_master="local[2]",
        threads=2,
        bootstrap=int(os.environ.get("BENCH_BOOTSTRAP", "0")),
        memory_limit=os.environ.get("BENCH_DUCKDB_MEMORY_LIMIT"),
    )
    con = connect(
        engine,
        spark_master=cfg.spark_master,
        threads=cfg.threads,
        memory_limit=cfg.memory_limit,
        temp_directory=cfg.temp_directory,
        spark_driver_memory=cfg.spark_driver_memory,
    )
    t1 = time.perf_counter()
    c1 = time.process_time()  # this process's CPU (DuckDB's threads included)
    inp = pipeline.inputs_of(Engine(con), store, Domain.from_config(cfg), cfg)
    cw = inp.country_weights
    assert cw is not None
    c2 = time.process_time()
    totals, _ = country_totals(inp, cfg.totals, lambda m: None)
    if engine == "duckdb":  # make sure the totals are computed in this phase
        totals.count().execute()
    c3 = time.process_time()
    how = pipeline.counting_of(cfg)
    table = actor_table(inp, cw, totals, counting=how.counting, size=how.size,
                        resampling=how.resampling, min_coverage=how.min_coverage,
                        totals_file=how.totals_file)  # fmt: skip
    t2 = time.perf_counter()
    c4 = time.process_time()
    table.to_pandas().rename(columns={"actor": "country"}).to_csv(out, index=False)
    inp.release()
    return {
        "startup_s": t1 - t0,
        "compute_s": t2 - t1,
        "rows": table.num_rows,
        # CPU seconds per phase (DuckDB only: a Spark JVM's CPU is not here)
        "inputs_cpu_s": c2 - c1,
        "totals_cpu_s": c3 - c2,
        "actor_table_cpu_s": c4 - c3,
    }


def run_pandas(store: Path, out: Path) -> dict[str, float]:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from baseline_pandas import publications_by_country

    t1 = time.perf_counter()
    table = publications_by_country(store)
    t2 = time.perf_counter()
    table.to_csv(out, index=False)
    return {"startup_s": 0.0, "compute_s": t2 - t1, "rows": len(table)}


def main() -> None:
    store, engine, out = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])
    res = (
        run_pandas(store, out) if engine == "pandas" else run_engine(store, engine, out)
    )
    print(json.dumps(res))


if __name__ == "__main__":
    main()
