"""A hand-worked store for the portfolio tests (values worked out by hand).

Five works of 2020, one reference set (field 2730), citations 10, 0, 5, 5, 0
(expected e = 4, NCS 2.5, 0, 1.25, 1.25, 0; top-10 % share of W1 = 0.5):

* W1: author 1 in unit U1052, author 2 in unit UMR5203 -> 1/2 each;
* W2: author 1 in U1052, author 2 at Harvard (US) -> U1052 gets 1/2;
* W3: author 1 lists U1052 *and* Dana-Farber (US) -> U1052 gets 1/2 of
  author 1's share 1/2 = 1/4; author 2 at MIT; author 3 has no affiliation
  and leaves the denominator;
* W4: Harvard and a CNRS lab that is not in the registry -> no unit (the
  CNRS string is listed in unmatched_affiliations);
* W5: one author, one string naming two units (BioCampus UMS3426 and IGF
  UMR5203) -> 1/2 each.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from oncometrics.schema import TABLES

LYON = (
    "INSERM U1052, CNRS UMR 5286, Centre de Recherche en Cancérologie de Lyon, France."
)
IGF = "Institut de Génomique Fonctionnelle, UMR CNRS 5203, Montpellier, France."
HARVARD = "Harvard Medical School, Boston, MA, USA."
DFCI = "Dana-Farber Cancer Institute, Boston, MA, USA."
MIT = "Massachusetts Institute of Technology, Cambridge, MA, USA."
BOTH = (
    "Functional Proteomics Platform, BioCampus Montpellier, UMS CNRS 3426, "
    "INSERM US009, Institut de Génomique Fonctionnelle, UMR CNRS 5203, "
    "INSERM U661, Université de Montpellier, Montpellier 34094, France."
)
ORPHAN = "Institut des Sciences Moléculaires, Université de Bordeaux, CNRS, France."

UNITS_CSV = """unit_code,name,parent,team_count,ror_ids,codes,patterns
U1052,Centre de Recherche en Cancérologie de Lyon,Inserm|CNRS,12,,U1052|UMR5286,CRCL
UMR5203,Institut de Génomique Fonctionnelle,CNRS|Inserm,20,,UMR5203|U661,
UMS3426,BioCampus Montpellier,CNRS|Inserm,,,UMS3426|US009,BioCampus Montpellier
"""
GRANTS_CSV = """call,year,project_id,award_ids,team,unit_code
PL-BIO 2017,2017,P1,ANR-17-CE15-0001,Team A,U1052
PL-BIO 2017,2017,P2,INCa 12345|ANR-99-XX-0000,Team B,UMS3426
PRT-K 2018,2018,P3,NOT-CITED-1,Team C,UMR5203
NIH-like 2019,2019,P4,CA12345,,
"""

# (work_id, cited, [(position, [affiliations], [countries])])
WORKS = [
    ("W1", 10, [(1, [LYON], ["FR"]), (2, [IGF], ["FR"])]),
    ("W2", 0, [(1, [LYON], ["FR"]), (2, [HARVARD], ["US"])]),
    ("W3", 5, [(1, [LYON, DFCI], ["FR", "US"]), (2, [MIT], ["US"]), (3, [], [])]),
    ("W4", 5, [(1, [HARVARD], ["US"]), (2, [ORPHAN], ["FR"])]),
    ("W5", 0, [(1, [BOTH], ["FR"])]),
    ("W6", 0, [(1, [ORPHAN], ["FR"])]),
]
# W6 is a letter: not counted anywhere.
GRANTS = [
    ("W1", "ANR-17-CE15-0001"),
    ("W2", "anr 17 ce15 0001"),
    ("W5", "INCA_12345"),
    ("W4", "R01 CA012345"),
]


def write_table(root: Path, name: str, rows: list[dict]) -> None:
    schema = TABLES[name]
    table = pa.Table.from_pylist(
        [{f: r.get(f) for f in schema.names} for r in rows], schema=schema
    )
    (root / name).mkdir(parents=True, exist_ok=True)
    pq.write_table(table, root / name / "part-00000.parquet")


def build_store(root: Path) -> Path:
    """Write the fixture store under `root` and return it."""
    works, auth, affs, countries = [], [], [], []
    for wid, cited, authors in WORKS:
        works.append(
            {
                "work_id": wid,
                "source": "test",
                "publication_year": 2020,
                "doc_type": "letter" if wid == "W6" else "article",
                "cited_by_count": cited,
                "primary_subfield_id": "2730",
                "title": f"Work {wid}",
            }
        )
        for pos, strings, ccs in authors:
            auth.append({"work_id": wid, "author_position": pos})
            affs += [
                {"work_id": wid, "author_position": pos, "affiliation": s}
                for s in strings
            ]
            countries += [
                {
                    "work_id": wid,
                    "author_position": pos,
                    "country": c,
                    "provenance": "affiliation_text",
                }
                for c in ccs
            ]
    root.mkdir(parents=True, exist_ok=True)
    (root / "manifest.json").write_text('{"version": 1, "files": {}}')
    write_table(root, "works", works)
    write_table(root, "authorships", auth)
    write_table(root, "affiliations", affs)
    write_table(root, "authorship_countries", countries)
    write_table(
        root,
        "grants",
        [
            {
                "work_id": w,
                "award_id": a,
                "award_id_norm": "".join(ch for ch in a.upper() if ch.isalnum()),
            }
            for w, a in GRANTS
        ],
    )
    return root


def write_registry(root: Path) -> tuple[Path, Path]:
    """units.csv and grants.csv of the fixture organisation."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "units.csv").write_text(UNITS_CSV, encoding="utf-8")
    (root / "grants.csv").write_text(GRANTS_CSV, encoding="utf-8")
    return root / "units.csv", root / "grants.csv"
