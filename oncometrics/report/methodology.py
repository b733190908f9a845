"""The methodology appendix: sample size, data sources, counting rules.

Everything is computed from the indicator tables, the store's manifest and
the settings; nothing is typed in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from oncometrics.config import Config
from oncometrics.report import i18n
from oncometrics.report.tables import has_rows
from oncometrics.report.templates_text import METHOD, UI

#: Below these sizes the report carries a sample-size warning.
SMALL_SAMPLE: dict[str, int] = {
    "publications": 10_000,
    "inventions": 1_000,
    "trials": 500,
}


def total_of(df: pd.DataFrame | None, column: str) -> int:
    """Rounded sum of `column` (0 when the table or column is absent)."""
    if df is None or column not in df.columns:
        return 0
    return round(float(pd.to_numeric(df[column], errors="coerce").sum()))


def sample_counts(
    tables: Mapping[str, pd.DataFrame], manifest: Mapping[str, Any]
) -> dict[str, int]:
    """How many records each section is computed on (0 when absent)."""

    def total(table: str, column: str) -> int:
        return total_of(tables.get(table), column)

    summary = tables.get("trials_summary")
    phases = tables.get("trials_by_phase")
    if summary is not None and "trials" in summary.columns:
        trials = total_of(summary, "trials")
    elif phases is not None:
        trials = total("trials_by_phase", "trials")
    else:
        trials = (
            sum(
                int(f.get("stored", 0))
                for f in manifest.get("files", {}).values()
                if f.get("source") == "trials"
            )
            if has_rows(tables, "trials_by_country")
            else 0
        )
    publications = total("publications_by_country", "p_frac")
    una = tables.get("publications_unassigned")
    if una is not None and {"level", "p_total"} <= set(una.columns):
        publications = total_of(una[una["level"] == "country"], "p_total")
    return {
        "publications": publications,
        "inventions": total("inventions_by_country", "i_frac"),
        "trials": trials,
    }


def sample_warning(counts: Mapping[str, int], lang: str) -> str | None:
    """The small-sample sentence, or None when every part is large enough."""
    if not any(0 < counts[k] < SMALL_SAMPLE[k] for k in SMALL_SAMPLE):
        return None
    parts = [
        UI[lang][f"n_{k}"].format(n=i18n.fmt_number(counts[k], lang))
        for k in SMALL_SAMPLE
        if 0 < counts[k] < SMALL_SAMPLE[k]
    ]
    return UI[lang]["sample"].format(counts=i18n.join_list(parts, lang))


def source_rows(manifest: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Manifest files grouped by source: files, counts, first/last ingestion."""
    groups: dict[str, dict[str, Any]] = {}
    for f in manifest.get("files", {}).values():
        g = groups.setdefault(
            str(f.get("source", "?")),
            {
                "source": str(f.get("source", "?")),
                "files": 0,
                "read": 0,
                "stored": 0,
                "duplicates": 0,
                "rejected": 0,
                "dates": [],
            },
        )
        g["files"] += 1
        for k in ("read", "stored", "duplicates", "rejected"):
            g[k] += int(f.get(k, 0) or 0)
        if f.get("ingested_at"):
            g["dates"].append(str(f["ingested_at"])[:10])
    for g in groups.values():
        d = sorted(g.pop("dates"))
        g["dates"] = "" if not d else d[0] if d[0] == d[-1] else f"{d[0]} – {d[-1]}"
    return sorted(groups.values(), key=lambda g: g["source"])


def _threshold(s: Mapping[str, Any], lang: str) -> str:
    """The size threshold of ratio ranks: absolute ``min_p`` or relative."""
    if s.get("min_p") not in (None, ""):
        return i18n.fmt_number(float(s["min_p"]), lang)
    share = float(s.get("min_share") or 0.0)
    world = {"fr": "du total mondial"}.get(lang, "of the world's")
    return f"{i18n.fmt_percent(share, lang)} {world}" if share else "0"


def method_text(config: Config, domain: Mapping[str, Any], lang: str) -> dict[str, str]:
    """The counting and normalisation paragraphs with the settings filled in."""
    s = {**config.values, **domain.get("settings", {})}
    counting = str(s.get("counting", "fractional"))
    if lang == "fr":
        counting = {"fractional": "fractionnaire", "full": "entier"}.get(
            counting, counting
        )
    window = s.get("citation_window")
    fields = {
        "counting": counting,
        "min_p": _threshold(s, lang),
        "field_scheme": s.get("field_scheme", "openalex_subfield"),
        "citation_window": window or METHOD[lang]["all_citations"],
        "bootstrap": i18n.fmt_number(int(s.get("bootstrap") or 0), lang),
        "seed": s.get("seed"),
    }
    out = {k: METHOD[lang][k].format(**fields) for k in ("counting", "normalisation")}
    out["normalisation"] += _corpus_text(domain.get("corpus") or {}, lang)
    return out


def _corpus_text(corpus: Mapping[str, Any], lang: str) -> str:
    """Which reference sets, and when the citation counts were observed."""
    if not corpus:
        return ""
    only = bool(corpus.get("only_domain_works"))
    when = corpus.get("citations_observed", "n/a")
    n, n_cit = (
        corpus.get("domain_works", 0),
        corpus.get("domain_works_with_citations", 0),
    )
    n_rated = corpus.get("domain_works_rated", n_cit)
    least = corpus.get("min_reference_set", 1)
    if lang == "fr":
        sets = (
            "les ensembles de référence ne contiennent que des publications du "
            "domaine (le stock ne contient qu'elles)"
            if only
            else "les ensembles de référence couvrent tout le stock, domaine ou non"
        )
        return (
            f" Ici, {sets} ; {n_cit} des {n} publications du domaine ont des "
            f"citations, observées le {when}, dont {n_rated} dans un ensemble de "
            f"référence d'au moins {least} publications ; les autres sont "
            "exclues des indicateurs d'impact."
        )
    sets = (
        "reference sets hold only domain works (the store holds nothing else)"
        if only
        else "reference sets span the whole store, in the domain or not"
    )
    return (
        f" Here {sets}; {n_cit} of the {n} domain works have citation data, "
        f"observed {when}, {n_rated} of them in a reference set of at least "
        f"{least} works; the others are left out of the impact indicators."
    )
