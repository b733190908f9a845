"""Charts as inline SVG strings (matplotlib's SVG backend, no JavaScript).

Pure functions: an indicator table (pandas) in, an ``<svg>`` string out, or
None when the table cannot support the chart.  Text stays text in the SVG
(``svg.fonttype = none``), which keeps the files small and searchable, and
each chart gets its own id salt so that several can share one HTML page.
The dashboard reuses these functions.
"""

from __future__ import annotations

import io
import re

import matplotlib as mpl
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from oncometrics.report import i18n
from oncometrics.report.relations import named_partners
from oncometrics.report.tables import country_rows, rounded

ACTOR_COLOUR = "#c0392b"
OTHER_COLOUR = "#5b7fa6"
PALETTE = (
    "#5b7fa6",
    "#e0a030",
    "#6a9f58",
    "#8c6bb1",
    "#d17a9f",
    "#7f7f7f",
    "#b5a642",
    "#4fa3a5",
)

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "p_frac": "Publications (fractional count)",
        "share": "World share",
        "year": "Year",
        "ai": "Activity index",
        "co": "Co-occurrences",
        "i_frac": "Inventions (fractional count)",
        "trials": "Trials",
        "pp_top10": "PP(top 10 %) with 95 % stability interval",
        "mncs": "MNCS with 95 % stability interval",
        "early": "Early phase",
        "later": "Later phases",
        "field_share": "Share of the actor's cancer inventions",
        "phase": "Phase",
    },
    "fr": {
        "p_frac": "Publications (compte fractionnaire)",
        "share": "Part mondiale",
        "year": "Année",
        "ai": "Indice d'activité",
        "co": "Co-occurrences",
        "i_frac": "Inventions (compte fractionnaire)",
        "trials": "Essais",
        "pp_top10": "PP(top 10 %) et intervalle de stabilité à 95 %",
        "mncs": "MNCS et intervalle de stabilité à 95 %",
        "early": "Phase précoce",
        "later": "Phases suivantes",
        "field_share": "Part des inventions de l'acteur",
        "phase": "Phase",
    },
}


def to_svg(fig: Figure, salt: str) -> str:
    """The figure as an ``<svg>`` element (no XML prologue), ids salted."""
    buf = io.StringIO()
    with mpl.rc_context({"svg.fonttype": "none", "svg.hashsalt": salt}):
        fig.savefig(buf, format="svg", bbox_inches="tight")
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    # matplotlib's ids are per-figure; prefix them so charts never collide.
    prefix = re.sub(r"\W", "", salt)
    svg = re.sub(r'id="([^"]+)"', rf'id="{prefix}-\1"', svg)
    return re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", svg).replace(
        'xlink:href="#', f'xlink:href="#{prefix}-'
    )


def _open_svg(fig: Figure, ax: Axes, salt: str) -> str:
    """:func:`to_svg` of `fig` once `ax` has lost its top and right spines."""
    ax.spines[["top", "right"]].set_visible(False)
    return to_svg(fig, salt)


def _axes(height: float) -> tuple[Figure, Axes]:
    """A chart's figure (the report's width, `height` inches) and its axes."""
    fig = Figure(figsize=(7.5, height), dpi=72)
    return fig, fig.add_subplot()


def _name(code: object, lang: str) -> str:
    return i18n.country_name(str(code), lang).label


def _is_actor(codes: pd.Series, actor: str) -> pd.Series:
    """True where the country code is `actor`'s (any case)."""
    return codes.astype(str).str.upper() == actor.upper()


def _leaders(d: pd.DataFrame, by: str, actor: str, top: int) -> pd.DataFrame:
    """The `top` rows of `d` by `by` (largest first), plus the actor's below them."""
    d = d.sort_values(by, ascending=False)
    head = d.head(top)
    return pd.concat(
        [head, d[_is_actor(d["country"], actor) & ~d.index.isin(head.index)]]
    )


def _bar_axes(rows: int, per_row: float = 0.28) -> tuple[Figure, Axes, list[int]]:
    """A figure for horizontal bars of `rows` rows, its axes and the bars' y (top
    row first)."""
    return *_axes(0.9 + per_row * rows), list(range(rows))[::-1]


