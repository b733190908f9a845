"""Invention and trial statements: co-invention rank and partners, scope,
truncation and what an empty section says (hand-made tables)."""

from __future__ import annotations

import pandas as pd

from oncometrics.report.evidence import Context
from oncometrics.report.family_statements import (
    annotate,
    coinvention_statement,
    missing_text,
)
from oncometrics.report.statements import build_statements


def _tables() -> dict[str, pd.DataFrame]:
    # World i_frac = 50 + 40 + 5 + 4.6 + 0.4 = 100; threshold 0.5 % of it = 0.5:
    # LU (0.4) is below it and unranked although its rate is 100 %.
    # Rates among the 4 ranked: CH 0.9, FR 0.6, DE 0.6, US 0.2 ->
    # CH 1st, FR 2nd (tied with DE), US 4th.
    countries = pd.DataFrame(
        {
            "country": ["US", "FR", "DE", "CH", "LU", "unassigned"],
            "i_frac": [50.0, 40.0, 5.0, 4.6, 0.4, None],
            "i_full": [60, 50, 8, 6, 1, 3],
            "coinvention_rate": [0.2, 0.6, 0.6, 0.9, 1.0, None],
            "share_frac": [0.5, 0.4, 0.05, 0.046, 0.004, None],
            "rank_i_frac": [1, 2, 3, 4, 5, None],
            # as compute writes them (ranked above the size threshold only)
            "rank_coinvention_rate": [4, 2, 2, 1, None, None],
            "rta": [0.9, 1.2, 1.0, 1.1, 2.0, None],
            "rank_rta": [4, 1, 3, 2, None, None],
            "family_scope": "international",
            "domain_hash": "abc123",
        }
    )
    # FR's partners: by count CH 5, DE 4, US 3; by Salton
    # CH 5/sqrt(50*6) = 0.289, DE 4/sqrt(50*8) = 0.2, US 3/sqrt(50*60) = 0.055
    pairs = pd.DataFrame(
        {
            "country": ["FR", "FR", "FR"],
            "partner": ["CH", "DE", "US"],
            "co_inventions": [5, 4, 3],
            "salton": [5 / (50 * 6) ** 0.5, 4 / (50 * 8) ** 0.5, 3 / (50 * 60) ** 0.5],
        }
    )
    return {"inventions_by_country": countries, "coinvention_partners": pairs}


def test_coinvention_statement() -> None:
    st = coinvention_statement(_tables(), Context(actor="FR"), print)
    assert st is not None
    assert (st.rank, st.n_ranked) == (2, 4)
    assert st.value == 0.6
    assert "international co-invention" in st.text
    assert "international patent families" in st.text
    assert "with Switzerland, Germany and the United States" in st.text
    assert st.details["partners_by_salton"] == ["CH", "DE", "US"]
    assert st.details["threshold_i_frac"] == 0.5
    assert st.domain_hash == "abc123"


def test_unranked_below_threshold() -> None:
    assert (
        coinvention_statement(_tables(), Context(actor="LU"), lambda _m: None) is None
    )


def test_every_invention_statement_names_its_scope() -> None:
    out = build_statements(_tables(), Context(actor="FR"))
    inv = [s for s in out if s.section == "inventions"]
    assert inv and all("international patent families" in s.text for s in inv)


def test_truncated_shift_says_so() -> None:
    from oncometrics.report.evidence import Statement

    t = _tables()
    t["technology_shift"] = pd.DataFrame(
        {"country": ["FR"], "truncated_2": [True], "first_truncated_year": [2021]}
    )
    st = Statement(
        key="inv_shift", section="inventions", text="Moving toward X.",
        indicator="", actor="FR", value=1.0, value_text="", rank=None,
        n_ranked=None, period="", domain_hash=None, table="", row="",
        column="", command="",
    )  # fmt: skip
    (got,) = annotate([st], t, Context(actor="FR"))
    assert "2021" in got.text and "publication lag" in got.text


def test_missing_sections_say_what_the_store_holds() -> None:
    docs = pd.DataFrame(
        {"doc_type": ["utility", "design", "reissue"], "documents": [6, 3, 3],
         "families": [6, 3, 3], "family_scope": "all"}
    )  # fmt: skip
    text = missing_text("inventions", {"invention_documents": docs}, "en")
    assert text is not None and "12 patent documents" in text
    assert "3 design" in text and "No patent records" not in text
    summary = pd.DataFrame(
        {"trials": [0], "store_trials": [12], "domain_trials_any": [1]}
    )
    text = missing_text("trials", {"trials_summary": summary}, "en")
    assert text is not None and "12 trials" in text and "1 of them" in text
    assert missing_text("trials", {}, "en") is None


def test_absent_actor_in_trials_says_what_is_counted() -> None:
    from oncometrics.report.family_statements import absent_text

    summary = pd.DataFrame(
        {"trials": [5], "store_trials": [8], "domain_trials_any": [6]}
    )
    text = absent_text("trials", {"trials_summary": summary}, Context(actor="FR"))
    assert "8 trials, 6 of them oncology" in text and "5 are counted" in text


def test_output_statement_warns_about_lagged_years() -> None:
    t = _tables()
    t["inventions_by_country"]["period"] = "2014-2023"
    t["invention_lags"] = pd.DataFrame({"first_truncated_year": [2021, 2022]})
    out = build_statements(t, Context(actor="FR"))
    (st,) = [s for s in out if s.key == "inv_output"]
    assert "Priority years from 2021 on are incomplete" in st.text
    t["inventions_by_country"]["period"] = "2010-2019"  # ends before the lag
    out = build_statements(t, Context(actor="FR"))
    (st,) = [s for s in out if s.key == "inv_output"]
    assert "incomplete" not in st.text
