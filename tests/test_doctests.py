"""The package's docstring examples run (numpydoc ``Examples`` sections)."""

from __future__ import annotations

import doctest
import importlib
import importlib.util
import pkgutil
from pathlib import Path

import pytest

import oncometrics


def _with_examples() -> list[str]:
    """Modules whose source holds a ``>>>`` example (found without importing)."""
    names = []
    for m in pkgutil.walk_packages(oncometrics.__path__, "oncometrics."):
        spec = importlib.util.find_spec(m.name)
        origin = spec.origin if spec else None
        if origin and origin.endswith(".py") and ">>> " in Path(origin).read_text():
            names.append(m.name)
    return sorted(names)


MODULES = _with_examples()


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    tests = [t for t in finder.find(module, name) if t.examples]
    assert tests, f"{name}: no example found"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in tests:
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{name}: {result.failed} example(s) failed"
