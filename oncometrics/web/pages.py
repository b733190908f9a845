"""Server-rendered pages: each view reads tables and renders a template.

The statements and charts are the report's own (:mod:`oncometrics.report`),
so the dashboard and the report never disagree.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from oncometrics.report import charts
from oncometrics.web.api import CODE, PERIOD, snapshot
from oncometrics.web.format import cell, drill_link, label

router = APIRouter()
TEMPLATES = Path(__file__).parent / "templates"
_env = Environment(
    loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"])
)
_env.filters["num"] = cell
_env.globals["label"] = label
_env.globals["drill_link"] = drill_link
COUNTRY_RE = re.compile(r"^[A-Za-z]{2}$")


def _tables(request: Request) -> dict[str, pd.DataFrame]:
    """The published tables of this request's snapshot, as frames."""
    return snapshot(request).published()


def _render(template: str, **ctx: Any) -> HTMLResponse:
    return HTMLResponse(_env.get_template(template).render(**ctx))


def _statements(
    request: Request, actor: str, lang: str, period: str | None
) -> list[Any]:
    from oncometrics.report.statements import Context, build_statements

    data = snapshot(request)
    ctx = Context(
        actor=actor.upper(),
        lang=lang,
        # the tables' own period, not "all years", when none is asked for
        period=period or data.domain.get("settings", {}).get("period"),
        domain_hash=data.domain.get("hash"),
        store=str(request.app.state.store),
        indicators=str(data.folder),
        settings=_settings(data.folder),
    )
    return build_statements(_tables(request), ctx, lambda m: None)


def _banners(request: Request, lang: str = "en") -> list[str]:
    """Warnings shown on every page: small sample, no citation counts."""
    from oncometrics.report.methodology import sample_counts, sample_warning
    from oncometrics.report.templates_text import UI
    from oncometrics.store import read_manifest

    data = snapshot(request)
    manifest = read_manifest(Path(request.app.state.store))  # the ingested files
    out = [sample_warning(sample_counts(data.published(), manifest), lang)]
    if not data.cited:
        out.append(UI[lang]["no_impact"])
    return [b for b in out if b]


def _settings(folder: Path) -> str | None:
    """The tables' ``settings.toml`` (the reproduce commands read it)."""
    path = folder / "settings.toml"
    return str(path) if path.is_file() else None


def _records(
    df: pd.DataFrame | None, limit: int = 50
) -> tuple[list[str], list[list[Any]]]:
    if df is None or df.empty:
        return [], []
    head = df.head(limit)
    return list(head.columns), head.astype(object).where(
        head.notna(), None
    ).values.tolist()


Actor = Annotated[str, Query(pattern=r"^[A-Za-z]{2}$", description="ISO alpha-2.")]
Lang = Annotated[str, Query(pattern="^(en|fr)$")]
Period = Annotated[str | None, Query(pattern=PERIOD)]


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def overview(
    request: Request, actor: Actor = "FR", lang: Lang = "en", period: Period = None
) -> HTMLResponse:
    """Headline statements (each linked to its evidence) and the tables."""
    statements = _statements(request, actor, lang, period)
    data = snapshot(request)
    return _render(
        "overview.html",
        banners=_banners(request, lang),
        title="Overview" if lang == "en" else "Vue d'ensemble",
        t=OVERVIEW[lang],
        actor=actor.upper(),
        lang=lang,
        statements=statements,
        tables=data.tables,
        domain=data.domain,
        charts=[(OVERVIEW[lang][k], svg) for k, svg in _charts(request, actor)],
    )


#: The overview's wording by language (the statements are the report's own).
OVERVIEW: dict[str, dict[str, str]] = {
    "en": {
        "title": "Where {actor} stands", "country": "Country",
        "language": "Language", "show": "Show", "statements": "Statements",
        "empty": "No statement can be made for {actor} from these tables.",
        "tables": "Tables", "columns": "columns", "domain": "Domain",
        "hash": "hash", "Ranking": "Ranking", "Specialisation": "Specialisation",
        "Trials by phase": "Trials by phase",
    },
    "fr": {
        "title": "La position de {actor}", "country": "Pays",
        "language": "Langue", "show": "Afficher", "statements": "Constats",
        "empty": "Aucun constat sur {actor} ne peut être tiré de ces tables.",
        "tables": "Tables", "columns": "colonnes", "domain": "Domaine",
        "hash": "empreinte", "Ranking": "Classement",
        "Specialisation": "Spécialisation", "Trials by phase": "Essais par phase",
    },
}  # fmt: skip

