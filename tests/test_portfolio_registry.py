from __future__ import annotations

from pathlib import Path

import pytest

from oncometrics.portfolio.registry import (
    RegistryError,
    load_curation,
    load_grants,
    load_units,
)

EXAMPLE = Path(__file__).parents[1] / "oncometrics" / "data" / "portfolio"


def _csv(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_example_registry_loads() -> None:
    units = load_units(EXAMPLE / "units.csv")
    codes = {u.code for u in units}
    assert {"U1052", "UMR7257", "NutriOmics"} <= codes
    crcl = next(u for u in units if u.code == "U1052")
    assert crcl.codes == ("U1052", "UMR5286")
    assert crcl.parents == ("Inserm", "CNRS")


def test_example_grants_and_curation_load() -> None:
    units = load_units(EXAMPLE / "units.csv")
    projects = load_grants(EXAMPLE / "grants.csv", units)
    assert projects and all(p.award_keys for p in projects)
    assert load_curation(EXAMPLE / "curation.csv", units)


def test_units_multi_valued_cells(tmp_path: Path) -> None:
    p = _csv(
        tmp_path,
        "u.csv",
        "unit_code,name,parent,team_count,ror_ids,codes,patterns\n"
        "U1,Unit one, Inserm | CNRS ,4,https://ror.org/02vjkv261|,U 1|UMR-S 1,A & B\n",
    )
    (u,) = load_units(p)
    assert u.parents == ("Inserm", "CNRS")
    assert u.team_count == 4
    assert u.rors == ("02vjkv261",)
    assert u.codes == ("U 1", "UMR-S 1")
    assert u.patterns == ("A & B",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("unit_code,parent\nU1,x\n", "line 1: missing column(s) name"),
        ("unit_code,name\nU1,A\nU1,B\n", "line 3: duplicate unit_code 'U1'"),
        ("unit_code,name\n,A\n", "line 2: unit_code and name are required"),
        ("unit_code,name,team_count\nU1,A,many\n", "line 2: team_count 'many' is not"),
        ("unit_code,name,ror_ids\nU1,A,notaror\n", "line 2: 'notaror' is not a ROR id"),
        ("unit_code,name\n", "no units"),
        ("unit_code,name\n~U1,A\n", "line 2: unit_code '~U1' may not start"),
    ],
)
def test_units_errors_name_file_and_line(
    tmp_path: Path, text: str, message: str
) -> None:
    p = _csv(tmp_path, "units.csv", text)
    with pytest.raises(RegistryError) as err:
        load_units(p)
    assert str(p) in str(err.value)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="cannot read"):
        load_units(tmp_path / "nope.csv")


def test_grants_errors(tmp_path: Path) -> None:
    units = load_units(_csv(tmp_path, "u.csv", "unit_code,name\nU1,A\n"))
    bad_unit = _csv(
        tmp_path,
        "g.csv",
        "call,year,project_id,award_ids,team,unit_code\nC,2019,P1,X-1,T,U9\n",
    )
    with pytest.raises(RegistryError, match=r"line 2: unit_code 'U9' is not in"):
        load_grants(bad_unit, units)
    dup = _csv(tmp_path, "g2.csv", "call,project_id,award_ids\nC,P1,A\nC,P1,B\n")
    with pytest.raises(RegistryError, match="line 3: duplicate project_id"):
        load_grants(dup)
    (p,) = load_grants(
        _csv(
            tmp_path,
            "g3.csv",
            "call,project_id,award_ids\nC,P1,ANR-17-CE15-0001 | inca 12\n",
        )
    )
    assert p.award_keys == ("ANR17CE150001", "INCA12")
    assert p.year is None


def test_curation_errors(tmp_path: Path) -> None:
    ok = _csv(
        tmp_path,
        "c.csv",
        "affiliation,action,unit_code,note\nSome lab,add,U1,seen\nOther lab,ignore,,\n",
    )
    assert [d.action for d in load_curation(ok)] == ["add", "ignore"]
    bad = _csv(tmp_path, "c2.csv", "affiliation,action,unit_code\nX,maybe,U1\n")
    with pytest.raises(RegistryError, match="line 2: action 'maybe'"):
        load_curation(bad)
    nounit = _csv(tmp_path, "c3.csv", "affiliation,action,unit_code\nX,add,\n")
    with pytest.raises(RegistryError, match="line 2: action add needs a unit_code"):
        load_curation(nounit)
