"""The clinical-trial tables, when the store has trials."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from oncometrics.family_settings import trial_domain, trial_settings

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from oncometrics.config import Config
    from oncometrics.domain import Domain
    from oncometrics.engine import Engine


def trial_tables(
    engine: Engine, store: str | Path, domain: Domain, config: Config
) -> dict[str, ir.Table]:
    """The trial table expressions (empty when the store has no trials)."""
    if not engine.has_data(store, "trials"):
        return {}
    from oncometrics.indicators import trials as tri

    tables = engine.load_tables(store, tri.TABLES_NEEDED)
    meta = {"domain_hash": domain.hash}
    return tri.trial_tables(
        tables,
        trial_domain(domain),
        trial_settings(config),
        meta=meta,
        cache=engine.cache,
    )