#: The overview's charts: title, chart function, table it draws.
CHARTS: tuple[tuple[str, Callable[..., str | None], str], ...] = (
    ("Ranking", charts.ranking_chart, "publications_by_country"),
    ("Specialisation", charts.specialisation_chart, "publications_by_country"),
    ("Trials by phase", charts.trials_phase_chart, "trials_by_phase"),
)


def _charts(request: Request, actor: str) -> list[tuple[str, str]]:
    tables = _tables(request)
    out = []
    for title, chart, table in CHARTS:
        df = tables.get(table)
        if df is None or df.empty:
            continue
        svg = chart(df, actor=actor.upper())
        if svg:
            out.append((title, svg))
    return out


@router.get("/evidence/{key}", response_class=HTMLResponse, include_in_schema=False)
def evidence(
    request: Request,
    key: str,
    actor: Actor = "FR",
    lang: Lang = "en",
    period: Period = None,
) -> HTMLResponse:
    """One statement with all of its evidence."""
    found = [s for s in _statements(request, actor, lang, period) if s.key == key]
    if not found:
        raise HTTPException(404, f"no statement {key!r} for {actor.upper()}")
    return _render(
        "evidence.html", title="Evidence", st=found[0], actor=actor.upper(), lang=lang
    )


def _actor_sections(
    tables: dict[str, pd.DataFrame],
    columns: tuple[str, ...],
    value: str,
    period: str | None = None,
) -> list[tuple[str, list[str], list[list[Any]]]]:
    """Per table, the rows whose `columns` (any of them) equal `value`."""
    sections = []
    for name, df in tables.items():
        cols = [c for c in columns if c in df.columns]
        if not cols:
            continue
        mask = pd.concat([df[c].astype(str) == value for c in cols], axis=1).any(axis=1)
        sub = df[mask]
        if period and "publication_year" in sub.columns:
            lo, _, hi = period.partition("-")
            sub = sub[sub["publication_year"].between(int(lo), int(hi or lo))]
        if not sub.empty:
            sections.append((name, *_records(sub)))
    return sections


#: The published columns naming the actor of each actor page.
PAGE_COLUMNS: dict[str, tuple[str, ...]] = {
    "country": ("country",),
    "institution": ("institution_id", "ror"),
    "unit": ("unit_code",),
    "centre": ("key", "centre_code"),
}
#: A centre code or a label such as ``CLIP²`` (letters, digits, ``-_.²``).
CENTRE_RE = re.compile(r"^[\w.²-]{1,40}$")


def _actor_page(
    request: Request, kind: str, code: str, period: str | None = None
) -> HTMLResponse:
    """Every table's rows for one actor of `kind`."""
    sections = _actor_sections(_tables(request), PAGE_COLUMNS[kind], code, period)
    return _render(
        "country.html",
        banners=_banners(request),
        title=f"{kind.capitalize()} {code}",
        code=code,
        kind=kind,
        sections=sections,
        action=f"/{kind}/{code}",
    )


@router.get("/country/{code}", response_class=HTMLResponse, include_in_schema=False)
def country(request: Request, code: str, period: Period = None) -> HTMLResponse:
    """Every table's rows for one country (publications, inventions, trials)."""
    if not COUNTRY_RE.match(code):
        raise HTTPException(400, "country must be an ISO alpha-2 code")
    return _actor_page(request, "country", code.upper(), period)


@router.get(
    "/institution/{ident}", response_class=HTMLResponse, include_in_schema=False
)
def institution(request: Request, ident: str, period: Period = None) -> HTMLResponse:
    """Every table's rows for one institution (OpenAlex id or ROR id)."""
    if not re.match(CODE, ident):
        raise HTTPException(400, "bad institution id")
    return _actor_page(request, "institution", ident, period)


