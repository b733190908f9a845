"""Clinical trials: ClinicalTrials.gov API v2 studies and NCI CTS trials.

Accepted inputs (gzip or not, detected from the content):

* an API v2 result page ``{"studies": [...], "nextPageToken": ...}``;
* one API v2 study ``{"protocolSection": ...}`` (the bulk download holds one
  such file per study, zipped or unpacked into a folder);
* a JSON array of studies (e.g. a ``ctrdata`` export);
* JSON Lines, one study per line;
* an NCI Clinical Trials Search API page ``{"total": n, "data": [...]}``;
* a zip archive of any of the above (the bulk ``ctg-studies.json.zip``).

Rows follow :mod:`oncometrics.schema` (``trials``, ``trial_conditions``,
``trial_interventions``, ``trial_sponsors``, ``trial_sites``).  A study
without a valid NCT id is rejected; anything that is not one of these formats
raises :class:`SourceError`.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from oncometrics.mesh import norm_mesh_ui
from oncometrics.sources.base import (
    Record,
    Reject,
    Row,
    SourceError,
    TruncatedInput,
    first_bytes,
    input_limits,
    open_input,
)
from oncometrics.sources.checks import count, reason_of, shape
from oncometrics.sources.trials_norm import (
    EARLY_PHASES,
    NCT_RE,
    norm_phase,
    norm_sponsor,
    start_year,
    trial_country,
)
from oncometrics.sources.trials_rows import finish as _finish
from oncometrics.sources.trials_rows import raw_json as _raw
from oncometrics.sources.trials_rows import site_row as _site
from oncometrics.sources.trials_rows import sponsor_row as _sponsor

__all__ = [
    "EARLY_PHASES",
    "NCT_RE",
    "norm_mesh_ui",
    "norm_phase",
    "norm_sponsor",
    "parse",
    "sniff",
    "start_year",
    "study_record",
    "trial_country",
]


# ---------------------------------------------------------------- API v2 study
def _get(obj: Any, *keys: str) -> Any:
    for k in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(k)
    return obj


def _list(obj: Any) -> list[Any]:
    return obj if isinstance(obj, list) else []


def study_record(study: Any, record_no: int) -> Record | Reject:
    """Rows of one API v2 study, or a Reject saying what is wrong with it."""
    if not isinstance(study, dict):
        return Reject(
            record_no, f"not a study object (got {type(study).__name__})", _raw(study)
        )
    ps = study.get("protocolSection")
    if not isinstance(ps, dict):
        return Reject(
            record_no, "no protocolSection (not an API v2 study)", _raw(study)
        )
    nct = _get(ps, "identificationModule", "nctId")
    if not isinstance(nct, str) or not NCT_RE.match(nct.strip()):
        return Reject(record_no, f"missing or invalid NCT id ({nct!r})", _raw(study))
    nct = nct.strip()
    try:
        return _study_rows(nct, ps, study.get("derivedSection"), record_no)
    except (TypeError, ValueError, AttributeError, KeyError) as exc:
        return Reject(record_no, f"{nct}: {reason_of(exc, 'study')}", _raw(study))


#: Modules of an API v2 ``protocolSection`` that are read (objects).
_MODULES = dict.fromkeys(
    (
        "statusModule",
        "designModule",
        "sponsorCollaboratorsModule",
        "identificationModule",
        "conditionsModule",
        "armsInterventionsModule",
        "contactsLocationsModule",
    ),
    dict,
)


def _study_rows(nct: str, ps: dict[str, Any], derived: Any, record_no: int) -> Record:
    shape(ps, _MODULES)
    rec = Record(record_no)
    status = ps.get("statusModule") or {}
    design = ps.get("designModule") or {}
    spons = ps.get("sponsorCollaboratorsModule") or {}
    ident = ps.get("identificationModule") or {}
    lead = spons.get("leadSponsor") or {}
    phases = [str(p) for p in _list(design.get("phases"))]
    start = _get(status, "startDateStruct", "date")
    enrol = _get(design, "enrollmentInfo", "count")
    _conditions(rec, nct, ps, derived)
    for iv in _list(_get(ps, "armsInterventionsModule", "interventions")):
        if isinstance(iv, dict) and iv.get("name"):
            rec.add(
                "trial_interventions",
                {"nct_id": nct, "type": iv.get("type"), "name": iv["name"]},
            )
    _sponsor(rec, nct, "lead", lead.get("name"), lead.get("class"))
    for c in _list(spons.get("collaborators")):
        if isinstance(c, dict):
            _sponsor(rec, nct, "collaborator", c.get("name"), c.get("class"))
    for loc in _list(_get(ps, "contactsLocationsModule", "locations")):
        if isinstance(loc, dict):
            _site(rec, nct, loc.get("facility"), loc.get("city"), loc.get("country"))
    row: Row = {
        "nct_id": nct,
        "source": "ctgov",
        "title": ident.get("briefTitle") or ident.get("officialTitle"),
        "overall_status": status.get("overallStatus"),
        "study_type": design.get("studyType"),
        "phases": "|".join(phases) or None,
        "phase": norm_phase(phases),
        "start_date": start,
        "start_year": start_year(start),
        "completion_date": _get(status, "completionDateStruct", "date"),
        "enrollment": count("enrollment", enrol),
        "lead_sponsor": lead.get("name"),
        "lead_sponsor_class": lead.get("class"),
        "lead_sponsor_country": None,
    }
    _finish(rec, row)
    return rec


def _conditions(rec: Record, nct: str, ps: dict[str, Any], derived: Any) -> None:
    for text in _list(_get(ps, "conditionsModule", "conditions")):
        if isinstance(text, str) and text.strip():
            rec.add(
                "trial_conditions",
                {
                    "nct_id": nct,
                    "condition": text.strip(),
                    "mesh_id": None,
                    "mesh_term": None,
                    "kind": "condition",
                },
            )
    browse = _get(derived, "conditionBrowseModule") or {}
    for kind, key in (("mesh", "meshes"), ("ancestor", "ancestors")):
        for m in _list(browse.get(key)):
            if isinstance(m, dict) and m.get("id"):
                rec.add(
                    "trial_conditions",
                    {
                        "nct_id": nct,
                        "condition": None,
                        "mesh_id": norm_mesh_ui(str(m["id"])),
                        "mesh_term": m.get("term"),
                        "kind": kind,
                    },
                )


# ------------------------------------------------------------------ file level
def _studies_of(doc: Any, where: str) -> tuple[str, list[Any]]:
    """('ctgov' | 'nci', list of study objects) in a parsed JSON document."""
    if isinstance(doc, list):
        return "ctgov", doc
    if isinstance(doc, dict):
        if isinstance(doc.get("studies"), list):
            return "ctgov", doc["studies"]
        if "protocolSection" in doc:
            return "ctgov", [doc]
        if isinstance(doc.get("data"), list) and "total" in doc:
            return "nci", doc["data"]
    raise SourceError(
        where,
        "not ClinicalTrials.gov API v2 studies, a JSON array "
        "of studies, or an NCI CTS page",
    )


def _records(
    kind: str, studies: list[Any], start: int, label: str
) -> Iterator[Record | Reject]:
    from oncometrics.sources.trials_nci import nci_record

    for i, study in enumerate(studies, start=start):
        item = nci_record(study, i) if kind == "nci" else study_record(study, i)
        if isinstance(item, Record):
            item.rows["trials"][0]["ingest_file"] = label
        yield item


def _parse_blob(blob: bytes, label: str, start: int) -> Iterator[Record | Reject]:
    """Records of one JSON (or JSON Lines) document, numbered from `start`."""
    try:
        doc = orjson.loads(blob)
    except orjson.JSONDecodeError as exc:
        lines = [ln for ln in blob.splitlines() if ln.strip()]
        # JSON Lines only when a line is a whole object (a pretty printed
        # document cut short is one broken document, not N records); broken
        # lines before it are rejected one by one, whatever the line ends
        if len(lines) > 1 and any(_is_object(line) for line in lines):
            yield from _parse_lines(lines, label, start)
            return
        raise SourceError(label, f"invalid JSON ({exc})") from None
    kind, studies = _studies_of(doc, label)
    yield from _records(kind, studies, start, label)


def _is_object(line: bytes) -> bool:
    try:
        return isinstance(orjson.loads(line), dict)
    except orjson.JSONDecodeError:
        return False


def _parse_lines(
    lines: list[bytes], label: str, start: int
) -> Iterator[Record | Reject]:
    for i, line in enumerate(lines, start=start):
        try:
            yield study_record(orjson.loads(line), i)
        except orjson.JSONDecodeError as exc:
            yield Reject(
                i, f"invalid JSON line ({exc})", line[:2000].decode("utf-8", "replace")
            )


def _parse_zip(path: Path) -> Iterator[Record | Reject]:
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise SourceError(path, f"unreadable zip archive ({exc})") from None
    n = 0
    with zf:
        for info in sorted(zf.infolist(), key=lambda i: i.filename):
            if info.is_dir() or not info.filename.lower().endswith(".json"):
                continue
            label = f"{path}!{info.filename}"
            if (why := _member_too_big(info)) is not None:
                n += 1
                yield Reject(n, f"{info.filename}: {why}")
                continue
            try:
                blob = zf.read(info)
                for item in _parse_blob(blob, label, n + 1):
                    n = item.record_no
                    yield item
            except (SourceError, zipfile.BadZipFile, OSError) as exc:
                n += 1
                msg = exc.message if isinstance(exc, SourceError) else str(exc)
                yield Reject(n, f"{info.filename}: {msg}")


def _member_too_big(info: zipfile.ZipInfo) -> str | None:
    """Why a zip member must not be extracted (a decompression bomb), or None."""
    return input_limits().bomb(info.file_size, info.compress_size)


def parse(path: Path) -> Iterator[Record | Reject]:
    """Records of one trials file (see the module docstring for formats)."""
    head = first_bytes(path, 8)
    if head.startswith(b"PK\x03\x04"):
        yield from _parse_zip(path)
        return
    try:
        with open_input(path) as fh:
            blob = fh.read()
    except TruncatedInput as exc:
        raise SourceError(path, str(exc)) from None
    if not blob.strip():
        raise SourceError(path, "empty file")
    yield from _parse_blob(blob, str(path), 1)


def sniff(head: bytes) -> bool:
    """True when `head` looks like trial records."""
    return any(k in head for k in (b'"protocolSection"', b'"studies"', b'"nct_id"'))
