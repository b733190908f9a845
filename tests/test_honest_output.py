"""No figure without its data: a store without citations shows no impact value.

The store is written by hand (web_fixtures' published schemas): 30 countries
whose MNCS and PP(top 10 %) are the defaults an impact computation gives
without citation counts (1 and 10 %), each off by a different float error,
a partner table where the third partner is tied with 27 others, and a
portfolio whose units carry the same defaults.  ``citation_sources`` says no
work has citation counts.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from oncometrics.config import load_config
from oncometrics.report import charts
from oncometrics.report.build import write_report
from oncometrics.report.relations import named_partners
from oncometrics.web.app import create_app
from tests.web_fixtures import HASH, _write

CODES = [
    "US", "CN", "GB", "DE", "FR", "IT", "JP", "ES", "CH", "NL", "BE", "AT", "SE",
    "NO", "DK", "FI", "PL", "PT", "GR", "IE", "CA", "AU", "BR", "IN", "KR", "TW",
    "SG", "IL", "ZA", "MX",
]  # fmt: skip
#: Values a default-filled impact column takes: all "1.00" / "10.0 %" once rounded.
NOISE = [(-1) ** i * i * 1e-12 for i in range(len(CODES))]


def _text(page: str) -> str:
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<svg\b.*?</svg>", " [chart] ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def make_uncited_store(root: Path) -> Path:
    ind = root / "indicators"
    ind.mkdir(parents=True)
    p_frac = [float(300 - 9 * i) for i in range(len(CODES))]
    total = sum(p_frac)
    pubs = pd.DataFrame(
        {
            "country": CODES,
            "p_full": [int(p) + 5 for p in p_frac],
            "p_frac": p_frac,
            "share_frac": [p / total for p in p_frac],
            "rank_p_frac": list(range(1, len(CODES) + 1)),
            "mncs": [1.0 + e for e in NOISE],
            "mncs_lo": [1.0] * len(CODES),
            "mncs_hi": [1.0] * len(CODES),
            "pp_top1": [0.01 + e for e in NOISE],
            "pp_top10": [0.1 + e for e in NOISE],
            "pp_top10_lo": [0.1] * len(CODES),
            "pp_top10_hi": [0.1] * len(CODES),
            "ai": [1.0 + i / 50 for i in range(len(CODES))],
            "intl_collab_rate": [0.3 + i / 100 for i in range(len(CODES))],
            "domain_hash": HASH,
        }
    )
    _write(pubs, ind / "publications_by_country.parquet")
    partners = ["JP", "US"] + [c for c in CODES if c not in ("FR", "JP", "US")]
    pd.DataFrame(
        {
            "country": "FR",
            "partner": partners,
            "co_publications": [2, 2] + [1] * (len(partners) - 2),
            "domain_hash": HASH,
        }
    ).pipe(_write, ind / "country_partners.parquet")
    pd.DataFrame(
        {"citation_source": ["none"], "works": [sum(int(p) for p in p_frac)]}
    ).pipe(_write, ind / "citation_sources.parquet")
    (root / "portfolio").mkdir()
    pd.DataFrame(
        {
            "unit_code": ["(org)", "U1016", "U1138"],
            "name": ["Org", "Unit A", "Unit B"],
            "p_full": [10, 7, 3],
            "p_frac": [6.5, 4.5, 2.0],
            "mncs": [1.0, 1.0, 1.0],
            "mncs_lo": [1.0, 1.0, 1.0],
            "mncs_hi": [1.0, 1.0, 1.0],
            "pp_top10": [0.1, 0.1, 0.1],
            "pp_top10_lo": [0.1, 0.1, 0.1],
            "pp_top10_hi": [0.1, 0.1, 0.1],
            "intl_collab_rate": [0.5, 0.4, 0.6],
        }
    ).pipe(_write, root / "portfolio" / "units.parquet")
    (root / "manifest.json").write_text('{"version": 1, "files": {}}')
    return root


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_uncited_store(tmp_path_factory.mktemp("uncited"))


#: How an impact value would read in the report or the dashboard.
IMPACT = re.compile(
    r"MNCS\s*:?\s*\d|1[.,]00\s*\[|10[.,]0\s*%|PP\(top 1?0?\s*%\)\s*\d|"
    r"(?<![\d.])(?:0\.10*|1\.0+)(?![\d.])"
)


def test_report_without_citations_shows_no_impact_value(
    store: Path, tmp_path: Path
) -> None:
    logs: list[str] = []
    for lang in ("en", "fr"):
        page = write_report(
            store,
            tmp_path / lang,
            config=load_config(actor="FR", lang=lang),
            indicators=store / "indicators",
            log=logs.append,
        ).read_text()
        text = _text(page)
        assert not IMPACT.findall(text), IMPACT.findall(text)
        # the PP(top 10 %) chart is not drawn, and says why in one line
        figure = re.search(r'id="chart-pub_top10".*?</figure>', page, re.S)
        assert figure and "<svg" not in figure.group(0)
        assert "notice omitted" in figure.group(0)
        assert ("n/a" if lang == "en" else "n/d") in _text(figure.group(0))
        # the portfolio says impact is n/a, and why
        portfolio = _text(page[page.index('id="portfolio"') :])
        assert ("n/a" if lang == "en" else "n/d") in portfolio
    assert any("no citation counts" in m for m in logs)


def test_partner_statement_names_no_arbitrary_tied_partner(
    store: Path, tmp_path: Path
) -> None:
    page = write_report(
        store,
        tmp_path,
        config=load_config(actor="FR"),
        indicators=store / "indicators",
        log=lambda m: None,
    ).read_text()
    sentence = next(
        s for s in _text(page).split("\n") if "First co-publication partners" in s
    )
    assert "Japan (2)" in sentence and "United States (2)" in sentence
    assert "27 countries tied at 1" in sentence
    assert "Austria" not in sentence and "Belgium" not in sentence


def test_dashboard_without_citations_shows_no_impact_value(store: Path) -> None:
    client = TestClient(create_app(store))
    rows = client.get(
        "/api/v1/tables/publications_by_country", params={"limit": 100}
    ).json()
    assert rows["rows"], rows
    for row in rows["rows"]:
        assert row["mncs"] is None and row["pp_top10"] is None, row
        assert row["p_frac"] is not None
    units = client.get("/api/v1/tables/units").json()["rows"]
    assert all(u["mncs"] is None for u in units)
    for path in ("/", "/country/FR", "/compare?actors=FR,US", "/unit/U1016"):
        page = client.get(path)
        assert page.status_code == 200, path
        for name, value in _impact_cells(page.text):
            assert value in ("", "—", "n/a"), (path, name, value)


def _impact_cells(page: str) -> list[tuple[str, str]]:
    """(column, cell text) of every impact column of every table of `page`."""
    cells = []
    for table in re.findall(r"<table.*?</table>", page, re.S):
        heads = [_text(h).strip() for h in re.findall(r"<th.*?</th>", table, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
            tds = [_text(d).strip() for d in re.findall(r"<td.*?</td>", row, re.S)]
            for head, td in zip(heads[-len(tds) :] if tds else [], tds, strict=False):
                if head in ("mncs", "pp_top10", "pp_top1", "MNCS", "PP(top 10 %)"):
                    cells.append((head, td))
            if tds and tds[0] in ("mncs", "pp_top10", "pp_top1"):  # compare: transposed
                cells += [(tds[0], td) for td in tds[1:]]
    return cells


def _ranks(df: pd.DataFrame) -> set[int]:
    """Compute's ranks (the report states them, never ranks again)."""
    import ibis

    from oncometrics.indicators.output import competition_rank

    t = ibis.memtable(df)
    got = t.mutate(r=competition_rank(t.pp_top10)).to_pyarrow()["r"].to_pylist()
    return {r for r in got if r is not None}


