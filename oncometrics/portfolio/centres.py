"""The organisation's clinical centres and the oncology trials run at them.

A *centres file* (CSV, ``docs/portfolio.md``) lists the organisation's
clinical investigation centres: ``centre_code``, ``name``, ``city``,
``label`` (e.g. ``CLIP²``; ``|`` separates several) and ``patterns`` (other
names, ``|``-separated).  Trial sites are stored as (facility, city,
country); each distinct facility string is matched to the centres with the
unit matcher (:class:`~oncometrics.portfolio.matching.Matcher`: name
patterns, full name, fuzzy name, curation file) and a match is kept only when
the site's city is the centre's city (a centre's name is often a hospital's,
and hospitals of one name exist in several cities).

Per centre and per label the tables give the oncology trials (the
``trial`` family's selection: domain, period, study types, statuses), the
early-phase trials (the ``early_phases`` setting), the multinational share
(sites in two or more countries), the lead-sponsor mix and the trials by
start year.  A share over no trial is n/a (null), never 0.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from oncometrics.family_settings import trial_domain, trial_settings
from oncometrics.outputs import CENTRES
from oncometrics.portfolio.matching import Matcher, normalise
from oncometrics.portfolio.registry import Decision, Unit, _split, coded_rows

if TYPE_CHECKING:
    from oncometrics.config import Config
    from oncometrics.domain import Domain
    from oncometrics.engine import Engine

CENTRE_COLUMNS = ("centre_code", "name", "city", "label", "patterns")


@dataclass(frozen=True)
class Centre:
    """One clinical centre of the organisation."""

    code: str
    name: str
    city: str = ""
    labels: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()

    def as_unit(self) -> Unit:
        """The centre as a matcher unit (name and patterns; no codes)."""
        return Unit(self.code, self.name, patterns=self.patterns)


def load_centres(path: Path | str) -> tuple[Centre, ...]:
    """The centres of a centres CSV, validated (codes unique, names present)."""
    rows = coded_rows(Path(path), CENTRE_COLUMNS, "no centres (the file is empty)")
    return tuple(
        Centre(
            code,
            name,
            row.get("city", ""),
            labels=_split(row.get("label")),
            patterns=_split(row.get("patterns")),
        )
        for _, code, name, row in rows
    )


def same_city(centre_city: str, site_city: str | None) -> bool:
    """True when the site's city is the centre's (or either is unknown).

    Whole words, accents and case aside: "Villejuif Cedex" is "Villejuif".

    >>> same_city("Villejuif", "VILLEJUIF Cedex"), same_city("Lyon", "Toulouse")
    (True, False)
    """
    a, b = normalise(centre_city or ""), normalise(site_city or "")
    return not a or not b or f" {a} " in f" {b} " or f" {b} " in f" {a} "


def match_sites(
    sites: Iterable[dict[str, Any]], centres: tuple[Centre, ...], matcher: Matcher
) -> pa.Table:
    """(facility, city, country, centre_code, method, score) per matched site.

    `sites`: distinct ``facility``/``city``/``country`` rows of ``trial_sites``.
    """
    city = {c.code: c.city for c in centres}
    rows = [
        {"facility": s["facility"], "city": s.get("city"), "country": s.get("country"),
         "centre_code": m.unit_code, "method": m.method, "score": m.score}
        for s in sites if s.get("facility")
        for m in matcher.match(s["facility"])
        if same_city(city.get(m.unit_code, ""), s.get("city"))
    ]  # fmt: skip
    return _arrow("centre_site_matches", rows)


def _arrow(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    """`rows` as a table of the published schema `name` (``outputs.py``),
    without the ``domain_hash`` the runner adds."""
    schema = CENTRES[name]
    if "domain_hash" in schema.names:
        schema = schema.remove(schema.get_field_index("domain_hash"))
    return pa.Table.from_pylist(rows, schema=schema)


def centre_tables(
    centres: tuple[Centre, ...], trials: list[dict[str, Any]]
) -> dict[str, pa.Table]:
    """The centre tables from one row per (centre, counted trial).

    `trials` rows: ``centre_code``, ``nct_id``, ``start_year``,
    ``early_phase``, ``multinational``, ``lead_sponsor_class``.
    """
    groups = _groups(centres, trials)
    names = {("centre", c.code): c for c in centres}
    summary, years, sponsors = [], [], []
    for (level, key), rows in sorted(groups.items()):
        c = names.get((level, key))
        summary.append({"level": level, "key": key,
                        "name": c.name if c else None, "city": c.city if c else None,
                        "labels": "|".join(c.labels) if c else None, **_figures(rows)})  # fmt: skip
        by_year: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
        by_class: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in rows:
            by_year[r["start_year"]].append(r)
            by_class[r["lead_sponsor_class"] or "UNKNOWN"].append(r)
        years += [{"level": level, "key": key, "start_year": y, **_figures(rs)}
                  for y, rs in sorted(by_year.items(), key=lambda kv: (kv[0] is None, kv[0]))]  # fmt: skip
        sponsors += [{"level": level, "key": key, "sponsor_class": k,
                      "trials": len(rs), "share": len(rs) / len(rows)}
                     for k, rs in sorted(by_class.items())]  # fmt: skip
    return {
        "centre_trials": _arrow("centre_trials", summary),
        "centre_trials_by_year": _arrow("centre_trials_by_year", years),
        "centre_sponsors": _arrow("centre_sponsors", sponsors),
    }


def _groups(
    centres: tuple[Centre, ...], trials: list[dict[str, Any]]
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """Distinct trials of each centre and of each label (empty groups kept)."""
    groups: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    labels = {c.code: c.labels for c in centres}
    for c in centres:
        groups[("centre", c.code)] = {}
        for label in c.labels:
            groups[("label", label)] = {}
    for r in trials:
        code = r["centre_code"]
        for key in (("centre", code), *(("label", lb) for lb in labels.get(code, ()))):
            if key in groups:
                groups[key][r["nct_id"]] = r
    return {k: list(v.values()) for k, v in groups.items()}


def _figures(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Trials, early-phase trials, multinational and industry shares of `rows`."""
    n = len(rows)
    multi = sum(1 for r in rows if r["multinational"])
    industry = sum(1 for r in rows if r["lead_sponsor_class"] == "INDUSTRY")
    return {
        "trials": n,
        "early_phase_trials": sum(1 for r in rows if r["early_phase"]),
        "multinational_trials": multi,
        "multinational_share": multi / n if n else None,
        "industry_share": industry / n if n else None,
    }


