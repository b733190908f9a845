"""The organisation's own files: unit registry, funded projects, curation.

Three small CSV files (UTF-8, comma-separated, header row, ``|`` separates
the items of a multi-valued cell); ``docs/portfolio.md`` documents them with
examples.  Every problem is reported as one line naming the file and the line
(:class:`RegistryError`, a ``ValueError`` the CLI prints without traceback).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from oncometrics.sources.base import norm_award_id

UNIT_COLUMNS = (
    "unit_code",
    "name",
    "parent",
    "team_count",
    "ror_ids",
    "codes",
    "patterns",
)
GRANT_COLUMNS = ("call", "year", "project_id", "award_ids", "team", "unit_code")
CURATION_COLUMNS = ("affiliation", "action", "unit_code", "note")
CURATION_ACTIONS = ("add", "remove", "ignore")

_ROR_RE = re.compile(r"^(?:https?://ror\.org/)?(0[a-z0-9]{6}[0-9]{2})$")


class RegistryError(ValueError):
    """A registry, grants or curation file is malformed (one-line message)."""


@dataclass(frozen=True)
class Unit:
    """One unit of the organisation (a laboratory, with its teams)."""

    code: str
    name: str
    parents: tuple[str, ...] = ()
    team_count: int | None = None
    rors: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Project:
    """One funded project: its call, year, award ids and owning team/unit."""

    call: str
    year: int | None
    project_id: str
    award_ids: tuple[str, ...]
    team: str
    unit_code: str

    @property
    def award_keys(self) -> tuple[str, ...]:
        """Match keys of the award ids (see :func:`award_keys`)."""
        return tuple(sorted(set().union(*(award_keys(a) for a in self.award_ids))))


@dataclass(frozen=True)
class Decision:
    """One manual matching decision about a raw affiliation string."""

    affiliation: str
    action: str  # add | remove | ignore
    unit_code: str
    note: str = ""


_NIH_RE = re.compile(r"^(?:\d?[A-Z]\d{2})?([A-Z]{2})(\d{4,6})$")


def award_keys(award: str | None) -> set[str]:
    """Keys under which an award id matches: normalised id, NIH core number.

    The normalised id is upper case without spaces or punctuation.  An id
    shaped like an NIH grant ("R01 CA126841", "1R01CA85467", "CA46934")
    also gets its core project number, institute code + 6-digit serial
    ("NIH:CA085467"), so the spellings of one grant meet.

    >>> sorted(award_keys("1R01 CA-85467"))
    ['1R01CA85467', 'NIH:CA085467']
    >>> sorted(award_keys("ANR-17-CE15-0001"))
    ['ANR17CE150001']
    """
    norm = norm_award_id(award)
    if not norm:
        return set()
    keys = {norm}
    m = _NIH_RE.match(norm)
    if m:
        keys.add(f"NIH:{m[1]}{int(m[2]):06d}")
    return keys


def _split(cell: str | None) -> tuple[str, ...]:
    """'a | b|' -> ('a', 'b')."""
    return tuple(p.strip() for p in (cell or "").split("|") if p.strip())


def _rows(
    path: Path, required: tuple[str, ...]
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each data row of CSV `path`; header checked."""
    try:
        fh = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115
    except OSError as exc:
        raise RegistryError(f"{path}: cannot read ({exc.strerror})") from None
    with fh:
        reader = csv.DictReader(fh)
        try:
            header = [h.strip() for h in reader.fieldnames or []]
        except (csv.Error, UnicodeDecodeError) as exc:
            raise RegistryError(f"{path}: line 1: not a CSV file ({exc})") from None
        missing = [c for c in required if c not in header]
        if missing:
            raise RegistryError(
                f"{path}: line 1: missing column(s) {', '.join(missing)} "
                f"(expected {', '.join(required)})"
            )
        reader.fieldnames = header
        try:
            for row in reader:
                if not any(
                    (v or "").strip() for v in row.values() if isinstance(v, str)
                ):
                    continue
                clean = {k: (v or "").strip() for k, v in row.items() if k}
                yield reader.line_num, clean
        except (csv.Error, UnicodeDecodeError) as exc:
            raise RegistryError(f"{path}: line {reader.line_num}: {exc}") from None