def ranking_bars(
    df: pd.DataFrame,
    value: str,
    actor: str,
    *,
    lang: str = "en",
    top: int = 20,
    percent: bool = False,
    among: tuple[str, int] | None = None,
    salt: str = "rank",
) -> str | None:
    """Horizontal bars of the `top` countries on `value` (plus the actor).

    Where ``<value>_lo``/``<value>_hi`` exist they are drawn as error bars.
    ``among=("p_frac", 25)`` ranks only the 25 largest countries by P_frac
    (ratio indicators of tiny countries are noise), the actor always shown.
    """
    cc = "country"
    if value not in df.columns:
        return None
    df = country_rows(df)
    if among and among[0] in df.columns:
        size = pd.to_numeric(df[among[0]], errors="coerce")
        big = size.rank(method="first", ascending=False) <= among[1]
        df = df[big | _is_actor(df[cc], actor)]
    d = df.assign(_v=pd.to_numeric(df[value], errors="coerce")).dropna(subset=["_v"])
    if d.empty or (len(d) > 1 and rounded(d["_v"], value).nunique() == 1):
        return None  # nothing to rank: every country shows the same value
    shown = _leaders(d, "_v", actor, top)
    scale = 100.0 if percent else 1.0
    fig, ax, y = _bar_axes(len(shown))
    colours = [ACTOR_COLOUR if a else OTHER_COLOUR for a in _is_actor(shown[cc], actor)]
    ax.barh(y, shown["_v"] * scale, color=colours)
    lo, hi = f"{value}_lo", f"{value}_hi"
    if lo in shown.columns and hi in shown.columns:
        v = shown["_v"] * scale
        err = [
            (v - pd.to_numeric(shown[lo]) * scale).clip(lower=0).fillna(0),
            (pd.to_numeric(shown[hi]) * scale - v).clip(lower=0).fillna(0),
        ]
        ax.errorbar(
            shown["_v"] * scale, y, xerr=err, fmt="none", ecolor="#333", capsize=2, lw=1
        )
    ax.set_yticks(y, [_name(c, lang) for c in shown[cc]], fontsize=9)
    label = LABELS[lang].get(value, value)
    ax.set_xlabel(label + (" (%)" if percent and "%" not in label else ""))
    return _open_svg(fig, ax, salt)


#: Countries drawn in the share-over-time chart (by total output), plus the actor.
TIME_TOP = 5


