"""Generate a synthetic world of OpenAlex works in the snapshot layout.

Writes ``OUT/data/works/updated_date=YYYY-MM-DD/part_NNN.gz``: gzipped JSON
Lines, one OpenAlex-shaped work per line, with only the fields oncometrics'
parser reads.  The world is deterministic for a given ``--seed`` and
``--part-size`` (each part draws from its own generator, so the number of
worker processes does not change the output).

Skew, chosen to look like the real thing:

* citations: ~40 % of works uncited, the rest a lognormal tail growing with
  age (small integers mostly, a few thousands);
* countries: ~150 countries with Zipf-like weights (US, CN, GB, DE, JP, FR
  …), ~25 % of papers with two or more countries;
* a share of papers (``--cancer-share``) in the subfields Oncology (2730) and
  Cancer Research (1306), most of them with MeSH C04 descriptors, plus a few
  C04-indexed papers in other subfields;
* 1-40 authorships (mean ~5), a few without any affiliation, a few whose
  ``countries`` list is empty but whose institutions carry a country code.

Usage::

    python bench/generate_world.py --works 1000000 --out bench/out/world-1m
"""

from __future__ import annotations

import argparse
import gzip
import multiprocessing as mp
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import orjson

# Top research countries in rough order of output; the rest follow.
TOP_COUNTRIES = (  # noqa: SIM905
    "US CN GB DE JP FR IT CA IN AU ES KR NL BR CH SE TW IR TR PL BE DK AT RU IL "
    "SG NO FI PT GR EG SA MX ZA PK HK MY TH CZ IE NZ AR CL NG HU RO CO TN ID MA "
    "VN BD SI HR RS SK LT EE IQ JO LB QA AE KW OM CY IS LU UA BY KZ PE EC VE UY "
    "CU KE ET GH UG TZ CM SN ZW ZM MW RW BJ BF CI ML NE SD DZ LY NP LK MM KH LA "
    "MN PH BG AL MK BA ME MD GE AM AZ UZ KG TJ TM AF YE SY PS BH BN MT PA CR "
    "GT HN SV NI DO JM TT BO PY MZ AO NA BW MG MU GA CG CD SL LR GN GM TG MR "
    "FJ PG"
).split()
C04_EXTRA_SHARE = 0.03  # non-cancer-subfield papers that still carry C04 MeSH
CHECK_TAGS = (
    ("D006801", "Humans"),
    ("D008297", "Male"),
    ("D005260", "Female"),
    ("D000328", "Adult"),
    ("D008875", "Middle Aged"),
    ("D000368", "Aged"),
    ("D051381", "Rats"),
    ("D051379", "Mice"),
)
FUNDERS = (
    ("F4320306076", "National Institutes of Health", "R01CA"),
    ("F4320321001", "National Natural Science Foundation of China", "8217"),
    ("F4320334678", "European Research Council", "ERC-"),
    ("F4320320883", "Agence Nationale de la Recherche", "ANR-"),
    ("F4320322345", "Institut National du Cancer", "INCA_"),
    ("F4320320006", "Cancer Research UK", "C"),
    ("F4320320879", "Deutsche Forschungsgemeinschaft", "DFG"),
    ("F4320334764", "Japan Society for the Promotion of Science", "JP"),
)
TYPES = (
    "article",
    "review",
    "letter",
    "editorial",
    "book-chapter",
    "preprint",
    "erratum",
)
TYPE_P = (0.78, 0.09, 0.03, 0.03, 0.03, 0.025, 0.015)
YEARS = np.arange(2000, 2025)
DATES = (
    "2025-01-14",
    "2025-02-20",
    "2025-03-18",
    "2025-04-22",
    "2025-05-27",
    "2025-06-24",
    "2025-07-29",
    "2025-08-26",
    "2025-09-23",
    "2025-10-28",
)
OA = "https://openalex.org/"