@router.get("/unit/{code}", response_class=HTMLResponse, include_in_schema=False)
def unit(request: Request, code: str, period: Period = None) -> HTMLResponse:
    """Every portfolio table's rows for one unit of the organisation."""
    if not re.match(CODE, code):
        raise HTTPException(400, "bad unit code")
    return _actor_page(request, "unit", code, period)


@router.get("/centre/{code}", response_class=HTMLResponse, include_in_schema=False)
def centre(request: Request, code: str) -> HTMLResponse:
    """The trial tables' rows for one centre (or one label) of the organisation."""
    if not CENTRE_RE.match(code):
        raise HTTPException(400, "bad centre code")
    return _actor_page(request, "centre", code)


@router.get("/table/{name}", response_class=HTMLResponse, include_in_schema=False)
def table(
    request: Request,
    name: str,
    country: Annotated[str | None, Query(pattern=CODE)] = None,
) -> HTMLResponse:
    """Browse one table with a country filter and a CSV download link."""
    data = snapshot(request)
    if name not in data.tables:
        raise HTTPException(404, f"unknown table {name!r}")
    df = data.frames().get(name)
    if country and df is not None and "country" in df.columns:
        df = df[df["country"].astype(str) == country.upper()]
    cols, rows = _records(df, limit=200)
    return _render(
        "table.html",
        banners=_banners(request),
        title=name,
        name=name,
        cols=cols,
        rows=rows,
        country=country or "",
        total=0 if df is None else len(df),
    )


@router.get("/compare", response_class=HTMLResponse, include_in_schema=False)
def compare(
    request: Request,
    actors: Annotated[
        str, Query(pattern=r"^[A-Za-z]{2}(,[A-Za-z]{2}){0,9}$")
    ] = "FR,DE,GB",
) -> HTMLResponse:
    """Side-by-side indicators for up to ten countries."""
    codes = [a.upper() for a in actors.split(",")]
    tables = _tables(request)
    blocks = []
    for name in (
        "publications_by_country",
        "inventions_by_country",
        "trials_by_country",
    ):
        df = tables.get(name)
        if df is None or df.empty or "country" not in df.columns:
            continue
        sub = df[df["country"].isin(codes)].set_index("country").reindex(codes)
        sub = sub.drop(columns=[c for c in sub.columns if c == "domain_hash"])
        blocks.append(
            (
                name,
                *_records(sub.T.reset_index().rename(columns={"index": "indicator"})),
            )
        )
    return _render(
        "compare.html",
        banners=_banners(request),
        title="Compare",
        actors=",".join(codes),
        codes=codes,
        blocks=blocks,
    )


#: The network and map views: key, tables read, what draws them.
VIEWS = (
    ("pub_network", "country_partners; publications_by_country.p_full"),
    ("inv_network", "coinvention_partners; inventions_by_country.i_full"),
    ("pub_map", "publications_by_country.share_frac"),
)


@router.get("/network", response_class=HTMLResponse, include_in_schema=False)
def network(request: Request, actor: Actor = "FR", lang: Lang = "en") -> HTMLResponse:
    """The country collaboration networks and the world map of shares (SVG)."""
    from oncometrics.report import geo
    from oncometrics.report.templates_text import CHART_TITLES

    t, a = _tables(request), actor.upper()
    pubs, invs = t.get("publications_by_country"), t.get("inventions_by_country")
    svgs = {
        "pub_network": geo.network_svg(pubs, t.get("country_partners"),
                                       size="p_full", co="co_publications",
                                       actor=a, lang=lang),
        "inv_network": geo.network_svg(invs, t.get("coinvention_partners"),
                                       size="i_full", co="co_inventions",
                                       actor=a, lang=lang),
        "pub_map": geo.map_svg(pubs, share="share_frac", actor=a, lang=lang),
    }  # fmt: skip
    views = [(k, CHART_TITLES[lang][k], svgs[k], src) for k, src in VIEWS if svgs[k]]
    fr = lang == "fr"
    return _render(
        "network.html",
        banners=_banners(request, lang),
        title="Réseaux et carte" if fr else "Networks and map",
        heading="Réseaux et carte" if fr else "Networks and map",
        empty="Aucune paire de pays ni part mondiale dans ces tables."
        if fr
        else "No country pair or world share in these tables.",
        views=views,
        actor=a,
        lang=lang,
    )
