"""From the settings to the plain values of the invention and trial indicators.

The indicators never read :class:`~oncometrics.config.Config` (issue 13): the
runner calls these functions and hands the indicators plain dataclasses.
:func:`figure_settings` lists what these families add to ``domain.json``
and to the hash of every figure-changing setting.
"""

from __future__ import annotations

from typing import Any

from oncometrics.config import Config, parse_period
from oncometrics.domain import Domain, norm_code
from oncometrics.domain_patents import VERSION, PatentDomain
from oncometrics.indicators.inventions import InventionSettings, invention_tables
from oncometrics.indicators.lags import publication_lags
from oncometrics.indicators.output import Cache, Tables, tagged
from oncometrics.indicators.technology import shift_periods
from oncometrics.indicators.trials import TrialDomain, TrialSettings, trial_tables

#: Settings of these families that change a figure (covered by the hash).
FIGURE_SETTINGS = (
    "patent_codes",
    "patent_generic_codes",
    "patent_cancer_keywords",
    "patent_keywords",
    "family_scope",
    "by",
    "periods",
    "trial_keywords",
    "trial_study_types",
    "trial_excluded_statuses",
    "early_phases",
    "hk_macao_to_cn",
)


def patent_domain(config: Config) -> PatentDomain:
    """The two-tier cancer patent domain of the settings."""
    return PatentDomain(
        specific_codes=tuple(norm_code(c) for c in config.patent_codes),
        generic_codes=tuple(norm_code(c) for c in config.patent_generic_codes),
        keywords=tuple(k.lower() for k in config.patent_cancer_keywords),
        title_keywords=tuple(k.lower() for k in config.patent_keywords),
        everything=config.domain == "all",
    )


def parse_periods(text: str | None) -> tuple[tuple[int, int], tuple[int, int]] | None:
    """``"2002-2011,2012-2021"`` -> ``((2002, 2011), (2012, 2021))``."""
    if not text:
        return None
    parts = [p.strip() for p in str(text).split(",") if p.strip()]
    spans = [parse_period(p) for p in parts]
    if len(spans) != 2 or None in spans:
        raise ValueError(f"bad periods {text!r}: expected 'A-B,C-D'")
    return spans[0], spans[1]  # type: ignore[return-value]


def invention_settings(
    config: Config, first_truncated_year: int | None = None
) -> InventionSettings:
    """The invention settings; `first_truncated_year` from the lag table."""
    period = parse_period(config.period)
    given = parse_periods(config.periods)
    return InventionSettings(
        period=period,
        shift=shift_periods(period, given, first_truncated_year),
        by=str(config.by),
        min_p=float(config.min_p or 0.0),  # None: publications' relative default
        family_scope=str(config.family_scope),
        hk_macao_to_cn=bool(config.hk_macao_to_cn),
        first_truncated_year=first_truncated_year,
    )


def trial_domain(domain: Domain) -> TrialDomain:
    """The trial selection of `domain` (MeSH tree and condition keywords)."""
    return TrialDomain(
        mesh_ids=domain.mesh_descriptors,
        keywords=domain.trial_keywords,
        everything=domain.is_everything,
    )


def trial_settings(config: Config) -> TrialSettings:
    """The trial settings (period, filters, early phases, HK/MO folding)."""
    return TrialSettings(
        period=parse_period(config.period),
        study_types=tuple(str(x).upper() for x in config.trial_study_types),
        excluded_statuses=tuple(str(x).upper() for x in config.trial_excluded_statuses),
        early_phases=tuple(str(x).upper() for x in config.early_phases),
        hk_macao_to_cn=bool(config.hk_macao_to_cn),
    )


def figure_settings(config: Config) -> dict[str, Any]:
    """These families' figure-changing settings, for ``domain.json``."""
    out: dict[str, Any] = {"patent_domain_version": VERSION}
    for name in FIGURE_SETTINGS:
        v = getattr(config, name)
        out[name] = list(v) if isinstance(v, tuple) else v
    return out


def invention_exprs(
    tables: Tables, domain: Domain, config: Config, *, cache: Cache | None = None
) -> Tables:
    """The invention tables of `config`, with ``invention_lags``.

    The lag table is computed first (one small aggregate): its earliest
    ``first_truncated_year`` over the ingested sources flags the shift and
    keeps the default ``periods`` clear of the truncated years.
    """
    lags = publication_lags(tables["patents"])
    years = [
        y for y in lags.first_truncated_year.to_pyarrow().to_pylist() if y is not None
    ]
    settings = invention_settings(config, min(years) if years else None)
    meta = {"domain": domain.name, "domain_hash": domain.hash}
    out = invention_tables(
        tables, patent_domain(config), settings, meta=meta, cache=cache
    )
    out["invention_lags"] = tagged(lags, meta).order_by("source")
    return out


def trial_exprs(
    tables: Tables, domain: Domain, config: Config, *, cache: Cache | None = None
) -> Tables:
    """The trial tables of `config`."""
    return trial_tables(
        tables,
        trial_domain(domain),
        trial_settings(config),
        meta={"domain_hash": domain.hash},
        cache=cache,
    )


__all__ = [
    "FIGURE_SETTINGS",
    "figure_settings",
    "invention_exprs",
    "invention_settings",
    "parse_periods",
    "patent_domain",
    "trial_domain",
    "trial_exprs",
    "trial_settings",
]
