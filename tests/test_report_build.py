"""write_report on the hand-made store: HTML sections, methodology, xlsx, CLI."""

from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path

import pytest
from openpyxl import load_workbook

from oncometrics.cli import main
from oncometrics.config import load_config
from oncometrics.report import write_report
from oncometrics.report.charts import ranking_bars
from oncometrics.report.methodology import sample_counts, sample_warning
from oncometrics.report.tables import load_tables, read_json

STORE = Path(__file__).parent / "data" / "report" / "store"


@pytest.fixture()
def store(tmp_path: Path) -> Path:
    dest = tmp_path / "store"
    shutil.copytree(STORE, dest)
    return dest


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, list[str]]:
    """The English report of the hand-made store, built once."""
    root = tmp_path_factory.mktemp("built")
    shutil.copytree(STORE, root / "store")
    html, msgs = report(root / "store", root / "out", period="2016-2020")
    return root / "out", html, msgs


def report(store: Path, out: Path, **settings) -> tuple[str, list[str]]:
    msgs: list[str] = []
    path = write_report(
        store,
        out,
        config=load_config(**settings),
        indicators=store / "indicators",
        log=msgs.append,
    )
    assert path == out / "report.html"
    return path.read_text(encoding="utf-8"), msgs


def test_html_has_statements_charts_and_methodology(built) -> None:
    _, html, msgs = built
    assert "France ranks 5th of 10 countries for cancer publications" in html
    assert html.count("<details>") == 16  # one per statement (+ co-invention)
    assert "<code>oncometrics compute --store" in html
    charts = re.findall(r'data-chart="([a-z_0-9]+)"', html)
    assert charts == [
        "pub_rank",
        "pub_top10",
        "pub_time",
        "pub_spec",
        "pub_partners",
        "pub_network",
        "pub_map",
        "inv_rank",
        "inv_partners",
        "inv_network",
        "inv_tech",
        "trial_rank",
        "trial_partners",
        "trial_phase",
    ]
    assert html.count("<svg") == len(charts)
    for word in (
        "Methodology",
        "56ba76b9dc30",
        "A61P35",
        "openalex",
        "1,050",
        "15 records were rejected",
        "Gustave Roussy",
    ):
        assert word in html
    # computed, never typed: 1,000 publications = sum of p_frac in the table
    assert (
        "This report is computed on 1,000 publications, 100 inventions and "
        "100 trials; figures are illustrative, not representative."
    ) in html
    assert any("10 charts" not in m and "publications: 7 charts" in m for m in msgs)


def test_html_is_self_contained(built) -> None:
    _, html, _ = built
    assert "<script" not in html
    # only XML namespaces may name a web address; nothing is fetched
    refs = re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', html)
    assert all(r.startswith(("#", "data:")) for r in refs), refs
    assert "@import" not in html and "url(http" not in html
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "SVG ids must not collide between charts"


def test_sample_warning_follows_the_tables() -> None:
    tables = load_tables(STORE / "indicators")
    manifest = read_json(STORE / "manifest.json")
    counts = sample_counts(tables, manifest)
    assert counts == {"publications": 1000, "inventions": 100, "trials": 100}
    df = tables["publications_by_country"]
    df.loc[df["country"] == "US", "p_frac"] = 20320.0
    counts = sample_counts(tables, manifest)
    assert counts["publications"] == 21000
    assert sample_warning(counts, "en") == (
        "This report is computed on 100 inventions and 100 trials; figures are "
        "illustrative, not representative."
    )
    assert sample_warning(counts, "fr").startswith(
        "Ce rapport est calculé sur 100 inventions et 100 essais ;"
    )
    big = {"publications": 21000, "inventions": 5000, "trials": 900}
    assert sample_warning(big, "en") is None


def test_missing_sections_are_mentioned(store: Path, tmp_path: Path) -> None:
    for name in (
        "inventions_by_country",
        "coinvention_partners",
        "technology_mix",
        "technology_shift",
    ):
        (store / "indicators" / f"{name}.csv").unlink()
    html, _ = report(store, tmp_path / "out")
    assert "No patent records in this store" in html
    assert 'data-chart="inv_rank"' not in html
    assert 'data-chart="trial_rank"' in html


def test_no_tables_is_a_one_line_error(store: Path, tmp_path: Path) -> None:
    shutil.rmtree(store / "indicators")
    with pytest.raises(ValueError, match="no indicator tables here"):
        report(store, tmp_path / "out")


def test_bad_actor_is_refused(store: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="bad actor"):
        report(store, tmp_path / "out", actor="France")


