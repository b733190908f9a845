"""The bulk ingest (DuckDB + the Ibis flattening) gives the Python parser's store.

Parity: the same files ingested with ``ONCOMETRICS_BULK_INGEST`` off and on
give the same store tables (sorted, row by row), the same counts per file
and the same quarantine.  The files mix generated works (bench world), real
OpenAlex samples, hand-written works exercising each mapping rule of
``openalex_work`` (DOI prefixes, PMIDs, type aliases, HK/MO, the country
sources, MeSH merge, topics, grants de-duplication…) and files with bad
records, which must go whole to the Python parser.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from oncometrics.schema import DERIVED, TABLES
from oncometrics.sources import openalex_bulk
from oncometrics.sources.openalex import _affiliation_parser
from oncometrics.store import Store
from tests.bench_scripts import load

DATA = Path(__file__).parent / "data" / "openalex"
OA = "https://openalex.org/"


def _w(n: int, **fields: Any) -> dict[str, Any]:
    return {"id": f"{OA}W{n}", "publication_year": 2020, **fields}


def _inst(i: str | None, cc: str | None, **more: Any) -> dict[str, Any]:
    return {"id": i and f"{OA}{i}", "country_code": cc, "display_name": f"Inst {i}",
            "type": "education", **more}  # fmt: skip


#: Clean works exercising each rule of ``openalex_work`` (bulk must take them).
# fmt: off
QUIRKS: list[dict[str, Any]] = [
    _w(1, doi="https://doi.org/10.1/ABC", ids={"pmid": "https://pubmed.ncbi.nlm.nih.gov/123"},
       type="journal-article", title="", display_name="Shown name",
       updated_date="2025-01-02T03:04:05", language="en"),
    _w(2, doi="HTTPS://DOI.ORG/10.2/X", ids={"pmid": "12a3"}, type="posted-content",
       title="T2", publication_date="2020-02-02"),
    _w(3, doi="", ids={"doi": "doi:10.3/y", "pmid": "abc"}, type="", title=None,
       display_name=""),
    _w(4, doi="http://dx.doi.org/doi:10.4/Z", type="review", cited_by_count=0,
       publication_year=None),
    _w(5, authorships=[
        {"author": {"id": f"{OA}A1", "display_name": "Ann"}, "countries": ["HK", "FR", "HK"],
         "institutions": [_inst("I1", "HK"), _inst(None, "MO", ror="https://ror.org/0abc")],
         "is_corresponding": True, "raw_affiliation_strings": ["Hong Kong Univ, Hong Kong", ""]},
        {"author": {"id": None, "display_name": ""}, "raw_author_name": "Bob",
         "countries": [], "institutions": [_inst("I2", "DE"), _inst("I3", ""), _inst("I4", "DE")],
         "raw_affiliation_strings": ["Somewhere"]},
        {"author": {"display_name": "Cy"}, "institutions": [],
         "raw_affiliation_strings": ["Dept of Oncology, Lyon, France", "Paris, France"]},
        {"author": {}, "raw_affiliation_string": "Univ of Tokyo, Tokyo, Japan"},
        {"author": {"display_name": "Di"}, "countries": [""], "institutions": [_inst("I1", "HK")],
         "raw_affiliation_strings": None, "is_corresponding": None},
        {"author": {"id": f"{OA}"}, "institutions": [_inst(None, None)],
         "raw_affiliation_strings": ["Kowloon, Hong Kong"]},
    ]),
    _w(6, mesh=[{"descriptor_ui": "D1", "descriptor_name": "One", "is_major_topic": False},
                {"descriptor_ui": "D1", "descriptor_name": "One again", "is_major_topic": True},
                {"descriptor_ui": "D2", "descriptor_name": "Two", "is_major_topic": None},
                {"descriptor_ui": "", "descriptor_name": "None"}],
       primary_topic={"id": f"{OA}T9", "display_name": "Topic 9", "score": 0.5,
                      "subfield": {"id": f"{OA}subfields/2730", "display_name": "Onc"},
                      "field": {"id": f"{OA}fields/27", "display_name": "Med"}},
       topics=[]),
    _w(7, primary_topic={"id": f"{OA}T1", "display_name": "T", "score": 1,
                         "subfield": {"id": ""}, "field": None},
       topics=[{"id": f"{OA}T2", "display_name": "Two", "score": 0.25},
               {"id": f"{OA}T1", "display_name": "One", "score": 1},
               {"id": "", "display_name": "none"}]),
    _w(8, primary_topic={"id": f"{OA}", "subfield": {"id": f"{OA}subfields/1"}}),
    _w(9, grants=[{"funder": f"{OA}F1", "funder_display_name": "F one", "award_id": " ab-12 "},
                  {"funder": f"{OA}F1", "funder_display_name": "F dup", "award_id": "AB12"},
                  {"funder": None, "award_id": "x 9"}, {"funder": "", "award_id": " "},
                  {"funder": f"{OA}F3", "award_id": None}],
       awards=[{"funder_id": f"{OA}F2", "funder_display_name": "F two", "funder_award_id": "Z1"},
               None, {"funder_id": f"{OA}F1", "funder_award_id": "ab 12"}],
       funders=[{"id": f"{OA}F1", "display_name": "F one"}, {"id": f"{OA}F4", "display_name": "F4"},
                {"id": f"{OA}F4", "display_name": "F4 again"}, None, {"id": ""}, {"id": f"{OA}"}]),
    _w(10, funders=[{"id": f"{OA}F5", "display_name": "Only funder"}], grants=[], awards=None),
    _w(11, referenced_works=[f"{OA}W1", "", None, f"{OA}W2"],
       counts_by_year=[{"year": 2021, "cited_by_count": 3}, {"year": 2020, "cited_by_count": None}],
       primary_location={"source": {"display_name": "J"}}, cited_by_count=3),
    _w(1, title="Duplicate of W1, poorer"),
    _w(12, authorships=[{"author": {"display_name": "Ed"}, "institutions": [_inst("I1", "HK")]}]),
    {"id": "W13", "publication_year": 1800, "title": "bare id, first year"},
]
# fmt: on

#: One bad record each: the file goes whole to the Python parser.
BAD_LINES = [
    '{"id": "https://openalex.org/W900", "publication_year": "2020"}',
    '{"id": "https://openalex.org/W901", "title": 5}',
    '{"id": "https://openalex.org/W902", "authorships": {"a": 1}}',
    '{"id": "https://openalex.org/W903", "publication_year": 2020.0}',
    "not json at all",
    '{"id": "https://openalex.org/W904", "cited_by_count": -1}',
    '{"id": "https://openalex.org/W905", "counts_by_year": [{"year": 1700}]}',
    '{"id": "https://openalex.org/W906", "title": "trailing comma",}',
    '{"id": "https://openalex.org/W907", "topics": [{"id": "x", "score": NaN}]}',
    '{"id": "https://openalex.org/A908"}',
    '{"id": "https://openalex.org/W909", "authorships": [null]}',
    '{"id": "https://openalex.org/W910", "is_corresponding": 1, "authorships": '
    '[{"is_corresponding": "yes"}]}',
    '{"id": "https://openalex.org/W911", "doi": "10.1/\u00e9"}',
    "",
]

#: Lines the Python parser reads (or rejects) that pyarrow's JSON reader would
#: take otherwise: the file goes whole to the Python parser.
DOUBT_LINES = [
    '{"id": "https://openalex.org/W912", "title": "CRLF"}\r',
    '{"id": "https://openalex.org/W913"}{"id": "https://openalex.org/W914"}',
    '{"id": "https://openalex.org/W915", "authorships": [{"institutions": '
    '[{"id": "I1"}, {"id": "I2", "country_code": 33}]}]}',
    '{"id": "https://openalex.org/W916", "a":\n{"b": 1}}{"id": "https://openalex.org/W919"}',
    '{"id": "https://openalex.org/W917", "concepts": [{"score": Inf}]}',
    '{"id": "https://openalex.org/W918", "topics": [{"id": "T1", "score": "0.5"}]}',
]


def _jsonl(works: list[dict[str, Any]]) -> bytes:
    return b"".join(json.dumps(w).encode() + b"\n" for w in works)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Generated parts, the quirks, real samples and files with bad records."""
    d = tmp_path_factory.mktemp("bulk-world")
    gen = load("generate_world")
    parts = gen.generate(400, d / "gen", part_size=200, jobs=1, n_institutions=300)
    files = sorted(parts)
    (d / "quirks.jsonl").write_bytes(_jsonl(QUIRKS))
    files.append(d / "quirks.jsonl")
    good = gzip.decompress(parts[0].read_bytes()).splitlines()
    for i, bad in enumerate(BAD_LINES):
        lines = [*good[:5], bad.encode(), *good[5:9]]
        path = d / f"bad_{i:02d}.jsonl"
        path.write_bytes(b"\n".join(lines) + b"\n")
        files.append(path)
    for i, doubt in enumerate(DOUBT_LINES):
        lines = [*good[:5], doubt.encode(), *good[5:9]]
        path = d / f"doubt_{i:02d}.jsonl"
        path.write_bytes(b"\n".join(lines) + b"\n")
        files.append(path)
    for sample in sorted(DATA.glob("*.json*")):
        shutil.copy(sample, d / sample.name)
        files.append(d / sample.name)
    for name, odd in (("all_bad", BAD_LINES), ("all_doubt", DOUBT_LINES)):
        # every bad (doubtful) line of the files above in one file, each
        # between good ones: the parity ingests these two, not 20 files
        lines = [x for i, o in enumerate(odd) for x in (good[10 + i], o.encode())]
        path = d / f"{name}.jsonl"
        path.write_bytes(b"\n".join([*lines, good[9]]) + b"\n")
        files.append(path)
    return files


