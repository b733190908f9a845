"""Shared pieces of the patent parsers: one document -> one :class:`Record`.

Every patent format (USPTO grant XML, EPO OPS XML, Lens CSV/JSON, the
canonical CSV) fills a :class:`PatentDoc` and calls :meth:`PatentDoc.record`,
which applies the same rules everywhere:

* classification codes are normalised (``"A61P 35/00"`` -> ``"A61P35/00"``,
  IPCR ``"B28B   1/    29"`` -> ``"B28B1/29"``; main group without leading
  zeros, subgroup kept as printed);
* the earliest priority date dates the invention (fallback: filing date, then
  publication date) and gives ``priority_year``;
* the family is the DOCDB family when the source names it
  (``docdb:<id>``), else the earliest priority (``prio:<key>``), else the
  application itself (``app:<key>``): documents sharing their earliest
  priority are one invention.  Priority keys are normalised across sources
  (see :func:`priority_key`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import pycountry

from oncometrics.sources.base import Record, richness

_CODE = re.compile(
    r"^([A-HY])\s*(\d{2})\s*([A-Z])(?:\s*(\d{1,4})(?:\s*/\s*(\d{1,6}))?)?"
)
_CC_SUFFIX = re.compile(r"\s*\[([A-Z]{2})\]\s*")
_LEGAL = {
    "INC",
    "INCORPORATED",
    "LTD",
    "LIMITED",
    "LLC",
    "LLP",
    "LP",
    "CORP",
    "CORPORATION",
    "CO",
    "COMPANY",
    "SA",
    "AG",
    "GMBH",
    "BV",
    "NV",
    "PLC",
    "SAS",
    "SARL",
    "SRL",
    "SPA",
    "KK",
    "AB",
    "AS",
    "OY",
    "OYJ",
    "SE",
    "KG",
    "KGAA",
    "PTY",
    "CV",
    "SL",
    "ETAL",
    "ET",
    "AL",
}
#: Country-like codes that name no country of residence.
_NOT_COUNTRIES = {"EP", "WO", "EA", "AP", "OA", "XX", "ZZ", "XN", "XU", "IB"}


def norm_class(text: str | None) -> str | None:
    """Normalised CPC/IPC code, or None when `text` is not a class code.

    >>> norm_class("A61P 35/00"), norm_class("B28B   1/    29   A I")
    ('A61P35/00', 'B28B1/29')
    >>> norm_class("a61k 0031/337"), norm_class("C12Q")
    ('A61K31/337', 'C12Q')
    """
    if not text:
        return None
    m = _CODE.match(text.strip().upper())
    if not m:
        return None
    sec, cls, sub, main, grp = m.groups()
    code = f"{sec}{cls}{sub}"
    if main:
        code += str(int(main))
        if grp:
            code += f"/{grp}"
    return code


def class_from_parts(
    section: str | None,
    cls: str | None,
    subclass: str | None,
    main_group: str | None,
    subgroup: str | None,
) -> str | None:
    """Code from the split XML fields (section, class, subclass, groups)."""
    text = "".join(x.strip() for x in (section, cls, subclass) if x)
    if main_group:
        text += main_group.strip() + ("/" + subgroup.strip() if subgroup else "")
    return norm_class(text)


@lru_cache(maxsize=4096)
def norm_country(code: str | None) -> str | None:
    """ISO alpha-2 code of a residence country code, or None ("unknown", EP…)."""
    if not code:
        return None
    cc = code.strip().upper()
    cc = {"UK": "GB"}.get(cc, cc)
    if len(cc) != 2 or not cc.isalpha() or cc in _NOT_COUNTRIES:
        return None
    return cc if pycountry.countries.get(alpha_2=cc) is not None else None


def split_cc_suffix(name: str) -> tuple[str, str | None]:
    """``"BOER BEHEER [NL], et al"`` -> ``("BOER BEHEER", "NL")`` (DOCDB names)."""
    m = _CC_SUFFIX.search(name)
    if not m:
        return name.strip().strip(","), None
    return name[: m.start()].strip().strip(","), m.group(1)


def norm_name(name: str | None) -> str | None:
    """Party name for grouping: upper case, ASCII, no punctuation or legal form.

    >>> norm_name("Medtronic MiniMed, Inc."), norm_name("Université Paris-Cité SAS")
    ('MEDTRONIC MINIMED', 'UNIVERSITE PARIS CITE')
    """
    if not name:
        return None
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).upper()
    text = _CC_SUFFIX.sub(" ", text)
    text = re.sub(r"\bET AL\b\.?", " ", text)
    words = re.sub(r"[^A-Z0-9]+", " ", text).split()
    while len(words) > 1 and words[-1] in _LEGAL:
        words.pop()
    return " ".join(words) or None


def iso_date(text: str | None) -> str | None:
    """``"20190806"``/``"2019-08-06"`` -> ``"2019-08-06"``; month/day 00 -> 01."""
    if not text:
        return None
    digits = re.sub(r"\D", "", text)
    if len(digits) < 4 or not 1000 <= int(digits[:4]) <= 2999:
        return None
    y, m, d = digits[:4], digits[4:6] or "01", digits[6:8] or "01"
    m = m if m != "00" else "01"
    d = d if d != "00" else "01"
    return f"{y}-{m}-{d}"


def priority_key(
    country: str | None, number: str | None, date: str | None
) -> str | None:
    """A source-independent key of one priority application.

    ``CC`` + ``yyyymmdd`` + the application number's digits, without a leading
    copy of the priority year (EPODOC ``US201213547826`` and USPTO ``13547826``
    of 2012-07-12 give the same key) and without leading zeros.
    """
    if not number:
        return None
    num = number.strip().upper().replace(" ", "")
    cc = (country or "").strip().upper()
    if not cc and len(num) > 2 and num[:2].isalpha():
        cc = num[:2]
    digits = re.sub(r"\D", "", num[2:] if num[:2] == cc else num)
    iso = iso_date(date) or ""
    year = iso[:4]
    if year and digits.startswith(year) and len(digits) - 4 >= 5:
        digits = digits[4:]
    digits = digits.lstrip("0") or "0"
    return f"{cc}{iso.replace('-', '')}-{digits}"


@dataclass
class PatentDoc:
    """One patent document as read from any source (before normalisation)."""

    source: str
    jurisdiction: str | None = None
    doc_number: str | None = None
    kind: str | None = None
    application_number: str | None = None
    title: str | None = None
    abstract: str | None = None
    filing_date: str | None = None
    publication_date: str | None = None
    docdb_family: str | None = None
    family_id: str | None = None  # given family id (canonical CSV)
    cited_by_count: int | None = None
    #: (role, name, country) in source order
    parties: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    #: (scheme, raw code)
    classes: list[tuple[str, str]] = field(default_factory=list)
    #: (country, number, date)
    priorities: list[tuple[str | None, str | None, str | None]] = field(
        default_factory=list
    )
    priority_date: str | None = None  # given earliest priority (Lens CSV, canonical)
    keep_id: bool = False  # use doc_number as the patent id, as given
    #: (country, number, date) of the original application of a reissue: a
    #: priority of the reissue, and its family key when it is the earliest
    original: tuple[str | None, str | None, str | None] | None = None

    @property
    def patent_id(self) -> str | None:
        """Publication number, e.g. ``US11617522B2``."""
        if not self.doc_number:
            return None
        if self.keep_id:
            return self.doc_number.strip()
        num = self.doc_number.replace(" ", "").replace("/", "").upper()
        cc = (self.jurisdiction or "").upper()
        if cc and not num.startswith(cc):
            num = cc + num
        return num + (self.kind or "").upper()

    def record(self, record_no: int) -> Record:
        """The canonical rows of this document (raises ValueError without id)."""
        pid = self.patent_id
        if not pid:
            raise ValueError("no publication number")
        prios = self._priorities()
        dates = [d for _, d in prios if d]
        given = (self.priority_date or "").strip()
        prio_date = min(dates) if dates else iso_date(given if len(given) > 4 else None)
        filing, publ = iso_date(self.filing_date), iso_date(self.publication_date)
        dating = prio_date or (given if given.isdigit() and len(given) == 4 else None)
        dating = dating or filing or publ
        fam = self._family(prios, filing)
        rec = Record(record_no)
        for key, date in prios:
            rec.add(
                "patent_priorities",
                {
                    "patent_id": pid,
                    "family_id": fam,
                    "priority_number": key,
                    "priority_date": date,
                },
            )
        self._add_parties(rec, pid, fam)
        seen: set[tuple[str, str]] = set()
        for scheme, raw in self.classes:
            code = norm_class(raw)
            if code and (scheme, code) not in seen:
                seen.add((scheme, code))
                rec.add(
                    "patent_classes",
                    {
                        "patent_id": pid,
                        "family_id": fam,
                        "scheme": scheme,
                        "code": code,
                    },
                )
        row = {
            "patent_id": pid,
            "family_id": fam,
            "source": self.source,
            "jurisdiction": (self.jurisdiction or "").upper() or None,
            "kind": self.kind,
            "application_number": self.application_number,
            "title": (self.title or "").strip() or None,
            "abstract": " ".join((self.abstract or "").split()) or None,
            "priority_date": prio_date,
            "filing_date": filing,
            "publication_date": publ,
            "priority_year": int(dating[:4]) if dating else None,
            "cited_by_count": self.cited_by_count,
        }
        n_children = sum(len(v) for v in rec.rows.values())
        row["richness"] = richness(row, n_children)
        rec.rows = {"patents": [row], **rec.rows}
        return rec

    def _priorities(self) -> list[tuple[str, str | None]]:
        out: dict[str, str | None] = {}
        extra = [self.original] if self.original else []
        for cc, num, date in [*self.priorities, *extra]:
            key = priority_key(cc, num, date)
            if key and key not in out:
                out[key] = iso_date(date)
        return list(out.items())

    def _family(self, prios: list[tuple[str, str | None]], filing: str | None) -> str:
        if self.docdb_family:
            return f"docdb:{self.docdb_family.strip()}"
        if self.family_id:
            return self.family_id.strip()
        dated = sorted((d, k) for k, d in prios if d)
        if dated and self.original and dated[0][1] == priority_key(*self.original):
            # a reissue whose original claims no earlier priority: the family
            # the original has, keyed by its own application
            return f"app:{dated[0][1]}"
        if dated:
            return f"prio:{dated[0][1]}"
        if prios:
            return f"prio:{sorted(k for k, _ in prios)[0]}"
        app = priority_key(self.jurisdiction, self.application_number, filing)
        return f"app:{app}" if app else f"pub:{self.patent_id}"

    def _add_parties(self, rec: Record, pid: str, fam: str) -> None:
        seq = {"inventor": 0, "applicant": 0}
        for role, name, country in self.parties:
            seq[role] += 1
            rec.add(
                "patent_parties",
                {
                    "patent_id": pid,
                    "family_id": fam,
                    "role": role,
                    "sequence": seq[role],
                    "name": name,
                    "name_norm": norm_name(name),
                    "country": norm_country(country),
                },
            )
