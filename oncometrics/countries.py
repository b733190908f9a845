"""Country names and affiliation/address strings to ISO 3166-1 alpha-2 codes.

``country_code(name)`` maps a country *name* (as registries and exports print
it, historical and variant spellings included) to its code;
``country_from_affiliation(text)`` finds the country of a free-text
affiliation or address.  One shared, tested parser for every source (PubMed
``Affiliation``, MEDLINE ``AD``, WoS ``C1``, Scopus/Lens/Dimensions
affiliations, trial sites).

Rules of ``country_from_affiliation`` (``docs/sources/exports.md`` has the
long form):

1. The text is split into addresses on ``;`` and on a full stop followed by
   a capital letter; e-mails, URLs, a leading WoS
   ``[Author; Author]`` group and postcodes (digits, UK/Canadian/Dutch codes)
   are dropped.  Names that contain a comma ("Korea, Republic of") are
   protected first.
2. Each address is split on commas and read from the *last* segment to the
   first.  In a segment the longest trailing run of words that names a
   country, a US state, a Canadian province, a Chinese province or an
   Australian state wins (so "New Mexico" beats "Mexico", "New South Wales"
   beats "Wales", and matching is on whole words: "UK" never matches
   "Ukraine").  Upper-case two-letter US state and Canadian province codes
   ("Boston, MA 02215", "MA USA") count only as the last word of a segment.
3. Only when nothing of the above occurs anywhere in an address does a
   small table of unambiguous major cities and institutions ("Boston",
   "Villejuif", "Karolinska") decide for that address, and failing that a
   country, state or province named inside a segment ("Shandong Provincial
   Hospital", "Indiana University"; ambiguous words such as Georgia,
   Jersey, Jordan, Turkey are not trusted there).
4. "Georgia": the US state when a ZIP code follows it or a US context is
   named (Atlanta, Augusta, Athens, Savannah, Emory, "University of
   Georgia"…), or when it is not the last segment; the country (GE) when
   Tbilisi/Batumi/Kutaisi or "Republic of Georgia" is named, or when it ends
   the address with no US context (the WoS convention: the state is "GA USA").
5. Hong Kong and Macao are folded into China (CN) by default, as the Leiden
   Ranking does; ``hk_macao_to_cn=False`` keeps HK and MO (also for
   "Hong Kong SAR, China").  Parsers use the default, which the environment
   variable ``ONCOMETRICS_HK_MACAO_TO_CN=false`` turns off at ingest.

The tables live in ``oncometrics/data/countries/*.csv`` (data, not code).
"""

from __future__ import annotations

import csv
import os
import re
import unicodedata
from functools import lru_cache
from importlib import resources

import pycountry

__all__ = [
    "city_names",
    "countries_in_affiliation",
    "country_code",
    "country_from_affiliation",
    "fold_hk_macao",
    "hk_macao_default",
    "registry_country_code",
]

_ABBREV = re.compile(r"\b(?:[A-Za-z]\.){2,}")
_NON_WORD = re.compile(r"[^0-9a-z]+")
_APOS = re.compile(r"['’`´]")


def _strip_accents(text: str) -> str:
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _undot(text: str) -> str:
    """'U.S.A.' -> 'USA', 'P.R. China' -> 'PR China'; other dots become spaces."""
    if "." not in text:
        return text
    text = _ABBREV.sub(lambda m: m.group(0).replace(".", ""), text)
    return text.replace(".", " ")


def _norm(text: str) -> str:
    """Lower-case, accent-free, punctuation-free words ('&' reads 'and')."""
    t = _strip_accents(_undot(text)).casefold().replace("&", " and ")
    t = _NON_WORD.sub(" ", _APOS.sub("", t)).strip()
    return t[4:] if t.startswith("the ") else t


def _read(name: str) -> list[dict[str, str]]:
    ref = resources.files("oncometrics.data.countries") / name
    with ref.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _is_acronym(text: str) -> bool:
    bare = _undot(text).replace(" ", "")
    return bare.isalpha() and bare.isupper() and len(bare) <= 4


