"""Screenshots of the report (EN, FR) and the dashboard, in headless Chromium.

Usage: ``python scripts/screenshots.py DEMO_OUT [DOCS_DIR]`` where DEMO_OUT
is the folder ``oncometrics demo --out`` wrote.  Writes ``report-en.png``,
``report-fr.png``, ``report-network.png`` and ``report-map.png`` (the
report's network and world map figures), ``dashboard-overview.png``,
``dashboard-table.png``, ``dashboard-drill.png`` (the publications behind
France's row), ``dashboard-network.png`` and ``dashboard-docs.png`` into
DOCS_DIR (default ``docs/screenshots``).  Needs
Debian's ``chromium`` and playwright (the browser tests' setup); nothing is
fetched from the network.
"""

from __future__ import annotations

import sys
from pathlib import Path

from oncometrics.config import load_config
from oncometrics.report import write_report
from oncometrics.web.app import create_app
from tests.web_fixtures import server_on

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def main(demo: Path, docs: Path) -> None:
    from playwright.sync_api import sync_playwright

    docs.mkdir(parents=True, exist_ok=True)
    store = demo / "store"
    reports = {}
    for lang in ("en", "fr"):
        reports[lang] = write_report(
            store,
            demo / f"report-{lang}",
            config=load_config(actor="FR", lang=lang),
            indicators=store / "indicators",
            log=lambda m: None,
        )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 1600})
        for lang, path in reports.items():
            page.goto(path.resolve().as_uri())
            page.screenshot(path=str(docs / f"report-{lang}.png"))
        page.goto(reports["en"].resolve().as_uri())
        for key, name in (("pub_network", "network"), ("pub_map", "map")):
            figure = page.locator(f"#chart-{key}")
            if figure.count():
                figure.screenshot(path=str(docs / f"report-{name}.png"))
        with server_on(create_app(store)) as url:
            shots = {
                "dashboard-overview": "/?actor=FR",
                "dashboard-table": "/table/publications_by_country",
                "dashboard-drill": "/drill/country/FR",
                "dashboard-network": "/network?actor=FR",
                "dashboard-docs": "/docs",
            }
            for name, route in shots.items():
                page.goto(url + route)
                page.wait_for_timeout(800)
                page.screenshot(path=str(docs / f"{name}.png"))
        browser.close()
    for png in docs.glob("*.png"):  # 256 colours: a third of the size, same look
        _small(png)
    print(f"screenshots written to {docs}")


def _small(png: Path) -> None:
    """Rewrite `png` with a 256-colour palette (Pillow comes with matplotlib)."""
    from PIL import Image

    with Image.open(png) as img:
        small = img.convert("RGB").quantize(256)
    small.save(png, optimize=True)


if __name__ == "__main__":
    main(
        Path(sys.argv[1]),
        Path(sys.argv[2] if len(sys.argv) > 2 else "docs/screenshots"),
    )
