"""Match raw affiliation strings to the organisation's units (contract §7).

Pure Python, no I/O: :class:`Matcher` turns one affiliation string into a
list of :class:`Match` (unit code, method, score).  Order of the methods:

1. ``ror``: a ROR id of the authorship's institutions is a unit's ROR id;
2. ``code``: a French laboratory code in any spelling ("Inserm U1016",
   "U 1016", "UMR-S 1138", "UMR_S1138", "UMR 1037 INSERM", "UMR CNRS 5203",
   "ERL 8254", "CIC 1413", "EA7375"…) equals one of the unit's codes;
3. ``pattern``: one of the unit's name patterns (or its full name) appears as
   whole words in the normalised string;
4. ``fuzzy``: the unit's name matches a part of the string with a rapidfuzz
   ``partial_ratio`` at or above the threshold (only for parts of the string
   that methods 2–3 left unmatched);
5. ``curated``: a manual decision of the curation file.

A string holding several affiliations ("1] … [2] …", "…; …") is split into
*segments*; each segment is matched on its own.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from oncometrics.countries import city_names
from oncometrics.portfolio.registry import Decision, Unit

#: Default fuzzy threshold (rapidfuzz partial_ratio, 0–100).
FUZZY_THRESHOLD = 90.0
#: Unit names shorter than this (normalised characters) are never fuzzy-matched.
FUZZY_MIN_NAME = 20

METHOD_RANK = {"ror": 0, "curated": 1, "code": 2, "pattern": 3, "fuzzy": 4}

#: Other names of well-known parent organisations (normalised key -> names).
ORG_ALIASES: dict[str, tuple[str, ...]] = {
    "inserm": ("Institut National de la Santé et de la Recherche Médicale",),
    "cnrs": ("Centre National de la Recherche Scientifique",),
    "inrae": (
        "INRA",
        "Institut National de la Recherche Agronomique",
        "Institut national de recherche pour l'agriculture, l'alimentation "
        "et l'environnement",
    ),
    "inra": ("INRAE", "Institut National de la Recherche Agronomique"),
    "ird": (
        "Institut de Recherche pour le Développement",
        "Institute of Research for Development",
    ),
    "gustave roussy": ("Institut Gustave Roussy",),
    "institut curie": ("Curie Institute",),
    "ap hp": ("APHP", "Assistance Publique Hôpitaux de Paris"),
}

_PREFIX = r"UMR[\s_\-]?S(?:[\s_\-]?MD)?|UMR|UPR|UMS|UAR|USC|US|U|ERL|EA|UR|FRE|EMR|URA"
_ORG = r"INSERM|Inserm|CNRS|INRAE?|IRD|AFMB|CEA"
_CODE_RE = re.compile(
    rf"(?<![A-Za-z0-9])(?P<prefix>{_PREFIX})"
    rf"(?:[\s_\-]+(?P<org>{_ORG}))?"
    r"[\s_\-\(\):°#]*(?:n°\s*)?(?P<num>\d{3,4})(?![0-9])"
    rf"(?:[\s,_\-]*(?P<org2>{_ORG})\b(?![\s_\-]*[A-Z]{{0,5}}[\s_\-]*\d))?"
)
_BARE_RE = re.compile(
    rf"(?<![A-Za-z0-9])(?P<org>{_ORG})[\s_\-]+(?P<num>\d{{3,4}})(?![0-9])"
)
#: "Inserm Unit 905", "INSERM Research Unit 1078", "INSERM, Unit 1153",
#: "Unité Inserm 1234": the spelled-out unit word.
_UNIT_WORD_RE = re.compile(
    r"\b(?:INSERM|Inserm)[\s,]*(?:Research\s+)?Unit[eé]?s?[\s_\-]*(?:n°\s*)?(\d{3,4})\b"
    r"|\bUnit[eé]?s?[\s_\-]+(?:INSERM|Inserm)[\s_\-]*(?:n°\s*)?(\d{3,4})\b"
)
#: Clinical investigation centres: "CIC 1414", "CIC-P Inserm 1432",
#: "CIC UMR 1414", "CIC-IT INSERM, 1414", "CIC-IT Inserm 14-14".
_CIC_RE = re.compile(
    r"(?<![A-Za-z0-9])CIC(?:[\s_\-]?(?:P|IT|EC|BT|PT))*"
    r"(?:[\s_\-,]+(?:INSERM|Inserm|UMR|U))*[\s_\-,:]*(\d{2})[\s\-]?(\d{2})(?![0-9])"
)
_CIC_WORDS_RE = re.compile(
    r"\b(?:centre d investigation clinique|clinical investigation cent(?:re|er))\b"
)
_INSERM_RE = re.compile(r"\binserm\b", re.I)
_TWO_DIGITS = re.compile(r"\d\d")
#: Another organisation right before a code ("Inra (U1125)", "CNRS UMR 5286").
_OTHER_ORG_RE = re.compile(r"\b(?:CNRS|INRAE?|Inra|IRD|CEA)\W{0,3}$")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_SEGMENT_RE = re.compile(r"\s*(?:\[\d{1,2}\]|^\d{1,2}\]|;|\s\|\s)\s*")
#: Typography read as a word break: curly apostrophes, Unicode hyphens/dashes.
_BREAKS_RE = re.compile("[’‘ʼ`´‐‑‒–—―−]")
#: Organisation names glued to their neighbours ("CRESSInsermINRAE").
_GLUED_RE = re.compile(r"(?<=[A-Za-z])(?=Inserm|INSERM)|(?<=Inserm|INSERM)(?=[A-Z])")
#: A footnote digit glued to a code ("3U935" after a line mark).
_FOOTNOTE_RE = re.compile(r"(?<![A-Za-z0-9])\d(?=(?:U|UMR|EA|CIC)[\s_\-]?\d{3})")


def clean(text: str) -> str:
    """`text` with markup and glued tokens undone before matching.

    HTML entities ("&amp;"), OpenAlex line marks ("#N#", "#R#", "#TAB#"),
    curly apostrophes and Unicode hyphens (read as word breaks), a
    footnote digit glued to a code and "Inserm" glued to its neighbours.

    >>> clean("#N#3U935, CRESSInsermINRAE, d’Imagerie &amp; X")
    ' U935, CRESS Inserm INRAE, d Imagerie & X'
    """
    if "&" in text:
        text = html.unescape(text)
    if "#" in text:
        for mark in ("#R#", "#N#", "#TAB#"):
            text = text.replace(mark, " ")
        text = _FOOTNOTE_RE.sub("", text)
    if not text.isascii():
        text = _BREAKS_RE.sub(" ", text)
    if "nserm" in text or "NSERM" in text:
        text = _GLUED_RE.sub(" ", text)
    return text


@dataclass(frozen=True, order=True)
class Match:
    """A unit named by an affiliation, how it was found and how sure (0–1)."""

    unit_code: str
    method: str
    score: float


def normalise(text: str) -> str:
    """Lower case ASCII letters and digits, words separated by single spaces.

    Accents are dropped ("é" -> "e"); other non-ASCII characters separate
    words.

    >>> normalise("Université Aix-Marseille, UMR 7257")
    'universite aix marseille umr 7257'
    """
    plain = text
    if not text.isascii():
        text = _BREAKS_RE.sub(" ", text)
        plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(_NON_WORD.sub(" ", plain.lower()).split())


def segments(text: str) -> list[str]:
    """The affiliations of a string that holds several ("[1] a [2] b", "a; b")."""
    parts = (p.strip(" .,") for p in _SEGMENT_RE.split(clean(text or "")))
    return [p for p in parts if p]


def _keys(prefix: str, org: str | None, num: str, *, inserm: bool) -> set[str]:
    """Canonical keys of one code: UMR-S/UMRS/Inserm UMR also give 'U<n>'.

    A UMR code counts as the Inserm unit when Inserm is named next to it or,
    with `inserm`, anywhere in the segment and no other organisation is
    attached to it.
    """
    p = re.sub(r"[\s_\-]", "", prefix).upper().replace("UMRSMD", "UMRS")
    n = str(int(num))
    keys = {p + n}
    org_u = (org or "").upper()
    if p == "UMRS" or (p == "UMR" and (org_u == "INSERM" or (inserm and not org))):
        keys.add("U" + n)
    return keys


def unit_codes(text: str) -> set[str]:
    """Canonical lab-code keys named in `text` ('U1016', 'UMR5286', 'EA7375'…).

    >>> sorted(unit_codes("UMR-S 1138, Inserm U 1016; UMR 1037 INSERM"))
    ['U1016', 'U1037', 'U1138', 'UMR1037', 'UMRS1138']
    >>> sorted(unit_codes("UMR INRA 1355, CNRS 7254"))
    ['UMR1355', 'UMR7254']
    >>> sorted(unit_codes("Inserm UMR 1149; CIC-IT Inserm 14-14; Inra (U1125)"))
    ['CIC1414', 'INRAU1125', 'U1149', 'UMR1149']
    """
    return _codes(clean(text or ""))


def _codes(text: str) -> set[str]:
    """:func:`unit_codes` of an already :func:`clean` text."""
    if not _TWO_DIGITS.search(text):
        return set()
    inserm = ("nserm" in text or "NSERM" in text) and bool(_INSERM_RE.search(text))
    keys: set[str] = set()
    spans: list[tuple[int, int]] = []
    if "CIC" in text:
        for m in _CIC_RE.finditer(text):
            keys.add(f"CIC{int(m[1] + m[2])}")
            spans.append(m.span())
    for m in _CODE_RE.finditer(text):
        if any(a <= m.start("num") < b for a, b in spans):
            continue
        start = m.start()
        other = (
            _OTHER_ORG_RE.search(text[max(0, start - 12) : start]) if start else None
        )
        if m["prefix"] == "U" and other and not m["org"]:
            keys.add(re.sub(r"\W", "", other[0]).upper() + "U" + str(int(m["num"])))
        else:
            org = m["org"] or m["org2"] or (other[0] if other else None)
            keys |= _keys(m["prefix"], org, m["num"], inserm=inserm)
        spans.append(m.span())
    if inserm:
        for m in _UNIT_WORD_RE.finditer(text):
            keys.add("U" + str(int(m[1] or m[2])))
            spans.append(m.span())
    cic_words = inserm and bool(_CIC_WORDS_RE.search(normalise(text)))
    for m in _BARE_RE.finditer(text):
        if any(a <= m.start("num") < b for a, b in spans):
            continue
        is_inserm = m["org"].upper() == "INSERM"
        prefix = ("CIC" if cic_words else "U") if is_inserm else "UMR"
        keys |= _keys(prefix, m["org"], m["num"], inserm=False)
    return keys


def _contains(haystack: str, pattern: tuple[str, ...]) -> bool:
    """True when every part of `pattern` occurs as whole words in `haystack`."""
    padded = f" {haystack} "
    return all(f" {part} " in padded for part in pattern)


def _pattern(text: str) -> tuple[str, ...]:
    """'UNH & Clermont' -> ('unh', 'clermont') (all parts must occur)."""
    return tuple(p for p in (normalise(x) for x in text.split("&")) if p)


def _any_word_re(parts: Iterable[str]) -> re.Pattern[str] | None:
    """One regex finding any of `parts` as whole words (a fast pre-filter)."""
    alts = sorted({p for p in parts if p}, key=len, reverse=True)
    if not alts:
        return None
    body = "|".join(re.escape(a) for a in alts)
    return re.compile(rf"(?<![0-9a-z])(?:{body})(?![0-9a-z])")


def best_matches(matches: Iterable[Match]) -> list[Match]:
    """One match per unit (best method, then highest score), sorted by unit."""
    best: dict[str, Match] = {}
    for m in matches:
        old = best.get(m.unit_code)
        if old is None or (METHOD_RANK[m.method], -m.score) < (
            METHOD_RANK[old.method],
            -old.score,
        ):
            best[m.unit_code] = m
    return sorted(best.values())


@dataclass
class Matcher:
    """Matches affiliation strings to `units` (see the module docstring)."""

    units: tuple[Unit, ...]
    threshold: float = FUZZY_THRESHOLD
    curation: tuple[Decision, ...] = ()
    _codes: dict[str, set[str]] = field(init=False, repr=False)
    _patterns: list[tuple[str, tuple[str, ...]]] = field(init=False, repr=False)
    _names: list[tuple[str, str]] = field(init=False, repr=False)
    _rors: dict[str, set[str]] = field(init=False, repr=False)
    _org: list[tuple[str, ...]] = field(init=False, repr=False)
    _pattern_re: re.Pattern[str] | None = field(init=False, repr=False)
    _acronyms: dict[str, set[str]] = field(init=False, repr=False)
    _acronym_re: re.Pattern[str] | None = field(init=False, repr=False)
    _org_re: re.Pattern[str] | None = field(init=False, repr=False)
    _name_words: dict[str, set[int]] = field(init=False, repr=False)
    _decisions: dict[str, list[Decision]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._codes, self._rors, self._patterns, self._names = {}, {}, [], []
        self._acronyms = {}
        for u in self.units:
            for key in set().union(*(unit_codes(c) for c in (u.code, *u.codes))):
                self._codes.setdefault(key, set()).add(u.code)
            for ror in u.rors:
                self._rors.setdefault(ror, set()).add(u.code)
            acros = [p for p in u.patterns if _is_acronym(p)]
            for a in acros:
                self._acronyms.setdefault(a.strip(), set()).add(u.code)
            pats = [_pattern(p) for p in u.patterns if p not in acros]
            if len(normalise(u.name).split()) >= 3:
                pats.append(_pattern(u.name.replace("&", " ")))
            self._patterns += [(u.code, p) for p in pats if p]
            if len(normalise(u.name)) >= FUZZY_MIN_NAME:
                self._names.append((u.code, normalise(u.name)))
        self._org = [_pattern(n.replace("&", " ")) for n in self.organisation_names()]
        self._pattern_re = _any_word_re(
            [p[0] for _, p in self._patterns] + [a.lower() for a in self._acronyms]
        )
        self._acronym_re = _acronyms_re(self._acronyms)
        self._name_words = {}
        for i, (_, name) in enumerate(self._names):
            for w in name.split():
                if len(w) >= 4:
                    self._name_words.setdefault(w, set()).add(i)
        self._org_re = _any_word_re(p[0] for p in self._org if p)
        self._decisions = {}
        for d in self.curation:
            self._decisions.setdefault(_key(d.affiliation), []).append(d)

    def organisation_names(self) -> list[str]:
        """Names that mark a string as naming the organisation (parents + aliases)."""
        names: list[str] = []
        for u in self.units:
            for parent in u.parents:
                names += [parent, *ORG_ALIASES.get(normalise(parent), ())]
        return sorted(set(names), key=str.lower)

    def match_rors(self, rors: Iterable[str | None]) -> list[Match]:
        """Units whose ROR id is among `rors` (method 'ror', score 1)."""
        hits = (
            self._rors.get((r or "").rsplit("/", 1)[-1].lower(), set()) for r in rors
        )
        return best_matches(Match(code, "ror", 1.0) for units in hits for code in units)

    def match_segment(self, segment: str) -> list[Match]:
        """Units named by one affiliation segment (methods code, pattern, fuzzy)."""
        return self._match_clean(clean(segment))

    def _match_clean(self, segment: str) -> list[Match]:
        found = [
            Match(c, "code", 1.0)
            for k in _codes(segment)
            for c in self._codes.get(k, ())
        ]
        norm = normalise(segment)
        if self._pattern_re is not None and self._pattern_re.search(norm):
            found += [
                Match(c, "pattern", 1.0)
                for c, p in self._patterns
                if _contains(norm, p)
            ]
            if self._acronym_re is not None:  # acronyms: case-sensitive
                found += [Match(c, "pattern", 1.0)
                          for a in self._acronym_re.findall(_plain(segment))
                          for c in self._acronyms[a]]  # fmt: skip
        if found:
            return best_matches(found)
        return self._fuzzy(norm)

    def _fuzzy(self, norm: str) -> list[Match]:
        """Fuzzy name matches of a normalised segment at or above the threshold.

        Only names sharing a word of 4+ letters with the segment are scored
        (a name within the threshold keeps most of its words intact).
        """
        words = {w for w in norm.split() if len(w) >= 4}
        cand = sorted({i for w in words for i in self._name_words.get(w, ())})
        cand = [i for i in cand if len(self._names[i][1]) <= len(norm)]
        if not cand:
            return []
        hits = process.extract(norm, [self._names[i][1] for i in cand],
                               scorer=fuzz.partial_ratio,
                               score_cutoff=self.threshold, limit=None)  # fmt: skip
        return best_matches(
            Match(self._names[cand[k]][0], "fuzzy", round(score / 100.0, 4))
            for _, score, k in hits
            if _same_cities(self._names[cand[k]][1], norm)
        )

    def match_parts(self, text: str) -> list[tuple[str, list[Match]]]:
        """(segment, matches) for each segment of `text`, curation applied."""
        parts = [(s, self._match_clean(s)) for s in segments(text)] or [(text, [])]
        decisions = self._decisions.get(_key(text), [])
        removed = {d.unit_code for d in decisions if d.action == "remove"}
        parts = [(s, [m for m in ms if m.unit_code not in removed]) for s, ms in parts]
        added = [
            Match(d.unit_code, "curated", 1.0) for d in decisions if d.action == "add"
        ]
        if added:
            i = next((i for i, (_, ms) in enumerate(parts) if not ms), 0)
            parts[i] = (parts[i][0], best_matches([*parts[i][1], *added]))
        return parts

    def match(self, text: str) -> list[Match]:
        """Units named by `text`, one best match per unit (sorted by unit code)."""
        return best_matches(m for _, ms in self.match_parts(text) for m in ms)

    def names_organisation(self, text: str) -> bool:
        """True when `text` names a parent organisation of the units."""
        norm = normalise(clean(text))
        if self._org_re is None or not self._org_re.search(norm):
            return False
        return any(_contains(norm, p) for p in self._org if p)

    def is_ignored(self, text: str) -> bool:
        """True when the curation file says `text` names no unit ('ignore')."""
        return any(d.action == "ignore" for d in self._decisions.get(_key(text), []))

    def best_guess(self, text: str) -> tuple[str, float]:
        """The unit whose name is closest to `text` and the score (for curators)."""
        norm = normalise(text)
        scored = [(fuzz.partial_ratio(name, norm), code) for code, name in self._names]
        if not scored:
            return "", 0.0
        score, code = max(scored)
        return code, round(score / 100.0, 4)


def _is_acronym(pattern: str) -> bool:
    """'CRCL', 'IRCM', 'AFMB': one upper-case token, matched case-sensitively."""
    bare = pattern.strip()
    return bare.isalnum() and bare.isupper() and len(bare) <= 8


def _plain(text: str) -> str:
    """Accent-free ASCII `text`, case kept (for acronyms)."""
    if text.isascii():
        return text
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _acronyms_re(acronyms: Iterable[str]) -> re.Pattern[str] | None:
    """One case-sensitive regex finding any of `acronyms` as a whole word."""
    alts = sorted(acronyms, key=len, reverse=True)
    if not alts:
        return None
    body = "|".join(re.escape(a) for a in alts)
    return re.compile(rf"(?<![A-Za-z0-9])({body})(?![A-Za-z0-9])")


def _same_cities(name: str, norm: str) -> bool:
    """False when the (normalised) unit name names a city that `norm` lacks.

    A fuzzy match tolerates spelling, not another place: "... Cancerologie
    de Toulouse" is not the "... Cancerologie de Lyon".
    """
    padded = f" {norm} "
    return all(f" {c} " in padded for c in _cities_in(name))


def _cities_in(name: str) -> tuple[str, ...]:
    padded = f" {name} "
    return tuple(c for c in city_names() if f" {c} " in padded)


def _key(text: str) -> str:
    """Curation key of a raw string: whitespace collapsed, case kept."""
    return " ".join((text or "").split())
