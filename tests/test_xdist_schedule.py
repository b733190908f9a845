"""The suite's xdist scheduler (tests/xdist_schedule.py) on a made-up collection."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

pytest.importorskip("xdist")

from tests.xdist_schedule import ESTIMATES, FileAndGroupScheduling

COLLECTION = [
    "tests/test_a.py::test_one",
    "tests/test_a.py::test_two",
    "tests/test_a.py::test_three[spark]",
    "tests/test_drill.py::test_x",
    "tests/test_drill.py::test_y[a]",
    "tests/test_spark_b.py::test_z_on_Spark",  # the name, not the file, counts
    "tests/test_many.py::test_m[1]",
    "tests/test_many.py::test_m[2]",
    "tests/test_many.py::test_m[3]",
]


class _Node:
    """What the scheduler uses of an xdist worker."""

    def __init__(self, name: str) -> None:
        self.gateway = SimpleNamespace(id=name)
        self.shutting_down = False
        self.sent: list[list[int]] = []

    def send_runtest_some(self, indices: list[int]) -> None:
        self.sent.append(indices)

    def shutdown(self) -> None:
        self.shutting_down = True


def _scheduled() -> tuple[FileAndGroupScheduling, list[_Node]]:
    config: Any = SimpleNamespace(
        getvalue=lambda name: {"tx": ["2*popen"]}[name],
        option=SimpleNamespace(loadscopereorder=True),
    )
    sched = FileAndGroupScheduling(config)
    nodes = [_Node("gw0"), _Node("gw1")]
    for node in nodes:
        sched.add_node(node)  # type: ignore[arg-type]
    for node in nodes:
        sched.add_node_collection(node, COLLECTION)  # type: ignore[arg-type]
    sched.schedule()
    return sched, nodes


def test_units_are_groups_else_files() -> None:
    sched = FileAndGroupScheduling.__new__(FileAndGroupScheduling)
    scopes = [sched._split_scope(n) for n in COLLECTION]
    assert scopes == [
        "tests/test_a.py", "tests/test_a.py", "spark", "tests/test_drill.py",
        "tests/test_drill.py", "spark", "tests/test_many.py", "tests/test_many.py",
        "tests/test_many.py",
    ]  # fmt: skip


def test_longest_unit_first_spark_on_one_worker() -> None:
    assert ESTIMATES["spark"] > ESTIMATES["tests/test_drill.py"]
    sched, (first, second) = _scheduled()
    sent = [[COLLECTION[i] for i in batch] for batch in first.sent + second.sent]
    # the Spark group (2 tests: a second unit is sent at once), then drill
    assert sent[0] == [COLLECTION[2], COLLECTION[5]]
    assert [COLLECTION[i] for i in second.sent[0]] == COLLECTION[3:5]
    # then unlisted files, the one with more tests first
    assert [COLLECTION[i] for i in first.sent[1]] == COLLECTION[6:9]
    assert [COLLECTION[i] for i in second.sent[1]] == COLLECTION[0:2]
    assert not sched.workqueue
