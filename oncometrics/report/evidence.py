"""What a statement is: its context, its sentence and its evidence.

:class:`Context` says which actor, language, period and store a statement
is about; :class:`Statement` carries the sentence and everything needed to
check it (contract section 8).  `actor_fields` gives the grammatical forms
of the actor that the sentence templates use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypedDict

import pandas as pd

from oncometrics.report import i18n
from oncometrics.report.templates_text import VERBS_FR, WORDS

Log = Callable[[str], None]


class About(TypedDict):
    """The evidence a statement takes from its context (:meth:`Context.about`)."""

    actor: str
    period: str
    domain_hash: str | None
    command: str


@dataclass(frozen=True)
class Context:
    """What the statements are about and how to word them."""

    actor: str
    lang: str = "en"
    period: str | None = None  # "2016-2020" as given to the CLI
    domain_hash: str | None = None
    store: str = "STORE"
    min_p: float = 0.0
    periods: str | None = None  # "2002-2011,2012-2021" (technology shift)
    indicators: str | None = None  # folder of the tables (default STORE/indicators)
    settings: str | None = None  # the tables' settings.toml (all resolved settings)

    @property
    def indicators_dir(self) -> str:
        """Where the tables are, as the user named it."""
        return self.indicators or f"{self.store}/indicators"

    def source(self, table: str) -> str:
        """A table's CSV file as a quoted DuckDB source."""
        return f"'{self.indicators_dir}/{table}.csv'"

    @property
    def period_text(self) -> str:
        """The period for a sentence: '2016–2020' or 'all years'."""
        if not self.period:
            return WORDS[self.lang]["all_years"]
        return str(self.period).replace("-", "–")

    def about(self, period: str | None = None, domain_hash: str | None = None) -> About:
        """The evidence every statement about the actor shares: the actor, the
        period (default :attr:`period_text`), the domain hash (default the
        context's) and the :attr:`command` that reproduces it."""
        return About(
            actor=self.actor,
            period=self.period_text if period is None else period,
            domain_hash=self.domain_hash if domain_hash is None else domain_hash,
            command=self.command,
        )

    @property
    def command(self) -> str:
        """Shell command that recomputes the tables and this report.

        With the tables' ``settings.toml`` both commands read every setting
        from it (``--period``, ``--periods``, ``--by``… are never dropped).
        """
        if self.settings:
            ind = f" --out {self.indicators}" if self.indicators else ""
            src = f" --indicators {self.indicators}" if self.indicators else ""
            cfg = f" --config {self.settings}"
            return (
                f"oncometrics compute --store {self.store}{cfg}{ind} && "
                f"oncometrics report --store {self.store}{cfg}{src} "
                f"--actor {self.actor} --lang {self.lang}"
            )
        p = f" --period {self.period}" if self.period else ""
        return (
            f"oncometrics compute --store {self.store}{p} && oncometrics report "
            f"--store {self.store} --actor {self.actor}{p} --lang {self.lang}"
        )


@dataclass(frozen=True)
class Statement:
    """One headline sentence and its evidence."""

    key: str
    section: str  # publications | inventions | trials
    text: str
    indicator: str
    actor: str
    value: float | None
    value_text: str
    rank: int | None
    n_ranked: int | None
    period: str
    domain_hash: str | None
    table: str
    row: str
    column: str
    command: str
    interval: tuple[float, float] | None = None
    robust: bool | None = None  # None: no stability interval to judge by
    query: str = ""  # DuckDB SQL over the table's CSV that gives value and rank
    details: dict[str, Any] = field(default_factory=dict)


def row_hash(row: pd.Series) -> str | None:
    """The domain hash a table row carries (None: it has none)."""
    own = row.get("domain_hash")
    return str(own) if own is not None and not pd.isna(own) else None


def actor_fields(name: i18n.CountryName, lang: str) -> dict[str, str]:
    """Subject, "of" form and French verbs agreeing with the actor."""
    fields = {"Actor": i18n.capitalise(name.subject), "of_actor": name.of}
    for verb, (one, many) in VERBS_FR.items():
        fields[verb] = many if name.plural else one
    return fields
