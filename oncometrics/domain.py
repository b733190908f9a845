"""Domain definitions: what counts as "cancer" for each kind of record.

A :class:`Domain` is built from the settings (``oncometrics.config``) and is
hashed (SHA-256 of its canonical JSON, first 12 hex digits) so that every
table and statement names the exact definition it used (contract section 2).
The hash covers the definition *and* every setting that changes a figure
(:func:`figure_settings`): all settings except those listed in
:data:`NOT_FIGURES`, so a setting added later is covered unless it is declared
harmless, and the content (not the path) of a totals file.
The selection itself is done by Ibis expressions in ``oncometrics.indicators``.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from oncometrics.config import SETTINGS, Config
from oncometrics.errors import InputError

#: Settings that never change a figure (engine, resources, report language
#: and focus, bootstrap speed-ups that give the same digits).  Every other
#: setting, including those added later, enters the hash.
NOT_FIGURES = frozenset(
    {
        "engine",
        "spark_master",
        "threads",
        "memory_limit",
        "temp_directory",
        "spark_driver_memory",
        "actor",
        "lang",
    }
)

#: Publication domain signals, in the order of ``domain.json``.
SIGNALS = ("mesh", "openalex_topic", "openalex_subfield", "wos_category",
           "scopus_asjc", "keyword")  # fmt: skip

_REF = "oncometrics.data.reference"


def _under(tree: str, prefix: str) -> bool:
    return tree == prefix or tree.startswith(prefix + ".")


@lru_cache(maxsize=8)
def mesh_descriptors(
    tree_prefix: str = "C04", exclude: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """Sorted MeSH descriptor UIs with a tree number under `tree_prefix`.

    A descriptor all of whose tree numbers under `tree_prefix` lie under one
    of `exclude` (e.g. ``C04.182``, Cysts) is left out; one that is also
    reachable another way stays.
    """
    ref = resources.files(_REF) / "mesh2025_c04_complete.csv"
    trees: dict[str, list[str]] = {}
    with ref.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if _under(row["tree_number"], tree_prefix):
                trees.setdefault(row["mesh_id"], []).append(row["tree_number"])
    keep = {
        m
        for m, ts in trees.items()
        if not all(any(_under(t, x) for x in exclude) for t in ts)
    }
    return tuple(sorted(keep))


@lru_cache(maxsize=4)
def cancer_topics(version: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Topic ids and lower-case display names of the bundled cancer-topic list.

    `version` names the OpenAlex topic model the list was made for (file
    ``openalex_cancer_topics_<version>.csv``); ``"none"`` gives no topics.
    """
    if version in ("", "none"):
        return (), ()
    ref = resources.files(_REF) / f"openalex_cancer_topics_{version}.csv"
    if not ref.is_file():
        raise ValueError(
            f"no cancer-topic list for OpenAlex topic model {version!r} "
            f"(oncometrics/data/reference/openalex_cancer_topics_<version>.csv)"
        )
    with ref.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    ids = tuple(sorted({r["topic_id"] for r in rows if r["topic_id"]}))
    names = tuple(sorted({r["display_name"].strip().lower() for r in rows}))
    return ids, names


def norm_code(code: str) -> str:
    """Patent class code without spaces, upper case: 'A61P 35/00' -> 'A61P35/00'."""
    return "".join(code.split()).upper()


def file_digest(path: str | Path | None) -> str | None:
    """SHA-256 (12 hex digits) of a file's content; None without a file."""
    if not path:
        return None
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from exc
    return hashlib.sha256(data).hexdigest()[:12]


def figure_settings(config: Config) -> dict[str, Any]:
    """Every setting that changes a figure, by name (JSON-able values).

    File settings (``totals``) are represented by their content's digest.
    """
    out: dict[str, Any] = {}
    for s in SETTINGS:
        if s.name in NOT_FIGURES:
            continue
        value = config.values.get(s.name, s.default)
        if s.name == "totals":
            value = file_digest(value)
        out[s.name] = list(value) if isinstance(value, tuple) else value
    for k, v in sorted(config.values.items()):  # values without a declaration
        if k not in out and k not in NOT_FIGURES and k not in _DECLARED:
            out[k] = list(v) if isinstance(v, tuple) else v
    return out