def _parity_files(world: list[Path]) -> list[Path]:
    """The world without the one-bad-line files (``all_bad`` has their lines)."""
    return [f for f in world if not f.name.startswith(("bad_", "doubt_"))]


def _tables(root: Path) -> dict[str, list[tuple[Any, ...]]]:
    st = Store(root, create=False)
    out = {}
    for t in [*TABLES, *DERIVED]:
        names = (TABLES | DERIVED)[t].names
        parts = st.parts(t)
        rows = (
            pa.concat_tables(
                [pq.read_table(p, columns=names) for p in parts]
            ).to_pylist()
            if parts
            else []
        )
        out[t] = sorted(
            tuple((v is None, repr(_r(v))) for v in r.values()) for r in rows
        )
    return out


def _r(v: Any) -> Any:
    """Floats to 12 digits: the derived weights are sums whose order varies."""
    return round(v, 12) if isinstance(v, float) else v


def _ingest(root: Path, files: list[Path], bulk: bool, jobs: int,
            monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], list[str]]:  # fmt: skip
    monkeypatch.setenv("ONCOMETRICS_BULK_INGEST", "1" if bulk else "0")
    logs: list[str] = []
    summary = Store(root).ingest("openalex", files, log=logs.append, jobs=jobs)
    res = [
        {k: v for k, v in asdict(f).items() if k != "seconds"} for f in summary.files
    ]
    return res, logs


