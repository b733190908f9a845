"""Invention and trial statements: co-invention, scope, truncation, notices.

Pure functions over the indicator tables (pandas frames by name):

* :func:`coinvention_statement` — "France ranks 3rd of 12 countries for
  international co-invention (…), with Switzerland, Italy, … (most shared
  families); by Salton's index: …", one statement with its evidence;
* :func:`annotate` — every invention statement names the family scope it
  used, and the shift statement says when its second period reaches into
  the years truncated by the publication lag;
* :func:`missing_text` — what a store holds when a section has nothing to
  show (patent records but none in the domain, trials filtered out …).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import pandas as pd

from oncometrics.indicators.inventions import COINVENTION_MIN_SHARE
from oncometrics.report import i18n
from oncometrics.report.evidence import (
    Context,
    Log,
    Statement,
    actor_fields,
    row_hash,
)
from oncometrics.report.relations import partner_list
from oncometrics.report.tables import number

#: Share of the world's fractional inventions a country needs to be ranked
#: on a rate (compute's rule, stated in the sentence).
MIN_SHARE = COINVENTION_MIN_SHARE

TEXT = {
    "en": {
        "coinv": "{Actor} ranks {rank} of {n} countries for international "
        "co-invention ({rate} of its {scope} cancer inventions have inventors "
        "in two or more countries; countries with at least {threshold} "
        "inventions are ranked), with {partners} (most shared inventions); "
        "by Salton's index: {salton}.",
        "scope_all": "all patent families",
        "scope_international": "international patent families",
        "scope_note": " [{scope}]",
        "truncated": " The second period reaches into {year}–, whose inventions "
        "are not all published yet (publication lag): its shares are incomplete.",
        "lagged": " Priority years from {year} on are incomplete (publication "
        "lag of the ingested patent sources).",
        "inv_store": "This store holds {docs} patent documents ({types}), but "
        "no counted cancer invention with an inventor country ({scope}): this "
        "section is omitted.",
        "trial_store": "This store holds {store} trials, {any} of them oncology "
        "trials of any type and status, but none is counted (interventional "
        "and started, with a site country): this section is omitted.",
        "trial_absent": " The store holds {store} trials, {any} of them oncology "
        "trials of any type and status; {counted} are counted (interventional "
        "and started) and none of those has a site in {actor}.",
    },
    "fr": {
        "coinv": "{Actor} {se_classe} {rank} sur {n} pays pour la co-invention "
        "internationale ({rate} de ses inventions sur le cancer ({scope}) ont "
        "des inventeurs dans au moins deux pays ; pays classés : au moins "
        "{threshold} inventions), avec {partners} (inventions partagées) ; "
        "selon l'indice de Salton : {salton}.",
        "scope_all": "toutes les familles de brevets",
        "scope_international": "familles de brevets internationales",
        "scope_note": " [{scope}]",
        "truncated": " La seconde période atteint {year} et après, années dont "
        "les inventions ne sont pas encore toutes publiées : parts incomplètes.",
        "lagged": " Les années de priorité à partir de {year} sont incomplètes "
        "(délai de publication des sources de brevets).",
        "inv_store": "Ce dépôt contient {docs} documents de brevet ({types}), "
        "mais aucune invention sur le cancer comptée avec un pays d'inventeur "
        "({scope}) : cette section est omise.",
        "trial_store": "Ce dépôt contient {store} essais, dont {any} en oncologie "
        "(tous types et statuts), mais aucun n'est compté (interventionnel, "
        "commencé, avec un pays de site) : cette section est omise.",
        "trial_absent": " Le dépôt contient {store} essais, dont {any} en "
        "oncologie (tous types et statuts) ; {counted} sont comptés "
        "(interventionnels, commencés) et aucun n'a de site dans ce pays "
        "({actor}).",
    },
}


def _t(lang: str) -> dict[str, str]:
    return TEXT.get(lang, TEXT["en"])


def scope(tables: Mapping[str, pd.DataFrame]) -> str | None:
    """The ``family_scope`` of the invention tables (``all``/``international``)."""
    for name in ("inventions_by_country", "invention_documents"):
        df = tables.get(name)
        if df is not None and "family_scope" in df.columns and len(df):
            return str(df["family_scope"].dropna().iloc[0])
    return None


def scope_text(tables: Mapping[str, pd.DataFrame], lang: str) -> str:
    """'all patent families' / 'international patent families'."""
    return _t(lang).get(f"scope_{scope(tables) or 'all'}", scope(tables) or "")


def coinvention_statement(
    tables: Mapping[str, pd.DataFrame], ctx: Context, log: Log, top: int = 5
) -> Statement | None:
    """The actor's co-invention rate, its rank above the size threshold, and
    its partners by count and by Salton's index, in one statement."""
    df, pairs = tables.get("inventions_by_country"), tables.get("coinvention_partners")
    if df is None or df.empty or "coinvention_rate" not in df.columns:
        return None
    c = df[df["country"].astype(str).str.fullmatch(r"[A-Z]{2}")].copy()
    size = pd.to_numeric(c["i_frac"], errors="coerce")
    threshold = MIN_SHARE * float(size.sum())  # the rule compute ranked with
    ranks = pd.to_numeric(c["rank_coinvention_rate"], errors="coerce").astype("Int64")
    eligible = ranks.notna()
    me = c.index[c["country"].astype(str).str.upper() == ctx.actor.upper()]
    if len(me) == 0 or pd.isna(ranks.loc[me[0]]):
        log(f"report: {ctx.actor} unranked for co-invention; statement skipped")
        return None
    row, rank = c.loc[me[0]], int(ranks.loc[me[0]])
    partners = (
        partner_list(pairs, ctx.actor, "coinvention_partners")
        if pairs is not None
        else None
    )
    if partners is None or partners.empty:
        log(f"report: no co-invention partners of {ctx.actor}; statement skipped")
        return None
    by_co = partners.head(top)
    by_salton = partners.sort_values(["salton", "partner"], ascending=[False, True])
    by_salton = by_salton.head(top)
    name = i18n.country_name(ctx.actor, ctx.lang)
    lang = ctx.lang

    def names(p: pd.DataFrame) -> str:
        return i18n.join_list(
            [i18n.country_name(x, lang).subject for x in p["partner"]], lang
        )

    value = float(row["coinvention_rate"])
    fields = actor_fields(name, lang) | {
        "rank": i18n.ordinal(rank, lang, feminine=name.feminine, plural=name.plural),
        "n": i18n.fmt_number(int(eligible.sum()), lang),
        "rate": i18n.fmt_percent(value, lang),
        "scope": scope_text(tables, lang),
        "threshold": i18n.fmt_number(threshold, lang, 1),
        "partners": names(by_co),
        "salton": names(by_salton),
    }
    return Statement(
        **ctx.about(domain_hash=row_hash(row)),
        key="inv_coinvention",
        section="inventions",
        text=_t(lang)["coinv"].format(**fields),
        indicator="International co-invention rate (full counting)",
        value=value,
        value_text=fields["rate"],
        rank=rank,
        n_ranked=int(eligible.sum()),
        table="inventions_by_country, coinvention_partners",
        row=f"country == '{ctx.actor}'",
        column="coinvention_rate",
        query=_query(ctx, threshold),
        details={
            "family_scope": scope(tables),
            "threshold_i_frac": threshold,
            "partners_by_count": list(by_co["partner"]),
            "co_inventions": [number(x) for x in by_co["co"]],
            "partners_by_salton": list(by_salton["partner"]),
            "salton": [number(x) for x in by_salton["salton"]],
        },
    )


