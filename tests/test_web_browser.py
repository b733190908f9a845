"""End to end in headless Chromium against a local server: overview,
statement → evidence, country filter, CSV download."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web_fixtures import server  # noqa: F401 - fixture

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[object]:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is required (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        pg = browser.new_page(accept_downloads=True)
        pg.errors = []  # type: ignore[attr-defined]
        pg.foreign = []  # type: ignore[attr-defined]
        pg.on("console", lambda m: m.type == "error" and pg.errors.append(m.text))
        pg.on("request", lambda r: r.url.startswith(server) or pg.foreign.append(r.url))
        yield pg
        browser.close()


def test_click_through(page, server: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/?actor=FR")
    first = page.locator("li.statement a").first
    assert first.is_visible()
    text = first.inner_text()
    first.click()
    page.wait_for_url("**/evidence/**")
    assert text in page.locator("blockquote.statement").inner_text()
    assert page.get_by_text("Reproduce").is_visible()
    assert "oncometrics" in page.locator("table.evidence code").last.inner_text()

    page.goto(f"{server}/country/FR")
    page.fill("input[name=period]", "2020-2020")
    page.click("button[type=submit]")
    page.wait_for_url("**period=2020-2020")
    grid = page.locator("section.table").filter(has_text="publications_by_country_year")
    assert "2020" in grid.inner_text() and "2019" not in grid.inner_text()

    page.goto(f"{server}/table/publications_by_country?country=FR")
    with page.expect_download() as dl:
        page.click("#csv")
    saved = tmp_path / "fr.csv"
    dl.value.save_as(saved)
    lines = saved.read_text().splitlines()
    assert (
        lines[0].startswith("country,")
        and len(lines) == 2
        and lines[1].startswith("FR,")
    )
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
    assert page.errors == []  # type: ignore[attr-defined]
    assert page.foreign == []  # type: ignore[attr-defined]
