"""The pandas script of the end-to-end benchmark reads the JSON right.

``bench/baseline_pandas_e2e.py`` computes the country table straight from
OpenAlex JSON Lines with json + pandas (issue 17's baseline).  Checked here:
its flattening on hand-written records, then its table against the store
baseline and ``oncometrics.pipeline`` after ``Store.ingest`` of the same
generated world, with newer versions of some works in a later partition.
"""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from oncometrics import pipeline
from oncometrics.config import load_config
from oncometrics.store import Store
from tests.bench_scripts import load
from tests.test_bench_baseline import COLUMNS

OA = "https://openalex.org/"


def _write(path: Path, works: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.writelines(json.dumps(w) + "\n" for w in works)


def _auth(countries: list[str], inst: list[str]) -> dict[str, Any]:
    return {
        "countries": countries,
        "institutions": [
            {"id": f"{OA}I{k}", "country_code": c} for k, c in enumerate(inst)
        ],
    }


def _work(n: int, auths: list[dict[str, Any]], **kw: Any) -> dict[str, Any]:
    topic = {
        "id": f"{OA}T11",
        "display_name": "Topic 11",
        "subfield": {"id": f"{OA}subfields/2730"},
    }
    return {
        "id": f"{OA}W{n}",
        "type": "article",
        "publication_year": 2020,
        "cited_by_count": n,
        "primary_topic": topic,
        "authorships": auths,
        "updated_date": "2025-01-01T00:00:00",
    } | kw


@pytest.mark.parametrize("reader", ["json", "read_json"])
def test_flattening_by_hand(tmp_path: Path, reader: str) -> None:
    world = tmp_path / "world" / "data" / "works"
    mesh = [{"descriptor_ui": "D009369", "descriptor_name": "Neoplasms"}]
    _write(
        world / "updated_date=2025-01-01" / "part_000.gz",
        [
            # listed countries win; HK is China; each country once
            _work(1, [_auth(["US", "HK", "CN"], ["DE"]), _auth([], [])], mesh=mesh),
            # no listed country: the institutions' (MO folded into CN)
            _work(2, [_auth([], ["FR", "MO", "FR"])], type="journal-article"),
            _work(3, [_auth(["GB"], [])], primary_topic=None, cited_by_count=None),
        ],
    )
    # a newer version of W3 (its older rows go), an older one of W1 (ignored)
    _write(
        world / "updated_date=2025-02-01" / "part_000.gz",
        [
            _work(
                3,
                [_auth(["JP"], []), _auth(["IT"], [])],
                updated_date="2025-02-01T00:00:00",
            ),
            _work(1, [_auth(["ES"], [])], updated_date="2024-12-01T00:00:00"),
        ],
    )
    works, subjects, countries = load("baseline_pandas_e2e").read_world(
        tmp_path / "world", reader=reader
    )
    w = works.set_index("work_id")
    assert sorted(w.index) == ["W1", "W2", "W3"]
    assert w.doc_type.to_dict() == {"W1": "article", "W2": "article", "W3": "article"}
    assert w.cited_by_count.to_dict() == {"W1": 1, "W2": 2, "W3": 3}
    assert w.primary_subfield_id.to_dict() == {"W1": "2730", "W2": "2730", "W3": "2730"}
    got = sorted(
        map(tuple, countries[["work_id", "author_position", "country"]].values.tolist())
    )
    assert got == [
        ("W1", 1, "CN"),
        ("W1", 1, "US"),
        ("W2", 1, "CN"),
        ("W2", 1, "FR"),
        ("W3", 1, "JP"),
        ("W3", 2, "IT"),
    ]
    s = sorted(map(tuple, subjects[["work_id", "scheme", "code"]].values.tolist()))
    assert s == [
        ("W1", "mesh", "D009369"),
        ("W1", "openalex_topic", "T11"),
        ("W2", "openalex_topic", "T11"),
        ("W3", "openalex_topic", "T11"),
    ]


def _newer_versions(world: Path, n: int) -> None:
    """A later partition with newer versions of the first `n` works: more
    citations, and every authorship moved to France."""
    first = sorted(world.rglob("part_*.gz"))[0]
    with gzip.open(first, "rt", encoding="utf-8") as fh:
        works = [json.loads(line) for _, line in zip(range(n), fh, strict=False)]
    for w in works:
        w["updated_date"] = "2025-12-01T00:00:00.000000"
        w["cited_by_count"] += 7
        for a in w["authorships"]:
            a["countries"] = ["FR"]
    _write(world / "data" / "works" / "updated_date=2025-12-01" / "part_000.gz", works)


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert sorted(a.index) == sorted(b.index)
    for col in (c for c in COLUMNS if c in b.columns):
        for c in a.index:
            x, y = float(a.loc[c, col]), float(b.loc[c, col])
            if math.isnan(x) and math.isnan(y):
                continue
            assert math.isclose(x, y, rel_tol=0, abs_tol=1e-9), (col, c, x, y)


def test_same_table_as_ingest_and_pipeline(tmp_path: Path) -> None:
    gen = load("generate_world")
    world = tmp_path / "world"
    gen.generate(2000, world, part_size=700, jobs=1)
    _newer_versions(world, 200)
    store = tmp_path / "store"
    summary = Store(store).ingest("openalex", [world], log=lambda m: None)
    assert sum(f.duplicates for f in summary.files) == 200
    script = load("baseline_pandas_e2e")
    mine = script.publications_by_country(world, chunk=700).set_index("country")
    other = script.publications_by_country(world, chunk=700, reader="read_json")
    _same(mine, other.set_index("country"))
    assert mine.p_full.sum() > 100 and "FR" in mine.index
    _same(
        mine,
        load("baseline_pandas").publications_by_country(store).set_index("country"),
    )
    out = tmp_path / "out"
    cfg = load_config(bootstrap=0)  # no intervals: faster, the same figures
    pipeline.compute(store, out, config=cfg, log=lambda m: None)
    theirs = pd.read_parquet(next(out.rglob("publications_by_country.parquet")))
    _same(mine, theirs.set_index("country"))
