"""The country table from the OpenAlex JSON, the plain pandas way.

The other side of ``bench/bench_end_to_end.py`` (issue 17): what an analyst
would write without oncometrics.  It reads the gzipped JSON Lines parts of
an OpenAlex snapshot folder (``data/works/updated_date=…/part_NNN.gz``) one
line at a time with ``json.loads``, keeps only the fields the country table
needs, in columns of plain lists turned into a DataFrame every
``--chunk`` works, then computes the table with the functions of
``bench/baseline_pandas.py`` (``country_table``), so that only the reading
differs from the store-based baseline.  One process, no multiprocessing.
``--reader read_json`` reads with ``pd.read_json(lines=True, chunksize=…)``
and ``explode`` instead, the same frames; it costs about twice the CPU of
the default (20,000 works: 7.3 against 3.6 CPU-seconds), so the default is
the baseline of the benchmark.

What is read, per work (the rules of ``oncometrics.sources.openalex_work``
that matter for this table):

* ``works``: the id's last path segment (``W…``), ``type`` (Crossref-era
  names mapped as by the parser), ``publication_year``, ``cited_by_count``,
  the primary topic's subfield;
* ``work_subjects``: the MeSH descriptors and the primary topic (id and
  name), the two signals of the cancer domain found in OpenAlex records;
* ``authorship_countries``: per authorship (numbered from 1 in record
  order) its distinct ``countries``, or else its institutions' country codes;
  Hong Kong and Macao counted as China.  Authorships with neither get no
  country: unlike the parser, the raw affiliation strings are not parsed
  for a country name (the generated worlds have none to parse).

A work found in several files is kept once, in its most recently updated
version (``updated_date``; the last file read on a tie).  No record is
checked: the input is trusted.

Usage::

    python bench/baseline_pandas_e2e.py WORLD [--out country.csv] [--reader read_json]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from baseline_pandas import (
    COUNTRY_COLUMNS,
    SUBJECT_COLUMNS,
    WORK_COLUMNS,
    country_table,
)

TYPES = {
    "journal-article": "article",
    "proceedings-article": "article",
    "posted-content": "preprint",
    "book-part": "book-chapter",
    "book-section": "book-chapter",
}
FOLD = {"HK": "CN", "MO": "CN"}
#: The fields read (``--reader read_json``).
FIELDS = [
    "id",
    "type",
    "publication_year",
    "cited_by_count",
    "primary_topic",
    "updated_date",
    "mesh",
    "authorships",
]


def tail(url: str | None) -> str | None:
    """'https://openalex.org/W123' -> 'W123' (None stays None)."""
    return url.rsplit("/", 1)[-1] if url else None


def part_files(world: Path) -> list[Path]:
    """The snapshot's work parts, oldest partition first (or `world` itself)."""
    if world.is_file():
        return [world]
    return sorted(world.rglob("part_*.gz"))


def countries_of(a: dict[str, Any]) -> list[str]:
    """An authorship's distinct countries (listed, else its institutions')."""
    codes = a.get("countries") or [
        i.get("country_code") for i in a.get("institutions") or []
    ]
    out: list[str] = []
    for c in codes:
        c = FOLD.get(c, c)
        if c and c not in out:
            out.append(c)
    return out


def append(columns: dict[str, list[Any]], *values: Any) -> None:
    """Add one row to `columns` (values in column order)."""
    for col, value in zip(columns.values(), values, strict=True):
        col.append(value)


class Columns:
    """Plain lists of column values, one dict per output table."""

    def __init__(self) -> None:
        self.works: dict[str, list[Any]] = {
            c: [] for c in [*WORK_COLUMNS, "updated", "v"]
        }
        self.subjects: dict[str, list[Any]] = {c: [] for c in [*SUBJECT_COLUMNS, "v"]}
        self.countries: dict[str, list[Any]] = {c: [] for c in [*COUNTRY_COLUMNS, "v"]}

    def add(self, w: dict[str, Any], v: int) -> None:
        """Flatten one work; `v` numbers the records read (a work's version)."""
        wid = tail(w["id"])
        pt = w.get("primary_topic") or {}
        t = w.get("type")
        doc_type = TYPES.get(t, t) if t else None
        sub = tail((pt.get("subfield") or {}).get("id"))
        year, cites = w.get("publication_year"), w.get("cited_by_count")
        append(self.works, wid, doc_type, year, cites, sub, w.get("updated_date"), v)
        for m in w.get("mesh") or []:
            ui, name = m.get("descriptor_ui"), m.get("descriptor_name")
            append(self.subjects, wid, "mesh", ui, name, None, v)
        if pt.get("id"):
            topic, name = tail(pt["id"]), pt.get("display_name")
            append(self.subjects, wid, "openalex_topic", topic, name, True, v)
        for pos, a in enumerate(w.get("authorships") or [], 1):
            for code in countries_of(a):
                append(self.countries, wid, pos, code, v)

    def frames(self) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """The three DataFrames (typed as in the store)."""
        works = pd.DataFrame(self.works)
        for col in ("publication_year", "cited_by_count"):
            works[col] = works[col].astype("Int64")
        subjects = pd.DataFrame(self.subjects)
        subjects["is_primary"] = subjects.is_primary.astype("boolean")
        return works, subjects, pd.DataFrame(self.countries)


