"""Reading the indicator tables and looking things up in them.

`load_tables` reads what ``oncometrics compute`` wrote (``<table>.parquet``,
else ``<table>.csv``) into pandas frames, and refuses a published table that
lacks one of its columns (:data:`oncometrics.outputs.OUTPUTS`): the report
reads columns by their exact published names, and ranks as compute wrote
them (never re-ranked here).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from oncometrics.outputs import check_columns

#: The tables the report knows, in the order of the report and the workbook.
KNOWN_TABLES: tuple[str, ...] = (
    "publications_by_country",
    "publications_by_country_year",
    "publications_by_institution",
    "country_partners",
    "inventions_by_country",
    "inventions_by_country_year",
    "coinvention_partners",
    "inventions_by_applicant",
    "technology_mix",
    "technology_shift",
    "trials_by_country",
    "trials_by_country_year",
    "trials_by_phase",
    "trial_partners",
    "trials_by_sponsor",
)

#: The year column of each year table.
YEAR_COLUMN: dict[str, str] = {
    "publications_by_country_year": "publication_year",
    "inventions_by_country_year": "year",
    "trials_by_country_year": "start_year",
}


def load_tables(
    folder: Path, names: Sequence[str] | None = None
) -> dict[str, pd.DataFrame]:
    """Every table found in `folder` (Parquet preferred), by name.

    Tables not in `KNOWN_TABLES` are read too (they go to the workbook).
    """
    found: dict[str, pd.DataFrame] = {}
    if not folder.is_dir():
        return found
    stems = sorted(
        {p.stem for p in folder.glob("*.parquet")}
        | {p.stem for p in folder.glob("*.csv")}
    )
    order = [t for t in KNOWN_TABLES if t in stems] + [
        s for s in stems if s not in KNOWN_TABLES
    ]
    for name in order:
        if names is not None and name not in names:
            continue
        pq_path, csv_path = folder / f"{name}.parquet", folder / f"{name}.csv"
        try:
            if pq_path.exists():
                found[name] = pd.read_parquet(pq_path)
            else:
                found[name] = pd.read_csv(
                    csv_path, keep_default_na=False, na_values=[""]
                )
        except (OSError, ValueError) as exc:
            raise ValueError(
                f"{pq_path if pq_path.exists() else csv_path}: "
                f"unreadable indicator table ({exc})"
            ) from exc
        try:
            check_columns(name, found[name].columns)
        except ValueError as exc:
            raise ValueError(f"{folder / name}: {exc}") from None
    return found


def read_json(path: Path) -> dict[str, Any]:
    """A JSON object from `path`, or {} when the file is absent."""
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: unreadable JSON ({exc})") from exc
    return data if isinstance(data, dict) else {}


def has_rows(tables: Mapping[str, pd.DataFrame], name: str) -> bool:
    """True when table `name` exists and has at least one row."""
    df = tables.get(name)
    return df is not None and len(df) > 0


#: Citation-based columns: n/a when the store holds no citation counts.
IMPACT_COLUMNS: tuple[str, ...] = (
    "mncs", "mncs_lo", "mncs_hi", "tncs", "pp_top1", "pp_top10",
    "pp_top1_lo", "pp_top1_hi", "pp_top10_lo", "pp_top10_hi",
    "p_top1", "p_top10", "rank_mncs", "rank_pp_top1", "rank_pp_top10",
)  # fmt: skip


def precision(column: str) -> int:
    """Decimals a value of `column` is shown with (as a fraction for shares).

    Shares and rates are shown as percentages with one decimal (3 decimals of
    the fraction), ratios (MNCS, AI, RTA, Salton) with two, counts with one.

    >>> precision("pp_top10"), precision("mncs"), precision("p_frac")
    (3, 2, 1)
    """
    if column.startswith(("pp_", "share")) or column.endswith("_rate"):
        return 3
    if column.startswith(("mncs", "ai", "rsi", "rta", "salton", "tncs")):
        return 2
    return 1


def rounded(values: pd.Series, column: str) -> pd.Series:
    """`values` as numbers rounded to the output precision of `column`.

    Ties are decided on these: 0.1000001 and 0.0999999 are both "10.0 %".

    >>> rounded(pd.Series([0.1000001, 0.0999999]), "pp_top10").nunique()
    1
    """
    return pd.to_numeric(values, errors="coerce").round(precision(column))


def no_citations(tables: Mapping[str, pd.DataFrame]) -> bool:
    """True when ``citation_sources`` says no domain work has citation counts."""
    df = tables.get("citation_sources")
    if df is None or df.empty or "citation_source" not in df.columns:
        return False
    return bool((df["citation_source"].astype(str) == "none").all())


def without_impact(df: pd.DataFrame) -> pd.DataFrame:
    """`df` with its citation-based columns set to missing (n/a)."""
    cols = [c for c in IMPACT_COLUMNS if c in df.columns]
    return df.assign(**{c: float("nan") for c in cols}) if cols else df


def number(x: Any) -> float | None:
    """`x` as a float, None for missing/NaN."""
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def actor_row(df: pd.DataFrame, actor: str, key: str = "country") -> pd.Series | None:
    """The row of `actor` (case-insensitive code match) or None."""
    hit = df[df[key].astype(str).str.upper() == actor.upper()]
    return None if hit.empty else hit.iloc[0]


def country_rows(df: pd.DataFrame) -> pd.DataFrame:
    """Rows whose country is an ISO alpha-2 code (drops e.g. 'unassigned').

    Tables keyed by ``country_code`` (institutions) are returned unchanged.

    Examples
    --------
    >>> country_rows(pd.DataFrame({"country": ["FR", "unassigned", None]}))
      country
    0      FR
    """
    if "country" not in df.columns:
        return df
    ok = df["country"].astype("string").str.fullmatch(r"[A-Z]{2}").fillna(False)
    return df[ok.astype(bool)]
