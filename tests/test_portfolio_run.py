"""The portfolio command end to end: CLI, errors, curation loop, report section."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from oncometrics.cli import main
from oncometrics.config import load_config
from oncometrics.portfolio import portfolio_section, run_portfolio
from tests.portfolio_fixtures import ORPHAN, build_store, write_registry, write_table


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path, Path]:
    store = build_store(tmp_path / "store")
    units, grants = write_registry(tmp_path / "registry")
    return store, units, grants


def _run(store: Path, units: Path, out: Path, **kw) -> dict:
    cfg = load_config(None, domain="all", bootstrap=50)
    written = run_portfolio(
        store,
        units,
        out,
        config=cfg,
        log=lambda m: None,
        **{"grants": None, "curation": None, **kw},
    )
    return {name: pq.read_table(p).to_pandas() for name, p in written.items()}


def test_cli_writes_every_table(setup, tmp_path, monkeypatch, capsys) -> None:
    store, units, grants = setup
    monkeypatch.setenv("ONCOMETRICS_DOMAIN", "all")
    monkeypatch.setenv("ONCOMETRICS_BOOTSTRAP", "20")
    out = tmp_path / "out"
    main(["portfolio", "--store", str(store), "--units", str(units),
          "--grants", str(grants), "--out", str(out)])  # fmt: skip
    assert "7 tables written" in capsys.readouterr().out
    for name in (
        "units",
        "unit_year",
        "unit_works",
        "projects",
        "calls",
        "affiliation_matches",
        "unmatched_affiliations",
    ):
        assert (out / f"{name}.csv").exists() and (out / f"{name}.parquet").exists()


def test_cli_bad_registry_is_one_line(setup, tmp_path, capsys) -> None:
    store, _, _ = setup
    bad = tmp_path / "units.csv"
    bad.write_text("unit_code,name,team_count\nU1,A,lots\n", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_:
        main(
            [
                "portfolio",
                "--store",
                str(store),
                "--units",
                str(bad),
                "--out",
                str(tmp_path / "o"),
            ]
        )
    assert exit_.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and "Traceback" not in err
    assert f"{bad}: line 2: team_count 'lots'" in err.replace("\n", "")


def test_curation_is_applied_on_the_next_run(setup, tmp_path) -> None:
    store, units, _ = setup
    first = _run(store, units, tmp_path / "run1")
    assert first["unmatched_affiliations"].affiliation.tolist() == [ORPHAN]
    # the curator decides the orphan string is IGF (UMR5203)
    curation = tmp_path / "curation.csv"
    with curation.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(
            [
                ["affiliation", "action", "unit_code", "note"],
                [ORPHAN, "add", "UMR5203", "checked by hand"],
            ]
        )
    second = _run(store, units, tmp_path / "run2", curation=curation)
    assert second["unmatched_affiliations"].empty
    m = second["affiliation_matches"]
    assert m[m.affiliation == ORPHAN][["unit_code", "method"]].values.tolist() == [
        ["UMR5203", "curated"]
    ]
    w = second["unit_works"].set_index(["unit_code", "work_id"]).weight
    assert w[("UMR5203", "W4")] == pytest.approx(0.5)  # author 2 of 2


def test_ignore_decision_empties_the_unmatched_list(setup, tmp_path) -> None:
    store, units, _ = setup
    curation = tmp_path / "curation.csv"
    with curation.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(
            [["affiliation", "action", "unit_code"], [ORPHAN, "ignore", ""]]
        )
    run = _run(store, units, tmp_path / "run", curation=curation)
    assert run["unmatched_affiliations"].empty
    assert "UMR5203" not in set(run["unit_works"].query("work_id == 'W4'").unit_code)


def test_ror_match_adds_the_unit(setup, tmp_path) -> None:
    store, units, _ = setup
    write_table(store, "authorship_institutions", [
        {"work_id": "W4", "author_position": 1, "institution_id": "I1",
         "ror": "03vek6s52", "institution_name": "Harvard University",
         "country_code": "US"},
    ])  # fmt: skip
    text = units.read_text(encoding="utf-8").replace(
        "UMS3426,BioCampus Montpellier,CNRS|Inserm,,,",
        "UMS3426,BioCampus Montpellier,CNRS|Inserm,,https://ror.org/03vek6s52,",
    )
    units.write_text(text, encoding="utf-8")
    run = _run(store, units, tmp_path / "run")
    w = run["unit_works"].set_index(["unit_code", "work_id"]).weight
    # W4: author 1 = {UMS3426 by ROR, its Harvard string as an "other" actor},
    # author 2 = the CNRS orphan string: 1/2 * 1/2 (see docs, known limits)
    assert w[("UMS3426", "W4")] == pytest.approx(0.25)


def test_nih_award_spellings_meet(setup, tmp_path) -> None:
    store, units, grants = setup
    run = _run(store, units, tmp_path / "run", grants=grants)
    pr = run["projects"].set_index("project_id")
    assert pr.loc["P4", "p_full"] == 1  # "CA12345" == "R01 CA012345" (NIH core)


def test_portfolio_section_html(setup, tmp_path) -> None:
    store, units, grants = setup
    run = _run(store, units, tmp_path / "run", grants=grants)
    html = portfolio_section(run)
    assert html.startswith('<section id="portfolio">') and html.endswith("</section>")
    assert "Centre de Recherche en Cancérologie de Lyon" in html
    assert "45.5 %" in html  # U1052's share of the organisation (1.25 / 2.75)
    assert "PL-BIO 2017" in html and "name the organisation but no unit" in html
    units_df = run["units"].copy()
    units_df.loc[0, "name"] = "<script>alert(1)</script>"
    assert "<script>" not in portfolio_section({"units": units_df})


@pytest.mark.spark
@pytest.mark.slow
@pytest.mark.filterwarnings("ignore:The 'future.infer_string' option:Warning")
def test_same_weights_on_spark(setup, tmp_path, spark_con) -> None:
    store, units, grants = setup
    cfg = load_config(None, domain="all", bootstrap=20, engine="spark")
    written = run_portfolio(
        store,
        units,
        tmp_path / "spark",
        grants=grants,
        curation=None,
        config=cfg,
        log=lambda m: None,
        con=spark_con,
    )
    w = pq.read_table(written["unit_works"]).to_pandas()
    keys = [(u, k) for u, k in zip(w.unit_code, w.work_id, strict=True)]
    got = dict(zip(keys, w.weight, strict=True))
    assert got == pytest.approx(
        {
            ("U1052", "W1"): 0.5,
            ("UMR5203", "W1"): 0.5,
            ("U1052", "W2"): 0.5,
            ("U1052", "W3"): 0.25,
            ("UMR5203", "W5"): 0.5,
            ("UMS3426", "W5"): 0.5,
        }
    )
    pr = pq.read_table(written["projects"]).to_pandas().set_index("project_id")
    assert pr.loc["P1", "p_full"] == 2


def test_store_without_publications(setup, tmp_path) -> None:
    _, units, grants = setup
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "manifest.json").write_text('{"version": 1, "files": {}}')
    run = _run(empty, units, tmp_path / "run", grants=grants)
    assert run["units"].p_full.tolist() == [0, 0, 0, 0]
    assert run["units"].mncs.isna().all()
    assert run["projects"].p_full.tolist() == [0, 0, 0, 0]
    assert run["unmatched_affiliations"].empty