def chunks(files: list[Path], size: int) -> Iterator[tuple[pd.DataFrame, ...]]:
    """The flattened frames of every `size` works read, file after file."""
    cols, n = Columns(), 0
    for f in files:
        with gzip.open(f, "rt", encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    cols.add(json.loads(line), n)
                    n += 1
                    if n % size == 0:
                        yield cols.frames()
                        cols = Columns()
    if n % size:
        yield cols.frames()


def chunks_read_json(
    files: list[Path], size: int
) -> Iterator[tuple[pd.DataFrame, ...]]:
    """The same frames with ``pd.read_json(lines=True, chunksize=…)`` and
    ``explode`` instead of a loop over the records (``--reader read_json``)."""
    v0 = 0
    for f in files:
        with pd.read_json(f, lines=True, chunksize=size, dtype=False) as reader:
            for df in reader:
                yield _frames_of(df, v0)
                v0 += len(df)


def _frames_of(df: pd.DataFrame, v0: int) -> tuple[pd.DataFrame, ...]:
    """works, subjects, countries of one chunk read by ``pd.read_json``."""
    df = df.reindex(columns=FIELDS)  # a field absent from the whole chunk: NaN
    df = df.assign(
        v=range(v0, v0 + len(df)), work_id=df["id"].str.rsplit("/", n=1).str[-1]
    )
    pt = df["primary_topic"].map(lambda t: t if isinstance(t, dict) else {})
    return _works_of(df, pt), _subjects_of(df, pt), _countries_of(df)


def _works_of(df: pd.DataFrame, pt: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "work_id": df.work_id,
            "doc_type": df["type"].map(lambda t: TYPES.get(t, t)),
            "publication_year": df["publication_year"].astype("Int64"),
            "cited_by_count": df["cited_by_count"].astype("Int64"),
            "primary_subfield_id": pt.map(
                lambda t: tail((t.get("subfield") or {}).get("id"))
            ),
            "updated": df["updated_date"],
            "v": df.v,
        }
    )


def _subjects_of(df: pd.DataFrame, pt: pd.Series) -> pd.DataFrame:
    mesh = df[["work_id", "v", "mesh"]].explode("mesh").dropna(subset=["mesh"])
    mesh = pd.DataFrame(
        {
            "work_id": mesh.work_id,
            "scheme": "mesh",
            "code": mesh["mesh"].map(lambda m: m.get("descriptor_ui")),
            "label": mesh["mesh"].map(lambda m: m.get("descriptor_name")),
            "is_primary": None,
            "v": mesh.v,
        }
    )
    has = pt.map(lambda t: bool(t.get("id")))
    topics = pd.DataFrame(
        {
            "work_id": df.work_id[has],
            "scheme": "openalex_topic",
            "code": pt[has].map(lambda t: tail(t["id"])),
            "label": pt[has].map(lambda t: t.get("display_name")),
            "is_primary": True,
            "v": df.v[has],
        }
    )
    subjects = pd.concat([mesh, topics], ignore_index=True)
    subjects["is_primary"] = subjects.is_primary.astype("boolean")
    return subjects


def _countries_of(df: pd.DataFrame) -> pd.DataFrame:
    a = df[["work_id", "v", "authorships"]].explode("authorships")
    a["author_position"] = a.groupby("v").cumcount() + 1
    a = a.dropna(subset=["authorships"])
    a["country"] = a["authorships"].map(countries_of)
    a = a.explode("country").dropna(subset=["country"])
    countries = a[["work_id", "author_position", "country", "v"]]
    return countries.reset_index(drop=True)


def read_world(
    world: Path, chunk: int = 100_000, reader: str = "json"
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """works, subjects, authorship countries of the snapshot at `world`
    (`reader`: ``json`` or ``read_json``)."""
    read = chunks if reader == "json" else chunks_read_json
    parts = list(read(part_files(world), chunk))
    works, subjects, countries = (
        pd.concat([p[i] for p in parts], ignore_index=True) for i in range(3)
    )
    # one version per work: the latest update (the last one read on a tie);
    # the rows of the older versions go too
    latest = works.sort_values(["updated", "v"], na_position="first")
    latest = latest.drop_duplicates("work_id", keep="last")
    if len(latest) < len(works):
        subjects = subjects[subjects.v.isin(latest.v)]
        countries = countries[countries.v.isin(latest.v)]
    return latest.drop(columns=["updated", "v"]), subjects, countries


def publications_by_country(
    world: Path | str, chunk: int = 100_000, reader: str = "json"
) -> pd.DataFrame:
    """The country table of the snapshot at `world` (settings of the
    store-based baseline's defaults)."""
    works, subjects, countries = read_world(Path(world), chunk, reader)
    return country_table(works, subjects, countries)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Country table from OpenAlex JSON.")
    ap.add_argument("world", type=Path, help="snapshot folder (or one part)")
    ap.add_argument("--out", type=Path, default=None, help="write the table as CSV")
    ap.add_argument("--chunk", type=int, default=100_000, help="works per frame")
    ap.add_argument(
        "--reader",
        choices=("json", "read_json"),
        default="json",
        help="json.loads per line (default) or pd.read_json + explode",
    )
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    works, subjects, countries = read_world(a.world, a.chunk, a.reader)
    t1 = time.perf_counter()
    table = country_table(works, subjects, countries)
    t2 = time.perf_counter()
    if a.out:
        table.to_csv(a.out, index=False)
    print(table.head(10).to_string(index=False))
    print(
        f"{len(works):,} works read in {t1 - t0:.1f} s, {len(table)} countries "
        f"in {t2 - t1:.1f} s, P_frac total {table.p_frac.sum():,.1f}"
    )
    print(json.dumps({"read_s": t1 - t0, "table_s": t2 - t1, "works": len(works)}))


if __name__ == "__main__":
    main()
