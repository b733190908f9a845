"""Hand-made output tables completed to their published schemas."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from oncometrics.outputs import OUTPUTS, conform


def published(df: pd.DataFrame, name: str) -> pa.Table:
    """`df` as table `name`: its published columns, those absent from `df` null."""
    cols = {
        f.name: pa.array(df[f.name], f.type, from_pandas=True)
        if f.name in df
        else pa.nulls(len(df), f.type)
        for f in OUTPUTS[name]
    }
    return conform(name, pa.table(cols))


def write_published(df: pd.DataFrame, path: Path) -> None:
    """`df` completed to the schema of the table named by `path`, as Parquet."""
    pq.write_table(published(df, path.stem), path)
