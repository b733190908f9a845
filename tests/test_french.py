"""``--lang fr``: no English label of the report is left in the French one.

The English words are the report's own: its headings, chart titles, table
headers, the portfolio section's wording.  Words that are French as well
(``publications``, ``source``, ``date``…) are not counted.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from oncometrics.config import load_config
from oncometrics.report import charts, geo
from oncometrics.report.build import write_report
from oncometrics.report.french import PORTFOLIO, WHOLE
from oncometrics.report.templates_text import CHART_TITLES, HEADERS, METHOD, UI
from tests.test_honest_output import make_uncited_store


def _words(texts: list[str]) -> set[str]:
    return {w.lower() for t in texts for w in re.findall(r"[A-Za-zÀ-ÿ'’-]{5,}", t)}


def english_only_words() -> set[str]:
    en = [*UI["en"].values(), *CHART_TITLES["en"].values(), *HEADERS["en"].values()]
    en += [*METHOD["en"].values(), *charts.LABELS["en"].values(), *PORTFOLIO, *WHOLE]
    en += [*geo.TEXT["en"].values()]
    fr = [*UI["fr"].values(), *CHART_TITLES["fr"].values(), *HEADERS["fr"].values()]
    fr += [*METHOD["fr"].values(), *charts.LABELS["fr"].values()]
    fr += [*PORTFOLIO.values(), *WHOLE.values(), *geo.TEXT["fr"].values()]
    return _words(en) - _words(fr)


def _visible_text(page: str) -> str:
    page = re.sub(r"<(style|metadata|code)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.fixture(scope="module")
def french(tmp_path_factory: pytest.TempPathFactory) -> str:
    tmp = tmp_path_factory.mktemp("fr")
    store = make_uncited_store(tmp / "s")
    path = write_report(
        store,
        tmp / "r",
        config=load_config(actor="FR", lang="fr"),
        indicators=store / "indicators",
        log=lambda m: None,
    )
    return path.read_text(encoding="utf-8")


def test_no_english_label_in_the_french_report(french: str) -> None:
    words = english_only_words()
    assert {"stored", "duplicates", "organisation's", "units"} <= words
    text = _visible_text(french).lower()
    found = sorted(
        w for w in words if re.search(rf"(?<![\w'’-]){re.escape(w)}\b", text)
    )
    assert not found, found


def test_french_numbers_and_booleans(french: str) -> None:
    text = _visible_text(french)
    assert "False" not in text and "True" not in text
    portfolio = text[text.index("Les unités et projets") : text.index("Méthodologie")]
    assert re.search(r"\d,\d\u202f%", portfolio)  # 40,0 %: French notation
    assert not re.search(r"\d\.\d", portfolio)


def test_french_dashboard_overview(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from oncometrics.web.app import create_app
    from oncometrics.web.pages import OVERVIEW

    store = make_uncited_store(tmp_path / "s")
    page = TestClient(create_app(store)).get("/", params={"lang": "fr"}).text
    text = _visible_text(page.split("<main>", 1)[1])
    english = _words(list(OVERVIEW["en"].values())) - _words(
        list(OVERVIEW["fr"].values())
    )
    found = sorted(w for w in english if re.search(rf"\b{w}\b", text.lower()))
    assert not found, found
    assert "Constats" in text and "n/d" in text  # the banner in French too


def test_french_workbook_statements_sheet(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    store = make_uncited_store(tmp_path / "s")
    path = write_report(
        store,
        tmp_path / "r",
        config=load_config(actor="FR", lang="fr"),
        indicators=store / "indicators",
        log=lambda m: None,
    )
    wb = load_workbook(path.parent / "report.xlsx", read_only=True)
    assert wb.sheetnames[0] == "constats"
    header = [c.value for c in next(wb["constats"].iter_rows(max_row=1))]
    assert header[:4] == ["clé", "section", "texte", "indicateur"]
