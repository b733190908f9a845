"""Words and numbers of the report in English and French.

Everything language-dependent lives here as data: number formats, ordinals,
country names (with the article and gender French grammar needs) and the
sentence templates of the statements.  The functions are pure.

Examples
--------
>>> fmt_number(9874.2, "en"), fmt_number(9874.2, "fr")
('9,874', '9\u202f874')
>>> fmt_percent(0.0283, "en"), fmt_percent(0.0283, "fr")
('2.8\xa0%', '2,8\u202f%')
>>> ordinal(2, "en"), ordinal(1, "fr", feminine=True)
('2nd', '1re')
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import pycountry

LANGS = ("en", "fr")
NNBSP = "\u202f"  # narrow no-break space: French thousands and before %
NBSP = "\xa0"


def check_lang(lang: str) -> str:
    """`lang` if supported, else ValueError naming the choices."""
    if lang not in LANGS:
        raise ValueError(
            f"unsupported language {lang!r}; choose one of {', '.join(LANGS)}"
        )
    return lang


# ----------------------------------------------------------------- numbers
def fmt_number(value: float, lang: str, digits: int | None = None) -> str:
    """A count or ratio with locale separators.

    `digits=None` picks 0 decimals from 100 up (and for whole numbers), else 1.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if digits is None:
        digits = 0 if abs(value) >= 100 or float(value).is_integer() else 1
    text = f"{value:,.{digits}f}"
    if lang == "fr":
        text = text.replace(",", NNBSP).replace(".", ",")
    return text


def fmt_percent(share: float, lang: str, digits: int = 1) -> str:
    """A share in [0, 1] as a percentage: 0.028 -> '2.8 %' / '2,8 %'."""
    sep = NNBSP if lang == "fr" else NBSP
    return f"{fmt_number(100 * share, lang, digits)}{sep}%"


def fmt_signed_pp(delta: float, lang: str) -> str:
    """A change in percentage points with its sign: '+4.2 pp' / '+4,2 pts'.

    French: 'pt' below two points, 'pts' from two on.
    """
    unit = "pp" if lang != "fr" else "pt" if abs(delta) < 2 else "pts"
    sign = "+" if delta >= 0 else "−"
    return f"{sign}{fmt_number(abs(delta), lang, 1)}{NBSP}{unit}"


def fmt_interval(lo: float, hi: float, lang: str, *, percent: bool = False) -> str:
    """A stability interval: '1.10–1.35' or '9.8–12.1 %'."""
    if percent:
        return f"{fmt_number(100 * lo, lang, 1)}–{fmt_percent(hi, lang)}"
    return f"{fmt_number(lo, lang, 2)}–{fmt_number(hi, lang, 2)}"


def ordinal(n: int, lang: str, *, feminine: bool = False, plural: bool = False) -> str:
    """1st 2nd 3rd 4th 11th 21st; French 1er/1re(s), 2e, 3e."""
    if lang == "fr":
        if n == 1:
            return ("1re" if feminine else "1er") + ("s" if plural else "")
        return f"{n}e"
    if 10 <= n % 100 <= 20:
        suffix = "th"
    else:
        suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def join_list(items: list[str], lang: str) -> str:
    """'a, b and c' / 'a, b et c'."""
    if len(items) <= 1:
        return "".join(items)
    word = " et " if lang == "fr" else " and "
    return ", ".join(items[:-1]) + word + items[-1]


# ---------------------------------------------------------------- countries
#: English names that read better than ISO's ("Korea, Republic of"), with article.
EN_NAMES: dict[str, str] = {
    "US": "the United States",
    "GB": "the United Kingdom",
    "NL": "the Netherlands",
    "KR": "South Korea",
    "KP": "North Korea",
    "RU": "Russia",
    "IR": "Iran",
    "TW": "Taiwan",
    "CZ": "Czechia",
    "VN": "Vietnam",
    "SY": "Syria",
    "TZ": "Tanzania",
    "VE": "Venezuela",
    "BO": "Bolivia",
    "MD": "Moldova",
    "PH": "the Philippines",
    "AE": "the United Arab Emirates",
    "HK": "Hong Kong",
    "MO": "Macao",
    "PS": "Palestine",
    "LA": "Laos",
    "CD": "DR Congo",
}