def _country_tables() -> tuple[dict[str, str], dict[str, str]]:
    """(normalised country name -> code, case-sensitive acronym -> code)."""
    names: dict[str, str] = {}
    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            value = getattr(c, attr, None)
            if value:
                names[_norm(value)] = c.alpha_2
                if "," in value:  # "Korea, Republic of" -> "Republic of Korea"
                    head, _, tail = value.partition(",")
                    names[_norm(f"{tail} {head}")] = c.alpha_2
    acronyms: dict[str, str] = {}
    for row in _read("variants.csv"):
        if row.get("scope"):  # e.g. "trials": see registry_country_code
            continue
        if _is_acronym(row["variant"]):
            acronyms[_undot(row["variant"]).replace(" ", "")] = row["code"]
        else:
            names[_norm(row["variant"])] = row["code"]
    for word in ("usa", "uk", "uae"):  # also accepted in lower/mixed case
        names[word] = acronyms[word.upper()]
    return names, acronyms


def _place_tables() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(state/province names, case-sensitive codes, city/institution fallback)."""
    names: dict[str, str] = {}
    codes: dict[str, str] = {}
    fallback: dict[str, str] = {}
    for row in _read("places.csv"):
        if row["kind"] in ("city", "institution"):
            fallback[_norm(row["name"])] = row["code"]
        elif _is_acronym(row["name"]):
            codes[row["name"]] = row["code"]
        else:
            names[_norm(row["name"])] = row["code"]
    return names, codes, fallback


_COUNTRIES, _ACRONYMS = _country_tables()
#: Last words of country names and codes (a cheap test before a lookup).
_LAST_WORDS = {k.rsplit(None, 1)[-1] for k in _COUNTRIES} | {
    a.casefold() for a in _ACRONYMS
}
#: Names a scope reads its own way (``scope`` column of ``variants.csv``).
_SCOPED: dict[str, dict[str, str]] = {}
for _row in _read("variants.csv"):
    if _row.get("scope"):
        _SCOPED.setdefault(_row["scope"], {})[_norm(_row["variant"])] = _row["code"]
_PLACES, _PLACE_CODES, _FALLBACK = _place_tables()
#: What a trailing run of words may name (countries win over places).
_ANY_NAME: dict[str, str] = {**_PLACES, **_COUNTRIES}
_CODES_CS: dict[str, str] = {**_PLACE_CODES, **_ACRONYMS}
#: Names also trusted inside a segment (last resort): not those that are
#: words or other places too.
_INNER_NAMES: dict[str, str] = {
    k: v
    for k, v in _ANY_NAME.items()
    if len(k) > 3
    and k
    not in {
        "georgia",
        "jersey",
        "guinea",
        "chad",
        "jordan",
        "turkey",
        "niger",
        "congo",
        "america",
        "mass",
        "calif",
        "penn",
        "conn",
        "mich",
        "minn",
        "wisc",
        "tenn",
        "dominica",
        "reunion",
        "man",
        "wales",
        "england",
        "new england",
        "holy see",
    }
}
_MAX_WORDS = max(len(k.split()) for k in (*_ANY_NAME, *_FALLBACK))

# Country names printed with a comma, protected before splitting on commas.
_COMMA_NAMES = sorted(
    {getattr(c, "name", "") for c in pycountry.countries if "," in c.name}
    | {"Korea, South", "Korea, North", "Korea, Rep", "Congo, Democratic Republic"},
    key=len,
    reverse=True,
)
_COMMA_RE = re.compile(
    "|".join(r"\s*,\s*".join(map(re.escape, n.split(","))) for n in _COMMA_NAMES),
    re.IGNORECASE,
)
_COMMA_HINTS = tuple(sorted({n.split(",")[0].casefold() for n in _COMMA_NAMES}))
_EMAIL = re.compile(
    r"[^\s;]+@[^\s;]+|https?://\S+|www\.\S+|e-?mail(?: address)?:?", re.I
)
_ELECTRONIC = re.compile(r"electronic address:?", re.I)
_WOS_AUTHORS = re.compile(r"^\s*\[[^\]]*\]\s*")
#: Addresses end at ";", at OpenAlex's "#R##N#" line marks, or at a full stop
#: followed by a capital ("China. Dept…") unless the full stop ends a short
#: abbreviation or an initial ("Av. O. Messiaen", "St. Louis").
_ADDRESS_SPLIT = re.compile(
    r";|\.(?<!\b[A-Z]\.)(?<!\b[A-Z][a-z]\.)(?<!\bAve\.)(?<!\bBlvd\.)"
    r"\s+(?=[A-Z\[])"
)
#: The number of a PubMed-numbered address ("[2]", a leading "1]").
_NUMBERED = re.compile(r"\s*(?:\[\d{1,2}\]|^\d{1,2}\])\s*")
#: Where an address may join another: ", and " / " & " (rule 1b).
_JOIN = re.compile(r",?\s+(?:and|&)\s+(?=(?:the\s+)?[A-Z])")
#: A parenthesis of author initials only: "(E.V.G., F.J., M.N.)", "(S.B.G.)".
_INITIAL = r"(?:[A-Z][a-z]?\.\s*-?\s*){1,4}"
_INITIALS = re.compile(rf"\(\s*{_INITIAL}(?:,\s*{_INITIAL})*\)")
#: Unmistakably French research-unit codes, institutions and postcodes
#: (rule 6: used only for an address that names no country at all).
_FRENCH = re.compile(
    r"\b(?:UMR[\s_\-]?S|UMR|UPR|USR|UMS|CIC|EA)[\s_\-]?\d{3,4}\b|\bF-\d{5}\b"
    r"|\b(?:INSERM|Inserm|CNRS|AP-HP|APHP)\b"
)
#: Words after which a city name names a building or street ("Hôpital
#: Saint-Louis", "Institut de Recherche Saint-Louis", "rue de Nancy").
_NOT_A_CITY_AFTER = {"hopital", "hospital", "recherche", "institut", "rue", "avenue"}
_POSTCODES = re.compile(
    r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b"  # UK: OX3 7DQ
    r"|\b[A-Z]\d[A-Z]\s?\d[A-Z]\d\b"  # Canada: H2W 1R7
    r"|\b\d{4}\s?[A-Z]{2}\b"  # Netherlands: 6229 EV
)
_PARENS = re.compile(r"\([^)]*\)")
_DIGIT = re.compile(r"\d")
_ZIP = re.compile(r"\b\d{5}(?:-\d{4})?\b")
_WORD = re.compile(r"\b[^\W\d_]+\b")  # words with a digit are skipped
_TRAILING_NOISE = {
    "and",
    "the",
    "of",
    "from",
    "e",
    "mail",
    "email",
    "electronic",
    "address",
    "department",
    "dept",
}
_GEORGIA_US = re.compile(
    r"\b(atlanta|augusta|athens|savannah|macon|decatur|marietta|emory|morehouse|"
    r"university of georgia|georgia (?:institute of technology|tech|state|regents|"
    r"health sciences)|medical college of georgia|usa)\b"
)
_GEORGIA_GE = re.compile(
    r"\b(tbilisi|batumi|kutaisi|republic of georgia|rep of georgia)\b"
)
_HK = re.compile(r"\b(hong kong|kowloon|hksar|new territories)\b")
_MO = re.compile(r"\b(macao|macau)\b")


@lru_cache(maxsize=65536)
def country_code(name: str | None, *, hk_macao_to_cn: bool = False) -> str | None:
    """ISO alpha-2 code of a country name or code, or None when unknown.

    Knows pycountry's names, official and common names, alpha-2/alpha-3
    codes, and the variants of ``data/countries/variants.csv`` ("USA",
    "Peoples R China", "Korea, Republic of", "England", "Türkiye",
    "Congo (Kinshasa)", "Holland", "Deutschland", "USSR"…).  Hong Kong and
    Macao keep their own codes unless `hk_macao_to_cn`.

    Examples
    --------
    >>> country_code("Peoples R China"), country_code("North Ireland")
    ('CN', 'GB')
    >>> country_code("Côte d'Ivoire"), country_code("Ukraine")
    ('CI', 'UA')
    """
    if not name or not name.strip():
        return None
    text = name.strip()
    code = _COUNTRIES.get(_norm(text)) or _ACRONYMS.get(_undot(text).replace(" ", ""))
    if code is None and text.isalpha() and len(text) in (2, 3):
        key = "alpha_2" if len(text) == 2 else "alpha_3"
        found = pycountry.countries.get(**{key: text.upper()})  # type: ignore[arg-type]
        code = found.alpha_2 if found else None
    if code is None:
        try:
            code = str(pycountry.countries.lookup(text).alpha_2)
        except LookupError:
            return None
    return _fold(code, hk_macao_to_cn)


def registry_country_code(name: str | None, scope: str = "trials") -> str | None:
    """:func:`country_code` with the `scope`'s own readings first.

    Trial registries keep historical codes ("Yugoslavia" -> YU, "Serbia and
    Montenegro" -> CS) where publications use the successor state; the rows
    of ``variants.csv`` with ``scope`` = ``trials`` say so.

    >>> registry_country_code("Yugoslavia"), country_code("Yugoslavia")
    ('YU', 'RS')
    """
    if not name or not name.strip():
        return None
    return _SCOPED.get(scope, {}).get(_norm(name)) or country_code(name.strip())


def _fold(code: str, hk_macao_to_cn: bool) -> str:
    return "CN" if hk_macao_to_cn and code in ("HK", "MO") else code


@lru_cache(maxsize=1)
def city_names() -> frozenset[str]:
    """Normalised names of the cities of ``places.csv`` (lower case, ASCII).

    >>> "lyon" in city_names() and "toulouse" in city_names()
    True
    """
    return frozenset(
        _norm(r["name"]) for r in _read("places.csv") if r["kind"] == "city"
    )


def hk_macao_default() -> bool:
    """Whether affiliation parsing folds HK/MO into CN when not told.

    True (the Leiden Ranking convention) unless the environment variable
    ``ONCOMETRICS_HK_MACAO_TO_CN`` is ``0``/``false``/``no``/``off``; it is
    read when a parser runs, so set it for ``oncometrics ingest``.
    """
    raw = os.environ.get("ONCOMETRICS_HK_MACAO_TO_CN", "")
    return raw.strip().lower() not in ("0", "false", "no", "off")


def fold_hk_macao(code: str | None, hk_macao_to_cn: bool | None = None) -> str | None:
    """`code` with HK and MO read as CN when folding (default: the env setting)."""
    fold = hk_macao_default() if hk_macao_to_cn is None else hk_macao_to_cn
    return _fold(code, fold) if code else code


def countries_in_affiliation(
    text: str | None, *, hk_macao_to_cn: bool | None = None
) -> tuple[str, ...]:
    """Distinct countries of the addresses in `text`, in order (rules above).

    `hk_macao_to_cn` None means :func:`hk_macao_default`.
    """
    fold = hk_macao_default() if hk_macao_to_cn is None else hk_macao_to_cn
    return _countries_in_affiliation(text, fold)


@lru_cache(maxsize=131072)
def _countries_in_affiliation(
    text: str | None, hk_macao_to_cn: bool
) -> tuple[str, ...]:
    """Distinct countries of the ``;``-separated addresses in `text`, in order."""
    if not text:
        return ()
    low = text.casefold()
    if "," in text and any(h in low for h in _COMMA_HINTS):
        text = _COMMA_RE.sub(lambda m: m.group(0).replace(",", " "), text)
    if "@" in text or "://" in text or "www." in low or "mail" in low:
        text = _ELECTRONIC.sub(" ", _EMAIL.sub(" ", text))
    if "#" in text:  # OpenAlex line marks: "#R##N#" ends an address
        text = text.replace("#R##N#", ";").replace("#N#", " ").replace("#TAB#", " ")
    if " / " in text:  # "Univ A / CONICET, …": two addresses
        text = text.replace(" / ", ";")
    if "]" in text:  # PubMed "1] … UK [2] … South Africa": numbered addresses
        text = _NUMBERED.sub(";", text)
    if ".)" in text:
        text = _INITIALS.sub(" ", text)
    addresses = [
        part
        for a in _ADDRESS_SPLIT.split(text)
        for part in _split_joined(_WOS_AUTHORS.sub("", a) if "[" in a else a)
    ]
    found = [
        _address_country(a, fallback=False)
        or _address_country(a, fallback=True)
        or ("FR" if _FRENCH.search(a) else None)
        for a in addresses
    ]
    out: list[str] = []
    for address, code in zip(addresses, found, strict=True):
        if code is None:
            continue
        code = _fold(code, hk_macao_to_cn)
        if code == "CN" and not hk_macao_to_cn:
            low = _norm(address)
            code = "HK" if _HK.search(low) else "MO" if _MO.search(low) else code
        if code not in out:
            out.append(code)
    return tuple(out)


def country_from_affiliation(
    text: str | None, *, hk_macao_to_cn: bool | None = None
) -> str | None:
    """The country of a free-text affiliation or address, or None.

    When `text` holds several ``;``-separated addresses, the first one with
    a recognised country decides (see :func:`countries_in_affiliation` for
    all of them).

    Examples
    --------
    >>> country_from_affiliation("Beth Israel Deaconess Med Ctr, Boston, MA USA")
    'US'
    >>> country_from_affiliation("Natl Canc Inst, Kiev, Ukraine")
    'UA'
    >>> country_from_affiliation("Univ Hong Kong, Pokfulam, Hong Kong")
    'CN'
    >>> country_from_affiliation("Univ Hong Kong, Hong Kong", hk_macao_to_cn=False)
    'HK'
    """
    found = countries_in_affiliation(text, hk_macao_to_cn=hk_macao_to_cn)
    return found[0] if found else None


def _words(segment: str) -> list[str]:
    """Words of one segment, case kept, postcodes and numbers dropped."""
    segment = _undot(segment)
    if _DIGIT.search(segment):
        segment = _POSTCODES.sub(" ", segment)
    words = _WORD.findall(_APOS.sub("", segment.replace("&", " and ")))
    while words and words[-1].casefold() in _TRAILING_NOISE:
        words.pop()
    return words


def _trailing(words: list[str]) -> str | None:
    """Code named by the longest trailing run of `words`, if any."""
    if not words:
        return None
    low = [_strip_accents(w).casefold() for w in words]
    for n in range(min(_MAX_WORDS, len(low)), 0, -1):
        key = " ".join(low[-n:])
        if key in _ANY_NAME:
            return "GEORGIA" if key == "georgia" else _ANY_NAME[key]
    return _CODES_CS.get(words[-1])


def _segment_country(segment: str) -> str | None:
    code = _segment_words_country(_words(segment))
    if code is None and "(" in segment:  # "South Africa (E.D.B.)", "HI (KLM)"
        code = _segment_words_country(_words(_PARENS.sub(" ", segment)))
    return code


def _segment_words_country(words: list[str]) -> str | None:
    code = _trailing(words)
    if code is None and any(w.casefold() == "and" for w in words):
        parts: list[list[str]] = [[]]
        for w in words:
            if w.casefold() == "and":
                parts.append([])
            else:
                parts[-1].append(w)
        for part in reversed(parts):
            if code := _trailing(part):
                break
    return code


def _address_country(address: str, *, fallback: bool) -> str | None:
    """Country of one address: places from the last segment back (rule 2),
    or with `fallback` the first city/institution named (rule 3)."""
    segments = address.split(",")
    if fallback:
        return next(filter(None, map(_fallback_country, reversed(segments))), None)
    is_last = True
    for segment in reversed(segments):
        if not _WORD.search(segment):
            continue
        code = _segment_country(segment)
        if code == "GEORGIA":
            return _georgia(address, is_last=is_last)
        if code:
            return code
        is_last = is_last and not _words(segment)
    return None


def _split_joined(address: str) -> list[str]:
    """`address` cut at ", and "/" & " where the part before ends with a
    segment that is a country name ("…, Washington DC, USA, and Dept of
    Zoology, …, UK")."""
    if " and " not in address and "&" not in address:
        return [address]
    out, start = [], 0
    for m in _JOIN.finditer(address):
        left = address[start : m.start()]
        last = left.rsplit(None, 1)[-1].strip(",.").casefold() if left.strip() else ""
        if last in _LAST_WORDS and _ends_with_country(left.rsplit(",", 1)[-1]):
            out.append(left)
            start = m.end()
    return [*out, address[start:]]


def _ends_with_country(segment: str) -> bool:
    """True when the last one to three words of `segment` name a country."""
    words = segment.strip(" .").split()
    if words and words[-1] in _ACRONYMS:
        return True
    low = [w.casefold() for w in words[-3:]]
    return any(" ".join(low[-n:]) in _COUNTRIES for n in range(1, len(low) + 1))


def _fallback_country(segment: str) -> str | None:
    """A city/institution named anywhere in `segment`, else a place name
    anywhere in it ("Shandong Provincial Hospital"), longest first."""
    low = _norm(segment).split()
    for table in (_FALLBACK, _INNER_NAMES):
        for n in range(min(_MAX_WORDS, len(low)), 0, -1):
            for start in range(len(low) - n, -1, -1):
                code = table.get(" ".join(low[start : start + n]))
                if code and not (start and low[start - 1] in _NOT_A_CITY_AFTER):
                    return code
    return None


def _georgia(address: str, *, is_last: bool) -> str:
    """The US state or the country: decided by context (module docstring)."""
    low = _norm(address)
    if _GEORGIA_GE.search(low):
        return "GE"
    if _ZIP.search(address) or _GEORGIA_US.search(low) or not is_last:
        return "US"
    return "GE"
