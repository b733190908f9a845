"""Statements about pairs and shifts: partners, technology shift.

Pure functions over the pair tables (``country_partners``,
``coinvention_partners``, ``trial_partners``) and ``technology_shift``.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from oncometrics.report import i18n
from oncometrics.report.evidence import Context, Log, Statement, actor_fields
from oncometrics.report.tables import number, rounded
from oncometrics.report.templates_text import TEMPLATES, WORDS

#: The shared-item count of each partner table (both directions listed).
PARTNER_COUNT = {
    "country_partners": "co_publications",
    "coinvention_partners": "co_inventions",
    "trial_partners": "shared_trials",
}


def partner_list(df: pd.DataFrame, actor: str, table: str) -> pd.DataFrame:
    """The partners of `actor` in pair table `table`: columns partner, co, salton.

    The pair tables list each pair in both directions: the actor's rows are
    those where it is ``country``.  Sorted by co-occurrences (descending),
    then partner code.
    """
    hit = df[df["country"].astype(str).str.upper() == actor.upper()]
    both = pd.DataFrame(
        {
            "partner": hit["partner"].astype(str).str.upper(),
            "co": pd.to_numeric(hit[PARTNER_COUNT[table]], errors="coerce"),
            "salton": pd.to_numeric(hit["salton"], errors="coerce"),
        }
    )
    both = both[both["partner"].str.fullmatch(r"[A-Z]{2}").fillna(False)]
    both = both.sort_values(["co", "partner"], ascending=[False, True])
    return both.reset_index(drop=True)


def named_partners(
    partners: pd.DataFrame, top: int
) -> tuple[pd.DataFrame, tuple[int, float] | None]:
    """The first `top` partners, never cutting through a tie group.

    When the `top`-th partner is tied with partners beyond it, the tied group
    is not named (which one would be arbitrary): it is returned as
    (number of partners tied, their value) instead.

    >>> p = pd.DataFrame({"partner": list("ABCD"), "co": [3.0, 1.0, 1.0, 1.0]})
    >>> head, tied = named_partners(p, 2)
    >>> list(head["partner"]), tied
    (['A'], (3, 1.0))
    """
    co = rounded(partners["co"], "co")
    head = partners.head(top)
    if len(partners) <= top or co.iloc[top] != co.iloc[top - 1]:
        return head, None
    last = co.iloc[top - 1]
    return head[co.head(top) != last], (int((co == last).sum()), float(last))


def partners_statement(
    tables: Mapping[str, pd.DataFrame],
    table: str,
    key: str,
    ctx: Context,
    log: Log,
    top: int = 3,
) -> Statement | None:
    """'First co-publication partners of X: A (n), B (n) and C (n).'"""
    df = tables.get(table)
    if df is None or df.empty:
        return None
    partners = partner_list(df, ctx.actor, table)
    if partners.empty:
        log(f"report: no partners of {ctx.actor} in {table}; statement {key} skipped")
        return None
    head, tied = named_partners(partners, top)
    items = [
        f"{i18n.country_name(p, ctx.lang).subject} "
        f"({i18n.fmt_number(float(n), ctx.lang)})"
        for p, n in zip(head["partner"], head["co"], strict=True)
    ]
    if tied is not None:
        items.append(
            WORDS[ctx.lang]["tied_group"].format(
                n=i18n.fmt_number(tied[0], ctx.lang),
                value=i18n.fmt_number(tied[1], ctx.lang),
            )
        )
    head = head if len(head) else partners.head(1)
    first = float(head.iloc[0]["co"])
    return Statement(
        **ctx.about(),
        key=key,
        section="publications" if key.startswith("pub") else "inventions",
        text=_sentence(ctx, key, partners=i18n.join_list(items, ctx.lang)),
        indicator="Co-occurrences with partner countries (full counting)",
        value=first,
        value_text=i18n.fmt_number(first, ctx.lang),
        rank=1,
        n_ranked=len(partners),
        table=table,
        row=f"pairs with {ctx.actor}",
        column=PARTNER_COUNT[table],
        query=_pairs_query(table, ctx),
        details={
            "partners": list(head["partner"]),
            "salton": [number(x) for x in head["salton"]],
        },
    )


def shift_statement(
    tables: Mapping[str, pd.DataFrame], ctx: Context, log: Log, top: int = 2
) -> Statement | None:
    """'The cancer inventions of X are moving toward F1 (+4.2 pp) and F2 …'."""
    df = tables.get("technology_shift")
    if df is None or df.empty:
        return None
    fc, cc = "field_name", "country"
    delta = shift_pp(df)
    mine = df.assign(_d=delta)[df[cc].astype(str).str.upper() == ctx.actor.upper()]
    gains = mine[mine["_d"] > 0].sort_values("_d", ascending=False).head(top)
    if gains.empty:
        log(
            f"report: no technology field gains share for {ctx.actor}; "
            "statement inv_shift skipped"
        )
        return None
    numbers = gains["field_nr"]
    items = [
        f"{i18n.field_label(f, k, ctx.lang)} ({i18n.fmt_signed_pp(d, ctx.lang)})"
        for f, k, d in zip(gains[fc], numbers, gains["_d"], strict=True)
    ]
    p1, p2 = _shift_periods(gains.iloc[0], ctx)
    fields = i18n.join_list(items, ctx.lang)
    best = float(gains["_d"].iloc[0])
    row, query = _lookup(ctx, "technology_shift", cc, ctx.actor)
    return Statement(
        **ctx.about(period=f"{p1} → {p2}"),
        key="inv_shift",
        section="inventions",
        text=_sentence(ctx, "inv_shift", fields=fields, p1=p1, p2=p2),
        indicator="Change in technology-field share (percentage points)",
        value=best,
        value_text=i18n.fmt_signed_pp(best, ctx.lang),
        rank=None,
        n_ranked=None,
        table="technology_shift",
        row=row,
        column=fc,
        query=query,
        details={"fields": list(gains[fc])},
    )


def shift_pp(df: pd.DataFrame) -> pd.Series:
    """The change of each field's share in percentage points."""
    return pd.to_numeric(df["shift_pp"], errors="coerce")


