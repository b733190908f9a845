"""The bundled WIPO IPC–technology concordance and the domain code matcher."""

from __future__ import annotations

import ibis
import pyarrow as pa
import pytest

from oncometrics.indicators.inventions import code_matches
from oncometrics.indicators.technology import code_fields, concordance, parse_pattern


def _fields(codes: list[str]) -> dict[str, set[int]]:
    t = ibis.memtable(pa.table({"family_id": codes, "code": codes}))
    got = code_fields(t, ibis.memtable(concordance())).to_pyarrow().to_pylist()
    out: dict[str, set[int]] = {c: set() for c in codes}
    for r in got:
        out[r["family_id"]].add(r["field_nr"])
    return out


def test_concordance_shape() -> None:
    c = concordance()
    assert c.num_rows == 761
    assert sorted(set(c["field_nr"].to_pylist())) == list(range(1, 36))
    assert len(set(c["sector"].to_pylist())) == 5


@pytest.mark.parametrize(
    ("pattern", "parsed"),
    [("A61K  31%", ("A61K", "31")), ("A61B%", ("A61B", None)),
     ("A61K   8%", ("A61K", "8")), ("A61K 101%", ("A61K", "101"))],
)  # fmt: skip
def test_parse_pattern(pattern: str, parsed: tuple[str, str | None]) -> None:
    assert parse_pattern(pattern) == parsed


def test_known_assignments() -> None:
    got = _fields(["G01N33/574", "A61B5/00", "C12Q1/6886", "A61K31/337", "A61P35/00",
                   "A61K8/02", "A61K80/00", "G01N21/64", "C07K16/30", "A61K39/00117",
                   "G16H50/20", "Y02A50/30"])  # fmt: skip
    assert got["G01N33/574"] == {11}  # Analysis of biological materials
    assert got["A61B5/00"] == {13}  # Medical technology
    assert got["C12Q1/6886"] == {15}  # Biotechnology
    assert got["A61K31/337"] == {16} and got["A61P35/00"] == {16}  # Pharmaceuticals
    assert got["A61K39/00117"] == {16}
    assert got["A61K8/02"] == {14}  # cosmetics: Organic fine chemistry, not 16
    assert got["A61K80/00"] == set()  # main group 80 is not main group 8
    assert got["G01N21/64"] == {10}  # Measurement
    assert got["C07K16/30"] == {15}
    assert got["G16H50/20"] == {13}
    assert got["Y02A50/30"] == set()


def test_code_matches_respects_group_boundaries() -> None:
    codes = ["A61P35/00", "A61P35", "A61P350/00", "A61P3/10", "G01N33/57407",
             "G01N33/5743", "G01N33/57", "A61K39/0011", "A61K39/001"]  # fmt: skip
    t = ibis.memtable(pa.table({"code": codes}))
    prefixes = ("A61P35", "G01N33/574", "A61K39/0011")
    got = t.mutate(hit=code_matches(t.code, prefixes)).to_pyarrow().to_pylist()
    hits = {r["code"] for r in got if r["hit"]}
    assert hits == {"A61P35/00", "A61P35", "G01N33/57407", "G01N33/5743",
                    "A61K39/0011"}  # fmt: skip
