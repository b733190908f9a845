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

from oncometrics.domain_patents import CANCER_TYPES, GENERIC_CODES, SPECIFIC_CODES
from oncometrics.domain_patents import KEYWORDS as PATENT_KEYWORDS
from oncometrics.errors import InputError, SettingError
from oncometrics.setting import (
    Setting,
    check_periods,
    check_value,
    parse_env,
    parse_period,
)

__all__ = ["SETTINGS", "Config", "Setting", "load_config", "parse_period"]


SETTINGS: tuple[Setting, ...] = (
    # publications and counting
    Setting("types", ("article", "review"), "Document types counted as publications."),
    Setting(
        "period",
        None,
        "Publication years to count, e.g. '2014-2023' (default: all).",
        kind=str,
    ),
    Setting(
        "counting",
        "fractional",
        "Counting in rankings: 'fractional' or 'full'.",
        choices=("fractional", "full"),
    ),
    Setting(
        "min_p",
        None,
        "Minimum P_frac for a country to be ranked on ratio indicators "
        "(absolute; overrides min_share).",
        kind=float,
        minimum=0,
    ),
    Setting(
        "min_share",
        0.005,
        "Minimum share of world P_frac (domain and period) for a country to be "
        "ranked on ratio indicators, unless min_p is set (0.005 = 0.5 %).",
        minimum=0,
    ),
    Setting(
        "min_p_institution",
        5.0,
        "Minimum P_frac for an institution to be ranked on ratio indicators.",
        minimum=0,
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
        kind=int,
        minimum=0,
    ),
    Setting(
        "normalise_by_type", False, "Make document type part of the reference set."
    ),
    Setting(
        "min_reference_set",
        2,
        "Fewest works with citation data a reference set needs for its works "
        "to be rated (NCS, top shares); a work alone in its set is its own "
        "yardstick, so the default 2 leaves it out (1 rates every work).",
        kind=int,
        minimum=1,
    ),
    Setting(
        "field_scheme",
        "openalex_subfield",
        "Field used for reference sets: 'openalex_subfield' (default) or "
        "'wos_category' (Web of Science subject category, for WoS exports).",
        choices=("openalex_subfield", "wos_category"),
    ),
    Setting(
        "bootstrap",
        1000,
        "Bootstrap resamples for stability intervals.",
        minimum=0,
    ),
    Setting(
        "seed",
        20141,
        "Random seed of the bootstrap (results are reproducible).",
        minimum=0,
    ),
    Setting(
        "bootstrap_exact_max",
        5000,
        "Actors with more works get the normal (delta-method) approximation "
        "of the bootstrap interval instead of resampling.",
        minimum=0,
    ),
    Setting(
        "totals",
        None,
        "CSV of all-field publication totals per country (and year) for the "
        "activity index; default: the store's own totals.",
        kind=str,
    ),
    Setting(
        "snapshot",
        None,
        "Store snapshot to compute from (default: the latest); every output "
        "records the one it used in domain.json (docs/store.md).",
        kind=int,
    ),
    # domain
    Setting(
        "domain",
        "cancer",
        "Name of the domain definition to select.",
        choices=("cancer", "all"),
    ),
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
            *CANCER_TYPES,
            "oncology",
            "metasta",
            "malignan",
            "mesothelioma",
            "neuroblastoma",
        ),
        "Condition keywords (case-insensitive substrings) of oncology trials.",
    ),
    # inventions
    Setting(
        "by",
        "inventor",
        "Invention actors: 'inventor' or 'applicant' country.",
        choices=("inventor", "applicant"),
    ),
    Setting(
        "periods",
        None,
        "Two periods for technology shift, e.g. '2002-2011,2012-2021' (default: "
        "the halves of period, without the years inside the publication lag).",
        kind=str,
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
        "inventions and trials (compute) and publications (at ingest, where "
        "it is read from ONCOMETRICS_HK_MACAO_TO_CN); recorded in domain.json.",
    ),
    # engine
    Setting(
        "engine",
        "duckdb",
        "Query engine: 'duckdb' (embedded) or 'spark'.",
        choices=("duckdb", "spark"),
    ),
    Setting("spark_master", None, "Spark master URL (default: local[*]).", kind=str),
    Setting(
        "threads",
        None,
        "DuckDB threads of compute and of ingest (default: all cores).",
        kind=int,
        minimum=1,
    ),
    Setting(
        "memory_limit",
        None,
        "DuckDB memory limit, e.g. '3GB' (default: DuckDB's own, 80 % of RAM); "
        "larger intermediate results spill to temp_directory.",
        kind=str,
    ),
    Setting(
        "temp_directory",
        None,
        "Folder where DuckDB spills beyond memory_limit (default: DuckDB's "
        "own, '.tmp' in the working directory).",
        kind=str,
    ),
    Setting(
        "spark_driver_memory",
        "2g",
        "spark.driver.memory of a local Spark session (e.g. '6g').",
    ),
    # input limits (ingest; env or TOML)
    Setting(
        "max_record_bytes",
        64 * 1024 * 1024,
        "Largest record a reader accepts, in bytes (a JSON line or document, "
        "a MEDLINE, USPTO or EPO record, a CSV cell); a longer one is rejected "
        "without being held in memory.",
        minimum=1,
    ),
    Setting(
        "bulk_ingest",
        False,
        "Stage clean OpenAlex JSON Lines files with DuckDB and the one Ibis "
        "flattening instead of the Python parser; a file with any record "
        "failing a check goes whole to the Python parser (docs/store.md). Off: no "
        "faster than the Python parser on the benchmark world "
        "(docs/benchmarks.md, issue 17). Read from ONCOMETRICS_BULK_INGEST at ingest.",
    ),
    Setting(
        "max_decompression_ratio",
        100,
        "Largest ratio of decompressed to compressed bytes of a gzip file or "
        "zip member (real exports: under 20); beyond it the file or member is "
        "rejected as a decompression bomb.",
        minimum=1,
    ),
    # report
    Setting("actor", "FR", "Country (ISO alpha-2) the report speaks about."),
    Setting(
        "lang",
        "en",
        "Language of the report statements: 'en' or 'fr'.",
        choices=("en", "fr"),
    ),
    Setting(
        "drill_top",
        10,
        "Largest actors of each table whose drill-down CSV the report writes "
        "next to report.html, besides the report's country (0: no file; the "
        "files re-read the store, docs/report.md).",
        minimum=0,
    ),
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
        """A copy with `changes` applied, checked like :func:`load_config`'s."""
        values = dict(self.values)
        for k, v in changes.items():
            values[k] = check_value(_setting(k), v)
        check_periods(values, {})
        return Config(values)


