"""A country collaboration network and a world map of shares, as inline SVG.

Both are drawn by hand (no JavaScript, no tiles, no CDN, no bundled
geometry) from the output tables:

* :func:`network_svg`: the largest countries on a circle, node area ∝ their
  full count, one line per pair of them that shares records (width ∝ the
  shared count), from a pair table (``country_partners``,
  ``coinvention_partners``).  The same pairs are exported as VOSviewer and
  GraphML files (:mod:`oncometrics.report.networks`).
* :func:`map_svg`: one circle per country at the approximate centre of the
  country (``oncometrics/data/countries/centres.csv``: latitude and
  longitude rounded to whole degrees, written by hand for this project),
  area ∝ its world share, on an equirectangular grid.  It shows *where*
  output sits, not borders; countries absent from the CSV are listed under
  the map, never dropped silently.
"""

from __future__ import annotations

import csv
import math
from functools import cache
from html import escape
from importlib import resources

import pandas as pd

from oncometrics.report.tables import country_rows

ACTOR = "#c0392b"
OTHER = "#5b7fa6"
EDGE = "#8a9bb3"

#: What the pictures say about themselves, by language.
TEXT: dict[str, dict[str, str]] = {
    "en": {
        "net": "{n} largest countries by {what}; line width ∝ records shared by "
        "the pair ({pairs} pairs drawn).",
        "map": "Circle area ∝ world share ({what}); circles sit at approximate "
        "country centres (whole degrees), no borders.",
        "unplaced": "Not placed (no centre on file): {codes}.",
    },
    "fr": {
        "net": "Les {n} premiers pays selon {what} ; épaisseur des traits ∝ "
        "nombre de documents partagés par la paire ({pairs} paires tracées).",
        "map": "Surface des cercles ∝ part mondiale ({what}) ; cercles placés au "
        "centre approximatif des pays (degrés entiers), sans frontières.",
        "unplaced": "Non placés (centre inconnu) : {codes}.",
    },
}


@cache
def centres() -> dict[str, tuple[float, float]]:
    """ISO alpha-2 code -> (latitude, longitude) of the bundled centres."""
    ref = resources.files("oncometrics.data.countries") / "centres.csv"
    with ref.open(encoding="utf-8") as fh:
        return {
            r["code"]: (float(r["lat"]), float(r["lon"])) for r in csv.DictReader(fh)
        }


def _sized(df: pd.DataFrame | None, size: str) -> pd.DataFrame | None:
    """Country rows with a positive `size`, largest first."""
    if df is None or df.empty or size not in df.columns:
        return None
    rows = country_rows(df)
    rows = rows.assign(_v=pd.to_numeric(rows[size], errors="coerce"))
    rows = rows[rows["_v"] > 0].sort_values(["_v", "country"], ascending=[False, True])
    return rows if not rows.empty else None


def network_svg(
    countries: pd.DataFrame | None,
    pairs: pd.DataFrame | None,
    *,
    size: str,
    co: str,
    actor: str = "",
    top: int = 20,
    lang: str = "en",
) -> str | None:
    """The pairs among the `top` countries by `size` (None: nothing to draw)."""
    rows = _sized(countries, size)
    if rows is None or pairs is None or pairs.empty or co not in pairs.columns:
        return None
    nodes = rows.head(top)
    codes = list(nodes["country"])
    keep = pairs[
        pairs["country"].isin(codes)
        & pairs["partner"].isin(codes)
        & (pairs["country"] < pairs["partner"])
    ]
    keep = keep[pd.to_numeric(keep[co], errors="coerce") > 0]
    if len(codes) < 2 or keep.empty:
        return None
    w, h, r0 = 520, 420, 160
    cx, cy = w / 2, h / 2 - 10
    pos = {
        c: (cx + r0 * math.sin(2 * math.pi * i / len(codes)),
            cy - r0 * math.cos(2 * math.pi * i / len(codes)))
        for i, c in enumerate(codes)
    }  # fmt: skip
    big = float(nodes["_v"].max())
    most = float(pd.to_numeric(keep[co]).max())
    out = [_open(w, h, "network")]
    for _, e in keep.sort_values(co).iterrows():
        (x1, y1), (x2, y2) = pos[e["country"]], pos[e["partner"]]
        sw = 0.5 + 5.5 * float(e[co]) / most
        out.append(
            f'<line class="net-edge" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" '
            f'y2="{y2:.1f}" stroke="{EDGE}" stroke-opacity="0.6" '
            f'stroke-width="{sw:.2f}"><title>{escape(str(e["country"]))}–'
            f"{escape(str(e['partner']))}: {int(e[co])}</title></line>"
        )
    for _, n in nodes.iterrows():
        c = str(n["country"])
        x, y = pos[c]
        r = 4 + 14 * math.sqrt(float(n["_v"]) / big)
        out.append(_node(c, x, y, r, f"{c}: {float(n['_v']):g}", c == actor))
    what = size
    note = TEXT[lang]["net"].format(n=len(codes), what=what, pairs=len(keep))
    out.append(
        f'<text x="8" y="{h - 8}" font-size="11" fill="#555">{escape(note)}</text>'
    )
    return "".join(out) + "</svg>"


