"""Headline statements: sentences generated from the indicator tables.

Pure functions: tables (pandas frames by name, as ``compute`` writes them)
in, a list of :class:`Statement` out.  Every number of a sentence is read
from a table row, and the statement carries its evidence (indicator, value,
rank, number of ranked actors, period, domain hash, stability interval, the
table/row/column it came from and the command that reproduces it), as the
contract requires (indicators.md section 8).  A rank whose stability
interval overlaps a neighbour's is flagged in the sentence itself.  When a
table is missing, or the actor has no value or rank, the statement is skipped
and the reason logged; ranks are those compute wrote.

The dashboard reuses :func:`build_statements`.  The data model lives in
:mod:`~oncometrics.report.evidence`, pair and shift statements in
:mod:`~oncometrics.report.relations`.

Examples
--------
>>> import pandas as pd
>>> from oncometrics.outputs import OUTPUTS
>>> empty = dict.fromkeys(OUTPUTS["publications_by_country"].names)
>>> t = {"publications_by_country": pd.DataFrame([
...     {**empty, "country": c, "p_frac": p, "share_frac": p / 100, "rank_p_frac": r}
...     for c, p, r in (("US", 50.0, 1), ("FR", 30.0, 2), ("DE", 20.0, 3))])}
>>> [s.text for s in build_statements(t, Context(actor="FR", period="2016-2020"))]
['France ranks 2nd of 3 countries for cancer publications in 2016–2020 (fractional count 30; 30.0\xa0% of the world).']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from oncometrics.report import family_statements, i18n
from oncometrics.report.evidence import (
    Context,
    Log,
    Statement,
    actor_fields,
    row_hash,
)
from oncometrics.report.relations import (
    institution_statement,
    partner_list,
    partners_statement,
    shift_pp,
    shift_statement,
    trend_statement,
)
from oncometrics.report.tables import actor_row, country_rows, number
from oncometrics.report.templates_text import TEMPLATES, WORDS

__all__ = [
    "RANKED",
    "Context",
    "Statement",
    "build_statements",
    "partner_list",
    "partners_statement",
    "ranked_statement",
    "shift_pp",
    "shift_statement",
]


@dataclass(frozen=True)
class _Spec:
    """A ranked statement: which table/column, and how to show the value."""

    key: str
    section: str
    table: str
    column: str
    indicator: str
    kind: str  # count | percent | ratio
    rank_col: str  # the table's rank column (ranks are compute's, never redone)
    share_col: str | None = None


RANKED: tuple[_Spec, ...] = (
    _Spec(
        "pub_output",
        "publications",
        "publications_by_country",
        "p_frac",
        "P_frac (fractional publication count)",
        "count",
        "rank_p_frac",
        share_col="share_frac",
    ),
    _Spec(
        "pub_top1",
        "publications",
        "publications_by_country",
        "pp_top1",
        "PP(top 1 %)",
        "percent",
        "rank_pp_top1",
    ),
    _Spec(
        "pub_top10",
        "publications",
        "publications_by_country",
        "pp_top10",
        "PP(top 10 %)",
        "percent",
        "rank_pp_top10",
    ),
    _Spec(
        "pub_mncs",
        "publications",
        "publications_by_country",
        "mncs",
        "MNCS",
        "ratio",
        "rank_mncs",
    ),
    _Spec(
        "pub_ai",
        "publications",
        "publications_by_country",
        "ai",
        "Activity index (AI)",
        "ratio",
        "rank_ai",
    ),
    _Spec(
        "pub_collab",
        "publications",
        "publications_by_country",
        "intl_collab_rate",
        "International co-publication rate",
        "percent",
        "rank_intl_collab_rate",
    ),
    _Spec(
        "inv_output",
        "inventions",
        "inventions_by_country",
        "i_frac",
        "I_frac (fractional invention count)",
        "count",
        "rank_i_frac",
        share_col="share_frac",
    ),
    _Spec(
        "inv_rta",
        "inventions",
        "inventions_by_country",
        "rta",
        "Revealed technological advantage (RTA)",
        "ratio",
        "rank_rta",
    ),
    _Spec(
        "trial_output",
        "trials",
        "trials_by_country",
        "trials",
        "Oncology trials (full count)",
        "count",
        "rank",
    ),
    _Spec(
        "trial_early",
        "trials",
        "trials_by_country",
        "early_phase_trials",
        "Early-phase oncology trials (full count)",
        "count",
        "early_phase_rank",
    ),
)


def build_statements(
    tables: Mapping[str, pd.DataFrame], ctx: Context, log: Log | None = None
) -> list[Statement]:
    """Every statement the tables support for `ctx.actor`, in report order."""
    i18n.check_lang(ctx.lang)
    say = log or (lambda _m: None)
    tables = {name: country_rows(df) for name, df in tables.items()}
    out: list[Statement] = []
    for spec in RANKED:
        st = ranked_statement(tables, spec, ctx, say)
        if st is not None:
            out.append(st)
        if spec.key == "pub_output":
            out += _optional(trend_statement(tables, ctx, say))
        if spec.key == "pub_collab":
            out += _optional(
                partners_statement(tables, "country_partners", "pub_partners", ctx, say)
            )
            out += _optional(institution_statement(tables, ctx, say))
        if spec.key == "inv_rta":
            out += _optional(
                partners_statement(
                    tables, "coinvention_partners", "inv_partners", ctx, say
                )
            )
            out += _optional(shift_statement(tables, ctx, say))
            out += _optional(family_statements.coinvention_statement(tables, ctx, say))
    return family_statements.annotate(out, tables, ctx)


def _optional(st: Statement | None) -> list[Statement]:
    return [] if st is None else [st]


# ------------------------------------------------------------ ranked values
def ranked_statement(
    tables: Mapping[str, pd.DataFrame], spec: _Spec, ctx: Context, log: Log
) -> Statement | None:
    """The sentence "X ranks r of n for <indicator> (value…)" or None."""
    df = tables.get(spec.table)
    if df is None or df.empty:
        return None  # the section says the table is missing
    cc = "country"
    ranks = pd.to_numeric(df[spec.rank_col], errors="coerce").astype("Int64")
    row = actor_row(df, ctx.actor)
    if row is None:
        log(f"report: {ctx.actor} not in {spec.table}; statement {spec.key} skipped")
        return None
    value, rank = number(row[spec.column]), ranks.loc[row.name]
    if value is None or pd.isna(rank):
        log(
            f"report: {ctx.actor} has no {spec.column} rank in {spec.table} "
            f"(missing or below the size threshold); statement {spec.key} skipped"
        )
        return None
    n_ranked = int(ranks.notna().sum())
    if n_ranked > 1 and int((ranks == rank).sum()) == n_ranked:
        log(
            f"report: all {n_ranked} countries tie on {spec.column}; "
            f"statement {spec.key} skipped (no rank to state)"
        )
        return None
    interval = _interval(row, spec.column)
    robust, others = _robustness(df, ranks, int(rank), row.name, spec.column)
    name = i18n.country_name(ctx.actor, ctx.lang)
    fields = actor_fields(name, ctx.lang)
    rank_iv = _rank_interval(row, spec.column)
    if rank_iv is not None:  # the bootstrap's rank interval replaces overlaps
        others = []
        robust = rank_iv[0] == rank_iv[1]
    fields |= {
        "rank": _rank_text(int(rank), ranks, others, name, ctx.lang, rank_iv),
        "rank_m": _rank_text(int(rank), ranks, others, None, ctx.lang, rank_iv),
        "n": i18n.fmt_number(n_ranked, ctx.lang),
        "threshold": _threshold_text(row, spec, ctx.lang),
        "value": _fmt(value, spec.kind, ctx.lang),
        "share": _share(df, row, spec, ctx.lang),
        "interval": _interval_text(interval, spec.kind, ctx.lang),
        "period": ctx.period_text,
    }
    return Statement(
        **ctx.about(domain_hash=row_hash(row)),
        key=spec.key,
        section=spec.section,
        text=TEMPLATES[ctx.lang][spec.key].format(**fields),
        indicator=spec.indicator,
        value=value,
        value_text=fields["value"],
        rank=int(rank),
        n_ranked=n_ranked,
        table=spec.table,
        row=f"{cc} == '{row[cc]}'",
        column=spec.column,
        interval=interval,
        robust=robust,
        query=rank_query(df, spec, ctx, cc),
    )


def rank_query(df: pd.DataFrame, spec: _Spec, ctx: Context, cc: str) -> str:
    """DuckDB SQL over the table's CSV giving the actor's value, rank and n."""
    own = spec.rank_col
    inner = f"{cc}, {spec.column}, {own} AS rank, count({own}) OVER () AS n"
    where = f"regexp_full_match({cc}, '[A-Z]{{2}}')"
    return (
        f"SELECT * FROM (SELECT {inner} FROM {ctx.source(spec.table)} "
        f"WHERE {where}) WHERE {cc} = '{ctx.actor}'"
    )


def _interval(row: pd.Series, column: str) -> tuple[float, float] | None:
    lo, hi = number(row.get(f"{column}_lo")), number(row.get(f"{column}_hi"))
    return None if lo is None or hi is None else (lo, hi)


def _robustness(
    df: pd.DataFrame, ranks: pd.Series, rank: int, idx: Any, column: str
) -> tuple[bool | None, list[int]]:
    """(robust?, ranks of neighbours whose interval overlaps the actor's)."""
    lo_c, hi_c = f"{column}_lo", f"{column}_hi"
    if lo_c not in df.columns or hi_c not in df.columns:
        return None, []
    lo, hi = number(df.at[idx, lo_c]), number(df.at[idx, hi_c])
    if lo is None or hi is None:
        return None, []
    others = ranks.drop(index=idx).dropna()
    above, below = others[others < rank], others[others > rank]
    overlapping: list[int] = []
    for group in (
        others[others == rank],
        above[above == above.max()] if len(above) else above,
        below[below == below.min()] if len(below) else below,
    ):
        for j in group.index:
            jlo, jhi = number(df.at[j, lo_c]), number(df.at[j, hi_c])
            if jlo is not None and jhi is not None and jlo <= hi and lo <= jhi:
                overlapping.append(int(ranks.loc[j]))
    return not overlapping, sorted(set(overlapping) - {rank})


def _rank_interval(row: pd.Series, column: str) -> tuple[int, int] | None:
    """The actor's 95 % rank interval (``rank_<column>_lo/_hi``), if any."""
    lo, hi = number(row.get(f"rank_{column}_lo")), number(row.get(f"rank_{column}_hi"))
    return None if lo is None or hi is None else (int(lo), int(hi))


def _threshold_text(row: pd.Series, spec: _Spec, lang: str) -> str:
    """ " with at least 0.5 % of world output" for ratio ranks, else ""."""
    if not spec.table.startswith("publications") or spec.kind == "count":
        return ""
    share = number(row.get("threshold_share"))
    if share:
        pct = i18n.fmt_percent(share, lang, 1).replace(",0", "").replace(".0", "")
        return WORDS[lang]["threshold_share"].format(share=pct)
    p = number(row.get("threshold_p"))
    if p:
        return WORDS[lang]["threshold_p"].format(p=i18n.fmt_number(p, lang))
    return ""


def _rank_text(
    rank: int,
    ranks: pd.Series,
    overlaps: list[int],
    name: i18n.CountryName | None,
    lang: str,
    interval: tuple[int, int] | None = None,
) -> str:
    fem = bool(name and name.feminine)
    plural = bool(name and name.plural)
    text = i18n.ordinal(rank, lang, feminine=fem, plural=plural)
    if interval is not None:
        lo, hi = (i18n.ordinal(r, lang) for r in interval)
        text = WORDS[lang]["rank_interval"].format(rank=text, lo=lo, hi=hi)
    if (k := int((ranks == rank).sum()) - 1) > 0:
        text = WORDS[lang]["tied"].format(rank=text, k=k, s="s" if k > 1 else "")
    if overlaps:
        others = i18n.join_list([i18n.ordinal(r, lang) for r in overlaps], lang)
        text = WORDS[lang]["not_robust"].format(rank=text, others=others)
    return text


def _fmt(value: float, kind: str, lang: str) -> str:
    if kind == "percent":
        return i18n.fmt_percent(value, lang)
    if kind == "ratio":
        return i18n.fmt_number(value, lang, 2)
    return i18n.fmt_number(value, lang)


def _share(df: pd.DataFrame, row: pd.Series, spec: _Spec, lang: str) -> str:
    """The world share (the table's column), or a dash."""
    share = number(row[spec.share_col]) if spec.share_col else None
    return i18n.fmt_percent(share, lang) if share is not None else "–"


def _interval_text(interval: tuple[float, float] | None, kind: str, lang: str) -> str:
    if interval is None:
        return ""
    lo_hi = i18n.fmt_interval(*interval, lang, percent=kind == "percent")
    return WORDS[lang]["interval"].format(lo_hi=lo_hi)