#: French names: code -> (name, article, feminine, plural).  Article is one of
#: "la", "le", "les", "l'" or "" (no article, e.g. Israël, Singapour).
FR_NAMES: dict[str, tuple[str, str, bool, bool]] = {
    "FR": ("France", "la", True, False),
    "US": ("États-Unis", "les", False, True),
    "GB": ("Royaume-Uni", "le", False, False),
    "DE": ("Allemagne", "l'", True, False),
    "IT": ("Italie", "l'", True, False),
    "ES": ("Espagne", "l'", True, False),
    "CN": ("Chine", "la", True, False),
    "JP": ("Japon", "le", False, False),
    "CA": ("Canada", "le", False, False),
    "AU": ("Australie", "l'", True, False),
    "NL": ("Pays-Bas", "les", False, True),
    "CH": ("Suisse", "la", True, False),
    "BE": ("Belgique", "la", True, False),
    "SE": ("Suède", "la", True, False),
    "DK": ("Danemark", "le", False, False),
    "NO": ("Norvège", "la", True, False),
    "FI": ("Finlande", "la", True, False),
    "AT": ("Autriche", "l'", True, False),
    "IE": ("Irlande", "l'", True, False),
    "PT": ("Portugal", "le", False, False),
    "GR": ("Grèce", "la", True, False),
    "PL": ("Pologne", "la", True, False),
    "CZ": ("Tchéquie", "la", True, False),
    "HU": ("Hongrie", "la", True, False),
    "RO": ("Roumanie", "la", True, False),
    "BG": ("Bulgarie", "la", True, False),
    "HR": ("Croatie", "la", True, False),
    "SI": ("Slovénie", "la", True, False),
    "SK": ("Slovaquie", "la", True, False),
    "RS": ("Serbie", "la", True, False),
    "LU": ("Luxembourg", "le", False, False),
    "IS": ("Islande", "l'", True, False),
    "EE": ("Estonie", "l'", True, False),
    "LV": ("Lettonie", "la", True, False),
    "LT": ("Lituanie", "la", True, False),
    "UA": ("Ukraine", "l'", True, False),
    "RU": ("Russie", "la", True, False),
    "TR": ("Turquie", "la", True, False),
    "IL": ("Israël", "", False, False),
    "IR": ("Iran", "l'", False, False),
    "SA": ("Arabie saoudite", "l'", True, False),
    "EG": ("Égypte", "l'", True, False),
    "ZA": ("Afrique du Sud", "l'", True, False),
    "NG": ("Nigeria", "le", False, False),
    "MA": ("Maroc", "le", False, False),
    "TN": ("Tunisie", "la", True, False),
    "DZ": ("Algérie", "l'", True, False),
    "KE": ("Kenya", "le", False, False),
    "IN": ("Inde", "l'", True, False),
    "PK": ("Pakistan", "le", False, False),
    "KR": ("Corée du Sud", "la", True, False),
    "TW": ("Taïwan", "", False, False),
    "HK": ("Hong Kong", "", False, False),
    "SG": ("Singapour", "", False, False),
    "TH": ("Thaïlande", "la", True, False),
    "MY": ("Malaisie", "la", True, False),
    "ID": ("Indonésie", "l'", True, False),
    "VN": ("Viêt Nam", "le", False, False),
    "PH": ("Philippines", "les", True, True),
    "NZ": ("Nouvelle-Zélande", "la", True, False),
    "BR": ("Brésil", "le", False, False),
    "MX": ("Mexique", "le", False, False),
    "AR": ("Argentine", "l'", True, False),
    "CL": ("Chili", "le", False, False),
    "CO": ("Colombie", "la", True, False),
    "PE": ("Pérou", "le", False, False),
    "CU": ("Cuba", "", False, False),
    "QA": ("Qatar", "le", False, False),
    "AE": ("Émirats arabes unis", "les", False, True),
    "LB": ("Liban", "le", False, False),
    "CY": ("Chypre", "", False, False),
    "MT": ("Malte", "", False, False),
}


@dataclass(frozen=True)
class CountryName:
    """How to write a country in running text."""

    label: str  # bare name, for charts and tables
    subject: str  # as the subject of a sentence, lower-case start
    of: str  # "of X" / "de X" form
    feminine: bool = False
    plural: bool = False


@lru_cache(maxsize=1024)
def country_name(code: str, lang: str) -> CountryName:
    """The name of ISO alpha-2 `code` in `lang` (unknown codes are kept as is)."""
    code = str(code).upper()
    if lang == "fr" and code in FR_NAMES:
        name, art, fem, plural = FR_NAMES[code]
        subject = f"{art}{name}" if art == "l'" else f"{art} {name}".strip()
        of = {
            "le": f"du {name}",
            "les": f"des {name}",
            "la": f"de la {name}",
            "l'": f"de l'{name}",
        }.get(art, f"de {name}")
        return CountryName(name, subject, of, fem, plural)
    if code in EN_NAMES:
        full = EN_NAMES[code]
        label = full.removeprefix("the ")
    else:
        rec = pycountry.countries.get(alpha_2=code)
        label = getattr(rec, "common_name", None) or getattr(rec, "name", None) or code
        full = label
    if lang == "fr":
        of = f"d'{label}" if label[:1] in "AEIOUÉ" else f"de {label}"
        return CountryName(label, label, of)
    return CountryName(label, full, f"of {full}")


def capitalise(text: str) -> str:
    """First letter upper-case, the rest untouched ('la France' -> 'La France')."""
    return text[:1].upper() + text[1:]


# ------------------------------------------------------- technology fields
#: French names of the 35 WIPO technology fields, by field number.
FIELDS_FR: dict[int, str] = {
    1: "Machines, appareils, énergie électriques",
    2: "Techniques audiovisuelles",
    3: "Télécommunications",
    4: "Communication numérique",
    5: "Procédés de communication de base",
    6: "Informatique",
    7: "Méthodes informatiques de gestion",
    8: "Semi-conducteurs",
    9: "Optique",
    10: "Mesure",
    11: "Analyse de matériels biologiques",
    12: "Contrôle",
    13: "Technologie médicale",
    14: "Chimie organique fine",
    15: "Biotechnologie",
    16: "Produits pharmaceutiques",
    17: "Chimie macromoléculaire, polymères",
    18: "Chimie alimentaire",
    19: "Chimie de base",
    20: "Matériaux, métallurgie",
    21: "Technologie des surfaces, revêtements",
    22: "Microstructures et nanotechnologie",
    23: "Génie chimique",
    24: "Technologie environnementale",
    25: "Manutention",
    26: "Machines-outils",
    27: "Moteurs, pompes, turbines",
    28: "Machines textiles et à papier",
    29: "Autres machines spéciales",
    30: "Procédés et appareils thermiques",
    31: "Éléments mécaniques",
    32: "Transports",
    33: "Mobilier, jeux",
    34: "Autres biens de consommation",
    35: "Génie civil",
}


def field_label(name: object, number: object, lang: str) -> str:
    """A WIPO technology field in `lang` (English as given when unknown)."""
    if lang == "fr":
        try:
            return FIELDS_FR.get(int(str(number)), str(name))
        except ValueError:
            return str(name)
    return str(name)