def test_bulk_store_is_the_python_store(
    tmp_path: Path, world: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    taken = []
    for f in world:
        stage = tmp_path / "probe" / f.name
        n = openalex_bulk.stage(f, stage, parse_country=_affiliation_parser())
        taken.append(n is not None)
        assert n is not None or not stage.exists()
    # the generated parts, the quirks and the real snapshot lines go bulk;
    # every file with a bad record, and the API pages, do not
    assert taken[:3] == [True, True, True]
    names = [f.name for f, t in zip(world, taken, strict=True) if t]
    assert "chunk1_mesh_works.jsonl.gz" in names
    assert not [n for n in names if n.startswith("bad_") or n.endswith(".json")]
    assert not [n for n in names if n.startswith(("doubt_", "all_"))]
    files = _parity_files(world)
    py, py_logs = _ingest(tmp_path / "py", files, False, 1, monkeypatch)
    bulk, bulk_logs = _ingest(tmp_path / "bulk", files, True, 2, monkeypatch)
    assert bulk == py
    assert all(f["read"] == f["stored"] + f["duplicates"] + f["rejected"]
               for f in bulk if not f["error"])  # fmt: skip
    assert sorted(bulk_logs) == sorted(py_logs)
    a, b = _tables(tmp_path / "py"), _tables(tmp_path / "bulk")
    for t in a:
        assert a[t] == b[t], t
    qa = {p.name: p.read_text() for p in (tmp_path / "py" / "quarantine").iterdir()}
    qb = {p.name: p.read_text() for p in (tmp_path / "bulk" / "quarantine").iterdir()}
    assert qa == qb
    assert sum(v.count("\n") for v in qa.values()) >= len(BAD_LINES) - 3


def test_bulk_by_small_chunks_is_the_python_store(
    tmp_path: Path, world: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunks of about 7 works, pieces of 3,000 bytes (most works span two):
    record numbers, institutions once per file and the parsed affiliation
    countries carry over from chunk to chunk."""
    from oncometrics.sources import openalex_read

    monkeypatch.setattr(openalex_read, "CHUNK_ROWS", 7)
    monkeypatch.setattr(openalex_read, "BLOCK_BYTES", 3000)
    files = [world[0], world[2]]  # a generated part (200 works), the quirks
    stage = tmp_path / "probe"
    assert openalex_bulk.stage(files[0], stage, parse_country=_affiliation_parser())
    assert len(list((stage / "works").glob("*.parquet"))) > 20
    py, _ = _ingest(tmp_path / "py", files, False, 1, monkeypatch)
    bulk, _ = _ingest(tmp_path / "bulk", files, True, 1, monkeypatch)
    assert bulk == py
    a, b = _tables(tmp_path / "py"), _tables(tmp_path / "bulk")
    for t in a:
        assert a[t] == b[t], t


def test_one_bad_record_sends_the_whole_file_to_python(
    tmp_path: Path, world: list[Path]
) -> None:
    good = gzip.decompress(world[0].read_bytes()).splitlines()
    path = tmp_path / "one_bad.jsonl"
    path.write_bytes(
        b"\n".join([*good[:50], BAD_LINES[1].encode(), *good[50:]]) + b"\n"
    )
    assert openalex_bulk.stage(path, tmp_path / "s") is None
    assert not (tmp_path / "s").exists()
    path.write_bytes(b"\n".join([*good[:50], *good[50:]]) + b"\n")
    assert openalex_bulk.stage(path, tmp_path / "s") == len(good)


_W = b'{"id": "https://openalex.org/W1", "title": "T"}'
#: What pyarrow's JSON reader takes and the Python parser rejects or reads
#: otherwise: the reader must not take the file.
DOUBTS = {
    "blank line": _W + b"\n\n" + _W + b"\n",
    "blank last line": _W + b"\n\n",
    "CRLF": _W + b"\r\n" + _W + b"\r\n",
    "two objects on one line": _W + _W + b"\n",
    "one object over two lines": b'{"a":\n{"b":1}}' + _W + b"\n",
    "leading blank": b" " + _W + b"\n",
    "NaN in a field not read": b'{"id": "W1", "x": [1, NaN]}\n',
    "Inf in a field not read": b'{"id": "W1", "x": {"y": -Inf }}\n',
    "Infinity": b'{"id": "W1", "x":Infinity}\n',
    "invalid UTF-8 in a field not read": b'{"id": "W1", "x": "\xff"}\n',
    "invalid UTF-8 in a key": b'{"id": "W1", "\xc3": 1}\n',
    "number in a nested text list": b'{"id": "W1", "authorships": [{"countries": ["FR", 1]}]}\n',
    "text in a float": b'{"id": "W1", "topics": [{"score": "0.5"}]}\n',
    "duplicate key": b'{"id": "W1", "id": "W2"}\n',
    "empty": b"",
}


@pytest.mark.parametrize("name", DOUBTS)
def test_reader_gives_doubtful_files_to_python(tmp_path: Path, name: str) -> None:
    from oncometrics.sources.openalex_read import NotPlain, chunks

    path = tmp_path / "doubt.jsonl"
    path.write_bytes(DOUBTS[name])
    with pytest.raises(NotPlain):
        list(chunks(path))
    path.write_bytes(gzip.compress(DOUBTS[name]))
    with pytest.raises(NotPlain):
        list(chunks(path))


def test_reader_reads_plain_files_in_numbered_chunks(tmp_path: Path) -> None:
    from oncometrics.sources.openalex_read import NotPlain, chunks

    texts = [
        "Cancer: Information, NaN",
        "Inf",
        "x: Infinity and more",
        "\u00e9 \U0001f600",
    ]
    works = [{"id": f"{OA}W{i}", "title": t} for i, t in enumerate(texts * 3)]
    data = _jsonl(works)
    path = tmp_path / "plain.jsonl.gz"
    # two gzip members, the last line without its newline
    path.write_bytes(gzip.compress(data[:100]) + gzip.compress(data[100:-1]))
    got = list(chunks(path, rows=5, block=200))  # batches of 2-3 works
    assert len(got) > 1 and all(t.num_rows >= 5 for t in got[:-1])
    rows = [r for t in got for r in t.select(["title", "record_no"]).to_pylist()]
    assert rows == [
        {"title": w["title"], "record_no": i + 1} for i, w in enumerate(works)
    ]
    path.write_bytes(gzip.compress(data)[:-30])  # truncated
    with pytest.raises(NotPlain):
        list(chunks(path))


def test_bulk_setting_is_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    from oncometrics.errors import SettingError

    monkeypatch.setenv("ONCOMETRICS_BULK_INGEST", "off")
    assert openalex_bulk.enabled() is False
    monkeypatch.setenv("ONCOMETRICS_BULK_INGEST", "maybe")
    with pytest.raises(SettingError, match="bulk_ingest"):
        openalex_bulk.enabled()


@pytest.mark.spark
@pytest.mark.skipif(
    not os.environ.get("ONCOMETRICS_SPARK_ALL"),
    reason="run with ONCOMETRICS_SPARK_ALL=1 (~2 min); tests/test_ingest_spark.py "
    "runs the same flattening on Spark against the Python parser's store",
)
def test_flattening_on_spark_equals_duckdb(tmp_path: Path, spark_con: Any) -> None:
    """The same Ibis flattening, run on Spark, gives DuckDB's rows."""
    import duckdb
    import ibis
    from ibis.backends.pyspark.datatypes import PySparkSchema

    from oncometrics.sources.openalex_flat import AFF_SCHEMA, RAW_SCHEMA, flatten
    from oncometrics.sources.openalex_read import chunks

    path = tmp_path / "quirks.jsonl"
    path.write_bytes(_jsonl(QUIRKS))
    duck = duckdb.connect()
    works = pa.concat_tables(chunks(path))
    check = openalex_bulk._queries(False)["check"]
    assert openalex_bulk._load_chunk(duck, works, "quirks.jsonl", check)
    raw = duck.execute("SELECT * FROM raw").fetch_arrow_table()
    aff = pa.table(
        {
            "affiliation": ["Kowloon, Hong Kong", "Paris, France"],
            "country": ["HK", "FR"],
        }
    )
    on_duck = flatten(
        ibis.duckdb.from_connection(duck).table("raw"), ibis.memtable(aff)
    )
    session = spark_con._session
    df = session.createDataFrame(raw.to_pylist(), PySparkSchema.from_ibis(RAW_SCHEMA))
    df.createOrReplaceTempView("bulk_raw")
    session.createDataFrame(
        aff.to_pylist(), PySparkSchema.from_ibis(AFF_SCHEMA)
    ).createOrReplaceTempView("bulk_aff")
    on_spark = flatten(spark_con.table("bulk_raw"), spark_con.table("bulk_aff"))
    for name, expr in on_duck.items():
        want = sorted(map(repr, expr.to_pyarrow().to_pylist()))
        got = sorted(map(repr, on_spark[name].to_pyarrow().to_pylist()))
        assert got == want, name
