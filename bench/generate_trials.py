"""A synthetic world of ClinicalTrials.gov studies, in the bulk-download shape.

ClinicalTrials.gov's full download is a zip of one API v2 JSON file per
study; this writes the same thing, split into ``--shards`` zip files so that
ingest also exercises the store's cross-file deduplication (``--dup-rate`` of
the studies appear again in a later shard).  Distributions are rough
imitations of the registry (about 30 % oncology, US-heavy sites, a long tail
of sponsors and countries); everything is seeded.

Usage::

    python bench/generate_trials.py --studies 500000 --out bench/out/trials-500k
"""

from __future__ import annotations

import argparse
import random
import time
import zipfile
from pathlib import Path
from typing import Any

import orjson

PHASES: list[tuple[list[str] | None, float]] = [
    (["EARLY_PHASE1"], 0.03), (["PHASE1"], 0.12), (["PHASE1", "PHASE2"], 0.05),
    (["PHASE2"], 0.20), (["PHASE2", "PHASE3"], 0.02), (["PHASE3"], 0.10),
    (["PHASE4"], 0.08), (["NA"], 0.25), (None, 0.15),
]  # fmt: skip
CANCER = [
    ("Breast Cancer", "D001943", "Breast Neoplasms"),
    ("Non-small Cell Lung Cancer", "D002289", "Carcinoma, Non-Small-Cell Lung"),
    ("Prostate Cancer", "D011471", "Prostatic Neoplasms"),
    ("Colorectal Cancer", "D015179", "Colorectal Neoplasms"),
    ("Acute Myeloid Leukemia", "D015470", "Leukemia, Myeloid, Acute"),
    ("Melanoma", "D008545", "Melanoma"),
    ("Multiple Myeloma", "D009101", "Multiple Myeloma"),
    ("Glioblastoma", "D005909", "Glioblastoma"),
    ("Neuroblastoma", "D009447", "Neuroblastoma"),
    ("Solid Tumor, Adult", None, None),
]
OTHER = [
    ("Type 2 Diabetes", "D003924", "Diabetes Mellitus, Type 2"),
    ("Asthma", "D001249", "Asthma"),
    ("Hypertension", "D006973", "Hypertension"),
    ("Depression", "D003866", "Depressive Disorder"),
    ("COVID-19", "D000086382", "COVID-19"),
    ("Healthy Volunteers", None, None),
]
COUNTRIES = [
    ("United States", 40), ("France", 6), ("Germany", 5), ("China", 8),
    ("United Kingdom", 4), ("Canada", 4), ("Spain", 3), ("Italy", 3), ("Japan", 3),
    ("Korea, Republic of", 3), ("Australia", 2), ("Netherlands", 2),
    ("Belgium", 2), ("Poland", 2), ("Russian Federation", 1), ("Brazil", 1),
    ("Israel", 1), ("Taiwan", 1), ("Denmark", 1), ("Switzerland", 1),
    ("Turkey", 1), ("Egypt", 1), ("India", 1), ("Czechia", 1), ("Czech Republic", 1),
    ("Former Serbia and Montenegro", 0.05), ("Kosovo", 0.05),
]  # fmt: skip
CLASSES = [("OTHER", 0.55), ("INDUSTRY", 0.35), ("NIH", 0.04), ("NETWORK", 0.03),
           ("OTHER_GOV", 0.03)]  # fmt: skip


def _pick(rng: random.Random, items: list[tuple[Any, float]]) -> Any:
    return rng.choices([i for i, _ in items], [w for _, w in items])[0]


def _sponsor(rng: random.Random, n_sponsors: int) -> dict[str, str]:
    k = int(n_sponsors * rng.random() ** 2.5)  # a few big sponsors, a long tail
    cls = CLASSES[k % len(CLASSES)][0] if k < 50 else _pick(rng, CLASSES)
    suffix = ", Inc." if cls == "INDUSTRY" and k % 3 == 0 else ""
    return {"name": f"Sponsor {k:05d}{suffix}", "class": cls}