@dataclass
class World:
    """The fixed reference pools shared by every part (built from the seed)."""

    countries: list[str]
    country_p: np.ndarray
    inst_offset: np.ndarray
    inst_size: np.ndarray
    institutions: list[dict[str, Any]]
    subfields: list[str]
    subfield_p: np.ndarray
    is_cancer: np.ndarray
    topics: list[list[dict[str, Any]]]
    c04: list[tuple[str, str]]
    country_names: dict[str, str]


def _country_names(codes: list[str]) -> dict[str, str]:
    import pycountry

    out = {}
    for c in codes:
        rec = pycountry.countries.get(alpha_2=c)
        out[c] = getattr(rec, "common_name", None) or (rec.name if rec else c)
    return out


def _subfields(
    rng: np.random.Generator, cancer_share: float
) -> tuple[list[str], np.ndarray, np.ndarray]:
    ids = []
    for field in range(11, 37):
        n = 48 if field == 27 else 12
        ids.extend(f"{field}{k:02d}" for k in range(1, n + 1))
    w = rng.lognormal(0.0, 1.0, len(ids))
    cancer = np.array([s in ("2730", "1306") for s in ids])
    w[cancer] = 0.0
    w = w / w.sum() * (1.0 - cancer_share)
    w[ids.index("2730")] = cancer_share * 0.7
    w[ids.index("1306")] = cancer_share * 0.3
    return ids, w, cancer


def _topics(subfields: list[str]) -> list[list[dict[str, Any]]]:
    names = {"2730": "Oncology", "1306": "Cancer Research"}
    fields = {"27": "Medicine", "13": "Biochemistry, Genetics and Molecular Biology"}
    out = []
    for i, sf in enumerate(subfields):
        sub = {
            "id": f"{OA}subfields/{sf}",
            "display_name": names.get(sf, f"Subfield {sf}"),
        }
        fld = {
            "id": f"{OA}fields/{sf[:2]}",
            "display_name": fields.get(sf[:2], f"Field {sf[:2]}"),
        }
        out.append(
            [
                {
                    "id": f"{OA}T{10000 + 8 * i + j}",
                    "display_name": f"Topic {8 * i + j}",
                    "subfield": sub,
                    "field": fld,
                }
                for j in range(8)
            ]
        )
    return out


def _c04() -> list[tuple[str, str]]:
    import csv

    ref = Path(__file__).resolve().parents[1] / "oncometrics" / "data" / "reference"
    with open(ref / "mesh2025_c04_complete.csv", encoding="utf-8") as fh:
        rows = {(r["mesh_id"], r["mesh_name"]) for r in csv.DictReader(fh)}
    return sorted(rows)


def build_world(seed: int, cancer_share: float, n_institutions: int) -> World:
    """The reference pools: countries, institutions, subfields, topics, MeSH."""
    rng = np.random.default_rng([seed, 0xC0FFEE])
    countries = list(TOP_COUNTRIES)
    ranks = np.arange(1, len(countries) + 1)
    p = 1.0 / (ranks + 0.6) ** 1.25
    p /= p.sum()
    sizes = np.maximum(2, np.round(p * n_institutions)).astype(np.int64)
    offset = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    names = _country_names(countries)
    insts = []
    for ci, c in enumerate(countries):
        for k in range(sizes[ci]):
            n = len(insts)
            ror = f"0{np.base_repr(n * 7919 + 104729, 36).lower():0>6}{n % 90 + 10}"
            insts.append(
                {
                    "id": f"{OA}I{4200000 + n}",
                    "display_name": f"Institute {n} {c}",
                    "ror": f"https://ror.org/{ror}",
                    "country_code": c,
                    "type": "education" if k % 3 else "healthcare",
                }
            )
    subfields, sp, cancer = _subfields(rng, cancer_share)
    return World(
        countries,
        p,
        offset,
        sizes,
        insts,
        subfields,
        sp,
        cancer,
        _topics(subfields),
        _c04(),
        names,
    )


