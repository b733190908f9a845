"""Statements from hand-made tables (tests/data/report): text, evidence, fr."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from oncometrics.report import i18n
from oncometrics.report.statements import (
    RANKED,
    Context,
    build_statements,
    partner_list,
)
from oncometrics.report.tables import load_tables

DATA = Path(__file__).parent / "data" / "report" / "store" / "indicators"
NN = "\u202f"


@pytest.fixture()
def tables() -> dict[str, pd.DataFrame]:
    return load_tables(DATA)


def by_key(tables, **kw) -> dict:
    ctx = Context(**{"actor": "FR", "period": "2016-2020", **kw})
    return {s.key: s for s in build_statements(tables, ctx)}


def test_output_statement_english(tables) -> None:
    s = by_key(tables)["pub_output"]
    assert s.text == (
        "France ranks 5th of 10 countries for cancer publications in 2016–2020 "
        "(fractional count 80; 8.0\xa0% of the world)."
    )
    assert (s.rank, s.n_ranked, s.value, s.period) == (5, 10, 80.0, "2016–2020")
    assert s.domain_hash == "56ba76b9dc30"
    assert (s.table, s.row, s.column) == (
        "publications_by_country",
        "country == 'FR'",
        "p_frac",
    )
    assert s.command.startswith("oncometrics compute --store STORE --period 2016-2020")
    assert "oncometrics report" in s.command and "--actor FR" in s.command


def test_every_statement_kind(tables) -> None:
    got = by_key(tables)
    assert list(got) == [
        "pub_output",
        "pub_trend",
        "pub_top1",
        "pub_top10",
        "pub_mncs",
        "pub_ai",
        "pub_collab",
        "pub_partners",
        "pub_institution",
        "inv_output",
        "inv_rta",
        "inv_partners",
        "inv_shift",
        "inv_coinvention",
        "trial_output",
        "trial_early",
    ]
    assert got["pub_top1"].rank == 4  # .030 .025 .020 then FR .015
    assert "3rd most specialised of 10 countries" in got["pub_ai"].text
    assert "(activity index 1.12)" in got["pub_ai"].text
    assert got["inv_output"].text.startswith(
        "France is the 5th producer of cancer inventions of 6 countries"
    )
    assert got["trial_early"].text == (
        "France takes part in 9 early-phase oncology trials (2nd of 5 countries)."
    )
    assert got["pub_partners"].text == (
        "First co-publication partners of France: the United States (40), "
        "Germany (30) and the United Kingdom (25)."
    )
    assert got["inv_shift"].text == (
        "The cancer inventions of France are moving toward Biotechnology "
        "(+8.3\xa0pp) and Analysis of biological materials (+1.7\xa0pp) between "
        "2002–2011 and 2012–2021. [all patent families]"  # the tables' scope
    )


def test_rank_not_robust_is_said(tables) -> None:
    got = by_key(tables)
    top10 = got["pub_top10"]
    # FR 10.0–14.0 % overlaps CA (4th, 11.5–14.5) and DE (6th, 10.5–11.5).
    assert "5th (rank not robust: interval overlaps 4th and 6th)" in top10.text
    assert top10.robust is False and top10.interval == (0.10, 0.14)
    assert "95\xa0% stability interval 10.0–14.0\xa0%" in top10.text
    mncs = got["pub_mncs"]  # FR 1.12–1.18 vs CA 1.19–1.25 and DE 1.00–1.09
    assert mncs.robust is True and "not robust" not in mncs.text
    assert "5th of 10" in mncs.text


def test_narrower_interval_makes_rank_robust(tables) -> None:
    df = tables["publications_by_country"]
    fr = df["country"] == "FR"
    df.loc[fr, ["pp_top10_lo", "pp_top10_hi"]] = [0.116, 0.124]
    assert by_key(tables)["pub_top10"].robust is False  # still overlaps CA
    df.loc[df["country"] == "CA", ["pp_top10_lo", "pp_top10_hi"]] = [0.126, 0.134]
    top10 = by_key(tables)["pub_top10"]
    assert top10.robust is True
    assert "France ranks 5th of 10 countries" in top10.text


def test_changing_a_table_changes_the_statement(tables) -> None:
    before = by_key(tables)["pub_output"].text
    df = tables["publications_by_country"]
    df.loc[df["country"] == "FR", ["p_frac", "share_frac"]] = [9874.4, 0.0283]
    df["rank_p_frac"] = df["p_frac"].rank(method="min", ascending=False)  # compute's
    after = by_key(tables)["pub_output"].text
    assert after != before
    assert after == (
        "France ranks 1st of 10 countries for cancer publications in "
        "2016–2020 (fractional count 9,874; 2.8\xa0% of the world)."
    )
    df.loc[df["country"] == "US", ["p_frac", "rank_p_frac"]] = [9874.4, 1]
    assert "1st (tied with 1 other) of 10" in by_key(tables)["pub_output"].text


def test_french_statement_and_number_format(tables) -> None:
    df = tables["publications_by_country"]
    df.loc[df["country"] == "FR", ["p_frac", "share_frac", "rank_p_frac"]] = [
        9874.0,
        0.028,
        8,
    ]
    df.loc[df["country"] == "CA", "rank_p_frac"] = 9
    got = by_key(tables, lang="fr")
    assert got["pub_output"].text == (
        f"La France se classe 8e sur 10 pays pour les publications sur le cancer "
        f"sur la période 2016–2020 (compte fractionnaire 9{NN}874 ; 2,8{NN}% du "
        f"total mondial)."
    )
    assert got["inv_rta"].text.startswith("La France se classe 1re sur 6 pays")
    assert (
        "(rang non robuste : l'intervalle chevauche ceux des 4e et 6e)"
        in got["pub_top10"].text
    )
    assert got["pub_partners"].text == (
        "Premiers partenaires de co-publication de la France : les États-Unis (40), "
        "l'Allemagne (30) et le Royaume-Uni (25)."
    )


def test_french_grammar_for_plural_and_masculine_actors(tables) -> None:
    us = by_key(tables, lang="fr", actor="US")
    assert us["pub_output"].text.startswith("Les États-Unis se classent 1ers sur 10")
    gb = by_key(tables, lang="fr", actor="GB")
    assert gb["pub_output"].text.startswith("Le Royaume-Uni se classe 3e sur 10")
    assert "du Royaume-Uni" in gb["pub_partners"].text


def test_ranks_come_from_the_table_never_recomputed(tables) -> None:
    df = tables["publications_by_country"]
    fr = df["country"] == "FR"
    assert by_key(tables)["pub_top1"].rank == 4  # NL, GB, US, FR
    df.loc[fr, "rank_pp_top1"] = 7  # as compute wrote it, whatever the values
    assert by_key(tables)["pub_top1"].rank == 7
    # compute's size threshold: ES and NL unranked on ratio indicators
    df.loc[df["country"].isin(["ES", "NL"]), "rank_pp_top1"] = None
    got = by_key(tables)
    assert got["pub_top1"].n_ranked == 8 and got["pub_output"].n_ranked == 10


def test_a_renamed_column_fails_the_report(tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "indicators"
    shutil.copytree(DATA, folder)
    path = folder / "publications_by_country.csv"
    path.write_text(path.read_text().replace(",pp_top1,", ",pp_top_1pc,", 1))
    with pytest.raises(ValueError, match=r"publications_by_country.*pp_top1"):
        load_tables(folder)


def test_absent_actor_and_tables(tables) -> None:
    msgs: list[str] = []
    got = build_statements(
        {"publications_by_country": tables["publications_by_country"]},
        Context(actor="BR"),
        msgs.append,
    )
    assert got == [] and any("BR not in publications_by_country" in m for m in msgs)
    assert build_statements({}, Context(actor="FR")) == []


def test_period_defaults_to_all_years(tables) -> None:
    s = build_statements(tables, Context(actor="FR"))[0]
    assert "in all years" in s.text and "--period" not in s.command


def test_partner_list_reads_both_directions(tables) -> None:
    p = partner_list(tables["country_partners"], "FR", "country_partners")
    assert list(p["partner"]) == ["US", "DE", "GB", "IT"]
    assert list(p["co"]) == [40, 30, 25, 12]


def test_competition_rank_and_formats() -> None:
    assert i18n.fmt_number(9874.4, "fr") == f"9{NN}874"
    assert i18n.fmt_number(1234567.0, "en") == "1,234,567"
    assert i18n.fmt_percent(0.028, "fr") == f"2,8{NN}%"
    assert [i18n.ordinal(n, "en") for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "101st",
    ]
    assert i18n.ordinal(1, "fr") == "1er" and i18n.ordinal(8, "fr") == "8e"
    with pytest.raises(ValueError, match="unsupported language"):
        build_statements({}, Context(actor="FR", lang="de"))


def test_unassigned_rows_and_ranked_flag(tables) -> None:
    df = tables["publications_by_country"]
    extra = df.iloc[[0]].assign(country="unassigned", p_frac=500.0, rank_p_frac=None)
    tables["publications_by_country"] = pd.concat([df, extra], ignore_index=True)
    got = by_key(tables)
    assert got["pub_output"].n_ranked == 10
    assert "5th of 10 countries" in got["pub_output"].text
    # compute's size threshold: a null rank takes NL out of the ranking
    df = tables["publications_by_country"]
    df.loc[df["country"] == "NL", "rank_pp_top1"] = None
    top1 = by_key(tables)["pub_top1"]
    assert (top1.rank, top1.n_ranked) == (4, 9)  # FR keeps compute's rank


def test_no_rank_is_stated_when_everyone_ties(tables) -> None:
    df = tables["publications_by_country"]
    df["pp_top1"], df["rank_pp_top1"] = 0.01, 1  # no citations: all equal
    msgs: list[str] = []
    got = build_statements(tables, Context(actor="FR"), msgs.append)
    assert "pub_top1" not in {s.key for s in got}
    assert any("all 10 countries tie on pp_top1" in m for m in msgs)


def test_no_world_share_is_a_dash(tables) -> None:
    df = tables["publications_by_country"]
    df.loc[df["country"] == "FR", "share_frac"] = None
    text = by_key(tables)["pub_output"].text
    assert "(fractional count 80; –" in text


def test_leading_institution(tables) -> None:
    got = by_key(tables)["pub_institution"]
    assert got.text == (
        "The leading institution of France is Gustave Roussy, 3rd of 8 "
        "institutions worldwide (fractional count 18)."
    )
    assert got.row == "institution_id == 'I3'"
    fr = by_key(tables, lang="fr")["pub_institution"].text
    assert fr.startswith(
        "Le premier établissement de la France est Gustave Roussy, "
        "3e sur 8 établissements"
    )


def test_technology_fields_in_french(tables) -> None:
    fr = by_key(tables, lang="fr")["inv_shift"].text
    assert fr == (
        "Les inventions sur le cancer de la France se déplacent vers Biotechnologie "
        "(+8,3\xa0pts) et Analyse de matériels biologiques (+1,7\xa0pt) entre "
        "2002–2011 et 2012–2021. [toutes les familles de brevets]"
    )


def test_world_share_trend_pools_half_periods(tables) -> None:
    # 2016+2017: FR 16.8+16.4 of 198.8+199.4 = 8.34 %; 2019+2020: 15.6+15.2 of
    # 200.6+201.2 = 7.67 %; 2018 (middle year) left out.
    got = by_key(tables)["pub_trend"]
    assert got.text == (
        "The world share of France in cancer publications moved from 8.3\xa0% in "
        "2016–2017 to 7.7\xa0% in 2019–2020 (−0.7\xa0pp)."
    )
    assert got.value == pytest.approx(30.8 / 401.8)
    fr = by_key(tables, lang="fr")["pub_trend"].text
    assert fr.endswith(
        f"de 8,3{NN}% en 2016–2017 à 7,7{NN}% en 2019–2020 (−0,7\xa0pt)."
    )


@pytest.mark.parametrize("min_p", [0.0, 20.0])
def test_evidence_query_reproduces_value_and_rank(tables, min_p: float) -> None:
    import duckdb

    ctx = Context(actor="FR", indicators=str(DATA), min_p=min_p)
    keys = {spec.key for spec in RANKED}
    ranked = [s for s in build_statements(tables, ctx) if s.key in keys]
    assert {s.key for s in ranked} >= {
        "pub_output",
        "pub_top1",
        "pub_ai",
        "inv_rta",
        "trial_output",
        "trial_early",
    }
    for s in ranked:
        rows = duckdb.sql(s.query).fetchall()
        assert len(rows) == 1, s.query
        country, value, rank, n = rows[0]
        assert (country, rank, n) == ("FR", s.rank, s.n_ranked), s.key
        assert value == pytest.approx(s.value)


def test_evidence_queries_of_other_statements(tables) -> None:
    import duckdb

    got = by_key(tables, indicators=str(DATA))
    first, last = duckdb.sql(got["pub_trend"].query).fetchall()
    assert first[0] is True and first[1] == pytest.approx(33.2 / 398.2)
    assert last[1] == pytest.approx(got["pub_trend"].value)
    pairs = duckdb.sql(got["pub_partners"].query).fetchall()
    assert [r[2] for r in pairs[:3]] == [40, 30, 25]
    inst = duckdb.sql(got["pub_institution"].query).fetchall()
    assert "Gustave Roussy" in inst[0]
    shift = duckdb.sql(got["inv_shift"].query).fetchall()
    assert len(shift) == 3