def _setting(name: str) -> Setting:
    """The setting called `name` (an unknown name is a SettingError)."""
    if name not in _BY_NAME:
        import difflib

        close = difflib.get_close_matches(name, list(_BY_NAME), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise SettingError(f"unknown setting {name!r}.{hint}")
    return _BY_NAME[name]


def _flatten(doc: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in doc.items():
        if isinstance(v, dict):
            out.update(_flatten(v))
        else:
            out[k] = v
    return out


def _read_toml(path: Path | str) -> dict[str, Any]:
    try:
        doc = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(
            f"{path}: cannot read the configuration ({exc.strerror})"
        ) from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: invalid TOML ({exc})") from exc
    return _flatten(doc)


def env_setting(name: str) -> Any:
    """Setting `name` from its environment variable ``ONCOMETRICS_<NAME>``,
    checked (None when unset): for code that runs without a Config, such as
    the store's own DuckDB (``threads``)."""
    got = _from_env(_setting(name))
    return None if got is None else got[1]


def _from_env(setting: Setting) -> tuple[str, Any] | None:
    """``(variable, checked value)`` of `setting`'s environment variable, or
    None when it is unset (an empty value may still leave the setting unset)."""
    var = f"ONCOMETRICS_{setting.name.upper()}"
    raw = os.environ.get(var)
    if raw is None:
        return None
    return var, check_value(setting, parse_env(setting, raw, var), var)


def load_config(path: Path | str | None = None, **overrides: Any) -> Config:
    """Settings from defaults, then `path` (TOML), then env, then `overrides`.

    Overrides whose value is None are ignored (an unset CLI flag).  Every
    value is checked (type, choices, minimum, periods) before it is used: a
    bad one is a one-line :class:`~oncometrics.errors.SettingError` naming
    the setting, the value, what is allowed and where the value came from.
    """
    values = {s.name: s.default for s in SETTINGS}
    origins: dict[str, str] = {}
    if path is not None:
        for k, v in _read_toml(path).items():
            values[k] = check_value(_setting(k), v, origin := str(path))
            origins[k] = origin
    for s in SETTINGS:
        got = _from_env(s)
        if got is not None:
            origins[s.name], values[s.name] = got
    for k, v in overrides.items():
        setting = _setting(k)
        if v is not None:
            values[k] = check_value(setting, v)
            origins[k] = ""
    check_periods(values, origins)
    return Config(values)


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
        "Every value is checked before anything runs (its type, its allowed",
        "values, its minimum): a wrong one stops the command with one line",
        "naming the setting, the value, what is allowed and where it came from,",
        "e.g. `setting counting: 'fractionnal' is not one of 'fractional', 'full'",
        "(from ONCOMETRICS_COUNTING)`. Booleans in the environment are",
        "`1/0`, `true/false`, `yes/no` or `on/off`.",
        "",
        "| setting | default | allowed | meaning |",
        "|---|---|---|---|",
    ]
    for s in SETTINGS:
        default = list(s.default) if isinstance(s.default, tuple) else s.default
        shown = "none" if default is None else f"`{default!r}`".replace("|", "\\|")
        allowed = s.allowed() + (" or none" if s.default is None else "")
        lines.append(f"| `{s.name}` | {shown} | {allowed} | {s.help} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(settings_markdown(), end="")