def _citations(rng: np.random.Generator, years: np.ndarray) -> np.ndarray:
    n = len(years)
    age = 2025 - years
    mu = 0.6 + 0.09 * age
    tail = np.floor(rng.lognormal(mu, 1.15)).astype(np.int64) + 1
    zero = rng.random(n) < 0.40 + 0.02 * np.maximum(0, 3 - age)
    return np.where(zero, 0, np.minimum(tail, 50_000))


def _countries_per_paper(rng: np.random.Generator, w: World, n: int) -> list[list[int]]:
    k = np.ones(n, dtype=np.int64)
    multi = rng.random(n) < 0.26
    k[multi] = 2 + rng.geometric(0.55, multi.sum()) - 1
    k = np.minimum(k, 8)
    draws = rng.choice(len(w.countries), size=(n, 8), p=w.country_p)
    out = []
    for row, kk in zip(draws.tolist(), k.tolist(), strict=True):
        seen = list(dict.fromkeys(row))[:kk]
        out.append(seen)
    return out


def _authorships(
    rng: np.random.Generator,
    w: World,
    n_auth: list[int],
    paper_countries: list[list[int]],
    base_id: int,
) -> list[list[Any]]:
    total = int(sum(n_auth))
    u = rng.random((total, 6))
    out: list[list[Any]] = []
    i = 0
    for na, pcs in zip(n_auth, paper_countries, strict=True):
        auths = []
        nc = len(pcs)
        for pos in range(na):
            r = u[i]
            slot = pos if pos < nc else (0 if r[0] < 0.6 else int(r[1] * nc))
            cs = [pcs[slot]]
            if pos == na - 1 and na < nc:
                cs.extend(pcs[na:])  # a lone author carries the rest
            elif r[2] < 0.08:
                cs.append(cs[0] if r[3] < 0.7 else pcs[int(r[3] * nc) % nc])
            insts = [
                w.institutions[int(w.inst_offset[c] + int(w.inst_size[c] * r[4] ** 2))]
                for c in cs
            ]
            if len(insts) == 2 and insts[0] is insts[1]:
                insts.pop()
            auths.append(_authorship(base_id + i, pos, na, insts, r[5], w))
            i += 1
        out.append(auths)
    return out


def _authorship(
    aid: int, pos: int, na: int, insts: list[dict[str, Any]], r: float, w: World
) -> dict[str, Any]:
    codes = list(dict.fromkeys(x["country_code"] for x in insts))
    if r < 0.04:  # no affiliation at all
        insts, codes = [], []
    elif r < 0.06:  # institutions carry the country, `countries` is empty
        codes = []
    affs = [
        f"Dept {aid % 97}, {x['display_name']}, {w.country_names[x['country_code']]}"
        for x in insts
    ]
    return {
        "author_position": "first"
        if pos == 0
        else ("last" if pos == na - 1 else "middle"),
        "author": {"id": f"{OA}A{5000000000 + aid}", "display_name": f"Author {aid}"},
        "institutions": insts,
        "countries": codes,
        "is_corresponding": pos == 0,
        "raw_author_name": f"Author {aid}",
        "raw_affiliation_strings": affs,
    }


def _mesh(rng_u: np.ndarray, cancer: bool, w: World) -> list[dict[str, Any]]:
    out = []
    if cancer or rng_u[0] < C04_EXTRA_SHARE:
        for j in range(1 + int(rng_u[1] * 2)):
            ui, name = w.c04[int(rng_u[2 + j] * len(w.c04))]
            out.append(
                {
                    "descriptor_ui": ui,
                    "descriptor_name": name,
                    "qualifier_ui": None,
                    "qualifier_name": None,
                    "is_major_topic": j == 0,
                }
            )
    for j in range(2):
        ui, name = CHECK_TAGS[int(rng_u[4 + j] * len(CHECK_TAGS))]
        out.append(
            {
                "descriptor_ui": ui,
                "descriptor_name": name,
                "qualifier_ui": None,
                "qualifier_name": None,
                "is_major_topic": False,
            }
        )
    return out


