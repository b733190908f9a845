"""Trial sites -> the organisation's centres, on real ClinicalTrials.gov sites.

The site strings are those of the real samples in ``tests/data/trials``
(ClinicalTrials.gov API v2 records, see its README).  The test centres file
``tests/data/portfolio/centres_real_sites.csv`` names four real paediatric
centres that the samples list; the expected trials were read by hand from the
records (NCT00567567, NCT00716976 and NCT01305200 list the Hospital for Sick
Children, Toronto; only NCT00567567 lists the three others; all three are
PHASE3 trials of a NETWORK lead sponsor with sites in two or more countries).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from oncometrics.config import load_config
from oncometrics.portfolio import run_portfolio
from oncometrics.portfolio.centres import (
    centre_matcher,
    centre_tables,
    load_centres,
    match_sites,
    same_city,
)
from oncometrics.portfolio.registry import RegistryError
from oncometrics.store import Store

ROOT = Path(__file__).parent
TRIALS = ROOT / "data" / "trials"
CENTRES = ROOT / "data" / "portfolio" / "centres_real_sites.csv"
EXAMPLE = ROOT.parent / "oncometrics" / "data" / "portfolio" / "centres.csv"


def _real_sites() -> list[dict[str, str | None]]:
    """Distinct (facility, city, country) of the real trial samples."""
    seen: dict[tuple, dict[str, str | None]] = {}
    for path in sorted(TRIALS.glob("*.json*")):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as fh:  # type: ignore[operator]
            doc = json.load(fh)
        studies = doc if isinstance(doc, list) else doc.get("studies", [doc])
        for s in studies:
            module = s.get("protocolSection", {}).get("contactsLocationsModule", {})
            for loc in module.get("locations", []):
                row = {k: loc.get(k) for k in ("facility", "city", "country")}
                seen[tuple(row.values())] = row
    return list(seen.values())


def test_real_sites_match_by_name_and_city() -> None:
    centres = load_centres(CENTRES)
    sites = _real_sites()
    assert len(sites) > 300
    got = match_sites(sites, centres, centre_matcher(centres)).to_pylist()
    pairs = sorted((r["centre_code"], r["facility"], r["city"]) for r in got)
    assert pairs == [
        ("CHEO", "Children's Hospital of Eastern Ontario", "Ottawa"),
        ("LHSC-CH", "Children's Hospital", "London"),
        ("SICKKIDS", "Hospital for Sick Children", "Toronto"),
        ("SJUSTINE", "Centre Hospitalier Universitaire Sainte-Justine", "Montreal"),
    ]


def test_example_french_centres_match_no_foreign_site() -> None:
    """The example CLIP² file finds nothing among the samples' sites (none of
    them is one of its centres; the one French site is Lariboisière, Paris)."""
    centres = load_centres(EXAMPLE)
    assert len(centres) >= 10
    assert all("CLIP²" in c.labels for c in centres)
    sites = _real_sites()
    assert ("Neurosurgery - Lariboisière hospital", "Paris", "France") in {
        tuple(s.values()) for s in sites
    }
    assert match_sites(sites, centres, centre_matcher(centres)).num_rows == 0


def test_same_city() -> None:
    assert same_city("Villejuif", "VILLEJUIF Cedex")
    assert same_city("Saint-Cloud", "Saint Cloud")
    assert not same_city("London", "Ottawa")
    assert same_city("", "Ottawa") and same_city("Lyon", None)


def test_centre_tables_hand_worked() -> None:
    """Two centres sharing a label and one trial; one centre without trials."""
    centres = load_centres(CENTRES)
    rows = [
        {"centre_code": "SICKKIDS", "nct_id": "A", "start_year": 2020,
         "early_phase": True, "multinational": True, "lead_sponsor_class": "INDUSTRY"},
        {"centre_code": "SICKKIDS", "nct_id": "B", "start_year": 2021,
         "early_phase": False, "multinational": False, "lead_sponsor_class": "OTHER"},
        {"centre_code": "CHEO", "nct_id": "A", "start_year": 2020,
         "early_phase": True, "multinational": True, "lead_sponsor_class": "INDUSTRY"},
    ]  # fmt: skip
    out = centre_tables(centres, rows)
    summary = {(r["level"], r["key"]): r for r in out["centre_trials"].to_pylist()}
    sick = summary[("centre", "SICKKIDS")]
    assert (sick["trials"], sick["early_phase_trials"]) == (2, 1)
    assert (sick["multinational_share"], sick["industry_share"]) == (0.5, 0.5)
    paed = summary[("label", "PAED")]  # A counted once for the label
    assert (paed["trials"], paed["multinational_trials"]) == (2, 1)
    empty = summary[("centre", "SJUSTINE")]
    assert empty["trials"] == 0 and empty["multinational_share"] is None
    years = [(r["key"], r["start_year"], r["trials"])
             for r in out["centre_trials_by_year"].to_pylist() if r["level"] == "centre"]  # fmt: skip
    assert years == [("CHEO", 2020, 1), ("SICKKIDS", 2020, 1), ("SICKKIDS", 2021, 1)]
    mix = [(r["sponsor_class"], r["trials"], r["share"])
           for r in out["centre_sponsors"].to_pylist() if r["key"] == "SICKKIDS"]  # fmt: skip
    assert mix == [("INDUSTRY", 1, 0.5), ("OTHER", 1, 0.5)]


def test_bad_centres_file_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "centres.csv"
    bad.write_text("centre_code,name\nA,One\nA,Two\n", encoding="utf-8")
    with pytest.raises(RegistryError, match=r"line 3: duplicate centre_code 'A'"):
        load_centres(bad)


@pytest.mark.parametrize("early", [None, ("PHASE3",)])
def test_portfolio_centres_end_to_end(tmp_path: Path, early) -> None:
    store = Store(tmp_path / "store")
    store.ingest("trials", sorted(TRIALS.glob("*.json*")), log=lambda m: None)
    cfg = load_config(None, domain="all", early_phases=early)
    written = run_portfolio(store.root, None, tmp_path / "out", grants=None,
                            curation=None, config=cfg, log=lambda m: None,
                            centres=CENTRES)  # fmt: skip
    assert set(written) == {"centre_trials", "centre_trials_by_year",
                            "centre_sponsors", "centre_site_matches"}  # fmt: skip
    rows = pq.read_table(written["centre_trials"]).to_pylist()
    summary = {(r["level"], r["key"]): r for r in rows}
    sick = summary[("centre", "SICKKIDS")]
    assert (sick["trials"], sick["multinational_trials"]) == (3, 3)
    assert sick["early_phase_trials"] == (3 if early else 0)
    assert sick["industry_share"] == 0.0
    assert summary[("label", "PAED")]["trials"] == 3
    assert summary[("label", "CHU")]["trials"] == 1
    assert all(r["domain_hash"] for r in rows)
    mix = pq.read_table(written["centre_sponsors"]).to_pylist()
    assert {(r["key"], r["sponsor_class"], r["trials"]) for r in mix
            if r["level"] == "centre"} == {("SICKKIDS", "NETWORK", 3), ("CHEO", "NETWORK", 1),
                                          ("LHSC-CH", "NETWORK", 1), ("SJUSTINE", "NETWORK", 1)}  # fmt: skip


def test_report_section_and_dashboard_page(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from oncometrics.portfolio import portfolio_section
    from oncometrics.web.app import create_app

    store = Store(tmp_path / "store")
    store.ingest("trials", sorted(TRIALS.glob("*.json*")), log=lambda m: None)
    cfg = load_config(None, domain="all")
    written = run_portfolio(store.root, None, store.root / "portfolio", grants=None,
                            curation=None, config=cfg, log=lambda m: None,
                            centres=CENTRES)  # fmt: skip
    html = portfolio_section({n: pq.read_table(p) for n, p in written.items()})
    assert "Centres labelled PAED ran 3 oncology trials, 0 of them early phase" in html
    assert "Hospital for Sick Children" in html
    client = TestClient(create_app(store.root))
    page = client.get("/centre/SICKKIDS")
    assert page.status_code == 200 and "centre_trials" in page.text
    rows = client.get("/api/v1/tables/centre_trials", params={"centre": "PAED"})
    assert [r["trials"] for r in rows.json()["rows"]] == [3]


def test_cli_centres_with_curation(tmp_path: Path, capsys) -> None:
    """`portfolio --centres` alone, with the units' curation file format."""
    from oncometrics.cli import main

    store = Store(tmp_path / "store")
    store.ingest("trials", sorted(TRIALS.glob("*.json*")), log=lambda m: None)
    curation = tmp_path / "curation.csv"
    curation.write_text(
        "affiliation,action,unit_code,note\n"
        "Hospital for Sick Children,remove,SICKKIDS,test\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    main(["portfolio", "--store", str(store.root), "--centres", str(CENTRES),
          "--curation", str(curation), "--out", str(out)])  # fmt: skip
    assert "4 tables written" in capsys.readouterr().out
    rows = {(r["level"], r["key"]): r
            for r in pq.read_table(out / "centre_trials.parquet").to_pylist()}  # fmt: skip
    assert rows[("centre", "SICKKIDS")]["trials"] == 0
    assert rows[("centre", "SICKKIDS")]["multinational_share"] is None
    assert rows[("label", "PAED")]["trials"] == 1  # NCT00567567 via the others


def test_cli_needs_units_or_centres(tmp_path: Path, capsys) -> None:
    from oncometrics.cli import main

    store = Store(tmp_path / "store")
    store.ingest("trials", sorted(TRIALS.glob("*.json*")), log=lambda m: None)
    with pytest.raises(SystemExit) as exc:
        main(["portfolio", "--store", str(store.root)])
    assert exc.value.code == 1
    assert "--units" in capsys.readouterr().err