def share_over_time(
    df: pd.DataFrame, actor: str, *, lang: str = "en", salt: str = "time"
) -> str | None:
    """World share (``share_frac``) by year: the `TIME_TOP` countries (by
    total output) plus the actor."""
    cc, yc, share, top = "country", "publication_year", "share_frac", TIME_TOP
    if df.empty:
        return None
    df = country_rows(df)
    d = df.assign(
        _y=pd.to_numeric(df[yc], errors="coerce"),
        _s=pd.to_numeric(df[share], errors="coerce"),
    ).dropna(subset=["_y"])
    size = next((c for c in ("p_frac", "i_frac", "trials") if c in d.columns), None)
    weight = pd.to_numeric(d[size], errors="coerce") if size else d["_s"]
    totals = weight.groupby(d[cc]).sum().rename("_t").reset_index()
    codes = list(_leaders(totals, "_t", actor, top)[cc])
    fig, ax = _axes(3.6)
    for i, code in enumerate(codes):
        s = d[d[cc] == code].sort_values("_y")
        mine = str(code).upper() == actor.upper()
        ax.plot(
            s["_y"],
            s["_s"] * 100,
            marker="o",
            ms=3,
            lw=2.5 if mine else 1.4,
            color=ACTOR_COLOUR if mine else PALETTE[i % len(PALETTE)],
            label=_name(code, lang),
        )
    ax.set_xlabel(LABELS[lang]["year"])
    ax.set_ylabel(LABELS[lang]["share"] + " (%)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=8, frameon=False, loc="center left", bbox_to_anchor=(1, 0.5))
    return _open_svg(fig, ax, salt)


def specialisation_map(
    df: pd.DataFrame,
    actor: str,
    *,
    lang: str = "en",
    index: str = "ai",
    share: str = "share_frac",
    labelled: int = 8,
    salt: str = "spec",
) -> str | None:
    """Scatter of activity index (y) against world share (x, log scale)."""
    cc = "country"
    df = country_rows(df)
    d = df.assign(
        _x=pd.to_numeric(df[share], errors="coerce") * 100,
        _y=pd.to_numeric(df[index], errors="coerce"),
    ).dropna(subset=["_x", "_y"])
    d = d[d["_x"] > 0]
    if d.empty:
        return None
    mine = _is_actor(d[cc], actor)
    fig, ax = _axes(4.2)
    ax.scatter(
        d.loc[~mine, "_x"], d.loc[~mine, "_y"], s=18, color=OTHER_COLOUR, alpha=0.7
    )
    ax.scatter(d.loc[mine, "_x"], d.loc[mine, "_y"], s=50, color=ACTOR_COLOUR)
    ax.axhline(1.0, color="#999", lw=0.8, ls="--")
    big = d.sort_values("_x", ascending=False).head(labelled)
    marks = pd.concat([big, d[mine]]).drop_duplicates(subset=[cc])
    for i, (_, r) in enumerate(marks.sort_values("_x").iterrows()):
        ax.annotate(
            _name(r[cc], lang),
            (r["_x"], r["_y"]),
            fontsize=8,
            xytext=(3, 4 if i % 2 == 0 else -11),  # alternate: fewer collisions
            textcoords="offset points",
            arrowprops={"arrowstyle": "-", "color": "#999", "lw": 0.5},
        )
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:g}"))
    ax.set_xlabel(LABELS[lang]["share"] + " (%, log)")
    ax.set_ylabel(LABELS[lang].get(index, index))
    return _open_svg(fig, ax, salt)


def partner_bars(
    partners: pd.DataFrame, *, lang: str = "en", top: int = 12, salt: str = "partners"
) -> str | None:
    """Bars of an actor's partners (frame from `statements.partner_list`)."""
    if partners is None or partners.empty:
        return None
    shown = named_partners(partners, top)[0]  # never an arbitrary tied one
    if shown.empty:
        return None
    fig, ax, y = _bar_axes(len(shown), 0.3)
    ax.barh(y, shown["co"], color=OTHER_COLOUR)
    for yi, (n, s) in zip(
        y, zip(shown["co"], shown["salton"], strict=True), strict=True
    ):
        note = f" {i18n.fmt_number(float(n), lang)}"
        if pd.notna(s):
            note += f"  (Salton {i18n.fmt_number(float(s), lang, 2)})"
        ax.text(float(n), yi, note, va="center", fontsize=8)
    ax.set_yticks(y, [_name(p, lang) for p in shown["partner"]], fontsize=9)
    ax.set_xlabel(LABELS[lang]["co"])
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlim(0, float(shown["co"].max()) * 1.35)
    return _open_svg(fig, ax, salt)


def technology_mix(
    shift: pd.DataFrame | None,
    mix: pd.DataFrame | None,
    actor: str,
    *,
    lang: str = "en",
    top: int = 12,
    salt: str = "tech",
) -> str | None:
    """The actor's shares by technology field: two periods if known, else one."""
    src = shift if shift is not None and len(shift) else mix
    if src is None or src.empty:
        return None
    fc = "field_name"
    d = src[_is_actor(src["country"], actor)]
    series = _mix_series(d)
    if d.empty or not series:
        return None
    order = (
        d.assign(_k=pd.to_numeric(d[series[-1][0]], errors="coerce"))
        .sort_values("_k", ascending=False)
        .head(top)
    )
    fig, ax = _axes(1.0 + 0.32 * len(order) * max(1, len(series)) / 1.5)
    h = 0.8 / len(series)
    base = list(range(len(order)))[::-1]
    for i, (c, label) in enumerate(series):
        ax.barh(
            [b + (len(series) - 1 - i) * h - 0.4 + h / 2 for b in base],
            pd.to_numeric(order[c], errors="coerce") * 100,
            height=h,
            color=PALETTE[i],
            label=label,
        )
    labels = [
        i18n.field_label(f, order.at[i, "field_nr"], lang)
        for i, f in zip(order.index, order[fc], strict=True)
    ]
    ax.set_yticks(base, labels, fontsize=8)
    ax.set_xlabel(LABELS[lang]["field_share"] + " (%)")
    if len(series) > 1:
        ax.legend(fontsize=8, frameon=False)
    return _open_svg(fig, ax, salt)


