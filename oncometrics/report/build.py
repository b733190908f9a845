"""Assemble the report: ``report.html`` (self-contained) and ``report.xlsx``.

`write_report` reads the indicator tables written by ``oncometrics compute``,
turns them into statements (`statements`) and charts (`charts`), renders the
Jinja2 template ``templates/report.html.j2`` into one HTML file that opens
offline (inline CSS and SVG, no script, no network), and writes one
workbook sheet per table (`xlsx`).  Nothing here computes an indicator.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from oncometrics.config import Config, parse_period
from oncometrics.report import charts, geo, i18n
from oncometrics.report.family_statements import absent_text, missing_text
from oncometrics.report.methodology import (
    method_text,
    sample_counts,
    sample_warning,
    source_rows,
)
from oncometrics.report.statements import (
    Context,
    Statement,
    build_statements,
    partner_list,
)
from oncometrics.report.tables import (
    YEAR_COLUMN,
    actor_row,
    country_rows,
    has_rows,
    load_tables,
    no_citations,
    number,
    read_json,
    without_impact,
)
from oncometrics.report.templates_text import (
    CHART_TITLES,
    EVIDENCE,
    HEADERS,
    INDICATORS_FR,
    METHOD,
    UI,
)
from oncometrics.report.xlsx import write_workbook
from oncometrics.settings_file import FILENAME, write_settings

Log = Callable[[str], None]

#: Ratio-indicator charts rank only this many largest producers (+ the actor).
RATIO_CHART_AMONG = 25
#: The section of each kind of record and the table it needs.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("publications", "publications_by_country"),
    ("inventions", "inventions_by_country"),
    ("trials", "trials_by_country"),
)


@dataclass
class Chart:
    """One figure of the report."""

    key: str
    title: str
    svg: str
    caption: str
    omitted: str = ""  # why the chart is not drawn (one line), if it is not


@dataclass
class Section:
    """One part of the report (publications, inventions or trials)."""

    key: str
    title: str
    present: bool
    missing: str = ""
    statements: list[Statement] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    table: dict[str, Any] | None = None  # {"title", "columns", "rows"}
    #: drill-down files of the section: (actor, path relative to the report)
    drill: list[tuple[str, str]] = field(default_factory=list)


def write_report(
    store: Path, out_dir: Path, *, config: Config, indicators: Path, log: Log
) -> Path:
    """Write ``report.html`` and ``report.xlsx`` to `out_dir`; return the HTML path.

    Raises ValueError (one line) when `indicators` holds no table.
    """
    log(f"report: reading indicator tables from {indicators}")
    tables = load_tables(Path(indicators))
    if not tables:
        raise ValueError(
            f"{indicators}: no indicator tables here (run `oncometrics compute` first)"
        )
    cited = not no_citations(tables)
    if not cited:
        log("report: no citation counts in the store: citation impact is n/a")
        tables = {name: without_impact(df) for name, df in tables.items()}
    domain = read_json(Path(indicators) / "domain.json")
    from oncometrics.store import read_manifest  # at the snapshot computed from

    manifest = read_manifest(Path(store), domain.get("store_snapshot"))
    ctx = make_context(tables, domain, config, store, log, indicators)
    check_actor(tables, ctx.actor)
    statements = build_statements(tables, ctx, log)
    log(f"report: {len(statements)} statements for {ctx.actor}; drawing charts")
    countries = {name: country_rows(df) for name, df in tables.items()}
    sections = build_sections(countries, statements, ctx, log)
    from oncometrics.report.drilldown import write_drilldowns

    drill = write_drilldowns(
        Path(store),
        Path(indicators),
        Path(out_dir) / "drill",
        tables,
        ctx.actor,
        log,
        top=int(config.values.get("drill_top", 10) or 0),
    )
    for sec in sections:
        sec.drill = drill.get(sec.key, [])
    html = render_html(ctx, statements, sections, domain, manifest, tables, config)
    html = _with_portfolio(html, Path(store) / "portfolio", log, cited, ctx.lang)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "report.html"
    path.write_text(html, encoding="utf-8")
    log(f"report: wrote {path} ({len(html.encode()) / 1e6:.2f} MB); writing workbook")
    write_workbook(tables, statements, out_dir / "report.xlsx", log=log, lang=ctx.lang)
    write_settings(out_dir, config)
    from oncometrics.report.networks import write_networks

    nets = write_networks(dict(tables), out_dir / "networks")
    if nets:
        log(
            f"report: {len(nets)} network files (VOSviewer, GraphML) in {nets[0].parent}"
        )
    return path


def check_actor(tables: Mapping[str, pd.DataFrame], actor: str) -> None:
    """Raise ValueError (one line) when `actor` is in no country table.

    A report "where ZZ stands" with nothing about ZZ is not a report.
    """
    names = [t for _, t in SECTIONS if has_rows(tables, t)]
    if any(actor_row(country_rows(tables[t]), actor) is not None for t in names):
        return
    import pycountry

    what = (
        "not an ISO 3166 country code"
        if pycountry.countries.get(alpha_2=actor) is None
        else "a country with no record in these tables"
    )
    raise ValueError(
        f"actor {actor}: {what}; it appears in none of "
        f"{', '.join(names) or 'the indicator tables'}: nothing to report"
    )


def citation_rows(df: pd.DataFrame | None, lang: str) -> list[dict[str, Any]]:
    """Rows of the citation-sources table: which database counted citations."""
    if df is None or df.empty:
        return []
    none = "aucune (pas de citations)" if lang == "fr" else "none (no citation counts)"
    rows = []
    for r in df.sort_values("works", ascending=False).itertuples():
        first, last = getattr(r, "first_date", None), getattr(r, "last_date", None)
        dates = (
            "–"
            if pd.isna(first)
            else str(first)
            if first == last
            else f"{first} – {last}"
        )
        source = none if r.citation_source == "none" else str(r.citation_source)
        rows.append({"source": source, "works": int(r.works), "dates": dates})
    return rows


def _with_portfolio(
    html: str, folder: Path, log: Log, cited: bool = True, lang: str = "en"
) -> str:
    """`html` with the portfolio section (``oncometrics portfolio`` output).

    Without citation counts its impact columns are n/a, with the reason.
    """
    files = sorted(folder.glob("*.parquet")) if folder.is_dir() else []
    if not files:
        return html
    from oncometrics.portfolio import portfolio_section

    frames = load_tables(folder)  # checked against the published columns
    if not cited:
        frames = {name: without_impact(df) for name, df in frames.items()}
    fragment = portfolio_section(frames)
    if lang == "fr":
        from oncometrics.report.french import portfolio_fr

        fragment = portfolio_fr(fragment)
    if not cited:
        note = f'<p class="notice no-impact">{UI[lang]["no_impact"]}</p>'
        fragment = fragment.replace("</h2>", "</h2>" + note, 1)
    log(f"report: portfolio section from {folder}")
    return html.replace(
        '<section id="methodology">', fragment + '\n<section id="methodology">', 1
    )


def make_context(
    tables: Mapping[str, pd.DataFrame],
    domain: Mapping[str, Any],
    config: Config,
    store: Path,
    log: Log,
    indicators: Path | None = None,
) -> Context:
    """The statement context: actor, language, period, domain hash, store."""
    lang = i18n.check_lang(str(config.lang))
    actor = str(config.actor or "").strip().upper()
    if len(actor) != 2 or not actor.isalpha():
        raise ValueError(
            f"bad actor {config.actor!r}: expected an ISO alpha-2 "
            "country code such as FR"
        )
    period = _period(tables, domain, config.period, log)
    hashes = {
        str(h)
        for df in tables.values()
        if "domain_hash" in df.columns
        for h in df["domain_hash"].dropna().unique()
    }
    dhash = domain.get("hash") or (sorted(hashes)[0] if len(hashes) == 1 else None)
    if len(hashes) > 1 or (dhash and hashes and hashes != {dhash}):
        log(f"report: warning: tables carry several domain hashes {sorted(hashes)}")
    return Context(
        actor=actor,
        lang=lang,
        period=period,
        domain_hash=dhash,
        store=str(store),
        min_p=float(config.min_p or 0.0),
        periods=config.periods,
        indicators=None if indicators is None else str(indicators),
        settings=_settings_path(store, indicators),
    )


def _settings_path(store: Path, indicators: Path | None) -> str | None:
    """The tables' ``settings.toml``, when compute wrote one."""
    folder = Path(indicators) if indicators is not None else Path(store) / "indicators"
    path = folder / FILENAME
    return str(path) if path.is_file() else None