def _shift_periods(row: pd.Series, ctx: Context) -> tuple[str, str]:
    return str(row["period_1"]).replace("-", "–"), str(row["period_2"]).replace(
        "-", "–"
    )


def institution_statement(
    tables: Mapping[str, pd.DataFrame], ctx: Context, log: Log
) -> Statement | None:
    """'The leading institution of X is N, r of n institutions worldwide (…)'."""
    df = tables.get("publications_by_institution")
    if df is None or df.empty:
        return None
    name, cc = "institution_name", "country_code"
    p = pd.to_numeric(df["p_frac"], errors="coerce")
    ranks = pd.to_numeric(df["rank_p_frac"], errors="coerce")
    mine = df[(df[cc].astype(str).str.upper() == ctx.actor) & p.notna()]
    if mine.empty:
        log(
            f"report: no institution of {ctx.actor} in publications_by_institution; "
            "statement pub_institution skipped"
        )
        return None
    best = mine.loc[p[mine.index].idxmax()]
    rank, n = ranks[best.name], int(ranks.notna().sum())
    if pd.isna(rank):
        return None
    value = float(p[best.name])
    text = _sentence(
        ctx,
        "pub_institution",
        institution=str(best[name]),
        rank_m=i18n.ordinal(int(rank), ctx.lang),
        n=i18n.fmt_number(n, ctx.lang),
        value=i18n.fmt_number(value, ctx.lang),
    )
    table = "publications_by_institution"
    row, query = _lookup(ctx, table, "institution_id", best["institution_id"])
    return Statement(
        **ctx.about(),
        key="pub_institution",
        section="publications",
        text=text,
        indicator="P_frac (fractional publication count) of institutions",
        value=value,
        value_text=i18n.fmt_number(value, ctx.lang),
        rank=int(rank),
        n_ranked=n,
        table=table,
        row=row,
        column="p_frac",
        query=query,
        details={"institution": str(best[name])},
    )


