"""Domain definitions: what counts as "cancer" for each kind of record.

A :class:`Domain` is built from the settings (``oncometrics.config``) and is
hashed (SHA-256 of its canonical JSON, first 12 hex digits) so that every
table and statement names the exact definition it used (contract section 2).
The selection itself is done by Ibis expressions in ``oncometrics.indicators``.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from oncometrics.config import Config


@lru_cache(maxsize=8)
def mesh_descriptors(tree_prefix: str = "C04") -> tuple[str, ...]:
    """Sorted MeSH descriptor UIs with a tree number under `tree_prefix`."""
    ref = resources.files("oncometrics.data.reference") / "mesh2025_c04_complete.csv"
    with ref.open(encoding="utf-8") as fh:
        ids = {
            row["mesh_id"]
            for row in csv.DictReader(fh)
            if row["tree_number"] == tree_prefix
            or row["tree_number"].startswith(tree_prefix + ".")
        }
    return tuple(sorted(ids))


def norm_code(code: str) -> str:
    """Patent class code without spaces, upper case: 'A61P 35/00' -> 'A61P35/00'."""
    return "".join(code.split()).upper()


@dataclass(frozen=True)
class Domain:
    """A named, versioned selection of publications, inventions and trials."""

    name: str
    version: int
    types: tuple[str, ...]
    mesh_tree: str
    mesh_descriptors: tuple[str, ...]
    openalex_subfields: tuple[str, ...]
    any_topic: bool
    keywords: tuple[str, ...]
    patent_codes: tuple[str, ...]
    patent_keywords: tuple[str, ...]
    trial_keywords: tuple[str, ...]

    @classmethod
    def from_config(cls, config: Config) -> Domain:
        """The domain the settings describe."""
        if config.domain not in ("cancer", "all"):
            raise ValueError(
                f"unknown domain {config.domain!r}; known domains: cancer, all"
            )
        return cls(
            name=config.domain,
            version=1,
            types=tuple(config.types),
            mesh_tree=config.mesh_tree,
            mesh_descriptors=mesh_descriptors(config.mesh_tree),
            openalex_subfields=tuple(str(s) for s in config.openalex_subfields),
            any_topic=bool(config.any_topic),
            keywords=tuple(k.lower() for k in config.keywords),
            patent_codes=tuple(norm_code(c) for c in config.patent_codes),
            patent_keywords=tuple(k.lower() for k in config.patent_keywords),
            trial_keywords=tuple(k.lower() for k in config.trial_keywords),
        )

    @property
    def is_everything(self) -> bool:
        """True for the 'all' domain (every record of the store)."""
        return self.name == "all"

    def to_dict(self) -> dict[str, Any]:
        """The definition as plain JSON-able data (with its hash)."""
        d = asdict(self)
        d["mesh_descriptors_count"] = len(self.mesh_descriptors)
        d["hash"] = self.hash
        return d

    @property
    def hash(self) -> str:
        """First 12 hex digits of SHA-256 over the canonical JSON definition."""
        blob = json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()[:12]
