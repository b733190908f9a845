"""French for the parts of the report written by other modules in English.

:func:`portfolio_fr` turns the portfolio section (``oncometrics.portfolio``
writes it in English) into French: its headings, column headers, captions
and sentences, and its numbers into French notation ("1,00", "10,0 %",
"1 234").  Only text between tags changes (never a unit code, an attribute
or a file name).

>>> portfolio_fr("<td>99.0 %</td><td>1,234</td><caption>Calls</caption>")
'<td>99,0\\u202f%</td><td>1\\u202f234</td><caption>Appels</caption>'
"""

from __future__ import annotations

import re

NNBSP = "\u202f"

#: English wording of the portfolio section -> French (sentences and captions).
PORTFOLIO: dict[str, str] = {
    "The organisation's units and projects": "Les unités et projets de l'organisation",
    "The organisation's centres": "Les centres de l'organisation",
    "The organisation's units signed ": "Les unités de l'organisation signent ",
    "publications (fractional count ": "publications (compte fractionnaire ",
    "Units (fractional counting; 95 % stability intervals)": (
        "Unités (comptage fractionnaire ; intervalles de stabilité à 95 %)"
    ),
    "Funded projects (publications citing their award ids)": (
        "Projets financés (publications citant leur numéro de convention)"
    ),
    "Oncology trials with a site at the organisation's centres": (
        "Essais en oncologie ayant un site dans les centres de l'organisation"
    ),
    " affiliation strings name the organisation but no unit; they are listed in ": (
        " libellés d'affiliation nomment l'organisation mais aucune unité ; ils "
        "sont listés dans "
    ),
    " for curation.": " pour curation.",
    "Centres labelled ": "Les centres labellisés ",
    " oncology trials, ": " essais en oncologie, dont ",
    " of them early phase; ": " en phase précoce ; ",
    " were multinational.": " multinationaux.",
    " ran ": " ont mené ",
}
#: Headers and captions: translated only when they are a whole text node.
WHOLE: dict[str, str] = {
    "Share of the organisation": "Part de l'organisation",
    "International co-publications": "Co-publications internationales",
    "Top partner countries": "Principaux pays partenaires",
    "Centre / label": "Centre / label",
    "Oncology trials": "Essais en oncologie",
    "Early-phase trials": "Essais de phase précoce",
    "Multinational": "Multinationaux",
    "Industry-led": "Promotion industrielle",
    "P (fractional)": "P (fractionnaire)",
    "P (full)": "P (entier)",
    "Projects": "Projets",
    "Project": "Projet",
    "Calls": "Appels",
    "Call": "Appel",
    "Units": "Unités",
    "Unit": "Unité",
    "Name": "Nom",
    "City": "Ville",
    "Year": "Année",
}

_NUMBER = re.compile(r"(?<![\w.\-/])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?(?![\w\-/])")


def _number_fr(m: re.Match[str]) -> str:
    whole = m.group(1).replace(",", NNBSP)
    return whole + ("," + m.group(2) if m.group(2) else "")


_PHRASE = re.compile(
    "|".join(re.escape(k) for k in sorted(PORTFOLIO, key=len, reverse=True))
)


def _text_fr(text: str) -> str:
    if text.strip() in WHOLE:
        return text.replace(text.strip(), WHOLE[text.strip()])
    text = _PHRASE.sub(lambda m: PORTFOLIO[m.group(0)], text)
    text = _NUMBER.sub(_number_fr, text)
    return text.replace(" %", NNBSP + "%")


def portfolio_fr(fragment: str) -> str:
    """The portfolio section `fragment` in French (text between tags only)."""
    parts = re.split(r"(<[^>]*>)", fragment)
    in_code = False
    for i, part in enumerate(parts):
        if part.startswith("<"):
            in_code = part.startswith("<code") or (in_code and part != "</code>")
            continue
        if not in_code:
            parts[i] = _text_fr(part)
    return "".join(parts)