def _query(ctx: Context, threshold: float) -> str:
    src = ctx.source("inventions_by_country")
    return (
        "SELECT * FROM (SELECT country, coinvention_rate, i_frac, rank() OVER "
        "(ORDER BY coinvention_rate DESC) AS rank, count(*) OVER () AS n "
        f"FROM {src} WHERE regexp_full_match(country, '[A-Z]{{2}}') "
        f"AND i_frac >= {threshold!r}) WHERE country = '{ctx.actor}'"
    )


def annotate(
    statements: list[Statement], tables: Mapping[str, pd.DataFrame], ctx: Context
) -> list[Statement]:
    """Invention statements with their family scope; the shift with its lag."""
    if scope(tables) is None:
        return statements
    note = _t(ctx.lang)["scope_note"].format(scope=scope_text(tables, ctx.lang))
    year, lagged = _truncated_year(tables), _lagged_year(tables)
    out = []
    for st in statements:
        if st.section == "inventions" and st.key != "inv_coinvention":
            text = st.text + note
            if st.key == "inv_shift" and year is not None:
                text += _t(ctx.lang)["truncated"].format(year=year)
            if st.key == "inv_output" and lagged is not None:
                text += _t(ctx.lang)["lagged"].format(year=lagged)
            st = dataclasses.replace(st, text=text)
        out.append(st)
    return out


def _lagged_year(tables: Mapping[str, pd.DataFrame]) -> int | None:
    """First truncated priority year when the counted period reaches it."""
    lags, inv = tables.get("invention_lags"), tables.get("inventions_by_country")
    if lags is None or lags.empty or inv is None or inv.empty:
        return None
    first = pd.to_numeric(lags["first_truncated_year"], errors="coerce").min()
    if pd.isna(first):
        return None
    period = str(inv["period"].dropna().iloc[0]) if "period" in inv.columns else "all"
    last = period.rsplit("-", 1)[-1]
    if period != "all" and last.isdigit() and int(last) < int(first):
        return None
    return int(first)


def _truncated_year(tables: Mapping[str, pd.DataFrame]) -> int | None:
    df = tables.get("technology_shift")
    if df is None or df.empty or "truncated_2" not in df.columns:
        return None
    if not df["truncated_2"].fillna(False).astype(bool).any():
        return None
    return int(pd.to_numeric(df["first_truncated_year"], errors="coerce").min())


def missing_text(key: str, tables: Mapping[str, pd.DataFrame], lang: str) -> str | None:
    """What the store holds when section `key` has nothing to show, or None."""
    t = _t(lang)
    if key == "inventions":
        docs = tables.get("invention_documents")
        if docs is None or docs.empty or int(docs["documents"].sum()) == 0:
            return None
        types = ", ".join(
            f"{int(r.documents)} {r.doc_type}" for r in docs.itertuples() if r.documents
        )
        return t["inv_store"].format(
            docs=int(docs["documents"].sum()), types=types,
            scope=scope_text(tables, lang),
        )  # fmt: skip
    if key == "trials":
        s = tables.get("trials_summary")
        if s is None or s.empty or "store_trials" not in s.columns:
            return None
        r = s.iloc[0]
        if not r["store_trials"]:
            return None
        return t["trial_store"].format(
            store=int(r["store_trials"]), any=int(r["domain_trials_any"])
        )
    return None


def absent_text(key: str, tables: Mapping[str, pd.DataFrame], ctx: Context) -> str:
    """What the store holds when the actor is absent from section `key`."""
    s = tables.get("trials_summary")
    if key != "trials" or s is None or s.empty or "store_trials" not in s.columns:
        return ""
    r = s.iloc[0]
    return _t(ctx.lang)["trial_absent"].format(
        store=int(r["store_trials"]), any=int(r["domain_trials_any"]),
        counted=int(r["trials"]), actor=ctx.actor,
    )  # fmt: skip