def coded_rows(
    path: Path, columns: tuple[str, ...], empty: str
) -> Iterator[tuple[int, str, str, dict[str, str]]]:
    """(line, code, name, row) of a CSV of named entries keyed by a code.

    `columns` starts with the code and name columns, both required in each
    row; codes are unique; a file without entries is an error saying `empty`.
    """
    seen: set[str] = set()
    key = columns[0]
    for line, row in _rows(path, columns[:2]):
        code, name = row.get(key, ""), row.get(columns[1], "")
        if not code or not name:
            raise RegistryError(
                f"{path}: line {line}: {key} and {columns[1]} are required"
            )
        if code in seen:
            raise RegistryError(f"{path}: line {line}: duplicate {key} {code!r}")
        seen.add(code)
        yield line, code, name, row
    if not seen:
        raise RegistryError(f"{path}: {empty}")


def _int_or_none(path: Path, line: int, column: str, text: str) -> int | None:
    if not text:
        return None
    try:
        value = int(text)
    except ValueError:
        raise RegistryError(
            f"{path}: line {line}: {column} {text!r} is not a whole number"
        ) from None
    if value < 0:
        raise RegistryError(f"{path}: line {line}: {column} {text!r} is negative")
    return value


def _rors(path: Path, line: int, cell: str) -> tuple[str, ...]:
    out = []
    for item in _split(cell):
        m = _ROR_RE.match(item.lower())
        if not m:
            raise RegistryError(f"{path}: line {line}: {item!r} is not a ROR id")
        out.append(m.group(1))
    return tuple(out)


def load_units(path: Path | str) -> tuple[Unit, ...]:
    """The units of a registry CSV, validated (codes unique, names present)."""
    path = Path(path)
    units: list[Unit] = []
    empty = "no units (the registry is empty)"
    for line, code, name, row in coded_rows(path, UNIT_COLUMNS, empty):
        if code[0] in "~(":
            raise RegistryError(
                f"{path}: line {line}: unit_code {code!r} may not start with '~' or '('"
            )
        units.append(
            Unit(
                code=code,
                name=name,
                parents=_split(row.get("parent")),
                team_count=_int_or_none(
                    path, line, "team_count", row.get("team_count", "")
                ),
                rors=_rors(path, line, row.get("ror_ids", "")),
                codes=_split(row.get("codes")),
                patterns=_split(row.get("patterns")),
            )
        )
    return tuple(units)


def load_grants(path: Path | str, units: tuple[Unit, ...] = ()) -> tuple[Project, ...]:
    """Funded projects of a grants CSV; unit codes checked against `units`."""
    path = Path(path)
    known = {u.code for u in units}
    projects: list[Project] = []
    seen: set[str] = set()
    for line, row in _rows(path, ("call", "project_id", "award_ids")):
        pid = row.get("project_id", "")
        if not pid or not row.get("call"):
            raise RegistryError(
                f"{path}: line {line}: call and project_id are required"
            )
        if pid in seen:
            raise RegistryError(f"{path}: line {line}: duplicate project_id {pid!r}")
        seen.add(pid)
        unit = row.get("unit_code", "")
        if unit and known and unit not in known:
            raise RegistryError(
                f"{path}: line {line}: unit_code {unit!r} is not in the unit registry"
            )
        projects.append(
            Project(
                call=row["call"],
                year=_int_or_none(path, line, "year", row.get("year", "")),
                project_id=pid,
                award_ids=_split(row.get("award_ids")),
                team=row.get("team", ""),
                unit_code=unit,
            )
        )
    return tuple(projects)


def load_curation(
    path: Path | str, units: tuple[Unit, ...] = ()
) -> tuple[Decision, ...]:
    """Manual decisions of a curation CSV (see ``docs/portfolio.md``)."""
    path = Path(path)
    known = {u.code for u in units}
    out: list[Decision] = []
    for line, row in _rows(path, CURATION_COLUMNS[:3]):
        action, unit = row.get("action", "").lower(), row.get("unit_code", "")
        if not row.get("affiliation"):
            raise RegistryError(f"{path}: line {line}: affiliation is required")
        if action not in CURATION_ACTIONS:
            raise RegistryError(
                f"{path}: line {line}: action {action!r} is not one of "
                f"{', '.join(CURATION_ACTIONS)}"
            )
        if action != "ignore" and not unit:
            raise RegistryError(
                f"{path}: line {line}: action {action} needs a unit_code"
            )
        if unit and known and unit not in known:
            raise RegistryError(
                f"{path}: line {line}: unit_code {unit!r} is not in the unit registry"
            )
        out.append(Decision(row["affiliation"], action, unit, row.get("note", "")))
    return tuple(out)