def trend_statement(
    tables: Mapping[str, pd.DataFrame], ctx: Context, log: Log
) -> Statement | None:
    """'The world share of X moved from a % (first years) to b % (last years)'.

    Pooled shares: the actor's P_frac over the first (last) half of the years
    divided by all countries' P_frac over the same years; the middle year of
    an odd span is left out.  Needs at least two years.
    """
    df = tables.get("publications_by_country_year")
    cc, yc = "country", "publication_year"
    if df is None or df.empty:
        return None
    d = df.assign(
        _y=pd.to_numeric(df[yc], errors="coerce"),
        _p=pd.to_numeric(df["p_frac"], errors="coerce").fillna(0),
    )
    years = sorted(int(y) for y in d["_y"].dropna().unique())
    if len(years) < 2 or ctx.actor not in set(d[cc].astype(str).str.upper()):
        return None
    half = len(years) // 2
    spans = (years[:half], years[-half:])
    shares = []
    for span in spans:
        part = d[d["_y"].isin(span)]
        world = float(part["_p"].sum())
        mine = float(
            part.loc[part[cc].astype(str).str.upper() == ctx.actor, "_p"].sum()
        )
        shares.append(mine / world if world > 0 else 0.0)
    labels = [f"{s[0]}–{s[-1]}" if len(s) > 1 else str(s[0]) for s in spans]
    delta = 100 * (shares[1] - shares[0])
    text = _sentence(
        ctx,
        "pub_trend",
        a=i18n.fmt_percent(shares[0], ctx.lang),
        b=i18n.fmt_percent(shares[1], ctx.lang),
        p1=labels[0],
        p2=labels[1],
        delta=i18n.fmt_signed_pp(delta, ctx.lang),
    )
    return Statement(
        **ctx.about(period=f"{labels[0]} → {labels[1]}"),
        key="pub_trend",
        section="publications",
        text=text,
        indicator="World share of P_frac, pooled over years",
        value=shares[1],
        value_text=i18n.fmt_percent(shares[1], ctx.lang),
        rank=None,
        n_ranked=None,
        table="publications_by_country_year",
        row=f"{cc} == '{ctx.actor}'",
        column="p_frac",
        details={"share_first": shares[0], "share_last": shares[1]},
        query=_trend_query(cc, yc, spans, ctx),
    )


def _sentence(ctx: Context, key: str, **fields: str) -> str:
    """Template `key` in the context's language, about its actor, with `fields`."""
    name = i18n.country_name(ctx.actor, ctx.lang)
    return TEMPLATES[ctx.lang][key].format(**actor_fields(name, ctx.lang), **fields)


def _lookup(ctx: Context, table: str, column: str, value: object) -> tuple[str, str]:
    """The row of `table` whose `column` is `value`: as evidence, and as SQL."""
    return (
        f"{column} == '{value}'",
        f"SELECT * FROM {ctx.source(table)} WHERE {column} = '{value}'",
    )


def _pairs_query(table: str, ctx: Context) -> str:
    """SQL listing the actor's pairs, largest first."""
    return (
        f"SELECT * FROM {ctx.source(table)} WHERE country = '{ctx.actor}' "
        f"ORDER BY {PARTNER_COUNT[table]} DESC"
    )


def _trend_query(
    cc: str, yc: str, spans: tuple[list[int], list[int]], ctx: Context
) -> str:
    """SQL giving the pooled world share of the first and the last years."""
    first = ", ".join(str(y) for y in spans[0])
    both = ", ".join(str(y) for y in spans[0] + spans[1])
    return (
        f"SELECT {yc} IN ({first}) AS first_years, sum(p_frac) FILTER "
        f"(WHERE {cc} = '{ctx.actor}') / sum(p_frac) AS share "
        f"FROM {ctx.source('publications_by_country_year')} "
        f"WHERE regexp_full_match({cc}, '[A-Z]{{2}}') AND {yc} IN ({both}) "
        "GROUP BY 1 ORDER BY 1 DESC"
    )
