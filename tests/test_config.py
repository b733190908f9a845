"""Every setting is checked before anything runs: one line per bad value.

One test per kind of wrong value (type, choice, minimum, list, period,
unknown name) and per channel (TOML file, environment, flag/argument).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from oncometrics.config import SETTINGS, load_config
from oncometrics.errors import OncometricsError, SettingError


def _error(**kw: object) -> str:
    with pytest.raises(SettingError) as err:
        load_config(**kw)  # type: ignore[arg-type]
    msg = str(err.value)
    assert "\n" not in msg
    return msg


def test_a_value_outside_the_choices_is_named_with_the_choices() -> None:
    assert _error(counting="fractionnal") == (
        "setting counting: 'fractionnal' is not one of 'fractional', 'full'"
    )
    assert "'duckdb', 'spark'" in _error(engine="sparkk")
    assert "'en', 'fr'" in _error(lang="de")
    assert "'inventor', 'applicant'" in _error(by="owner")
    assert "'cancer', 'all'" in _error(domain="oncology")


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("bootstrap", "1000", "is not an integer"),
        ("bootstrap", 2.5, "is not an integer"),
        ("bootstrap", True, "is not an integer"),
        ("min_p", "5", "is not a number"),
        ("normalise_by_type", "yes", "is not true or false"),
        ("normalise_by_type", 1, "is not true or false"),
        ("actor", ["FR"], "is not a string"),
        ("types", "article", "is not a list of strings"),
        ("types", ["article", 2.5], "is not a string"),
    ],
)
def test_a_value_of_the_wrong_type_is_refused(
    name: str, value: object, expected: str
) -> None:
    msg = _error(**{name: value})
    assert msg.startswith(
        f"setting {name}: {value!r}" if name != "types" else "setting types:"
    )
    assert expected in msg


@pytest.mark.parametrize(
    ("name", "value"),
    [("bootstrap", -1), ("min_p", -0.5), ("min_p_institution", -1.0),
     ("seed", -3), ("threads", 0), ("citation_window", -2)],
)  # fmt: skip
def test_a_number_below_its_minimum_is_refused(name: str, value: float) -> None:
    assert _error(**{name: value}).endswith(
        "is not >= " + ("1" if name == "threads" else "0")
    )


def test_bad_periods_are_refused() -> None:
    assert "years reversed (did you mean 2014-2020?)" in _error(period="2020-2014")
    assert "YEAR or FIRST-LAST" in _error(period="recent")
    assert "two periods" in _error(periods="2002-2011")
    assert load_config(period=2020).period == "2020"  # TOML integers read as text


def test_environment_values_are_parsed_by_type(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ONCOMETRICS_BOOTSTRAP", "abc")
    assert _error() == (
        "setting bootstrap: 'abc' is not an integer (from ONCOMETRICS_BOOTSTRAP)"
    )
    monkeypatch.setenv("ONCOMETRICS_BOOTSTRAP", "250")
    monkeypatch.setenv("ONCOMETRICS_ANY_TOPIC", "maybe")
    assert "true or false" in _error()
    monkeypatch.setenv("ONCOMETRICS_ANY_TOPIC", "off")
    monkeypatch.setenv("ONCOMETRICS_MIN_P", "2.5")
    monkeypatch.setenv("ONCOMETRICS_TYPES", "article, review,letter")
    cfg = load_config()
    assert cfg.bootstrap == 250 and cfg.any_topic is False and cfg.min_p == 2.5
    assert cfg.types == ("article", "review", "letter")
    monkeypatch.setenv("ONCOMETRICS_COUNTING", "fractionnal")
    assert "(from ONCOMETRICS_COUNTING)" in _error()


def test_file_values_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('[publications]\ncounting = "fractionnal"\n')
    with pytest.raises(SettingError, match=f"from {path}"):
        load_config(path)
    path.write_text("bootstrap = -5\n")
    with pytest.raises(SettingError, match="bootstrap: -5 is not >= 0"):
        load_config(path)
    path.write_text('bootstrap = "many"\n')
    with pytest.raises(SettingError, match="is not an integer"):
        load_config(path)


def test_unknown_setting_suggests_the_closest(tmp_path: Path) -> None:
    assert "Did you mean 'bootstrap'" in _error(bootstrapp=10)
    path = tmp_path / "settings.toml"
    path.write_text("countng = 'full'\n")
    with pytest.raises(SettingError, match="Did you mean 'counting'"):
        load_config(path)


def test_replace_checks_like_load_config() -> None:
    cfg = load_config()
    assert cfg.replace(counting="full").counting == "full"
    with pytest.raises(SettingError, match="setting counting"):
        cfg.replace(counting="fractionnal")


def test_defaults_pass_their_own_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in [v for v in os.environ if v.startswith("ONCOMETRICS_")]:
        monkeypatch.delenv(var)  # scripts/test.sh sets ONCOMETRICS_THREADS
    cfg = load_config()
    assert all(cfg.values[s.name] == s.default for s in SETTINGS)


def test_setting_errors_are_user_errors_and_value_errors() -> None:
    assert issubclass(SettingError, OncometricsError)
    assert issubclass(SettingError, ValueError)  # callers that caught ValueError


def test_cli_refuses_a_bad_setting_before_compute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from oncometrics import cli

    started: list[object] = []
    monkeypatch.setattr(
        "oncometrics.pipeline.compute", lambda *a, **k: started.append(1)
    )
    monkeypatch.setenv("ONCOMETRICS_COUNTING", "fractionnal")
    with pytest.raises(SystemExit) as exit_:
        cli.main(["compute", "--store", str(tmp_path), "--out", str(tmp_path / "o")])
    assert exit_.value.code == 1 and not started
    err = capsys.readouterr().err.strip()
    assert err == (
        "error: setting counting: 'fractionnal' is not one of 'fractional', "
        "'full' (from ONCOMETRICS_COUNTING)"
    )
    assert not (tmp_path / "o").exists()
