#!/usr/bin/env bash
# The README's test command: install pinned dependencies into .venv, lint,
# type-check, then run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
. .venv/bin/activate
python -m pip install -q --upgrade pip
python -m pip install -q -c constraints.txt -e ".[dev]"
ruff check oncometrics tests bench
ruff format --check oncometrics tests bench
mypy
# two workers per machine at most (CI has 2 cores); a test file stays on one worker
# (module fixtures are built once), every Spark test on one worker (one JVM), the
# longest first (tests/xdist_schedule.py)
python -m pytest -n auto --maxprocesses=2 --dist loadgroup "$@"
