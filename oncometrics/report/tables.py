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
