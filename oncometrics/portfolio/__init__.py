"""The organisation's own view: units, teams and funded projects (contract §7).

* :mod:`~oncometrics.portfolio.registry` reads the unit registry, the funded
  projects and the curation decisions (CSV files, ``docs/portfolio.md``);
* :mod:`~oncometrics.portfolio.matching` maps raw affiliation strings to
  units (ROR id, lab code, name pattern, fuzzy name; curated decisions);
  :mod:`~oncometrics.portfolio.codes` reads French lab codes and cleans text;
* :mod:`~oncometrics.portfolio.centres` maps trial sites to the
  organisation's clinical centres and counts their trials (``--centres``);
* :mod:`~oncometrics.portfolio.indicators` computes unit and project
  indicators as Ibis expressions;
* :mod:`~oncometrics.portfolio.tables` materialises the output tables;
* :mod:`~oncometrics.portfolio.runner` wires them (``oncometrics portfolio``);
* :mod:`~oncometrics.portfolio.section` renders the report's portfolio section.
"""

from __future__ import annotations

from oncometrics.portfolio.matching import Match, Matcher, normalise, unit_codes
from oncometrics.portfolio.registry import (
    RegistryError,
    load_curation,
    load_grants,
    load_units,
)
from oncometrics.portfolio.runner import run_portfolio
from oncometrics.portfolio.section import portfolio_section

__all__ = [
    "Match",
    "Matcher",
    "RegistryError",
    "load_curation",
    "load_grants",
    "load_units",
    "normalise",
    "portfolio_section",
    "run_portfolio",
    "unit_codes",
]
