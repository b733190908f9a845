"""The store's derived country weights: written by ingest, kept in step.

Hand-worked weights (contract section 3): a work's weight 1 is shared
equally among its authorships with a country, an authorship's share among
its distinct countries.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from oncometrics import derived
from oncometrics.store import Store, derived_complete, drop_derived
from tests.test_store import _rows, _write, toy  # noqa: F401 (fixture)

W = derived.COUNTRY_WEIGHTS
T = derived.COUNTRY_TOTALS
IW = derived.INSTITUTION_WEIGHTS
IT = derived.INSTITUTION_TOTALS
pytestmark = pytest.mark.usefixtures("toy")


def _weights(st: Store) -> dict[tuple[str, str], float]:
    return {(r["work_id"], r["country"]): r["weight"] for r in _rows(st, W)}


def _totals(st: Store) -> dict[tuple, tuple[float, int]]:
    """The country totals summed over their rows: key -> (p_frac, p_full).

    Keys whose rows cancel out (a superseded work's) are left out.
    """
    out: dict[tuple, list[float]] = {}
    for r in _rows(st, T):
        key = (r["country"], r["publication_year"], r["doc_type"])
        acc = out.setdefault(key, [0.0, 0])
        acc[0] += r["p_frac"]
        acc[1] += r["p_full"]
    return {k: (pytest.approx(v[0]), v[1]) for k, v in out.items() if v[1]}


def test_ingest_writes_hand_worked_weights_per_part(tmp_path: Path) -> None:
    art = {"year": 2020, "type": "article"}
    a = _write(
        tmp_path / "a.jsonl",
        # FR+US on author 1, FR on author 2: FR 1/4 + 1/2, US 1/4
        {"oa": "W1", "n_auth": 2, "countries": [["FR", "US"], ["FR"]], **art},
        # one country only: weight 1 whatever the authorships
        {"oa": "W2", "n_auth": 3, "countries": [["DE"], ["DE"], ["FR"]], **art},
        # author 2 has no country: the two others share the work
        {
            "oa": "W3",
            "n_auth": 3,
            "countries": [["IT"], [], ["ES", "IT"]],
            "year": 2021,
            "type": "review",
        },
        {"oa": "W4", "n_auth": 1, **art},  # no country at all: no row
    )
    b = _write(
        tmp_path / "b.jsonl",
        {"oa": "W5", "n_auth": 1, "countries": [["FR"]], **art},
        {"oa": "W6", "n_auth": 1, "countries": [["FR"]]},  # no year, no type
    )
    st = Store(tmp_path / "st")
    st.ingest("toy", [a, b], log=lambda m: None)
    assert _weights(st) == pytest.approx(
        {
            ("W1", "FR"): 0.75,
            ("W1", "US"): 0.25,
            ("W2", "DE"): 2 / 3,
            ("W2", "FR"): 1 / 3,
            ("W3", "IT"): 0.5 + 0.25,
            ("W3", "ES"): 0.25,
            ("W5", "FR"): 1.0,
            ("W6", "FR"): 1.0,
        }
    )
    assert derived_complete(st.root) and derived_complete(st.root, T)
    # one aggregate per file, in the same commit as its rows
    assert st.counts()["authorship_countries"] > 0
    assert len(_rows(st, T)) == 7
    # FR 2020 articles: W1 (0.75) and W2 (1/3) from a, W5 (1) from b
    assert _totals(st) == {
        ("FR", 2020, "article"): (1.0 + 0.75 + 1 / 3, 3),
        ("US", 2020, "article"): (0.25, 1),
        ("DE", 2020, "article"): (2 / 3, 1),
        ("IT", 2021, "review"): (0.75, 1),
        ("ES", 2021, "review"): (0.25, 1),
        ("FR", None, None): (1.0, 1),
    }


def test_superseded_work_takes_its_weights_along(tmp_path: Path) -> None:
    st = Store(tmp_path / "st")
    first = {"pmid": "7", "n_auth": 1, "countries": [["FR"]], "year": 2021}
    st.ingest("toy", [_write(tmp_path / "a.jsonl", first)], log=lambda m: None)
    assert _weights(st) == {("pmid:7", "FR"): 1.0}
    richer = {"oa": "W7", "pmid": "7", "n_auth": 2, "countries": [["DE"], ["US"]],
              "year": 2022}  # fmt: skip
    res = st.ingest("toy", [_write(tmp_path / "b.jsonl", richer)], log=lambda m: None)
    assert res.files[0].replaced == 1
    assert _weights(st) == {("W7", "DE"): 0.5, ("W7", "US"): 0.5}
    # the superseded work's totals were taken back in the same commit
    assert _totals(st) == {("DE", 2022, None): (0.5, 1), ("US", 2022, None): (0.5, 1)}
    assert derived_complete(st.root) and derived_complete(st.root, T)


def test_missing_derived_tables_are_seen_and_rebuilt(tmp_path: Path) -> None:
    a = _write(tmp_path / "a.jsonl", {"oa": "W1", "n_auth": 1, "countries": [["FR"]]})
    b = _write(tmp_path / "b.jsonl", {"oa": "W2", "n_auth": 1, "countries": [["DE"]]})
    st = Store(tmp_path / "st")
    st.ingest("toy", [a, b], log=lambda m: None)
    want, want_t = _weights(st), _totals(st)
    drop_derived(st.root, [W, T])  # a store without them (older version)
    assert not derived_complete(st.root) and not derived_complete(st.root, T)
    assert st.derive() == 2
    assert derived_complete(st.root) and derived_complete(st.root, T)
    assert _weights(st) == want and _totals(st) == want_t


def test_store_without_countries_is_complete(tmp_path: Path) -> None:
    st = Store(tmp_path / "st")
    st.ingest("toy", [_write(tmp_path / "a.jsonl", {"oa": "W1"})], log=lambda m: None)
    assert derived_complete(st.root) and st.parts(W) == []


def test_institution_weights_and_totals(tmp_path: Path) -> None:
    a = _write(
        tmp_path / "a.jsonl",
        # I1+I2 on author 1, I1 on author 2: I1 3/4, I2 1/4
        {"oa": "W1", "insts": [["I1", "I2"], ["I1"]], "year": 2020, "type": "article"},
        # author 1 has no institution: I3 takes the whole work
        {"oa": "W2", "insts": [[], ["I3"]], "year": 2020, "type": "article"},
        {"oa": "W3", "insts": [["I1"]], "year": 2021, "type": "article"},
    )
    st = Store(tmp_path / "st")
    st.ingest("toy", [a], log=lambda m: None)
    iw = {(r["work_id"], r["institution_id"]): r["weight"] for r in _rows(st, IW)}
    assert iw == {("W1", "I1"): 0.75, ("W1", "I2"): 0.25, ("W2", "I3"): 1.0,
                  ("W3", "I1"): 1.0}  # fmt: skip
    it = {
        (r["institution_id"], r["publication_year"]): (r["p_frac"], r["p_full"])
        for r in _rows(st, IT)
    }
    assert it == {("I1", 2020): (0.75, 1), ("I2", 2020): (0.25, 1),
                  ("I3", 2020): (1.0, 1), ("I1", 2021): (1.0, 1)}  # fmt: skip
    assert derived_complete(st.root, IW) and derived_complete(st.root, IT)
    # a country-less store: the country tables are complete and empty
    assert derived_complete(st.root, T) and st.parts(W) == []