def _period(
    tables: Mapping[str, pd.DataFrame], domain: Mapping[str, Any], wanted: Any, log: Log
) -> str | None:
    """The period the tables describe (from domain.json or the year tables)."""
    own = domain.get("period") or domain.get("settings", {}).get("period")
    if not own:
        own = _table_period(tables)
    if own:
        if wanted and parse_period(str(wanted)) != parse_period(str(own)):
            log(
                f"report: warning: the tables were computed for {own}, not {wanted}; "
                "the report describes the tables (rerun compute with --period)"
            )
        return str(own)
    years = [
        pd.to_numeric(tables[name][c], errors="coerce")
        for name, c in YEAR_COLUMN.items()
        if name in tables
    ]
    years = [y.dropna() for y in years if y.notna().any()]
    if years:
        lo, hi = int(min(y.min() for y in years)), int(max(y.max() for y in years))
        span = f"{lo}-{hi}" if lo != hi else str(lo)
        if wanted and parse_period(str(wanted)) != parse_period(span):
            log(f"report: warning: the year tables span {span}, not {wanted}")
        return span
    return str(wanted) if wanted else None


def _table_period(tables: Mapping[str, pd.DataFrame]) -> str | None:
    """The `period` column of the country tables, unless it is 'all'."""
    for df in tables.values():
        if "period" in df.columns and "country" in df.columns and len(df):
            vals = {str(v) for v in df["period"].dropna().unique()}
            if len(vals) == 1 and (v := vals.pop()) != "all" and "," not in v:
                return v
    return None


