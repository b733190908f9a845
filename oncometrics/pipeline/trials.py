"""The clinical-trial tables, when the store has trials."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from oncometrics.family_settings import trial_exprs

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
    return trial_exprs(tables, domain, config, cache=engine.cache)