_DECLARED = frozenset(s.name for s in SETTINGS)


@dataclass(frozen=True)
class Domain:
    """A named, versioned selection of publications, inventions and trials."""

    name: str
    version: int
    types: tuple[str, ...]
    mesh_tree: str
    mesh_exclude: tuple[str, ...]
    mesh_descriptors: tuple[str, ...]
    openalex_subfields: tuple[str, ...]
    any_topic: bool
    topic_model: str
    openalex_topics: tuple[str, ...]
    openalex_topic_names: tuple[str, ...]
    wos_categories: tuple[str, ...]
    asjc_codes: tuple[str, ...]
    keywords: tuple[str, ...]
    patent_codes: tuple[str, ...]
    patent_keywords: tuple[str, ...]
    trial_keywords: tuple[str, ...]
    #: every figure-changing setting, as canonical JSON (part of the hash)
    settings: str = "{}"

    @classmethod
    def from_config(cls, config: Config) -> Domain:
        """The domain the settings describe."""
        if config.domain not in ("cancer", "all"):
            raise ValueError(
                f"unknown domain {config.domain!r}; known domains: cancer, all"
            )
        get = config.values.get
        exclude = tuple(get("mesh_exclude", ("C04.182",)))
        model = str(get("cancer_topics", "2024"))
        topic_ids, topic_names = cancer_topics(model)
        return cls(
            name=config.domain,
            version=2,
            types=tuple(config.types),
            mesh_tree=config.mesh_tree,
            mesh_exclude=exclude,
            mesh_descriptors=mesh_descriptors(config.mesh_tree, exclude),
            openalex_subfields=tuple(str(s) for s in config.openalex_subfields),
            any_topic=bool(config.any_topic),
            topic_model=model,
            openalex_topics=topic_ids,
            openalex_topic_names=topic_names,
            wos_categories=tuple(str(c).lower() for c in get("wos_categories", ())),
            asjc_codes=tuple(str(c) for c in get("asjc_codes", ())),
            keywords=tuple(k.lower() for k in config.keywords),
            patent_codes=tuple(norm_code(c) for c in config.patent_codes),
            patent_keywords=tuple(k.lower() for k in config.patent_keywords),
            trial_keywords=tuple(k.lower() for k in config.trial_keywords),
            settings=json.dumps(
                figure_settings(config),
                sort_keys=True,
                separators=(",", ":"),
                default=str,
            ),
        )

    @property
    def is_everything(self) -> bool:
        """True for the 'all' domain (every record of the store)."""
        return self.name == "all"

    @property
    def is_default(self) -> bool:
        """True when the definition is the default ``cancer`` one."""
        return self.definition_hash == _default_definition_hash()

    def to_dict(self) -> dict[str, Any]:
        """The definition as plain JSON-able data (with its hashes)."""
        d = asdict(self)
        d["settings"] = json.loads(self.settings)
        d["mesh_descriptors_count"] = len(self.mesh_descriptors)
        d["hash"] = self.hash
        d["definition_hash"] = self.definition_hash
        d["label"] = self.label
        return d

    @property
    def label(self) -> str:
        """How statements name the domain ("cancer", or "cancer (custom …)")."""
        if self.is_everything or self.is_default:
            return self.name
        return f"{self.name} (custom definition {self.definition_hash})"

    @property
    def definition_hash(self) -> str:
        """Hash of the selection alone (without counting, thresholds…)."""
        d = asdict(self)
        d.pop("settings")
        return _digest(d)

    @property
    def hash(self) -> str:
        """First 12 hex digits of SHA-256 over the definition and every
        figure-changing setting (contract section 2)."""
        return _digest(asdict(self))


def _digest(d: dict[str, Any]) -> str:
    blob = json.dumps(d, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


@lru_cache(maxsize=1)
def _default_definition_hash() -> str:
    defaults = Config({s.name: s.default for s in SETTINGS})
    return Domain.from_config(defaults).definition_hash