def test_workbook_sheets_frozen_headers_and_types(built) -> None:
    wb = load_workbook(built[0] / "report.xlsx")
    assert wb.sheetnames[0] == "statements"
    assert "publications_by_country" in wb.sheetnames
    assert len(wb.sheetnames) == 12  # statements + 11 tables
    ws = wb["publications_by_country"]
    assert ws.freeze_panes == "A2"
    header = [c.value for c in ws[1]]
    assert header[:4] == ["country", "p_full", "p_frac", "share_frac"]
    fr = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] == "FR")
    assert fr[1] == 110 and isinstance(fr[1], int)
    assert fr[2] == 80.0 and fr[3] == 0.08 and isinstance(fr[3], float)
    assert isinstance(fr[-1], str)  # domain_hash stays text
    st = wb["statements"]
    assert st.freeze_panes == "A2"
    first = [c.value for c in st[2]]
    assert first[0] == "pub_output" and first[7] == 5  # rank column, an int


def test_cli_french_report(
    store: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "rep"
    main(["report", "--store", str(store), "--out", str(out), "--lang", "fr"])
    captured = capsys.readouterr()
    assert f"report written to {out / 'report.html'}" in captured.out.replace("\n", "")
    assert "report: reading indicator tables" in captured.err
    assert (out / "report.xlsx").exists()
    html = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="fr">' in html
    assert "La France se classe 5e sur 10 pays" in html
    assert "Méthodologie" in html and "position de la France" in html


def test_cli_error_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "manifest.json").write_text('{"files": {}}')
    with pytest.raises(SystemExit) as exc:
        main(["report", "--store", str(tmp_path / "s"), "--out", str(tmp_path / "o")])
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert "error: " in err and "no indicator tables" in err.split("error: ")[1]
    assert "Traceback" not in err


def test_chart_returns_none_without_data(store: Path) -> None:
    import pandas as pd

    assert ranking_bars(pd.DataFrame({"country": []}), "p_frac", "FR") is None
    assert (
        ranking_bars(
            pd.DataFrame({"country": ["FR"], "p_frac": [None]}), "p_frac", "FR"
        )
        is None
    )


def test_period_comes_from_the_tables() -> None:
    from oncometrics.report.build import make_context

    tables = load_tables(STORE / "indicators")
    msgs: list[str] = []

    def period(domain: dict, **settings) -> str | None:
        cfg = load_config(**settings)
        return make_context(tables, domain, cfg, Path("s"), msgs.append).period

    assert period({}) == "2016-2020"  # span of the year table
    tables["publications_by_country"]["period"] = "2014-2023"
    assert period({}) == "2014-2023"
    assert period({"settings": {"period": "2010-2012"}}) == "2010-2012"
    assert not msgs
    assert period({}, period="2000-2001") == "2014-2023"
    assert any("computed for 2014-2023, not 2000-2001" in m for m in msgs)


def test_no_ranking_chart_when_all_values_are_equal() -> None:
    import pandas as pd

    same = pd.DataFrame({"country": ["FR", "DE", "US"], "pp_top10": [0.1] * 3})
    assert ranking_bars(same, "pp_top10", "FR") is None
    same.loc[0, "pp_top10"] = 0.2
    assert ranking_bars(same, "pp_top10", "FR", salt="x").startswith("<svg")


def test_section_says_when_the_actor_is_absent(store: Path, tmp_path: Path) -> None:
    csv = store / "indicators" / "trials_by_country.csv"
    csv.write_text(
        "\n".join(x for x in csv.read_text().splitlines() if not x.startswith("FR,"))
        + "\n"
    )
    html, msgs = report(store, tmp_path / "out", lang="fr")
    assert (
        "La France n'apparaît pas dans trials_by_country : aucun constat à son "
        "sujet dans cette section."
    ) in unescape(html)
    assert any("FR not in trials_by_country" in m for m in msgs)


def test_citation_sources_say_where_counts_come_from() -> None:
    import pandas as pd

    from oncometrics.report.build import citation_rows

    df = pd.DataFrame(
        {
            "citation_source": ["none", "wos", "openalex"],
            "works": [5, 12, 30],
            "first_date": [None, "2023-09-14", None],
            "last_date": [None, "2023-09-14", None],
        }
    )
    rows = citation_rows(df, "en")
    assert [r["source"] for r in rows] == [
        "openalex",
        "wos",
        "none (no citation counts)",
    ]
    assert rows[1] == {"source": "wos", "works": 12, "dates": "2023-09-14"}
    assert citation_rows(None, "en") == []