def _mix_series(d: pd.DataFrame) -> list[tuple[str, str]]:
    """(column, label) of the shares drawn: two periods (a shift) or one (a mix)."""
    if "share_1" not in d.columns:
        return [("share", "share")]
    r = d.iloc[0] if len(d) else None
    l1 = str(r["period_1"]) if r is not None else "share_1"
    l2 = str(r["period_2"]) if r is not None else "share_2"
    return [("share_1", l1), ("share_2", l2)]


def trials_by_phase(
    phases: pd.DataFrame,
    actor: str,
    *,
    lang: str = "en",
    salt: str = "trials",
) -> str | None:
    """Oncology trials by phase (the world's; the table has no country)."""
    if phases is None or phases.empty:
        return None
    d = phases.assign(_n=pd.to_numeric(phases["trials"], errors="coerce").fillna(0))
    g = d.groupby("phase")["_n"].sum()
    fig, ax = _axes(3.8)
    ax.bar([str(p) for p in g.index], g.values, color=OTHER_COLOUR)
    ax.set_xlabel(LABELS[lang]["phase"])
    ax.set_ylabel(LABELS[lang]["trials"])
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    return _open_svg(fig, ax, salt)


# Short names used by the dashboard (oncometrics.web.pages).
def ranking_chart(df: pd.DataFrame, actor: str, lang: str = "en") -> str | None:
    """`ranking_bars` on the fractional publication count."""
    return ranking_bars(df, "p_frac", actor, lang=lang, salt="dashrank")


def specialisation_chart(df: pd.DataFrame, actor: str, lang: str = "en") -> str | None:
    """`specialisation_map` of a publications_by_country table."""
    return specialisation_map(df, actor, lang=lang, salt="dashspec")


def trials_phase_chart(df: pd.DataFrame, actor: str, lang: str = "en") -> str | None:
    """`trials_by_phase` of a trials_by_phase table."""
    return trials_by_phase(df, actor, lang=lang, salt="dashtrials")


def trials_by_country(
    df: pd.DataFrame,
    actor: str,
    *,
    lang: str = "en",
    top: int = 20,
    salt: str = "trialcountry",
) -> str | None:
    """Stacked bars per country: early-phase trials and the other trials."""
    d = country_rows(df)
    d = d.assign(_n=pd.to_numeric(d["trials"], errors="coerce").fillna(0))
    early = (
        pd.to_numeric(d["early_phase_trials"], errors="coerce").fillna(0)
        if "early_phase_trials" in d.columns
        else d["_n"] * 0
    )
    shown = _leaders(d.assign(_e=early.clip(upper=d["_n"])), "_n", actor, top)
    if shown.empty or shown["_n"].sum() == 0:
        return None
    fig, ax, y = _bar_axes(len(shown))
    ax.barh(y, shown["_e"], color=PALETTE[1], label=LABELS[lang]["early"])
    ax.barh(
        y,
        shown["_n"] - shown["_e"],
        left=shown["_e"],
        color=OTHER_COLOUR,
        label=LABELS[lang]["later"],
    )
    names = [_name(c, lang) for c in shown["country"]]
    mine = _is_actor(shown["country"], actor)
    marked = [f"▶ {n}" if a else n for n, a in zip(names, mine, strict=True)]
    ax.set_yticks(y, marked, fontsize=9)
    ax.set_xlabel(LABELS[lang]["trials"])
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=8, frameon=False)
    return _open_svg(fig, ax, salt)