def _counts_by_year(c: int, year: int) -> list[dict[str, int]]:
    if c == 0:
        return []
    parts = [c - c // 2 - c // 3, c // 3, c // 2]
    last = max(year, 2025)
    return [{"year": last - k, "cited_by_count": v} for k, v in enumerate(parts) if v]


def make_works(
    seed: int, part: int, start: int, count: int, n_total: int, w: World
) -> list[bytes]:
    """`count` works with ids start..start+count-1, as JSON lines."""
    rng = np.random.default_rng([seed, part])
    years = rng.choice(YEARS, size=count, p=_year_p())
    cites = _citations(rng, years)
    types = rng.choice(len(TYPES), size=count, p=TYPE_P)
    sub = rng.choice(len(w.subfields), size=count, p=w.subfield_p)
    n_auth = np.minimum(1 + rng.negative_binomial(2, 0.33, count), 40)
    pcs = _countries_per_paper(rng, w, count)
    auths = _authorships(rng, w, n_auth.tolist(), pcs, start * 41)
    u = rng.random((count, 13))
    refs = rng.integers(0, n_total, size=(count, 5))
    lines = []
    for i in range(count):
        lines.append(
            _work(
                start + i,
                int(years[i]),
                int(cites[i]),
                int(types[i]),
                int(sub[i]),
                auths[i],
                u[i],
                refs[i],
                w,
            )
        )
    return lines


def _year_p() -> np.ndarray:
    p = 1.05 ** (YEARS - YEARS[0])
    return p / p.sum()


def _work(
    n: int,
    year: int,
    c: int,
    t: int,
    sub: int,
    auths: list[Any],
    u: np.ndarray,
    refs: np.ndarray,
    w: World,
) -> bytes:
    wid = f"W{1000000000 + n}"
    cancer = bool(w.is_cancer[sub])
    has_pmid = u[0] < (0.95 if cancer else 0.55)
    topics = w.topics[sub]
    primary = topics[int(u[1] * 8)] | {"score": 0.99}
    extra = [topics[int(u[2] * 8)] | {"score": 0.6}] if u[3] < 0.6 else []
    ids: dict[str, str] = {"openalex": f"{OA}{wid}"}
    doi = f"https://doi.org/10.{5000 + n % 4000}/synth.{n}" if u[4] < 0.9 else None
    if doi:
        ids["doi"] = doi
    if has_pmid:
        ids["pmid"] = f"https://pubmed.ncbi.nlm.nih.gov/{20000000 + n}"
    rec: dict[str, Any] = {
        "id": f"{OA}{wid}",
        "doi": doi,
        "title": f"Synthetic work {n}",
        "publication_year": year,
        "publication_date": f"{year}-{1 + n % 12:02d}-15",
        "ids": ids,
        "language": "en",
        "type": TYPES[t],
        "primary_location": {
            "source": {
                "id": f"{OA}S{100 + n % 5000}",
                "display_name": f"Journal {n % 5000}",
            }
        },
        "authorships": auths,
        "cited_by_count": c,
        "primary_topic": primary,
        "topics": [primary, *extra],
        "mesh": _mesh(u[5:11], cancer, w) if has_pmid else [],
        "grants": _grants(u[11], n),
        "referenced_works": [
            f"{OA}W{1000000000 + r}" for r in refs[: int(u[12] * 6)].tolist() if r != n
        ],
        "counts_by_year": _counts_by_year(c, year),
        "updated_date": "2025-01-01T00:00:00.000000",
    }
    return orjson.dumps(rec)


def _grants(r: float, n: int) -> list[dict[str, str]]:
    if r >= 0.12:
        return []
    k = 1 + (r < 0.03)
    out = []
    for j in range(k):
        fid, name, prefix = FUNDERS[(n + j) % len(FUNDERS)]
        out.append(
            {
                "funder": f"{OA}{fid}",
                "funder_display_name": name,
                "award_id": f"{prefix}{100000 + (n * 7 + j) % 900000}",
            }
        )
    return out


def part_path(out: Path, part: int, n_parts: int) -> Path:
    """Where part number `part` of `n_parts` goes in the snapshot layout."""
    n_dates = min(len(DATES), n_parts)
    d = part * n_dates // n_parts
    first = next(k for k in range(n_parts) if k * n_dates // n_parts == d)
    return (
        out
        / "data"
        / "works"
        / f"updated_date={DATES[d]}"
        / f"part_{part - first:03d}.gz"
    )


_WORLD: World | None = None


def _init(seed: int, cancer_share: float, n_inst: int) -> None:
    global _WORLD
    _WORLD = build_world(seed, cancer_share, n_inst)


def _write_part(task: tuple[int, int, int, int, int, int, str, int]) -> tuple[int, int]:
    seed, part, start, count, n_total, n_parts, out, level = task
    assert _WORLD is not None
    path = part_path(Path(out), part, n_parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".gz.tmp")
    chunk = 20_000
    with gzip.GzipFile(tmp, "wb", compresslevel=level, mtime=0) as fh:
        for s in range(0, count, chunk):
            k = min(chunk, count - s)
            lines = make_works(
                seed, part * 1000 + s // chunk, start + s, k, n_total, _WORLD
            )
            fh.write(b"\n".join(lines) + b"\n")
    tmp.replace(path)
    return part, count


def generate(
    n: int,
    out: Path,
    *,
    seed: int = 42,
    part_size: int = 250_000,
    jobs: int = 2,
    cancer_share: float = 0.2,
    level: int = 3,
    n_institutions: int = 20_000,
) -> list[Path]:
    """Write `n` works under `out`; return the part files."""
    n_parts = max(1, -(-n // part_size))
    tasks = [
        (
            seed,
            p,
            p * part_size,
            min(part_size, n - p * part_size),
            n,
            n_parts,
            str(out),
            level,
        )
        for p in range(n_parts)
    ]
    args = (seed, cancer_share, n_institutions)
    t0 = time.perf_counter()
    done = 0
    if jobs <= 1:
        _init(*args)
        results = map(_write_part, tasks)
        for _, k in results:
            done += k
            _report(done, n, t0)
    else:
        with mp.get_context("fork").Pool(
            jobs, initializer=_init, initargs=args
        ) as pool:
            for _, k in pool.imap_unordered(_write_part, tasks):
                done += k
                _report(done, n, t0)
    print(file=sys.stderr)
    return [part_path(out, p, n_parts) for p in range(n_parts)]


def _report(done: int, n: int, t0: float) -> None:
    dt = time.perf_counter() - t0
    print(
        f"\r{done:,}/{n:,} works  {done / max(dt, 1e-9):,.0f} works/s  {dt:.0f} s",
        end="",
        file=sys.stderr,
        flush=True,
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--works", type=float, default=1e6, help="number of works (1e6 ok)")
    ap.add_argument("--out", type=Path, required=True, help="output folder")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--part-size", type=int, default=250_000, help="works per part")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes")
    ap.add_argument(
        "--cancer-share",
        type=float,
        default=0.2,
        help="share of works in subfields 2730/1306",
    )
    ap.add_argument("--gzip-level", type=int, default=3)
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    parts = generate(
        int(a.works),
        a.out,
        seed=a.seed,
        part_size=a.part_size,
        jobs=a.jobs,
        cancer_share=a.cancer_share,
        level=a.gzip_level,
    )
    size = sum(p.stat().st_size for p in parts)
    print(
        f"{int(a.works):,} works in {len(parts)} parts, {size / 1e9:.2f} GB gzipped, "
        f"{time.perf_counter() - t0:.0f} s -> {a.out}"
    )


if __name__ == "__main__":
    main()
