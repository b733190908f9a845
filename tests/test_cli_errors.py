"""The CLI's error contract: the user's errors are one line and exit 1; a bug
is exit 3 with "please report" and its traceback in a log file."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from oncometrics import cli
from oncometrics.errors import InputError
from oncometrics.setting import parse_period


def _pandas_bug() -> None:
    import pandas as pd

    pd.Timestamp("not a date")  # ValueError raised inside pandas


def _key_error() -> None:
    raise KeyError("p_frac")


def _our_value_error() -> None:
    parse_period("recently")  # ValueError raised by oncometrics' own check


def _missing_file() -> None:
    open("/nonexistent/oncometrics/totals.csv")  # noqa: SIM115


def _input_error() -> None:
    raise InputError("totals.csv: totals CSV lacks column(s) p")


def _run(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fail: Callable[[], None],
) -> tuple[int, str]:
    store = tmp_path / "store"
    store.mkdir(exist_ok=True)
    (store / "manifest.json").write_text('{"files": {}}')
    monkeypatch.setenv("ONCOMETRICS_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setattr("oncometrics.pipeline.compute", lambda *a, **k: fail())
    with pytest.raises(SystemExit) as exit_:
        cli.main(["compute", "--store", str(store)])
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and err.startswith("error: ")
    assert isinstance(exit_.value.code, int)
    return exit_.value.code, err


@pytest.mark.parametrize("fail", [_pandas_bug, _key_error])
def test_a_bug_exits_3_with_its_traceback_in_a_log(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fail: Callable[[], None],
) -> None:
    code, err = _run(tmp_path, monkeypatch, capsys, fail)
    assert code == 3 and "please report" in err
    found = re.search(r"traceback in (\S+\.log)", err)
    assert found is not None, err
    log = Path(found.group(1))
    assert log.parent == tmp_path / "logs"
    text = log.read_text()
    assert "Traceback (most recent call last)" in text and fail.__name__ in text


@pytest.mark.parametrize("fail", [_our_value_error, _missing_file, _input_error])
def test_the_users_errors_exit_1_without_a_log(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fail: Callable[[], None],
) -> None:
    code, err = _run(tmp_path, monkeypatch, capsys, fail)
    assert code == 1 and "please report" not in err
    assert not (tmp_path / "logs").exists()