# ------------------------------------------------------------------ sections
def build_sections(
    tables: Mapping[str, pd.DataFrame],
    statements: list[Statement],
    ctx: Context,
    log: Log,
) -> list[Section]:
    """The three sections, each with its statements and charts, or a notice."""
    ui = UI[ctx.lang]
    out = []
    for key, table in SECTIONS:
        present = has_rows(tables, table)
        missing = "" if present else ui[f"missing_{key}"]
        missing = (not present and missing_text(key, tables, ctx.lang)) or missing
        sec = Section(key, ui[key], present, missing)
        if present:
            sec.statements = [s for s in statements if s.section == key]
            if actor_row(tables[table], ctx.actor) is None:
                name = i18n.capitalise(i18n.country_name(ctx.actor, ctx.lang).subject)
                sec.missing = ui["actor_absent"].format(actor=name, table=table)
                sec.missing += absent_text(key, tables, ctx)
            sec.charts = [c for c in _CHARTS[key](tables, ctx) if c is not None]
            for c in sec.charts:  # an impact chart without any impact value
                if (
                    c.omitted
                    and c.key == "pub_top10"
                    and _all_missing(tables[table], "pp_top10")
                ):
                    c.omitted = ui["no_impact"]
            for c in sec.charts:
                if c.omitted:
                    log(f"report: chart {c.key} not drawn: {c.omitted}")
            drawn = sum(1 for c in sec.charts if not c.omitted)
            log(f"report: {key}: {drawn} charts")
            if key == "publications":
                sec.table = institutions_table(tables, ctx)
        out.append(sec)
    return out


def _all_missing(df: pd.DataFrame, column: str) -> bool:
    """True when `df` has no value in `column` (or no such column)."""
    return column not in df.columns or bool(df[column].isna().all())


def _chart(key: str, svg: str | None, ctx: Context, caption: str) -> Chart:
    """The chart, or its title and why it is not drawn (``omitted``)."""
    title = CHART_TITLES[ctx.lang][key]
    if svg is None:
        return Chart(key, title, "", caption, omitted=UI[ctx.lang]["chart_omitted"])
    return Chart(key, title, svg, caption)


