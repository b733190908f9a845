"""Settings, declared once as data (name, default, help).

The same declarations feed the TOML configuration file (``--config``), the
environment (``ONCOMETRICS_<NAME>``), the CLI and ``docs/configuration.md``
(``tests/test_docs.py`` fails when a setting is undocumented).  Precedence:
CLI flag > environment > TOML file > default.

A TOML file may use sections; keys are looked up by their setting name
without the section, e.g.::

    [publications]
    types = ["article", "review"]
    [domain]
    mesh_tree = "C04"
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from oncometrics.domain_patents import GENERIC_CODES, SPECIFIC_CODES
from oncometrics.domain_patents import KEYWORDS as PATENT_KEYWORDS


@dataclass(frozen=True)
class Setting:
    """One configuration setting.

    ``choices`` lists the allowed values (``None``: any value of the type);
    ``kind`` is the expected type of the value (of each item for a tuple
    default), inferred from ``default`` when ``None``.
    """

    name: str
    default: Any
    help: str
    choices: tuple[Any, ...] | None = None
    kind: type | None = None


SETTINGS: tuple[Setting, ...] = (
    # publications and counting
    Setting("types", ("article", "review"), "Document types counted as publications."),
    Setting(
        "period", None, "Publication years to count, e.g. '2014-2023' (default: all)."
    ),
    Setting("counting", "fractional", "Counting in rankings: 'fractional' or 'full'."),
    Setting(
        "min_p",
        None,
        "Minimum P_frac for a country to be ranked on ratio indicators "
        "(absolute; overrides min_share).",
        kind=float,
    ),
    Setting(
        "min_share",
        0.005,
        "Minimum share of world P_frac (domain and period) for a country to be "
        "ranked on ratio indicators, unless min_p is set (0.005 = 0.5 %).",
    ),
    Setting(
        "min_p_institution",
        5.0,
        "Minimum P_frac for an institution to be ranked on ratio indicators.",
    ),
    Setting(
        "min_coverage",
        0.5,
        "Least share of an actor's output with citation data for its impact "
        "figures (MNCS, PP) to be given; below it they are n/a.",
    ),
    Setting(
        "citation_window",
        None,
        "Citation window in years after publication (default: all citations).",
    ),
    Setting(
        "normalise_by_type", False, "Make document type part of the reference set."
    ),
    Setting(
        "field_scheme",
        "openalex_subfield",
        "Field used for reference sets: 'openalex_subfield' (default) or "
        "'wos_category' (Web of Science subject category, for WoS exports).",
        choices=("openalex_subfield", "wos_category"),
    ),
    Setting("bootstrap", 1000, "Bootstrap resamples for stability intervals."),
    Setting("seed", 20141, "Random seed of the bootstrap (results are reproducible)."),
    Setting(
        "bootstrap_exact_max",
        5000,
        "Actors with more works get the normal (delta-method) approximation "
        "of the bootstrap interval instead of resampling.",
    ),
    Setting(
        "totals",
        None,
        "CSV of all-field publication totals per country (and year) for the "
        "activity index; default: the store's own totals.",
    ),
    # domain
    Setting("domain", "cancer", "Name of the domain definition to select."),
    Setting(
        "mesh_tree", "C04", "MeSH tree number prefix of the domain (C04 = Neoplasms)."
    ),
    Setting(
        "openalex_subfields",
        ("2730", "1306"),
        "OpenAlex subfield ids of the domain (2730 Oncology, 1306 Cancer Research).",
    ),
    Setting("any_topic", False, "Match any OpenAlex topic, not only the primary one."),
    Setting(
        "mesh_exclude",
        ("C04.182",),
        "MeSH tree numbers whose descriptors leave the domain when reachable "
        "only through them (C04.182 = Cysts).",
    ),
    Setting(
        "cancer_topics",
        "2024",
        "OpenAlex topic model of the bundled cancer-topic list whose topics "
        "select a publication whatever their subfield ('none': no list).",
    ),
    Setting(
        "wos_categories",
        ("Oncology",),
        "Web of Science subject categories (WC) that select a publication.",
    ),
    Setting(
        "asjc_codes",
        ("2730", "1306"),
        "Scopus ASJC codes that select a publication, where an export carries them.",
    ),
    Setting(
        "keywords",
        (),
        "Keywords (case-insensitive) that also select a publication when found "
        "in its title or abstract.",
    ),
    Setting(
        "patent_codes",
        SPECIFIC_CODES,
        "Cancer-specific CPC/IPC code prefixes: select an invention on their own "
        "(see docs/inventions.md).",
    ),
    Setting(
        "patent_generic_codes",
        GENERIC_CODES,
        "Generic CPC/IPC code prefixes (radiotherapy, imaging, surgery, "
        "informatics, drugs): select an invention only with a cancer keyword.",
    ),
    Setting(
        "patent_cancer_keywords",
        PATENT_KEYWORDS,
        "Cancer keywords looked for in patent titles and abstracts (with a "
        "generic code).",
    ),
    Setting("patent_keywords", (), "Title keywords that also select an invention."),
    Setting(
        "trial_keywords",
        (
            "cancer",
            "carcinoma",
            "neoplasm",
            "tumor",
            "tumour",
            "leukemia",
            "leukaemia",
            "lymphoma",
            "melanoma",
            "sarcoma",
            "myeloma",
            "glioma",
            "glioblastoma",
            "blastoma",
            "oncology",
            "metasta",
            "malignan",
            "mesothelioma",
            "neuroblastoma",
        ),
        "Condition keywords (case-insensitive substrings) of oncology trials.",
    ),
    # inventions
    Setting("by", "inventor", "Invention actors: 'inventor' or 'applicant' country."),
    Setting(
        "periods",
        None,
        "Two periods for technology shift, e.g. '2002-2011,2012-2021' (default: "
        "the halves of period, without the years inside the publication lag).",
    ),
    Setting(
        "family_scope",
        "all",
        "Patent families counted: 'all', or 'international' (filed in two or "
        "more offices, or via PCT/EP, as the EPO/OECD count).",
        choices=("all", "international"),
    ),
    # trials
    Setting(
        "trial_study_types",
        ("INTERVENTIONAL",),
        "Study types counted as trials (empty: all).",
    ),
    Setting(
        "trial_excluded_statuses",
        ("WITHDRAWN", "NOT_YET_RECRUITING"),
        "Overall statuses of studies that did not start and are not counted.",
    ),
    Setting(
        "early_phases",
        ("EARLY_PHASE1", "PHASE1", "PHASE1/PHASE2"),
        "Trial phases counted as early phase (INCa CLIP²: 0, I, I/II).",
    ),
    Setting(
        "hk_macao_to_cn",
        True,
        "Read Hong Kong and Macao as China (Leiden Ranking convention) for "
        "publications (at ingest), inventions and trials.",
    ),
    # engine
    Setting("engine", "duckdb", "Query engine: 'duckdb' (embedded) or 'spark'."),
    Setting("spark_master", None, "Spark master URL (default: local[*])."),
    Setting("threads", None, "DuckDB threads (default: all cores)."),
    Setting(
        "memory_limit",
        None,
        "DuckDB memory limit, e.g. '3GB' (default: DuckDB's own, 80 % of RAM); "
        "larger intermediate results spill to temp_directory.",
    ),
    Setting(
        "temp_directory",
        None,
        "Folder where DuckDB spills beyond memory_limit (default: DuckDB's "
        "own, '.tmp' in the working directory).",
    ),
    Setting(
        "spark_driver_memory",
        "2g",
        "spark.driver.memory of a local Spark session (e.g. '6g').",
    ),
    Setting(
        "fast_ingest",
        False,
        "Experimental DuckDB staging of clean OpenAlex JSON Lines (env only).",
    ),
    # input limits (ingest; env or TOML)
    Setting(
        "max_record_bytes",
        64 * 1024 * 1024,
        "Largest record a reader accepts, in bytes (a JSON line, a MEDLINE or "
        "USPTO record, a CSV cell, a zip member of one study); a longer one is "
        "rejected without being held in memory.",
    ),
    Setting(
        "max_decompression_ratio",
        100,
        "Largest ratio of decompressed to compressed bytes of a gzip file or "
        "zip member (real exports: under 20); beyond it the file or member is "
        "rejected as a decompression bomb.",
    ),
    # report
    Setting("actor", "FR", "Country (ISO alpha-2) the report speaks about."),
    Setting("lang", "en", "Language of the report statements: 'en' or 'fr'."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Config:
    """Resolved settings; attribute access by setting name."""

    values: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.values[name]
        except KeyError:
            raise AttributeError(name) from None

    def replace(self, **changes: Any) -> Config:
        """A copy with `changes` applied (unknown names raise ValueError)."""
        for k in changes:
            _check(k)
        return Config({**self.values, **changes})


def _check(name: str) -> None:
    if name not in _BY_NAME:
        import difflib

        close = difflib.get_close_matches(name, list(_BY_NAME), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(f"unknown setting {name!r}.{hint}")


def _flatten(doc: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in doc.items():
        if isinstance(v, dict):
            out.update(_flatten(v))
        else:
            out[k] = v
    return out


def _from_env(name: str, default: Any) -> Any:
    raw = os.environ.get(f"ONCOMETRICS_{name.upper()}")
    if raw is None:
        return None
    if isinstance(default, tuple):
        return tuple(x.strip() for x in raw.split(",") if x.strip())
    if isinstance(default, bool):
        return raw.strip().lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw


def load_config(path: Path | str | None = None, **overrides: Any) -> Config:
    """Settings from defaults, then `path` (TOML), then env, then `overrides`.

    Overrides whose value is None are ignored (an unset CLI flag).
    """
    values = {s.name: s.default for s in SETTINGS}
    if path is not None:
        try:
            doc = tomllib.loads(Path(path).read_text())
        except OSError as exc:
            raise ValueError(
                f"{path}: cannot read the configuration ({exc.strerror})"
            ) from exc
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path}: invalid TOML ({exc})") from exc
        for k, v in _flatten(doc).items():
            _check(k)
            values[k] = tuple(v) if isinstance(v, list) else v
    for s in SETTINGS:
        env = _from_env(s.name, s.default)
        if env is not None:
            values[s.name] = env
    for k, v in overrides.items():
        _check(k)
        if v is not None:
            values[k] = v
    _check_values(values)
    return Config(values)


def _check_values(values: dict[str, Any]) -> None:
    """Fail early (one line) on values a late stage would reject, or ignore."""
    if values.get("by") not in ("inventor", "applicant"):
        raise ValueError(
            f"bad by {values.get('by')!r}: expected 'inventor' or 'applicant'"
        )
    parse_period(values.get("period"))
    periods = values.get("periods")
    if periods:
        parts = [p.strip() for p in str(periods).split(",") if p.strip()]
        if len(parts) != 2:
            raise ValueError(f"bad periods {periods!r}: expected 'A-B,C-D'")
        for part in parts:
            parse_period(part)


def parse_period(text: str | None) -> tuple[int, int] | None:
    """'2014-2023' -> (2014, 2023); '2020' -> (2020, 2020); None stays None."""
    if text in (None, ""):
        return None
    assert text is not None
    parts = str(text).replace("–", "-").split("-")
    try:
        nums = [int(p) for p in parts if p.strip()]
    except ValueError:
        raise ValueError(f"bad period {text!r}: expected YEAR or FIRST-LAST") from None
    if len(nums) == 1:
        nums = nums * 2
    if len(nums) != 2 or nums[0] > nums[1] or not (1000 <= nums[0] <= 9999):
        raise ValueError(f"bad period {text!r}: expected YEAR or FIRST-LAST")
    return nums[0], nums[1]


def settings_markdown() -> str:
    """docs/configuration.md, generated from :data:`SETTINGS`."""
    lines = [
        "# Configuration",
        "",
        "Every setting can be given in a TOML file (`--config FILE`, sections are",
        "optional), as an environment variable `ONCOMETRICS_<NAME>` (lists",
        "comma-separated), or, for the most common ones, as a CLI flag. Precedence:",
        "flag > environment > file > default. This page is generated from",
        "`oncometrics/config.py` (`python -m oncometrics.config > docs/configuration.md`);",
        "`tests/test_docs.py` fails when it is out of date.",
        "",
        "| setting | default | meaning |",
        "|---|---|---|",
    ]
    for s in SETTINGS:
        default = list(s.default) if isinstance(s.default, tuple) else s.default
        shown = "none" if default is None else f"`{default!r}`".replace("|", "\\|")
        lines.append(f"| `{s.name}` | {shown} | {s.help} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(settings_markdown(), end="")
