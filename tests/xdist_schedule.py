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

The estimates are seconds measured on an idle 2-core machine (docs/benchmarks.md,
"Test suite"); a file not listed is estimated from its number of tests.  A
new file that takes more than ~15 s should be listed here.
"""

from __future__ import annotations

from typing import Any

from xdist.scheduler import LoadScopeScheduling

#: The unit of all Spark tests.
SPARK_GROUP = "spark"

#: Estimated seconds per unit, longest first (idle 2-core machine, rounded).
ESTIMATES: dict[str, float] = {
    SPARK_GROUP: 300,
    "tests/test_drill.py": 180,
    "tests/test_store_faults.py": 100,
    "tests/test_store_parallel.py": 60,
    "tests/test_demo.py": 40,
    "tests/test_compute_paths.py": 32,
    "tests/test_reproduce.py": 26,
    "tests/test_cli_bad_input.py": 35,
    "tests/test_publication_methods.py": 32,
    "tests/test_store_interrupt.py": 32,
    "tests/test_inventions_scope.py": 30,
    "tests/test_portfolio_run.py": 25,
    "tests/test_engine_seam.py": 20,
    "tests/test_report_build.py": 16,
    "tests/test_portfolio_centres.py": 16,
    "tests/test_bad_values.py": 16,
    "tests/test_patents_indicators.py": 15,
    "tests/test_indicators_fixture.py": 15,
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