def study(rng: random.Random, nct: int, n_sponsors: int) -> dict[str, Any]:
    """One synthetic API v2 study."""
    cancer = rng.random() < 0.30
    conds = rng.sample(CANCER if cancer else OTHER, rng.randint(1, 2))
    phases = _pick(rng, PHASES)
    n_sites = min(300, int(rng.paretovariate(1.3)))
    n_ctry = 1 if n_sites < 3 else min(n_sites, 1 + int(rng.expovariate(0.6)))
    countries = list({_pick(rng, COUNTRIES) for _ in range(n_ctry)})
    year = rng.randint(2000, 2024)
    design: dict[str, Any] = {"studyType": "OBSERVATIONAL" if phases is None
                              else "INTERVENTIONAL",
                              "enrollmentInfo": {"count": rng.randint(5, 3000)}}  # fmt: skip
    if phases:
        design["phases"] = phases
    meshes = [{"id": m, "term": t} for _, m, t in conds if m]
    ancestors = [{"id": "D009369", "term": "Neoplasms"}] if cancer and meshes else []
    return {
        "protocolSection": {
            "identificationModule": {"nctId": f"NCT{nct:08d}",
                                     "briefTitle": f"Synthetic study {nct}"},
            "statusModule": {
                "overallStatus": rng.choice(["COMPLETED", "RECRUITING", "TERMINATED"]),
                "startDateStruct": {"date": f"{year}-{rng.randint(1, 12):02d}"},
                "completionDateStruct": {"date": f"{year + rng.randint(1, 6)}-06"},
            },
            "sponsorCollaboratorsModule": {
                "leadSponsor": _sponsor(rng, n_sponsors),
                "collaborators": [_sponsor(rng, n_sponsors)
                                  for _ in range(int(rng.expovariate(1.5)))],
            },
            "conditionsModule": {"conditions": [c for c, _, _ in conds]},
            "designModule": design,
            "armsInterventionsModule": {"interventions": [
                {"type": "DRUG", "name": f"Drug {rng.randint(1, 20000)}"}]},
            "contactsLocationsModule": {"locations": [
                {"facility": f"Hospital {rng.randint(1, 50000)}",
                 "city": f"City {rng.randint(1, 3000)}",
                 "country": countries[i % len(countries)]}
                for i in range(n_sites)]},
        },
        "derivedSection": {"conditionBrowseModule": {"meshes": meshes,
                                                     "ancestors": ancestors}},
    }  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--studies", type=float, default=500_000)
    ap.add_argument("--shards", type=int, default=10)
    ap.add_argument("--dup-rate", type=float, default=0.01)
    ap.add_argument("--sponsors", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--out", type=Path, default=Path("bench/out/trials-500k"))
    a = ap.parse_args()
    n, rng, t0 = int(a.studies), random.Random(a.seed), time.perf_counter()
    a.out.mkdir(parents=True, exist_ok=True)
    per = -(-n // a.shards)
    written = 0
    for s in range(a.shards):
        ids = list(range(s * per, min(n, (s + 1) * per)))
        if s:  # re-register some studies of earlier shards (duplicates)
            ids += rng.sample(range(s * per), int(len(ids) * a.dup_rate))
        path = a.out / f"ctg-studies-{s + 1:02d}.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
            for i in ids:
                srng = random.Random(a.seed * 1_000_003 + i)
                zf.writestr(
                    f"NCT{10_000_000 + i:08d}.json",
                    orjson.dumps(study(srng, 10_000_000 + i, a.sponsors)),
                )
        written += len(ids)
        print(f"{path}: {len(ids):,} studies ({time.perf_counter() - t0:.0f} s)",
              flush=True)  # fmt: skip
    print(f"{written:,} study files ({n:,} distinct) in {a.shards} zips under {a.out}")


if __name__ == "__main__":
    main()
