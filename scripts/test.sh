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
# one worker more than cores (CI: 3 on 2 cores; with one per core a third of the
# CPU sat idle: Spark's job scheduling, process start-ups, kills and waits;
# docs/benchmarks.md "Test suite"); a test file stays on one worker (module
# fixtures are built once), every Spark test on one worker (one JVM), the
# longest first (tests/xdist_schedule.py).  Bytecode caches are written even
# where PYTHONDONTWRITEBYTECODE is set: each worker collects the whole suite
# (9 CPU-s with the caches, 17-20 s without).
unset PYTHONDONTWRITEBYTECODE
# One DuckDB thread per test worker (setting `threads`, ingest and compute):
# the workers already keep every core busy, and DuckDB's own threads on
# top of them spend CPU waiting for each other (docs/benchmarks.md "Test
# suite").  tests/test_engine_seam.py runs DuckDB with more threads.
export ONCOMETRICS_THREADS=1
python -m pytest -n "$(( $(nproc) + 1 ))" --dist loadgroup "$@"