def _publication_charts(
    t: Mapping[str, pd.DataFrame], ctx: Context
) -> list[Chart | None]:
    df, a, lang = t["publications_by_country"], ctx.actor, ctx.lang
    return [
        _rank_chart("pub_rank", t, "publications_by_country", "p_frac", ctx),
        _chart(
            "pub_top10",
            charts.ranking_bars(
                df,
                "pp_top10",
                a,
                lang=lang,
                percent=True,
                among=("p_frac", RATIO_CHART_AMONG),
                salt="pubtop",
            ),
            ctx,
            "publications_by_country.pp_top10 [pp_top10_lo, pp_top10_hi]",
        ),
        _rows_chart(
            "pub_time",
            t,
            "publications_by_country_year",
            charts.share_over_time,
            ctx,
            "publications_by_country_year.share_frac",
        ),
        _rows_chart(
            "pub_spec",
            t,
            "publications_by_country",
            charts.specialisation_map,
            ctx,
            "publications_by_country.ai, share_frac",
        ),
        _partner_chart("pub_partners", t, "country_partners", ctx),
        _network_chart("pub_network", t, "publications_by_country", "p_full", ctx),
        _chart(
            "pub_map",
            geo.map_svg(df, share="share_frac", actor=a, lang=lang),
            ctx,
            "publications_by_country.share_frac",
        ),
    ]


def _partner_chart(
    key: str, t: Mapping[str, pd.DataFrame], table: str, ctx: Context
) -> Chart | None:
    """The bars of the actor's partners in pair table `table` (when present)."""
    partners = t.get(table)
    if partners is None:
        return None
    frame = partner_list(partners, ctx.actor, table)
    salt = key.split("_")[0] + "part"  # pubpart, invpart, trialpart
    svg = charts.partner_bars(frame, lang=ctx.lang, salt=salt)
    return _chart(key, svg, ctx, table)


def _rows_chart(
    key: str,
    t: Mapping[str, pd.DataFrame],
    table: str,
    draw: Callable[..., str | None],
    ctx: Context,
    caption: str,
) -> Chart:
    """The chart `draw` makes of `table` when it has rows."""
    svg = draw(t[table], ctx.actor, lang=ctx.lang) if has_rows(t, table) else None
    return _chart(key, svg, ctx, caption)


def _rank_chart(
    key: str, t: Mapping[str, pd.DataFrame], table: str, column: str, ctx: Context
) -> Chart:
    """The bars of the leading countries of `table` by `column`."""
    salt = key.replace("_", "")  # pubrank, invrank
    svg = charts.ranking_bars(t[table], column, ctx.actor, lang=ctx.lang, salt=salt)
    return _chart(key, svg, ctx, f"{table}.{column}")


#: node table → (pair table, co-output column) of its network chart.
_NETWORKS = {
    "publications_by_country": ("country_partners", "co_publications"),
    "inventions_by_country": ("coinvention_partners", "co_inventions"),
}


def _network_chart(
    key: str, t: Mapping[str, pd.DataFrame], nodes: str, size: str, ctx: Context
) -> Chart:
    """The actor's collaboration network: nodes sized by `size` of `nodes`."""
    pairs, co = _NETWORKS[nodes]
    svg = geo.network_svg(
        t[nodes], t.get(pairs), size=size, co=co, actor=ctx.actor, lang=ctx.lang
    )
    return _chart(key, svg, ctx, f"{pairs}.{co}; {nodes}.{size}")


def _invention_charts(
    t: Mapping[str, pd.DataFrame], ctx: Context
) -> list[Chart | None]:
    a, lang = ctx.actor, ctx.lang
    return [
        _rank_chart("inv_rank", t, "inventions_by_country", "i_frac", ctx),
        _partner_chart("inv_partners", t, "coinvention_partners", ctx),
        _network_chart("inv_network", t, "inventions_by_country", "i_full", ctx),
        _chart(
            "inv_tech",
            charts.technology_mix(
                t.get("technology_shift"), t.get("technology_mix"), a, lang=lang
            ),
            ctx,
            "technology_shift / technology_mix",
        ),
    ]


