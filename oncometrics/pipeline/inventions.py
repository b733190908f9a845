"""The invention tables (patent families), when the store has patents."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from oncometrics.family_settings import invention_exprs

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from oncometrics.config import Config
    from oncometrics.domain import Domain
    from oncometrics.engine import Engine


def invention_tables(
    engine: Engine, store: str | Path, domain: Domain, config: Config
) -> dict[str, ir.Table]:
    """The invention table expressions (empty when the store has no patents)."""
    if not engine.has_data(store, "patents"):
        return {}
    from oncometrics.indicators import inventions as inv

    tables = engine.load_tables(store, inv.TABLES_NEEDED)
    return invention_exprs(tables, domain, config, cache=engine.cache)
