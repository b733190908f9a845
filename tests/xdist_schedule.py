"""How the suite is shared between pytest-xdist workers (``--dist loadgroup``).

``scripts/test.sh`` runs ``pytest -n <cores + 1> --dist loadgroup``;
``tests/conftest.py`` then hands xdist :class:`FileAndGroupScheduling`:

* every Spark test runs on ONE worker, one after the other, in one JVM
  (started and warmed up once instead of once per worker).  The scheduler
  sees only node ids, so a Spark test is one whose name (after ``::``) says
  "spark"; conftest.py refuses a test marked ``spark`` whose name does not
  (pytest 9 ignores the "@group" xdist's loadgroup adds to node ids, so the
  ``xdist_group`` mark cannot be used);
* every other test stays with the tests of its file (as ``--dist loadfile``:
  a module fixture is built once);
* a worker that needs work gets the unit (a file, or the Spark group) with
  the largest estimated time first, so that no long file starts last while
  the other worker is idle (longest first is close to the best split).

The estimates are worker-seconds measured in one full run (docs/benchmarks.md,
"Test suite"); only their order matters.  A file not listed is estimated from
its number of tests; a new file that takes more than ~15 s should be listed.
"""

from __future__ import annotations

from typing import Any

from xdist.scheduler import LoadScopeScheduling

#: The unit of all Spark tests.
SPARK_GROUP = "spark"

#: Estimated worker-seconds per unit, longest first: the full suite with 3
#: workers on 2 cores (2026-12-02, docs/benchmarks.md "Test suite"), each
#: file's figure scaled by the CPU cut measured when its tests were changed.
ESTIMATES: dict[str, float] = {
    SPARK_GROUP: 500,
    "tests/test_drill.py": 190,
    "tests/test_store_faults.py": 180,
    "tests/test_store_parallel.py": 145,
    "tests/test_cli_bad_input.py": 130,
    "tests/test_openalex_bulk.py": 115,
    "tests/test_compute_paths.py": 76,
    "tests/test_demo.py": 74,
    "tests/test_reproduce.py": 70,
    "tests/test_store_interrupt.py": 68,
    "tests/test_bad_values.py": 43,
    "tests/test_indicators_fixture.py": 43,
    "tests/test_publication_methods.py": 40,
    "tests/test_indicators_properties.py": 35,
    "tests/test_portfolio_centres.py": 26,
    "tests/test_portfolio_run.py": 26,
    "tests/test_web_snapshot.py": 25,
    "tests/test_openalex_cli.py": 24,
    "tests/test_compare_sources.py": 24,
    "tests/test_inventions_scope.py": 23,
    "tests/test_trials_ingest.py": 23,
    "tests/test_report_build.py": 22,
    "tests/test_patents_pipeline.py": 21,
    "tests/test_openalex_bad_input.py": 20,
    "tests/test_bench_e2e.py": 19,
    "tests/test_patents_indicators.py": 19,
    "tests/test_indicators_real_sample.py": 19,
    "tests/test_store.py": 17,
    "tests/test_pubmed_ingest.py": 17,
    "tests/test_report_size.py": 16,
    "tests/test_patents_ingest.py": 15,
    "tests/test_trials_indicators.py": 15,
    "tests/test_bench_baseline.py": 15,
}
#: A file not listed: seconds per test.
PER_TEST = 0.1


class FileAndGroupScheduling(LoadScopeScheduling):
    """Units are xdist groups, else files; the longest estimated unit goes first."""

    def _split_scope(self, nodeid: str) -> str:
        if is_spark_test(nodeid):
            return SPARK_GROUP
        return nodeid.split("::", 1)[0]

    def _assign_work_unit(self, node: Any) -> None:
        longest = max(self.workqueue, key=lambda s: _estimate(s, self.workqueue[s]))
        self.workqueue.move_to_end(longest, last=False)
        super()._assign_work_unit(node)


def is_spark_test(nodeid: str) -> bool:
    """True when the test's name (not its file's) says "spark"."""
    return "spark" in nodeid.partition("::")[2].lower()


def _estimate(scope: str, unit: dict[str, bool]) -> float:
    return ESTIMATES.get(scope, PER_TEST * len(unit))
