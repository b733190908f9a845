"""Headless Chromium on a computed store (the hand-worked fixture): the
drill-down page behind an actor's row, and the network and map views, render
with their data (rows and SVG nodes counted), offline."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.test_drill import FR, built_store
from tests.test_web_browser import ARGS, CHROMIUM
from tests.web_fixtures import server_on

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from oncometrics.web.app import create_app

    store = built_store(tmp_path_factory.mktemp("drill_web"))
    with server_on(create_app(store)) as url:
        yield url


@pytest.fixture(scope="module")
def page(served: str) -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is required (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        pg: Any = browser.new_page()
        pg.errors = []  # type: ignore[attr-defined]
        pg.foreign = []  # type: ignore[attr-defined]
        pg.on("console", lambda m: m.type == "error" and pg.errors.append(m.text))
        pg.on("request", lambda r: r.url.startswith(served) or pg.foreign.append(r.url))
        yield pg
        browser.close()


def test_drill_down_from_an_actor_row(page, served: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{served}/table/publications_by_country")
    page.click('a.drill[href="/drill/country/FR"]')
    page.wait_for_url("**/drill/country/FR")
    rows = page.locator("table.drill tbody tr")
    assert rows.count() == len(FR)
    ids = {rows.nth(i).locator("td").first.inner_text() for i in range(rows.count())}
    assert ids == set(FR)
    summary = page.locator("#drill-sum").inner_text()
    assert "p_frac = 4" in summary and "add up to 4" in summary
    page.goto(f"{served}/drill/country/FR?lang=fr")
    assert "Télécharger le CSV" in page.locator("#csv").inner_text()
    assert page.errors == [] and page.foreign == []  # type: ignore[attr-defined]


def test_network_and_map_views_have_their_nodes(page, served: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{served}/network?actor=FR")
    net = page.locator('section[data-view="pub_network"] svg g.net-node')
    assert net.count() == 5  # FR, US, CN, DE, BR
    edges = page.locator('section[data-view="pub_network"] svg line.net-edge')
    assert edges.count() >= 4
    world = page.locator('section[data-view="pub_map"] svg g.map-country')
    assert world.count() == 5
    box = world.first.locator("circle").bounding_box()
    assert box is not None and box["width"] > 4  # drawn, not collapsed
    page.goto(f"{served}/network?actor=FR&lang=fr")
    assert "Réseau de collaboration" in page.locator("h2").first.inner_text()
    assert page.errors == [] and page.foreign == []  # type: ignore[attr-defined]


def test_drill_down_from_a_year_row(page, served: str) -> None:  # type: ignore[no-untyped-def]
    """A year cell of publications_by_country_year opens that year's works
    (EXPECTED.md §2: FR's 2020 works weigh 3), CSV link with the year."""
    page.goto(f"{served}/table/publications_by_country_year")
    page.click('a.drill[href="/drill/country/FR?year=2020"] >> nth=0')
    page.wait_for_url("**/drill/country/FR?year=2020")
    rows = page.locator("table.drill tbody tr")
    assert rows.count() == len(FR) - 1  # W13 is of 2021
    summary = page.locator("#drill-sum").inner_text()
    assert "publications_by_country_year" in summary and "add up to 3" in summary
    href = page.locator("#csv").get_attribute("href")
    assert href == "/api/v1/drill/country/FR/csv?year=2020"
    assert page.errors == [] and page.foreign == []  # type: ignore[attr-defined]
