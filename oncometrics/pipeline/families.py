"""The invention (patent family) and clinical-trial tables, when the store has them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from oncometrics.family_settings import invention_exprs, trial_exprs
from oncometrics.indicators import inventions, trials

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from oncometrics.config import Config
    from oncometrics.domain import Domain
    from oncometrics.engine import Engine

    Exprs = Callable[..., dict[str, ir.Table]]


def invention_tables(
    engine: Engine, store: str | Path, domain: Domain, config: Config
) -> dict[str, ir.Table]:
    """The invention table expressions (empty when the store has no patents)."""
    needed = inventions.TABLES_NEEDED
    return _family(engine, store, "patents", needed, invention_exprs, domain, config)


def trial_tables(
    engine: Engine, store: str | Path, domain: Domain, config: Config
) -> dict[str, ir.Table]:
    """The trial table expressions (empty when the store has no trials)."""
    needed = trials.TABLES_NEEDED
    return _family(engine, store, "trials", needed, trial_exprs, domain, config)


def _family(
    engine: Engine,
    store: str | Path,
    kind: str,
    needed: list[str],
    exprs: Exprs,
    domain: Domain,
    config: Config,
) -> dict[str, ir.Table]:
    """`exprs` of the `needed` tables; nothing when the store has no `kind`."""
    if not engine.has_data(store, kind):
        return {}
    return exprs(engine.load_tables(store, needed), domain, config, cache=engine.cache)
