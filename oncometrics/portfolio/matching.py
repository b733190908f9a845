"""Match raw affiliation strings to the organisation's units (contract §7).

Pure Python, no I/O: :class:`Matcher` turns one affiliation string into a
list of :class:`Match` (unit code, method, score).  Order of the methods:

1. ``ror``: a ROR id of the authorship's institutions is a unit's ROR id;
2. ``code``: a French laboratory code in any spelling ("Inserm U1016",
   "U 1016", "UMR-S 1138", "UMR_S1138", "UMR 1037 INSERM", "UMR CNRS 5203",
   "ERL 8254", "CIC 1413", "EA7375"…; :mod:`oncometrics.portfolio.codes`)
   equals one of the unit's codes;
3. ``pattern``: one of the unit's name patterns (or its full name) appears as
   whole words in the normalised string (an upper-case acronym pattern:
   case-sensitively);
4. ``fuzzy``: the unit's name matches a part of the string with a rapidfuzz
   ``partial_ratio`` at or above the threshold (only for parts of the string
   that methods 2–3 left unmatched, and never when the name names a city
   the string lacks);
5. ``curated``: a manual decision of the curation file.

A string holding several affiliations ("1] … [2] …", "…; …") is split into
*segments*; each segment is matched on its own.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from oncometrics.countries import city_names
from oncometrics.portfolio.codes import (
    clean,
    clean_unit_codes,
    normalise,
    unit_codes,
    word_start,
)
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

_SEGMENT_RE = re.compile(r"\s*(?:\[\d{1,2}\]|^\d{1,2}\]|;|\s\|\s)\s*")


@dataclass(frozen=True, order=True)
class Match:
    """A unit named by an affiliation, how it was found and how sure (0–1)."""

    unit_code: str
    method: str
    score: float


def segments(text: str) -> list[str]:
    """The affiliations of a string that holds several ("[1] a [2] b", "a; b")."""
    text = clean(text or "")
    if ";" in text or "]" in text or "|" in text:  # else nothing to split
        parts = [p.strip(" .,") for p in _SEGMENT_RE.split(text)]
        return [p for p in parts if p]
    text = text.strip(" .,")
    return [text] if text else []


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
    body = word_start([re.escape(a) for a in alts], "0-9a-z")
    return re.compile(rf"(?:{body})(?![0-9a-z])")


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
    _first_words: frozenset[str] = field(init=False, repr=False)
    _acronyms: dict[str, set[str]] = field(init=False, repr=False)
    _acronym_re: re.Pattern[str] | None = field(init=False, repr=False)
    _org_re: re.Pattern[str] | None = field(init=False, repr=False)
    _name_words: dict[str, set[int]] = field(init=False, repr=False)
    _decisions: dict[str, list[Decision]] = field(init=False, repr=False)
    _last: tuple[str, str] = field(
        init=False, repr=False, compare=False, default=("", "")
    )
    _last_org: tuple[str, bool] = field(
        init=False, repr=False, compare=False, default=("", False)
    )

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
        firsts = [p[0] for _, p in self._patterns] + [a.lower() for a in self._acronyms]
        self._pattern_re = _any_word_re(firsts)
        self._first_words = frozenset(f.split()[0] for f in firsts if f)
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
            for k in clean_unit_codes(segment)
            for c in self._codes.get(k, ())
        ]
        norm = self.normal_form(segment)
        words = norm.split()
        if (
            self._pattern_re is not None
            and not self._first_words.isdisjoint(words)  # a quick first test
            and self._pattern_re.search(norm)
        ):
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
        return self._fuzzy(norm, words)

    def normal_form(self, cleaned: str) -> str:
        """:func:`normalise` of a :func:`clean` text (a segment); the last is kept.

        After matching a string, the portfolio asks for its segments' normal
        form and :meth:`names_organisation` about it: computed once.
        """
        last = self._last
        if cleaned != last[0]:
            last = self._last = (cleaned, normalise(cleaned))
        return last[1]

    def _fuzzy(self, norm: str, words: list[str]) -> list[Match]:
        """Fuzzy name matches of a normalised segment at or above the threshold.

        Only names sharing a word of 4+ letters with the segment (`words`:
        its words) are scored (a name within the threshold keeps most of its
        words intact).
        """
        index, found = self._name_words, set()  # words of 4+ letters only
        for w in words:
            if w in index:
                found |= index[w]
        if not found:
            return []
        cand = [i for i in sorted(found) if len(self._names[i][1]) <= len(norm)]
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
        decisions = self._decisions.get(_key(text), []) if self._decisions else []
        if not decisions:
            return parts
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
        # normalise ignores the separators that segments() strips off
        norm = self.normal_form(clean(text).strip(" .,"))
        if norm != self._last_org[0]:
            found = self._org_re is not None and bool(self._org_re.search(norm))
            found = found and any(_contains(norm, p) for p in self._org if p)
            self._last_org = (norm, found)
        return self._last_org[1]

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