def _trial_charts(t: Mapping[str, pd.DataFrame], ctx: Context) -> list[Chart | None]:
    return [
        _rows_chart(
            "trial_rank",
            t,
            "trials_by_country",
            charts.trials_by_country,
            ctx,
            "trials_by_country.trials, early_phase_trials",
        ),
        _partner_chart("trial_partners", t, "trial_partners", ctx),
        _rows_chart(
            "trial_phase",
            t,
            "trials_by_phase",
            charts.trials_by_phase,
            ctx,
            "trials_by_phase",
        ),
    ]


_CHARTS = {
    "publications": _publication_charts,
    "inventions": _invention_charts,
    "trials": _trial_charts,
}


def institutions_table(
    tables: Mapping[str, pd.DataFrame], ctx: Context, top: int = 15
) -> dict[str, Any] | None:
    """The actor's leading institutions by P_frac (else the world's)."""
    df = tables.get("publications_by_institution")
    if df is None or df.empty:
        return None
    name, cc = "institution_name", "country_code"
    mine = df[df[cc].astype(str).str.upper() == ctx.actor]
    ui, cn = UI[ctx.lang], i18n.country_name(ctx.actor, ctx.lang)
    title = ui["institutions"].format(actor=cn.subject, of_actor=cn.of)
    if mine.empty:
        mine, title = df, ui["institutions_world"]
    mine = mine.assign(_p=pd.to_numeric(mine["p_frac"], errors="coerce"))
    mine = mine.sort_values("_p", ascending=False).head(top)
    cols = [name, cc, "p_frac", "rank_p_frac", "pp_top10", "mncs"]
    rows = [[_cell(r[c], c, ctx.lang) for c in cols] for _, r in mine.iterrows()]
    return {"title": title, "columns": cols, "rows": rows}


def _cell(value: Any, column: str, lang: str) -> str:
    x = number(value) if not isinstance(value, str) else None
    if x is None:
        return (
            "n/a"
            if value is None or (not isinstance(value, str) and pd.isna(value))
            else str(value)
        )
    if column.startswith("pp_") or column.startswith("share"):
        return i18n.fmt_percent(x, lang)
    return i18n.fmt_number(
        x,
        lang,
        0 if column.startswith("rank") else None if column.startswith("p_") else 2,
    )


# -------------------------------------------------------------------- render
def render_html(
    ctx: Context,
    statements: list[Statement],
    sections: list[Section],
    domain: Mapping[str, Any],
    manifest: Mapping[str, Any],
    tables: Mapping[str, pd.DataFrame],
    config: Config,
) -> str:
    """The report as one self-contained HTML string."""
    from oncometrics import __version__ as version

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("oncometrics.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    ui, cn = UI[ctx.lang], i18n.country_name(ctx.actor, ctx.lang)
    sources = source_rows(manifest)
    counts = sample_counts(tables, manifest)
    rejected = sum(g["rejected"] for g in sources)
    return env.get_template("report.html.j2").render(
        ctx=ctx,
        ui=ui,
        ev=EVIDENCE[ctx.lang],
        th=HEADERS[ctx.lang],
        indicator_name=(
            (lambda x: INDICATORS_FR.get(x, x)) if ctx.lang == "fr" else (lambda x: x)
        ),
        lang=ctx.lang,
        actor_name=cn.label,
        actor_subject=cn.subject,
        title=ui["title"].format(actor=cn.label, of_actor=cn.of),
        subtitle=ui["subtitle"].format(period=ctx.period_text),
        statements=statements,
        sections=sections,
        domain=dict(domain),
        sources=sources,
        rejected=rejected,
        rejected_text=METHOD[ctx.lang]["rejected"].format(
            n=i18n.fmt_number(rejected, ctx.lang)
        ),
        sample_warning=sample_warning(counts, ctx.lang),
        method=method_text(config, domain, ctx.lang),
        table_rows=[(n, len(df)) for n, df in tables.items()],
        citation_sources=citation_rows(tables.get("citation_sources"), ctx.lang),
        fmt=lambda x: i18n.fmt_number(x, ctx.lang),
        version=version,
    )