def test_ties_are_decided_on_rounded_values() -> None:
    df = pd.DataFrame({"country": CODES, "pp_top10": [0.1 + e for e in NOISE]})
    assert _ranks(df) == {1}
    assert charts.ranking_bars(df, "pp_top10", "FR", percent=True) is None
    df["pp_top10"] = [0.1 + 0.002 * (i % 2) for i in range(len(CODES))]
    assert _ranks(df) == {1, 16}


def test_named_partners_never_cut_a_tie_group() -> None:
    p = pd.DataFrame({"partner": list("ABCDE"), "co": [5.0, 3.0, 3.0, 3.0, 1.0]})
    head, tied = named_partners(p, 3)
    assert list(head["partner"]) == ["A"] and tied == (3, 3.0)
    head, tied = named_partners(p, 4)
    assert list(head["partner"]) == ["A", "B", "C", "D"] and tied is None
    head, tied = named_partners(p.head(2), 3)
    assert len(head) == 2 and tied is None


# ---------------------------------------------------------------- dashboard
def test_dashboard_docs_are_offline(store: Path) -> None:
    client = TestClient(create_app(store))
    docs = client.get("/docs").text
    assert "cdn" not in docs.lower() and "https://" not in docs
    for asset in re.findall(r'(?:src|href)="(/[^"]+)"', docs):
        assert client.get(asset).status_code == 200, asset


def test_dashboard_labels_numbers_country_case_and_banner(store: Path) -> None:
    client = TestClient(create_app(store))
    upper = client.get(
        "/api/v1/tables/publications_by_country", params={"country": "FR"}
    ).json()
    lower = client.get(
        "/api/v1/tables/publications_by_country", params={"country": "fr"}
    ).json()
    assert upper["total"] == lower["total"] == 1
    page = client.get("/table/publications_by_country").text
    assert "Publications, fractional counting" in page  # the schema's description
    assert not re.search(r"\d\.\d+e[-+]\d\d", page)  # no scientific notation
    banner = re.findall(r'<p class="banner"[^>]*>(.*?)</p>', page, re.S)
    assert any("has citation counts in a reference set" in b for b in banner)


def test_cell_format_never_uses_scientific_notation() -> None:
    from oncometrics.web.format import cell

    assert cell(8.651e-05) == "0.00008651"
    assert cell(0.1 + 1e-17) == "0.1"
    assert cell(123456.7) == "123,457"
