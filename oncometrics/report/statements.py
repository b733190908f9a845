"""Headline statements: sentences generated from the indicator tables.

Pure functions: tables (pandas frames by name, as ``compute`` writes them)
in, a list of :class:`Statement` out.  Every number of a sentence is read
from a table row, and the statement carries its evidence (indicator, value,
rank, number of ranked actors, period, domain hash, stability interval, the
table/row/column it came from and the command that reproduces it), as the
contract requires (indicators.md section 8).  A rank whose stability
interval overlaps a neighbour's is flagged in the sentence itself.  When a
table or column is missing the statement is skipped and the reason logged.

The dashboard reuses :func:`build_statements`.

Examples
--------
>>> import pandas as pd
>>> t = {"publications_by_country": pd.DataFrame({
...     "country": ["US", "FR", "DE"], "p_frac": [50.0, 30.0, 20.0],
...     "share_frac": [0.5, 0.3, 0.2]})}
>>> [s.text for s in build_statements(t, Context(actor="FR", period="2016-2020"))]
['France ranks 2nd of 3 countries for cancer publications in 2016–2020 (fractional count 30; 30.0\xa0% of the world).']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from oncometrics.report import i18n
from oncometrics.report.tables import actor_row, col, country_rows, number, ranks_for
from oncometrics.report.templates_text import TEMPLATES, VERBS_FR, WORDS

Log = Callable[[str], None]


@dataclass(frozen=True)
class Context:
    """What the statements are about and how to word them."""

    actor: str
    lang: str = "en"
    period: str | None = None  # "2016-2020" as given to the CLI
    domain_hash: str | None = None
    store: str = "STORE"
    min_p: float = 0.0
    periods: str | None = None  # "2002-2011,2012-2021" (technology shift)

    @property
    def period_text(self) -> str:
        """The period for a sentence: '2016–2020' or 'all years'."""
        if not self.period:
            return WORDS[self.lang]["all_years"]
        return str(self.period).replace("-", "–")

    @property
    def command(self) -> str:
        """Shell command that recomputes the tables and this report."""
        p = f" --period {self.period}" if self.period else ""
        return (
            f"oncometrics compute --store {self.store}{p} && oncometrics report "
            f"--store {self.store} --actor {self.actor}{p} --lang {self.lang}"
        )


@dataclass(frozen=True)
class Statement:
    """One headline sentence and its evidence."""

    key: str
    section: str  # publications | inventions | trials
    text: str
    indicator: str
    actor: str
    value: float | None
    value_text: str
    rank: int | None
    n_ranked: int | None
    period: str
    domain_hash: str | None
    table: str
    row: str
    column: str
    command: str
    interval: tuple[float, float] | None = None
    robust: bool | None = None  # None: no stability interval to judge by
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class _Spec:
    """A ranked statement: which table/column, and how to show the value."""

    key: str
    section: str
    table: str
    column: str
    indicator: str
    kind: str  # count | percent | ratio
    rank_col: str | None = None  # the table's rank column if not rank_<column>
    size_col: str | None = None  # size threshold for ratio indicators
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
        size_col="p_frac",
    ),
    _Spec(
        "pub_top10",
        "publications",
        "publications_by_country",
        "pp_top10",
        "PP(top 10 %)",
        "percent",
        size_col="p_frac",
    ),
    _Spec(
        "pub_mncs",
        "publications",
        "publications_by_country",
        "mncs",
        "MNCS",
        "ratio",
        size_col="p_frac",
    ),
    _Spec(
        "pub_ai",
        "publications",
        "publications_by_country",
        "ai",
        "Activity index (AI)",
        "ratio",
        size_col="p_frac",
    ),
    _Spec(
        "pub_collab",
        "publications",
        "publications_by_country",
        "intl_collab_rate",
        "International co-publication rate",
        "percent",
        size_col="p_frac",
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
        size_col="i_frac",
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
        if spec.key == "pub_collab":
            out += _optional(
                partners_statement(tables, "country_partners", "pub_partners", ctx, say)
            )
        if spec.key == "inv_rta":
            out += _optional(
                partners_statement(
                    tables, "coinvention_partners", "inv_partners", ctx, say
                )
            )
            out += _optional(shift_statement(tables, ctx, say))
    return out


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
    cc = col(df, "country")
    if cc is None or spec.column not in df.columns:
        log(
            f"report: {spec.table} has no {spec.column if cc else 'country'} column; "
            f"statement {spec.key} skipped"
        )
        return None
    ranks = _ranks(df, spec, ctx)
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
    fields = _actor_fields(name, ctx.lang)
    fields |= {
        "rank": _rank_text(int(rank), ranks, others, name, ctx.lang),
        "rank_m": _rank_text(int(rank), ranks, others, None, ctx.lang),
        "n": i18n.fmt_number(n_ranked, ctx.lang),
        "value": _fmt(value, spec.kind, ctx.lang),
        "share": _share(row, spec, ctx.lang),
        "interval": _interval_text(interval, spec.kind, ctx.lang),
        "period": ctx.period_text,
    }
    return Statement(
        key=spec.key,
        section=spec.section,
        text=TEMPLATES[ctx.lang][spec.key].format(**fields),
        indicator=spec.indicator,
        actor=ctx.actor,
        value=value,
        value_text=fields["value"],
        rank=int(rank),
        n_ranked=n_ranked,
        period=ctx.period_text,
        domain_hash=_hash(row, ctx),
        table=spec.table,
        row=f"{cc} == '{row[cc]}'",
        column=spec.column,
        command=ctx.command,
        interval=interval,
        robust=robust,
    )


def _ranks(df: pd.DataFrame, spec: _Spec, ctx: Context) -> pd.Series:
    if spec.rank_col and spec.rank_col in df.columns:
        return pd.to_numeric(df[spec.rank_col], errors="coerce").astype("Int64")
    return ranks_for(df, spec.column, min_size=ctx.min_p, size_col=spec.size_col)


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


def _rank_text(
    rank: int,
    ranks: pd.Series,
    overlaps: list[int],
    name: i18n.CountryName | None,
    lang: str,
) -> str:
    fem = bool(name and name.feminine)
    plural = bool(name and name.plural)
    text = i18n.ordinal(rank, lang, feminine=fem, plural=plural)
    if (k := int((ranks == rank).sum()) - 1) > 0:
        text = WORDS[lang]["tied"].format(rank=text, k=k, s="s" if k > 1 else "")
    if overlaps:
        others = i18n.join_list([i18n.ordinal(r, lang) for r in overlaps], lang)
        text = WORDS[lang]["not_robust"].format(rank=text, others=others)
    return text


def _actor_fields(name: i18n.CountryName, lang: str) -> dict[str, str]:
    fields = {"Actor": i18n.capitalise(name.subject), "of_actor": name.of}
    for verb, (one, many) in VERBS_FR.items():
        fields[verb] = many if name.plural else one
    return fields


def _fmt(value: float, kind: str, lang: str) -> str:
    if kind == "percent":
        return i18n.fmt_percent(value, lang)
    if kind == "ratio":
        return i18n.fmt_number(value, lang, 2)
    return i18n.fmt_number(value, lang)


def _share(row: pd.Series, spec: _Spec, lang: str) -> str:
    share = number(row.get(spec.share_col)) if spec.share_col else None
    return i18n.fmt_percent(share, lang) if share is not None else "–"


def _interval_text(interval: tuple[float, float] | None, kind: str, lang: str) -> str:
    if interval is None:
        return ""
    lo_hi = i18n.fmt_interval(*interval, lang, percent=kind == "percent")
    return WORDS[lang]["interval"].format(lo_hi=lo_hi)


def _hash(row: pd.Series, ctx: Context) -> str | None:
    own = row.get("domain_hash")
    return str(own) if own is not None and not pd.isna(own) else ctx.domain_hash


# ------------------------------------------------------ partners and shift
def partner_list(df: pd.DataFrame, actor: str) -> pd.DataFrame:
    """The partners of `actor` in a pair table: columns partner, co, salton.

    Works whether the table lists each pair once or in both directions;
    sorted by co-occurrences (descending), then partner code.
    """
    a = col(df, "country_a")
    b = col(df, "partner", exclude=[a] if a else [])
    c = col(df, "co", exclude=[x for x in (a, b) if x])
    if a is None or b is None or c is None:
        return pd.DataFrame(columns=["partner", "co", "salton"])
    s = col(df, "salton")
    sides = []
    for me, other in ((a, b), (b, a)):
        hit = df[df[me].astype(str).str.upper() == actor.upper()]
        sides.append(
            pd.DataFrame(
                {
                    "partner": hit[other].astype(str).str.upper(),
                    "co": pd.to_numeric(hit[c], errors="coerce"),
                    "salton": pd.to_numeric(hit[s], errors="coerce")
                    if s
                    else float("nan"),
                }
            )
        )
    both = pd.concat(sides, ignore_index=True)
    both = both[
        (both["partner"] != actor.upper())
        & both["partner"].str.fullmatch(r"[A-Z]{2}").fillna(False)
    ]
    both = both.sort_values(["co", "partner"], ascending=[False, True])
    return both.drop_duplicates("partner").reset_index(drop=True)


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
    partners = partner_list(df, ctx.actor)
    if partners.empty:
        log(f"report: no partners of {ctx.actor} in {table}; statement {key} skipped")
        return None
    head = partners.head(top)
    items = [
        f"{i18n.country_name(p, ctx.lang).subject} "
        f"({i18n.fmt_number(float(n), ctx.lang)})"
        for p, n in zip(head["partner"], head["co"], strict=True)
    ]
    name = i18n.country_name(ctx.actor, ctx.lang)
    text = TEMPLATES[ctx.lang][key].format(
        **_actor_fields(name, ctx.lang), partners=i18n.join_list(items, ctx.lang)
    )
    first = head.iloc[0]
    return Statement(
        key=key,
        section="publications" if key.startswith("pub") else "inventions",
        text=text,
        indicator="Co-occurrences with partner countries (full counting)",
        actor=ctx.actor,
        value=float(first["co"]),
        value_text=i18n.fmt_number(float(first["co"]), ctx.lang),
        rank=1,
        n_ranked=len(partners),
        period=ctx.period_text,
        domain_hash=ctx.domain_hash,
        table=table,
        row=f"pairs with {ctx.actor}",
        column=col(df, "co") or "",
        command=ctx.command,
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
    fc, cc = col(df, "field"), col(df, "country")
    delta = shift_pp(df)
    if fc is None or cc is None or delta is None:
        log(
            "report: technology_shift lacks a field, country or share-change "
            "column; statement inv_shift skipped"
        )
        return None
    mine = df.assign(_d=delta)[df[cc].astype(str).str.upper() == ctx.actor.upper()]
    gains = mine[mine["_d"] > 0].sort_values("_d", ascending=False).head(top)
    if gains.empty:
        log(
            f"report: no technology field gains share for {ctx.actor}; "
            "statement inv_shift skipped"
        )
        return None
    items = [
        f"{f} ({i18n.fmt_signed_pp(d, ctx.lang)})"
        for f, d in zip(gains[fc], gains["_d"], strict=True)
    ]
    p1, p2 = _shift_periods(gains.iloc[0], ctx)
    name = i18n.country_name(ctx.actor, ctx.lang)
    text = TEMPLATES[ctx.lang]["inv_shift"].format(
        **_actor_fields(name, ctx.lang),
        fields=i18n.join_list(items, ctx.lang),
        p1=p1,
        p2=p2,
    )
    return Statement(
        key="inv_shift",
        section="inventions",
        text=text,
        indicator="Change in technology-field share (percentage points)",
        actor=ctx.actor,
        value=float(gains["_d"].iloc[0]),
        value_text=i18n.fmt_signed_pp(float(gains["_d"].iloc[0]), ctx.lang),
        rank=None,
        n_ranked=None,
        period=f"{p1} → {p2}",
        domain_hash=ctx.domain_hash,
        table="technology_shift",
        row=f"{cc} == '{ctx.actor}'",
        column=fc,
        command=ctx.command,
        details={"fields": list(gains[fc])},
    )


def shift_pp(df: pd.DataFrame) -> pd.Series | None:
    """The change of each field's share in percentage points, or None."""
    if (c := col(df, "delta_pp")) is not None:
        return pd.to_numeric(df[c], errors="coerce")
    if (c := col(df, "delta_share")) is not None:
        d = pd.to_numeric(df[c], errors="coerce")
        return d * 100 if d.abs().max() <= 1 else d
    p1, p2 = col(df, "share_p1"), col(df, "share_p2")
    if p1 and p2:
        return 100 * (
            pd.to_numeric(df[p2], errors="coerce")
            - pd.to_numeric(df[p1], errors="coerce")
        )
    return None


def _shift_periods(row: pd.Series, ctx: Context) -> tuple[str, str]:
    for a, b in (("period_1", "period_2"), ("p1", "p2"), ("period1", "period2")):
        if a in row.index and b in row.index:
            return str(row[a]).replace("-", "–"), str(row[b]).replace("-", "–")
    if ctx.periods and "," in ctx.periods:
        p1, p2 = ctx.periods.split(",", 1)
        return p1.strip().replace("-", "–"), p2.strip().replace("-", "–")
    return WORDS[ctx.lang]["first_period"], WORDS[ctx.lang]["second_period"]