def map_svg(
    countries: pd.DataFrame | None,
    *,
    share: str = "share_frac",
    actor: str = "",
    lang: str = "en",
) -> str | None:
    """World shares as circles at the countries' centres (None: no data)."""
    rows = _sized(countries, share)
    if rows is None:
        return None
    place = centres()
    w, h = 720, 330
    lat_top, lat_bottom = 75.0, -56.0

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return ((lon + 180) / 360 * w,
                (lat_top - lat) / (lat_top - lat_bottom) * (h - 40) + 4)  # fmt: skip

    out = [_open(w, h, "world-map")]
    out.append(f'<rect x="0" y="4" width="{w}" height="{h - 40}" fill="#f3f6fa"/>')
    for lon in range(-150, 180, 30):
        x, _ = xy(0, lon)
        out.append(
            f'<line x1="{x:.0f}" y1="4" x2="{x:.0f}" y2="{h - 36}" stroke="#dde3ec"/>'
        )
    for lat in (-30, 0, 30, 60):
        _, y = xy(lat, 0)
        out.append(
            f'<line x1="0" y1="{y:.0f}" x2="{w}" y2="{y:.0f}" stroke="#dde3ec"/>'
        )
    big = float(rows["_v"].max())
    unplaced = []
    labelled = set(rows["country"].head(12))
    for _, n in rows.iterrows():  # largest first: small circles end on top
        c = str(n["country"])
        if c not in place:
            unplaced.append(c)
            continue
        x, y = xy(*place[c])
        r = 2 + 22 * math.sqrt(float(n["_v"]) / big)
        tip = f"{c}: {100 * float(n['_v']):.1f} %"
        out.append(
            _node(c, x, y, r, tip, c == actor, label=c in labelled, cls="map-country")
        )
    note = TEXT[lang]["map"].format(what=share)
    out.append(
        f'<text x="8" y="{h - 20}" font-size="11" fill="#555">{escape(note)}</text>'
    )
    if unplaced:
        more = TEXT[lang]["unplaced"].format(codes=", ".join(sorted(unplaced)))
        out.append(
            f'<text x="8" y="{h - 6}" font-size="11" fill="#555">{escape(more)}</text>'
        )
    return "".join(out) + "</svg>"


def _open(w: int, h: int, kind: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{kind}" '
        f'viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'font-family="sans-serif">'
    )


def _node(
    code: str,
    x: float,
    y: float,
    r: float,
    tip: str,
    mine: bool,
    *,
    label: bool = True,
    cls: str = "net-node",
) -> str:
    fill = ACTOR if mine else OTHER
    text = (
        f'<text x="{x:.1f}" y="{y + 4:.1f}" font-size="10" text-anchor="middle" '
        f'fill="#fff" stroke="#1d2433" stroke-width="2" paint-order="stroke">'
        f"{escape(code)}</text>"
        if label
        else ""
    )
    return (
        f'<g class="{cls}" data-country="{escape(code)}"><circle cx="{x:.1f}" '
        f'cy="{y:.1f}" r="{r:.1f}" fill="{fill}" fill-opacity="0.75" '
        f'stroke="#fff"><title>{escape(tip)}</title></circle>{text}</g>'
    )
