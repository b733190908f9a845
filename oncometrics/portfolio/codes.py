"""French laboratory codes and the text clean-up before matching.

:func:`clean` undoes markup and glued tokens; :func:`normalise` gives the
lower-case ASCII words the name methods compare; :func:`unit_codes` reads
every French unit code of a string in canonical form ('U1016', 'UMR5286',
'CIC1414'…).  The rules are listed in ``docs/portfolio.md`` (Matching,
step 2) and tested in ``tests/test_portfolio_matching.py``.
"""

from __future__ import annotations

import html
import re
import unicodedata


def word_start(alternatives: list[str], word: str = "A-Za-z0-9") -> str:
    """Regex: one of `alternatives` not preceded by a character of `word`.

    The same as ``(?<![word])(?:a|b|…)``, written letter first
    (``U(?<![word]U)(?:MR|PR|…)|E(?<![word]E)(?:RL|A)``) so that Python's
    regex engine jumps to the positions holding one of the first letters
    instead of trying the look-behind at every position (half the time of
    a scan).  Each alternative must start with a plain letter or digit;
    alternatives keep their order within a first letter.
    """
    rests: dict[str, list[str]] = {}
    for a in alternatives:
        rests.setdefault(a[0], []).append(a[1:])
    return "|".join(f"{c}(?<![{word}]{c})(?:{'|'.join(r)})" for c, r in rests.items())


_PREFIXES = [r"UMR[\s_\-]?S(?:[\s_\-]?MD)?", "UMR", "UPR", "UMS", "UAR", "USC", "US", "U",
             "ERL", "EA", "UR", "FRE", "EMR", "URA"]  # fmt: skip
_ORGS = ["INSERM", "Inserm", "CNRS", "INRAE?", "IRD", "AFMB", "CEA"]
_ORG = "|".join(_ORGS)
_CODE_RE = re.compile(
    rf"(?P<prefix>{word_start(_PREFIXES)})"
    rf"(?:[\s_\-]+(?P<org>{_ORG}))?"
    r"[\s_\-\(\):°#]*(?:n°\s*)?(?P<num>\d{3,4})(?![0-9])"
    rf"(?:[\s,_\-]*(?P<org2>{_ORG})\b(?![\s_\-]*[A-Z]{{0,5}}[\s_\-]*\d))?"
)
_BARE_RE = re.compile(
    rf"(?P<org>{word_start(_ORGS)})[\s_\-]+(?P<num>\d{{3,4}})(?![0-9])"
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
    return _NON_WORD.sub(" ", plain.lower()).strip()  # one space per run


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
    return clean_unit_codes(clean(text or ""))


def clean_unit_codes(text: str) -> set[str]:
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
