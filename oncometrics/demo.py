"""``oncometrics demo``: the whole job on the bundled real sample.

Ingest every bundled file (publications, patents, trials) into
``OUT/store``, compute the indicator tables into ``OUT/store/indicators``,
the example organisation's portfolio into ``OUT/store/portfolio`` and write
the report into ``OUT/report``.  The sample is small and real; the
report says how small.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path

from oncometrics.config import Config, load_config
from oncometrics.store import Store

#: Bundled files by source format (relative to oncometrics/data/sample).
SAMPLE: dict[str, tuple[str, ...]] = {
    "openalex": (
        "publications/openalexpro_search_biodiversity_finance_page1.json.gz",
        "publications/openalexpro_snowball_seed_W3045921891_W3046863325.json.gz",
        "publications/openalexpro_snowball_citing_W3045921891_W3046863325.json.gz",
        "publications/openalexpro_keypaper_results_page1.json.gz",
    ),
    "pubmed": (
        "publications/pubmr_serine_phosphorylation_cancer_93.xml.gz",
        "publications/sk8erjs69_srproject_cancer_106.xml.gz",
        "publications/medline16n0902_subset.xml.gz",
    ),
    "medline": ("publications/peche12_pubmed-breastcanc-set.txt",),
    "patents": (
        "patents/ipgb20221025_wk43_subset.zip",
        "patents/ipgb20230404_wk14_subset.zip",
        "patents/test_biblio_example.xml",
        "patents/test_biblio_example_2.xml",
        "patents/test_biblio_example_3.xml",
        "patents/test_biblio_example_4.xml",
    ),
    "trials": (
        "trials/ctrdata_demo_ctgov2_pediatric_oncology_5.json.gz",
        "trials/NCT06171568.json.gz",
        "trials/NCT02552212.json.gz",
        "trials/NCT02210780.json.gz",
    ),
}


def sample_dir() -> Path:
    """Folder of the bundled sample inside the installed package."""
    return Path(str(resources.files("oncometrics.data") / "sample"))


def build_demo_store(store: Path, log: Callable[[str], None] = print) -> Store:
    """Ingest every bundled sample file into `store` (reruns skip what is in)."""
    st = Store(store)
    root = sample_dir()
    for source, files in SAMPLE.items():
        summary = st.ingest(source, [root / f for f in files], log=log)
        log(f"{source}: {summary.line()}")
    return st


def run_demo(
    out: Path, *, config: Config | None = None, log: Callable[[str], None] = print
) -> Path:
    """Ingest → compute → report on the bundled sample; the report's path."""
    from oncometrics.pipeline import compute
    from oncometrics.portfolio import run_portfolio
    from oncometrics.report import write_report

    cfg = config or load_config()
    store = out / "store"
    build_demo_store(store, log)
    compute(store, store / "indicators", config=cfg, log=log)
    registry = Path(str(resources.files("oncometrics.data") / "portfolio"))
    run_portfolio(
        store,
        registry / "units.csv",
        store / "portfolio",
        grants=registry / "grants.csv",
        curation=registry / "curation.csv",
        config=cfg,
        log=log,
    )
    return write_report(
        store, out / "report", config=cfg, indicators=store / "indicators", log=log
    )


#: Formats whose records are publications.
PUBLICATION_SOURCES = ("openalex", "pubmed", "medline", "wos", "scopus", "lens")


def counts_lines(store: Path) -> list[str]:
    """What the report counts out of what was read, computed from the store.

    Records read (every publication file) → distinct works stored → works in
    the cancer domain (document type and subject) → works with an author
    country (the ones country figures count); trials and patents likewise.
    """

    import pandas as pd

    from oncometrics.store import read_manifest

    manifest = read_manifest(store)
    files = list(manifest.get("files", {}).values())

    def read(*sources: str) -> tuple[int, int]:
        mine = [f for f in files if f.get("source") in sources]
        return sum(f["read"] for f in mine), sum(f["stored"] for f in mine)

    ind = store / "indicators"
    una = pd.read_parquet(ind / "publications_unassigned.parquet")
    una = una[una["level"] == "country"]
    domain, without = int(una["p_total"].sum()), int(una["p_unassigned"].sum())
    p_read, p_stored = read(*PUBLICATION_SOURCES)
    t_read, t_stored = read("trials")
    i_read, i_stored = read("patents")
    trials = pd.read_parquet(ind / "trials_summary.parquet")
    return [
        f"publications: {p_read:,} records read, {p_stored:,} stored; "
        f"{domain:,} in the cancer domain (document type and subject); "
        f"{domain - without:,} with an author country (counted by country)",
        f"trials: {t_read:,} records read, {t_stored:,} stored; "
        f"{int(trials['trials'].sum()):,} oncology trials counted",
        f"patents: {i_read:,} documents read, {i_stored:,} stored "
        "(duplicates across files counted once)",
    ]
