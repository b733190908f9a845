"""report.html in headless Chromium: visible parts, no errors, nothing fetched."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from oncometrics.config import load_config
from oncometrics.report import write_report

pytestmark = pytest.mark.browser
STORE = Path(__file__).parent / "data" / "report" / "store"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def test_report_renders_offline(tmp_path: Path) -> None:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is required (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    shutil.copytree(STORE, tmp_path / "store")
    html = write_report(
        tmp_path / "store",
        tmp_path / "out",
        config=load_config(),
        indicators=tmp_path / "store" / "indicators",
        log=lambda m: None,
    )
    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            page.on("console", lambda m: m.type == "error" and errors.append(m.text))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(html.as_uri())
            page.wait_for_load_state("load")

            statements = page.locator("li.statement")
            # every statement the builder wrote is rendered (16 for this fixture)
            assert (
                statements.count()
                == html.read_text().count('<li class="statement')
                == 16
            )
            first = statements.first
            assert first.is_visible()
            assert "France ranks 5th of 10 countries" in first.inner_text()
            # evidence on demand: hidden until the <details> is opened
            evidence = first.locator("details dl")
            assert not evidence.is_visible()
            first.locator("summary").click()
            assert evidence.is_visible()
            assert "oncometrics compute --store" in evidence.inner_text()

            charts = page.locator("figure.chart")
            assert charts.count() == 14  # + networks (publications, inventions), map
            for i in range(charts.count()):
                svg = charts.nth(i).locator("svg")
                svg.scroll_into_view_if_needed()
                assert svg.is_visible()
                box = svg.bounding_box()
                assert box is not None and box["width"] > 300 and box["height"] > 100

            method = page.locator("#methodology")
            assert method.is_visible()
            assert "56ba76b9dc30" in method.inner_text()
            assert page.locator("#sample-warning").is_visible()

            shot = tmp_path / "report.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 50_000
        finally:
            browser.close()
    assert errors == []
    assert requests and all(u.startswith("file://") for u in requests), requests