def centre_units(centres: tuple[Centre, ...]) -> tuple[Unit, ...]:
    """The centres as matcher units (for the matcher and the curation check)."""
    return tuple(c.as_unit() for c in centres)


def centre_matcher(
    centres: tuple[Centre, ...], curation: tuple[Decision, ...] = ()
) -> Matcher:
    """The unit matcher over the centres, with the curation decisions."""
    return Matcher(centre_units(centres), curation=curation)


def centre_outputs(
    engine: Engine,
    store: Path,
    centres: tuple[Centre, ...],
    matcher: Matcher,
    domain: Domain,
    config: Config,
) -> dict[str, pa.Table]:
    """Every centre table of a store (empty trial tables when it has none)."""
    if not engine.has_data(store, "trials"):
        return {**centre_tables(centres, []), "centre_site_matches": _arrow(
            "centre_site_matches", [])}  # fmt: skip
    from oncometrics.indicators import trials as tri

    t = engine.load_tables(store, ["trials", "trial_conditions", "trial_sites"])
    s = trial_settings(config)
    sites = tri.fold_sites(t["trial_sites"], s.hk_macao_to_cn)
    sites = sites.mutate(city=sites.city.fill_null(""))
    distinct = sites.select("facility", "city", "country").distinct()
    matched = match_sites(distinct.to_pyarrow().to_pylist(), centres, matcher)
    site_map = engine.upload(
        matched.select(["facility", "city", "centre_code"]),
        f"portfolio_centres_{uuid.uuid4().hex[:12]}",
    )
    counted = tri.oncology_trials(t["trials"], t["trial_conditions"],
                                  trial_domain(domain), s)  # fmt: skip
    multi = sites.group_by("nct_id").aggregate(
        multinational=sites.country.nunique() >= 2
    )
    at = sites.join(site_map, ["facility", "city"]).select("nct_id", "centre_code")
    rows = (
        at.distinct()
        .join(counted, "nct_id")
        .join(multi, "nct_id")
        .select(
            "centre_code",
            "nct_id",
            "start_year",
            "early_phase",
            "multinational",
            "lead_sponsor_class",
        )
    )
    out = centre_tables(centres, rows.to_pyarrow().to_pylist())
    out["centre_site_matches"] = matched
    return out
