"""The collaboration network and world map of the report (oncometrics.report.geo):
drawn from the tables given, hand-made here, offline (no external reference)."""

from __future__ import annotations

import re

import pandas as pd
import pycountry

from oncometrics.report.geo import centres, map_svg, network_svg

COUNTRIES = pd.DataFrame(
    {
        "country": ["US", "FR", "DE", "ZZ", "unassigned", "BR"],
        "p_full": [10, 6, 3, 2, 5, 0],
        "share_frac": [0.5, 0.3, 0.15, 0.05, None, 0.0],
    }
)
PAIRS = pd.DataFrame(  # both directions, as country_partners holds them
    {
        "country": ["US", "FR", "US", "DE", "FR", "DE", "US", "BR"],
        "partner": ["FR", "US", "DE", "US", "DE", "FR", "BR", "US"],
        "co_publications": [4, 4, 2, 2, 0, 0, 1, 1],
    }
)


def test_network_draws_each_pair_once_among_the_largest() -> None:
    svg = network_svg(COUNTRIES, PAIRS, size="p_full", co="co_publications",
                      actor="FR", top=3)  # fmt: skip
    assert svg is not None and svg.startswith("<svg")
    nodes = re.findall(r'class="net-node" data-country="(\w+)"', svg)
    assert nodes == ["US", "FR", "DE"]  # top 3 by p_full; BR (0) and ZZ out
    edges = re.findall(r'<line class="net-edge".*?<title>(.*?)</title>', svg)
    assert edges == ["US–DE: 2", "US–FR: 4"] or edges == ["DE–US: 2", "FR–US: 4"]
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")


def test_network_without_pairs_is_not_drawn() -> None:
    none = PAIRS.assign(co_publications=0)
    assert network_svg(COUNTRIES, none, size="p_full", co="co_publications") is None
    assert network_svg(COUNTRIES, None, size="p_full", co="co_publications") is None


def test_map_places_known_countries_and_lists_the_others() -> None:
    svg = map_svg(COUNTRIES, share="share_frac", actor="FR", lang="fr")
    assert svg is not None
    placed = re.findall(r'class="map-country" data-country="(\w+)"', svg)
    assert placed == ["US", "FR", "DE"]  # largest first; BR has share 0
    assert "Non placés (centre inconnu) : ZZ." in svg
    assert map_svg(COUNTRIES.assign(share_frac=None)) is None


def test_bundled_centres_are_valid_codes_and_coordinates() -> None:
    table = centres()
    assert len(table) > 150
    for code, (lat, lon) in table.items():
        assert code == "XK" or pycountry.countries.get(alpha_2=code), code
        assert -60 <= lat <= 75 and -180 <= lon <= 180, code
    # a few positions anyone can check on a globe
    assert table["FR"][0] > table["ES"][0] and table["US"][1] < table["GB"][1] < 0
    assert table["AU"][0] < 0 and table["JP"][1] > table["CN"][1]
