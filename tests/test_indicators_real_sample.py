"""The indicators on a store ingested from the real OpenAlex and PubMed samples.

No hand-worked figures here (see test_indicators_fixture.py): these records
are real, so the test checks the contract's accounting identities on them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from oncometrics.config import load_config
from oncometrics.pipeline import compute
from oncometrics.store import Store

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def real_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("real") / "store"
    st = Store(root)
    st.ingest(
        "openalex", sorted((DATA / "openalex").glob("*.json*")), log=lambda m: None
    )
    st.ingest("pubmed", sorted((DATA / "pubmed").glob("*.xml*")), log=lambda m: None)
    return root


@pytest.mark.parametrize("domain", ["all", "cancer"])
def test_accounting_identities(real_store: Path, tmp_path: Path, domain: str) -> None:
    cfg = load_config(domain=domain, bootstrap=200, min_coverage=0.0)
    written = compute(real_store, tmp_path / domain, config=cfg, log=lambda m: None)
    c = pd.read_parquet(written["publications_by_country"])
    u = pd.read_parquet(written["publications_unassigned"])
    corpus = json.loads(written["domain"].read_text())["corpus"]
    uc = u[u.level == "country"]
    assert len(c) > 5
    assert c.share_frac.sum() == pytest.approx(1.0, abs=1e-9)
    assert (c.p_frac <= c.p_full + 1e-12).all()
    # every counted domain work is either shared among countries or unassigned
    assert c.p_frac.sum() + uc.p_unassigned.sum() == pytest.approx(uc.p_total.sum())
    # impact figures exactly where some work has citation data
    assert (c.mncs.notna() == (c.impact_coverage > 0)).all()
    if domain == "all":
        # reference sets = the domain: Σ P(top 10 %) of countries + unassigned
        # = 10 % of the rated works (citation data, a set of ≥ 2 works; the
        # others are rated in no set)
        top = c.p_top10.sum() + uc.p_top10.sum()
        n_cit = corpus["domain_works_with_citations"]
        n_rated = corpus["domain_works_rated"]
        assert 0 < n_rated <= n_cit and corpus["min_reference_set"] == 2
        assert top == pytest.approx(0.1 * n_rated, abs=1e-9)
        # the all-field totals are the domain itself: no specialisation
        assert c.ai.isna().all() and c.ai_note.str.contains("AI = 1").all()
    else:
        assert corpus["reference_sets"].startswith("whole store")
        assert ((c.rsi.dropna() > -1) & (c.rsi.dropna() < 1)).all()
    assert (c.rank_p_frac.min(), c.rank_p_frac.is_monotonic_increasing) == (1, True)
