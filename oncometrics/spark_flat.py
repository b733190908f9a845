"""The shared OpenAlex flattening run on Spark, a batch of parts at a time.

:func:`parse_raw` turns numbered lines (:func:`oncometrics.spark_read.numbered_lines`)
into raw works of :data:`~oncometrics.sources.openalex_flat.RAW_SCHEMA`
(Spark's ``from_json``, PERMISSIVE, with a corrupt-record column) and flags
every line the flattening cannot take exactly: not JSON, a value of the
wrong type (Spark's corrupt record), a number or list where text is expected
(Spark would turn it into text: caught on the line itself), a line longer
than ``max_record_bytes``, a line that is not one JSON object.  The checks
of :func:`~oncometrics.sources.openalex_flat.clean` are applied by
:func:`file_facts`; a file with any flagged record goes to the Python parser
(:mod:`oncometrics.ingest_spark`), which rejects records with their reasons.
:func:`write_tables` runs :func:`~oncometrics.sources.openalex_flat.flatten`
on the clean files and writes each table as Parquet partitioned by file.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.datatypes as dt

from oncometrics.schema import TABLES
from oncometrics.sources import openalex_flat as of
from oncometrics.sources.base import input_limits
from oncometrics.spark_read import file_url

_CORRUPT = "_corrupt"
#: Lines kept in the raw table besides flagged ones: the first ones of each
#: file (its shape is checked on the first non-blank line).
FIRST_LINES = 16
#: JSON reading options: as strict as the Python reader (orjson).
JSON_OPTIONS = {
    "mode": "PERMISSIVE",
    "columnNameOfCorruptRecord": _CORRUPT,
    "allowSingleQuotes": "false",
    "allowNonNumericNumbers": "false",
    "allowNumericLeadingZeros": "false",
    "allowUnquotedFieldNames": "false",
    "allowComments": "false",
}
_VALUE_START = r'[^"n\s]'  # a JSON value that is neither text nor null
_STRING = r'"(?:[^"\\]|\\.)*"'


def _string_fields(t: dt.DataType, into: set[str], arrays: set[str], name: str) -> None:
    """Names of text fields (`into`) and of lists of text (`arrays`) in `t`."""
    if t.is_string():
        into.add(name)
    elif t.is_struct():
        for k, v in t.items():  # type: ignore[attr-defined]
            _string_fields(v, into, arrays, k)
    elif t.is_array():
        value = t.value_type  # type: ignore[attr-defined]
        if value.is_string():
            arrays.add(name)
        else:
            _string_fields(value, into, arrays, name)


def not_text_pattern() -> str:
    """A regex matching a line where a text field (or text list) holds a non-text.

    It looks at every key of that name at any depth: it may flag a line the
    Python parser accepts (the file then goes to the Python parser), never
    the reverse, except for keys written with escapes (``"ti\\u0074le"``).
    """
    text: set[str] = set()
    lists: set[str] = set()
    for name, t in of.RAW_WORK.items():
        _string_fields(dt.dtype(t), text, lists, name)
    keys = "|".join(sorted(map(re.escape, text)))
    lkeys = "|".join(sorted(map(re.escape, lists)))
    scalar = rf'"(?:{keys})"\s*:\s*{_VALUE_START}'
    element = rf'"(?:{lkeys})"\s*:\s*\[\s*(?:(?:{_STRING}|null)\s*,\s*)*[^"n\s\]]'
    return f"{scalar}|{element}"


def spark_raw_schema() -> Any:
    """RAW_WORK as a Spark struct, plus the corrupt-record column."""
    from ibis.backends.pyspark.datatypes import PySparkSchema
    from pyspark.sql import types as T

    struct = PySparkSchema.from_ibis(ibis.schema(of.RAW_WORK))
    return T.StructType([*struct.fields, T.StructField(_CORRUPT, T.StringType())])


def parse_raw(lines: Any, names: Any) -> Any:
    """Raw works of numbered `lines` with ``blank`` and ``bad`` flags.

    `names`: a DataFrame ``(fi, ingest_file)``.  Columns: ``fi``, ``blank``,
    ``bad``, ``line`` (kept for flagged lines only), the RAW_SCHEMA fields.
    """
    from pyspark.sql import functions as F

    limit = input_limits().record_bytes
    line = F.col("line")
    blank = line.rlike(r"^[ \t\r\n]*$")
    parsed = F.from_json(line, spark_raw_schema(), JSON_OPTIONS)
    bad = (
        F.col("r").isNull()
        | F.col(f"r.{_CORRUPT}").isNotNull()
        | ~line.rlike(r"^[ \t\r\n]*\{(?s:.*)\}[ \t\r\n]*$")
        # two objects on one line: Spark reads the first, Python rejects the
        # line (in valid JSON "}{" occurs only inside text: then the file
        # merely goes to the Python parser)
        | line.rlike(r"\}[ \t\r\n]*\{")
        | (F.octet_length(line) > limit)
        | line.rlike(not_text_pattern())
    )
    df = lines.select("fi", "rn", "line", blank.alias("blank"))
    df = df.withColumn("r", F.when(~F.col("blank"), parsed))
    df = df.withColumn("bad", ~F.col("blank") & bad)
    fields = [F.col(f"r.{f}").alias(f) for f in of.RAW_WORK]
    df = df.join(F.broadcast(names), "fi")
    return df.select(
        "fi",
        "blank",
        "bad",
        F.when(F.col("bad") | (F.col("rn") <= FIRST_LINES), line).alias("line"),
        *fields,
        "ingest_file",
        F.col("rn").alias("record_no"),
    )


def file_facts(con: Any, raw_path: str) -> dict[int, dict[str, Any]]:
    """Per file index: records read, whether all are clean, its first record.

    ``first`` is the text of the first non-blank line, for the checks of
    the file's shape (None when it is not among the first FIRST_LINES).
    """
    session = con._session
    raw = con.read_parquet(raw_path)
    ok = of.clean(raw)
    t = raw.filter(~raw.blank).mutate(_ok=ok & ~raw.bad)
    agg = t.group_by("fi").agg(
        n=t.count(), all_ok=t._ok.all(), first=t.line.argmin(t.record_no)
    )
    facts: dict[int, dict[str, Any]] = {}
    for row in session.sql(con.compile(agg)).collect():
        facts[int(row["fi"])] = {
            "read": int(row["n"]),
            "clean": bool(row["all_ok"]),
            "first": row["first"],
        }
    return facts


def write_tables(
    con: Any,
    raw_path: str,
    names: Any,
    files: list[int],
    out: Path,
    country: Any,
    log: Any = None,
) -> None:
    """Flatten the records of `files` in the raw Parquet; write ``out/<table>/fi=N``.

    `names`: the Spark DataFrame ``(fi, ingest_file)``.  The children are
    written first; ``works`` then counts their written rows for its
    richness (instead of computing every child table a second time).
    """
    session = con._session
    raw = con.read_parquet(raw_path)
    raw = raw.filter(~raw.blank & raw.fi.isin(files))
    aff = _affiliations(con, raw, country)
    tables = of.flatten(raw, aff)
    by_name = names.withColumnRenamed("ingest_file", "_file")
    children = {}
    for name, expr in tables.items():
        if name == "works":
            continue
        t0 = time.perf_counter()
        _write(session.sql(con.compile(expr)), by_name, out, name)
        if log is not None:
            log(f"spark: {name} flattened in {time.perf_counter() - t0:.1f} s")
        t = con.read_parquet(str(out / name))
        children[name] = t.select(_rec=t._rec, fi=t.fi.cast("int32"))
    fi_names = con.read_parquet(_names_parquet(session, names, out))
    children = {
        k: t.join(fi_names, "fi").select(_file=fi_names.ingest_file, _rec=t._rec)
        for k, t in children.items()
    }
    works = of.works_table(raw, children)
    _write(session.sql(con.compile(works)), by_name, out, "works")


def _names_parquet(session: Any, names: Any, out: Path) -> str:
    path = out / "_names"
    names.write.mode("overwrite").parquet(file_url(path))
    return str(path)


def _affiliations(con: Any, raw: Any, country: Any) -> Any:
    """The parsed countries of the affiliation strings that need one (or None)."""
    if country is None:
        return None
    session = con._session
    texts = [
        r[0] for r in session.sql(con.compile(of.affiliations_to_parse(raw))).collect()
    ]
    cols = of.parse_affiliations(texts, country)
    import pyarrow as pa

    table = pa.table(cols, schema=of.AFF_SCHEMA.to_pyarrow())
    from oncometrics.engine import Engine

    return Engine(con).upload(table, "oncometrics_aff_countries")


def _write(df: Any, by_name: Any, out: Path, name: str) -> None:
    """The rows of `df` cast to table `name`'s columns, plus ``_rec``, by file."""
    from pyspark.sql import functions as F

    df = df.join(F.broadcast(by_name), "_file")
    cols = [F.col(f.name).cast(_spark_type(f.type)) for f in TABLES[name]]
    df.select(*cols, F.col("_rec").cast("long"), "fi").write.mode(
        "overwrite"
    ).partitionBy("fi").parquet(file_url(out / name))


def _spark_type(t: Any) -> str:
    import pyarrow as pa

    return {pa.string(): "string", pa.int32(): "int", pa.int64(): "long",
            pa.float64(): "double", pa.bool_(): "boolean"}[t]  # fmt: skip
