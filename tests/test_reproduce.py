"""Every statement's "reproduce" command gives the same tables, byte for byte.

Compute is run with settings a flag-only command would drop (a period, two
shift periods, applicants as invention actors); the report's statements and
the dashboard's evidence pages must carry one command reading the folder's
``settings.toml``, and running it must rewrite identical tables and
identical statements.
"""

from __future__ import annotations

import html
import re
import shlex
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from oncometrics.config import load_config
from oncometrics.settings_file import settings_hash
from oncometrics.web.app import create_app
from tests.cli_runner import cli

SAMPLE = Path(__file__).parents[1] / "oncometrics" / "data" / "sample"
FLAGS = ["--period", "1990-2020", "--periods", "1990-2007,2008-2020"]
FLAGS += ["--by", "applicant", "--seed", "7"]


def _statements(page: str) -> list[tuple[str, str]]:
    """(sentence, reproduce command) of every statement of a report."""
    blocks = re.findall(r'<li class="statement.*?</li>', page, re.S) or re.findall(
        r"<article.*?</article>", page, re.S
    )
    out = []
    for b in blocks:
        cmd = re.search(r"<code>(oncometrics compute.*?)</code>", b, re.S)
        assert cmd is not None, b
        text = re.sub(r"<[^>]+>", " ", b.split("<details")[0])
        out.append((" ".join(html.unescape(text).split()), html.unescape(cmd[1])))
    return out


def _tables(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.csv"))}


def _same_but_last_digits(a: bytes, b: bytes) -> bool:
    """Same rows, same text, floats equal to 12 significant digits.

    DuckDB sums floats in parallel in no fixed order: a sum (e.g. the
    activity index's all-field totals) may differ in its 16th digit from one
    run to the next.  Everything else must be byte for byte the same.
    """
    import io

    import numpy as np
    import pandas as pd

    x, y = (pd.read_csv(io.BytesIO(v), keep_default_na=False) for v in (a, b))
    if list(x.columns) != list(y.columns) or len(x) != len(y):
        return False
    for c in x.columns:
        if x[c].dtype.kind == "f" and y[c].dtype.kind == "f":
            if not np.allclose(x[c], y[c], rtol=1e-12, atol=0, equal_nan=True):
                return False
        elif not x[c].astype(str).equals(y[c].astype(str)):
            return False
    return True


def _run(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    for part in command.split(" && "):
        args = shlex.split(part)
        assert args[0] == "oncometrics"
        code, _, err = cli(args[1:], capsys)
        assert code == 0, (part, err)


@pytest.mark.slow
def test_reproduce_commands_give_the_same_tables(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    # no drill-down CSV files (setting drill_top, in both reports): they are
    # not compared here and took 3/4 of each report's time; the statements and
    # the tables do not depend on them
    monkeypatch.setenv("ONCOMETRICS_DRILL_TOP", "0")
    store = tmp_path / "store"
    for fmt, files in (
        ("medline", ["publications/peche12_pubmed-breastcanc-set.txt"]),
        ("pubmed", ["publications/sk8erjs69_srproject_cancer_106.xml.gz"]),
        ("trials", ["trials"]),
        ("patents", ["patents"]),
    ):
        paths = [str(SAMPLE / f) for f in files]
        # --jobs 1: no worker processes (each would import the package again);
        # the same store (tests/test_store_parallel.py)
        args = ["ingest", fmt, *paths, "--store", str(store), "--jobs", "1"]
        code, _, err = cli(args, capsys)
        assert code == 0, err
    ind = store / "indicators"
    code, _, err = cli(["compute", "--store", str(store), *FLAGS], capsys)
    assert code == 0, err
    settings = ind / "settings.toml"
    resolved = load_config(settings)
    assert resolved.by == "applicant" and resolved.periods == "1990-2007,2008-2020"
    assert f"# settings hash: {settings_hash(resolved)}" in settings.read_text()
    code, _, err = cli(["report", "--store", str(store), "--actor", "US"], capsys)
    assert code == 0, err
    page = (tmp_path / "report" / "report.html").read_text()
    assert (tmp_path / "report" / "settings.toml").is_file()
    statements = _statements(page)
    assert len(statements) >= 3, page[:2000]
    commands = {cmd for _, cmd in statements}
    assert all(f"--config {settings}" in c for c in commands), commands
    # the dashboard gives the same command for the same statement
    client = TestClient(create_app(store))
    ev = client.get("/evidence/pub_output", params={"actor": "US"}).text
    shown = re.findall(r"<code>(oncometrics compute.*?)</code>", ev)
    assert shown and html.unescape(shown[0]) in commands
    assert "all years" not in client.get("/", params={"actor": "US"}).text
    before = _tables(ind)
    shutil.rmtree(tmp_path / "report")
    for command in commands:
        _run(command, capsys)
        after = _tables(ind)
        assert after.keys() == before.keys()
        changed = [n for n in before if after[n] != before[n]]
        assert all(_same_but_last_digits(before[n], after[n]) for n in changed), changed
    again = _statements((tmp_path / "report" / "report.html").read_text())
    assert again == statements
