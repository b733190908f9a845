"""Collaboration networks: VOSviewer map/network files and GraphML, by hand."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd

from oncometrics.report.networks import write_networks

NS = {"g": "http://graphml.graphdrawing.org/xmlns"}


def test_copublication_network_files(tmp_path: Path) -> None:
    # each pair listed in both directions, plus an 'unassigned' row and a zero pair
    pairs = pd.DataFrame(
        {
            "country": ["FR", "US", "FR", "DE", "DE", "US", "FR"],
            "partner": ["US", "FR", "DE", "FR", "US", "DE", "unassigned"],
            "co_publications": [3, 3, 1, 1, 0, 0, 5],
            "p_full_country": [10, 40, 10, 7, 7, 40, 10],
        }
    )
    files = write_networks({"country_partners": pairs}, tmp_path)
    assert [f.name for f in files] == [
        "copublication_network_map.txt",
        "copublication_network_network.txt",
        "copublication_network.graphml",
    ]
    lines = files[0].read_text().splitlines()
    assert lines[0].startswith("id\tlabel\tweight<Links>")
    # ids by code: DE 1, FR 2, US 3; FR has 2 links of strength 1 + 3 = 4
    assert lines[1:] == [
        "1\tGermany (DE)\t1\t1\t7",
        "2\tFrance (FR)\t2\t4\t10",
        "3\tUnited States (US)\t1\t3\t40",
    ]
    assert files[1].read_text() == "1\t2\t1\n2\t3\t3\n"  # DE-US (0) left out
    root = ET.parse(files[2]).getroot()
    edges = root.findall(".//g:edge", NS)
    assert {(e.get("source"), e.get("target")) for e in edges} == {
        ("DE", "FR"),
        ("FR", "US"),
    }
    assert len(root.findall(".//g:node", NS)) == 3


def test_no_pairs_no_files(tmp_path: Path) -> None:
    empty = pd.DataFrame({"country": [], "partner": [], "co_publications": []})
    assert write_networks({"country_partners": empty}, tmp_path) == []


def test_report_writes_the_networks(tmp_path: Path) -> None:
    from oncometrics.config import load_config
    from oncometrics.report.build import write_report
    from tests.test_honest_output import make_uncited_store

    store = make_uncited_store(tmp_path / "s")
    out = tmp_path / "r"
    write_report(
        store,
        out,
        config=load_config(actor="FR"),
        indicators=store / "indicators",
        log=lambda m: None,
    )
    net = (out / "networks" / "copublication_network_network.txt").read_text()
    assert len(net.splitlines()) == 29  # FR with each of its 29 partners
