"""Write the Scopus / Lens / Dimensions samples from real records of the same papers.

No real Scopus, Lens or Dimensions export was available offline.  This script
lays out four real papers (PMIDs below) in each format's documented columns,
taking every value from the real MEDLINE text records
(``tests/data/medline/gut_microbiome_same_as_wos.txt``: titles, authors,
``AD`` affiliations, MeSH headings, grants, journal, year) and the real Web
of Science records of the same papers (``tests/data/wos/savedrecs_batch*.txt``:
DOI, document type, times cited, corresponding author).  Source-specific ids
(EID, Lens ID, Dimensions publication id) are not known offline and are left
empty; citation counts are the WoS ``TC`` values (stand-ins, not real
Scopus/Lens/Dimensions counts).  Run from the repository root:
``python tests/data/scopus/make_samples.py``.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent
PMIDS = ("36696721", "34294041", "30488079", "32051876")
#: Country names read by hand from the AD lines of 30488079 (used for the
#: Dimensions row that has no raw affiliations).
HAND_COUNTRIES = {"30488079": "Singapore; Malaysia"}


def medline_records() -> dict[str, list[tuple[str, str]]]:
    text = (DATA / "medline" / "gut_microbiome_same_as_wos.txt").read_text("utf-8")
    out = {}
    for block in text.replace("\r\n", "\n").split("\n\n"):
        fields: list[tuple[str, str]] = []
        for line in block.splitlines():
            if line.startswith("      ") and fields:
                fields[-1] = (fields[-1][0], fields[-1][1] + " " + line.strip())
            elif len(line) > 5 and line[4] == "-":
                fields.append((line[:4].strip(), line[6:].strip()))
        pmid = next((v for t, v in fields if t == "PMID"), None)
        if pmid in PMIDS:
            out[pmid] = fields
    return out


def wos_records() -> dict[str, dict[str, list[str]]]:
    out = {}
    for name in ("savedrecs_batch1.txt", "savedrecs_batch2.txt"):
        text = (DATA / "wos" / name).read_text("utf-8-sig")
        for block in text.split("\nER\n"):
            rec: dict[str, list[str]] = {}
            tag = ""
            for line in block.splitlines():
                if line.startswith("   ") and tag:
                    rec[tag].append(line.strip())
                elif len(line) > 2 and line[2] == " ":
                    tag = line[:2]
                    rec.setdefault(tag, []).append(line[3:])
            if rec.get("PM", [""])[0] in PMIDS:
                out[rec["PM"][0]] = rec
    return out


def authors(fields: list[tuple[str, str]]) -> list[tuple[str, str, list[str]]]:
    """(full name 'Last, First', short 'Last F.M.', [AD, …]) per author."""
    out: list[tuple[str, str, list[str]]] = []
    for tag, value in fields:
        if tag == "FAU":
            out.append((value, "", []))
        elif tag == "AU" and out and not out[-1][1]:
            last, _, initials = value.rpartition(" ")
            out[-1] = (out[-1][0], f"{last} {'.'.join(initials)}.", out[-1][2])
        elif tag == "AD" and out:
            out[-1][2].append(value.split(" Electronic address:")[0].strip())
    return out


def get(fields: list[tuple[str, str]], tag: str) -> list[str]:
    return [v for t, v in fields if t == tag]


def mesh(fields: list[tuple[str, str]]) -> list[str]:
    return [v.split("/")[0].lstrip("*") for v in get(fields, "MH")]


def grants(fields: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out = []
    for v in get(fields, "GR"):
        parts = v.split("/")
        out.append((parts[-2], "/".join(parts[:-3])) if len(parts) >= 4 else (v, ""))
    return out


def main() -> None:
    med, wos = medline_records(), wos_records()
    papers = []
    for pmid in PMIDS:
        f, w = med[pmid], wos[pmid]
        rp = w.get("RP", [""])[0].split(" (corresponding author)")[0].split(";")[0]
        last, _, ini = rp.partition(", ")
        papers.append(
            {
                "pmid": pmid,
                "doi": w["DI"][0],
                "title": get(f, "TI")[0],
                "year": get(f, "DP")[0][:4],
                "journal": get(f, "JT")[0],
                "doc_type": w["DT"][0],
                "tc": w["TC"][0],
                "authors": authors(f),
                "mesh": mesh(f),
                "grants": grants(f),
                "corr": f"{last} {'.'.join(ini)}." if ini else "",
            }
        )
    write_scopus(papers)
    write_lens(papers)
    write_dimensions(papers)


def write_scopus(papers: list[dict]) -> None:
    cols = [
        "Authors",
        "Author(s) ID",
        "Title",
        "Year",
        "Source title",
        "Cited by",
        "DOI",
        "Affiliations",
        "Authors with affiliations",
        "Index Keywords",
        "Funding Details",
        "Correspondence Address",
        "PubMed ID",
        "Language of Original Document",
        "Document Type",
        "Source",
        "EID",
    ]
    rows = []
    for p in papers:
        pairs = [f"{short}, {ad}" for _, short, ads in p["authors"] for ad in ads]
        rows.append(
            {
                "Authors": "; ".join(a[1] for a in p["authors"]),
                "Author(s) ID": "",
                "Title": p["title"],
                "Year": p["year"],
                "Source title": p["journal"],
                "Cited by": p["tc"],
                "DOI": p["doi"],
                "Affiliations": "; ".join(ad for a in p["authors"] for ad in a[2]),
                "Authors with affiliations": "; ".join(pairs),
                "Index Keywords": "; ".join(p["mesh"]),
                "Funding Details": "; ".join(
                    f"{a}: {g}" if g else a for a, g in p["grants"]
                ),
                "Correspondence Address": p["corr"],
                "PubMed ID": p["pmid"],
                "Language of Original Document": "English",
                "Document Type": p["doc_type"],
                "Source": "Scopus",
                "EID": "",
            }
        )
    with open(
        DATA / "scopus" / "scopus_4_real_papers.csv",
        "w",
        newline="",
        encoding="utf-8-sig",
    ) as fh:
        w = csv.DictWriter(fh, cols, quoting=csv.QUOTE_ALL)
        w.writeheader()
        w.writerows(rows)


def write_lens(papers: list[dict]) -> None:
    cols = [
        "Lens ID",
        "Title",
        "Date Published",
        "Publication Year",
        "Publication Type",
        "Source Title",
        "Author/s",
        "MeSH Terms",
        "Funding",
        "PMID",
        "DOI",
        "Citing Works Count",
    ]
    with open(
        DATA / "lens" / "lens_4_real_papers.csv", "w", newline="", encoding="utf-8"
    ) as fh:
        w = csv.DictWriter(fh, cols)
        w.writeheader()
        for p in papers:
            names = ["{1} {0}".format(*a[0].split(", ", 1)) for a in p["authors"]]
            w.writerow(
                {
                    "Lens ID": "",
                    "Title": p["title"],
                    "Date Published": "",
                    "Publication Year": p["year"],
                    "Publication Type": "journal article",
                    "Source Title": p["journal"],
                    "Author/s": "; ".join(names),
                    "MeSH Terms": "; ".join(p["mesh"]),
                    "Funding": "; ".join(a for a, _ in p["grants"]),
                    "PMID": p["pmid"],
                    "DOI": p["doi"],
                    "Citing Works Count": p["tc"],
                }
            )
    records = []
    for p in papers:
        records.append(
            {
                "lens_id": None,
                "title": p["title"],
                "year_published": int(p["year"]),
                "publication_type": "journal article",
                "external_ids": [
                    {"type": "doi", "value": p["doi"]},
                    {"type": "pmid", "value": p["pmid"]},
                ],
                "authors": [
                    {
                        "last_name": a[0].split(", ", 1)[0],
                        "first_name": a[0].split(", ", 1)[1],
                        "affiliations": [{"name_original": ad} for ad in a[2]],
                    }
                    for a in p["authors"]
                ],
                "source": {"title": p["journal"]},
                "scholarly_citations_count": int(p["tc"]),
                "mesh_terms": [{"mesh_heading": m} for m in p["mesh"]],
                "funding": [
                    {"org": a, "funding_id": g or None} for a, g in p["grants"]
                ],
            }
        )
    (DATA / "lens" / "lens_4_real_papers.json").write_text(
        json.dumps(records, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def write_dimensions(papers: list[dict]) -> None:
    cols = [
        "Rank",
        "Publication ID",
        "DOI",
        "PMID",
        "PMCID",
        "Title",
        "Source title",
        "PubYear",
        "Publication Date",
        "Publication Type",
        "Authors",
        "Authors (Raw Affiliation)",
        "Corresponding Authors",
        "Country of Research organization",
        "MeSH terms",
        "Funder",
        "Supporting Grants",
        "Times cited",
    ]
    path = DATA / "dimensions" / "dimensions_4_real_papers.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        fh.write(
            '"About the data: Exported on Nov 28, 2026. Criteria: hand-laid-out '
            'sample of 4 real papers (see README.md)."\n'
        )
        w = csv.DictWriter(fh, cols, quoting=csv.QUOTE_ALL)
        w.writeheader()
        for rank, p in enumerate(papers, start=1):
            hand = HAND_COUNTRIES.get(p["pmid"])
            raw = (
                ""
                if hand
                else "; ".join(f"{a[0]} ({'; '.join(a[2])})" for a in p["authors"])
            )
            w.writerow(
                {
                    "Rank": rank,
                    "Publication ID": "",
                    "DOI": p["doi"],
                    "PMID": p["pmid"],
                    "PMCID": "",
                    "Title": p["title"],
                    "Source title": p["journal"],
                    "PubYear": p["year"],
                    "Publication Date": "",
                    "Publication Type": "Article",
                    "Authors": "; ".join(a[0] for a in p["authors"]),
                    "Authors (Raw Affiliation)": raw,
                    "Corresponding Authors": "",
                    "Country of Research organization": hand or "",
                    "MeSH terms": "; ".join(p["mesh"]),
                    "Funder": "; ".join(a for a, _ in p["grants"]),
                    "Supporting Grants": "; ".join(g for _, g in p["grants"] if g),
                    "Times cited": p["tc"],
                }
            )


if __name__ == "__main__":
    main()
