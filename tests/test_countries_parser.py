"""The shared address -> country parser against hand-labelled real strings."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from oncometrics.countries import (
    countries_in_affiliation,
    country_code,
    country_from_affiliation,
)

DATA = Path(__file__).parent / "data"
TABLE = DATA / "countries" / "addresses.csv"

#: Known failures of the table, with the reason (must stay <= 2 % of rows).
KNOWN_FAILURES = {
    # two addresses glued without any separator: the last country wins
    "Department of Radiology, University of Washington, Seattle, Washington "
    "Department of Statistics, University College Cork, Cork, Ireland.",
    "University of Ghana, Accra, Ghana Bangladesh Agricultural University, "
    "Mymesingh, Bangladesh.",
}


def _rows() -> list[dict[str, str]]:
    with open(TABLE, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_table_is_large_and_labelled() -> None:
    rows = _rows()
    assert len(rows) >= 150
    assert len({r["address"] for r in rows}) == len(rows)
    assert all(r["country"] == "" or len(r["country"]) == 2 for r in rows)


def test_table_accuracy() -> None:
    rows = _rows()
    wrong = []
    for r in rows:
        got = country_from_affiliation(r["address"]) or ""
        every = "|".join(countries_in_affiliation(r["address"]))
        if (got, every) != (r["country"], r["all_countries"]):
            wrong.append(r["address"])
    assert set(wrong) == KNOWN_FAILURES
    assert len(wrong) / len(rows) <= 0.02


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Beth Israel Deaconess Med Ctr, Boston, MA USA", "US"),
        ("Beth Israel Deaconess Medical Center, Boston", "US"),  # city table
        ("Harvard Med Sch, Boston, MA 02215", "US"),
        ("Dept Med, Boston, MA 02215 USA", "US"),
        ("Sun Yat Sen Univ, Guangzhou, Peoples R China", "CN"),
        ("Shanghai 200032, P.R. China", "CN"),
        ("Univ Oxford, Oxford, England", "GB"),
        ("Univ Glasgow, Glasgow, Scotland", "GB"),
        ("Cardiff Univ, Cardiff, Wales", "GB"),
        ("Queens Univ Belfast, Belfast, North Ireland", "GB"),
        ("Queen's University Belfast, Belfast, Northern Ireland, UK", "GB"),
        ("Natl Canc Inst, Kiev, Ukraine", "UA"),
        ("Kharkiv Natl Univ, Kharkiv, UKRAINE", "UA"),
        ("Seoul Natl Univ, Seoul, South Korea", "KR"),
        ("Yonsei Univ, Seoul, Korea, Republic of", "KR"),
        ("Seoul 03722, Republic of Korea", "KR"),
        ("Natl Taiwan Univ, Taipei 10617, Taiwan, R.O.C.", "TW"),
        ("Univ Hong Kong, Pokfulam, Hong Kong", "CN"),
        ("Univ Macau, Taipa, Macao", "CN"),
        ("Tbilisi State Med Univ, Tbilisi, Georgia", "GE"),
        ("Ivane Javakhishvili Tbilisi State Univ, Tbilisi, Rep of Georgia", "GE"),
        ("Emory Univ, Atlanta, GA 30322 USA", "US"),
        ("Medical College of Georgia, Augusta, Georgia", "US"),
        ("Augusta University, Augusta, Georgia 30912", "US"),
        ("Univ New Mexico, Albuquerque, NM 87131 USA", "US"),
        ("Albuquerque, New Mexico", "US"),
        ("UNAM, Mexico City, Mexico", "MX"),
        ("Univ Sydney, Sydney, New South Wales", "AU"),
        ("Univ Toronto, Toronto, ON M5G 1X5, Canada", "CA"),
        ("Western Univ, London, Ontario", "CA"),
        ("McGill Univ, Montreal, Quebec H3A 1A3", "CA"),
        ("Henan Canc Hosp, Zhengzhou, Henan 450008", "CN"),
        ("Moscow State Univ, Moscow, Russian Federation", "RU"),
        ("Hacettepe Univ, Ankara, Türkiye", "TR"),
        ("Hacettepe Univ, Ankara, Turkey", "TR"),
        ("Charles Univ Prague, Prague, Czechia", "CZ"),
        ("Hanoi Med Univ, Hanoi, Viet Nam", "VN"),
        ("Erasmus MC, Rotterdam, The Netherlands", "NL"),
        ("Leiden Univ, Leiden, Holland", "NL"),
        ("Inst Pasteur, Abidjan, Cote Ivoire", "CI"),
        ("Univ Felix Houphouet Boigny, Abidjan, Ivory Coast", "CI"),
        ("Univ Kinshasa, Kinshasa, Congo (Kinshasa)", "CD"),
        ("Univ Kinshasa, Kinshasa, Dem Rep Congo", "CD"),
        ("Univ Heidelberg, Heidelberg, Deutschland", "DE"),
        ("Hosp Clin Barcelona, Barcelona, España", "ES"),
        ("Tehran Univ Med Sci, Tehran, Iran", "IR"),
        ("Inst Gustave Roussy, Villejuif, France. jean@gustaveroussy.fr", "FR"),
        ("Univ Sarajevo, Sarajevo, Bosnia & Herceg", "BA"),
        ("UAE Univ, Al Ain, U Arab Emirates", "AE"),
        ("Department of Central Laboratory, Shandong Provincial Hospital.", "CN"),
        ("School of Life Sciences, Arizona State University, Tempe.", "US"),
        ("Jordan Hall, Department of Chemistry", None),  # Jordan: not trusted inside
        ("From the Department of Pharmacology and Cancer Biology.", None),
        ("", None),
    ],
)
def test_named_cases(text: str, expected: str | None) -> None:
    assert country_from_affiliation(text) == expected


def test_uk_never_rewrites_ukraine() -> None:
    assert country_from_affiliation("Bogomolets Natl Med Univ, Kyiv, Ukraine") == "UA"
    assert country_from_affiliation("Ukrainian Acad Sci, Lviv, UK") == "GB"
    assert country_code("Ukraine") == "UA"
    assert country_code("UK") == "GB"


def test_hong_kong_and_macao_are_configurable() -> None:
    hk = "Chinese Univ Hong Kong, Shatin, Hong Kong, People's Republic of China."
    assert country_from_affiliation(hk) == "CN"
    assert country_from_affiliation(hk, hk_macao_to_cn=False) == "HK"
    assert country_from_affiliation("Univ Macau, Macau", hk_macao_to_cn=False) == "MO"
    assert (
        country_from_affiliation("Fudan Univ, Shanghai, China", hk_macao_to_cn=False)
        == "CN"
    )
    assert country_code("Hong Kong") == "HK"
    assert country_code("Hong Kong", hk_macao_to_cn=True) == "CN"


def test_several_addresses() -> None:
    text = "Dept A, Tokyo, Japan; Dept B, Boston, MA, USA; Dept C, Kyoto, Japan"
    assert countries_in_affiliation(text) == ("JP", "US")
    assert country_from_affiliation(text) == "JP"


def test_city_fallback_only_when_nothing_else() -> None:
    # "Paris" is in the city table, but a country named anywhere wins.
    assert country_from_affiliation("Inst Curie, Paris, Texas, USA") == "US"
    assert country_from_affiliation("Institut Curie, Paris") == "FR"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("USA", "US"),
        ("U.S.A.", "US"),
        ("United States of America", "US"),
        ("United States", "US"),
        ("UK", "GB"),
        ("England", "GB"),
        ("Scotland", "GB"),
        ("Wales", "GB"),
        ("North Ireland", "GB"),
        ("Northern Ireland", "GB"),
        ("Peoples R China", "CN"),
        ("P.R. China", "CN"),
        ("Korea, Republic of", "KR"),
        ("South Korea", "KR"),
        ("Republic of Korea", "KR"),
        ("Korea, Democratic People's Republic of", "KP"),
        ("Russia", "RU"),
        ("Russian Federation", "RU"),
        ("USSR", "RU"),
        ("Iran", "IR"),
        ("Iran, Islamic Republic of", "IR"),
        ("Turkey", "TR"),
        ("Türkiye", "TR"),
        ("Czech Republic", "CZ"),
        ("Czechia", "CZ"),
        ("Viet Nam", "VN"),
        ("Taiwan", "TW"),
        ("Hong Kong", "HK"),
        ("Macao", "MO"),
        ("Macau", "MO"),
        ("The Netherlands", "NL"),
        ("Côte d'Ivoire", "CI"),
        ("Cote D'Ivoire", "CI"),
        ("Ivory Coast", "CI"),
        ("Congo (Kinshasa)", "CD"),
        ("Congo, The Democratic Republic of the", "CD"),
        ("Congo (Brazzaville)", "CG"),
        ("Holland", "NL"),
        ("Deutschland", "DE"),
        ("España", "ES"),
        ("Fed Rep Ger", "DE"),
        ("Yugoslavia", "RS"),
        ("Former Serbia and Montenegro", "RS"),
        ("Macedonia, The Former Yugoslav Republic of", "MK"),
        ("Lao People's Democratic Republic", "LA"),
        ("Kosovo", "XK"),
        ("FR", "FR"),
        ("FRA", "FR"),
        ("fr", "FR"),
        ("Georgia", "GE"),
    ],
)
def test_country_code(name: str, code: str) -> None:
    assert country_code(name) == code


@pytest.mark.parametrize("name", ["", "   ", None, "Atlantis", "Department"])
def test_country_code_unknown(name: str | None) -> None:
    assert country_code(name) is None


def test_hong_kong_default_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "City Univ Hong Kong, Kowloon, Hong Kong"
    monkeypatch.setenv("ONCOMETRICS_HK_MACAO_TO_CN", "false")
    assert country_from_affiliation(text) == "HK"
    assert country_from_affiliation(text, hk_macao_to_cn=True) == "CN"
    monkeypatch.setenv("ONCOMETRICS_HK_MACAO_TO_CN", "1")
    assert country_from_affiliation(text) == "CN"


# Rules of issue 18, each on a real string (or the fragment the issue quotes
# from a real record).
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # author initials in a trailing parenthesis are not a state code
        ("…, Lyon, France (E.V.G., F.J., M.N.).", ("FR",)),
        ("…Gothenburg, Sweden (S.B.G., O.B.).", ("SE",)),
        (
            "Heart Failure Research Group, Baker Heart and Diabetes Institute, "
            "Melbourne, Australia (F.Z.M., H.A.J.).",
            ("AU",),
        ),
        # an abbreviation followed by a capital does not end the address
        ("Université du Maine, Av. O. Messiaen, 72085 Le Mans, France", ("FR",)),
        # a city name after "Institut de Recherche"/"Hôpital" names a building
        ("Institut de Recherche Saint-Louis", ()),
        # addresses joined by ", and", "#N#" line marks, " / ", "[n]"
        (
            "The World Bank, 1818 H Street NW, Washington D.C. 20433‐0002, USA, and "
            "Conservation Science Group, Department of Zoology, University of "
            "Cambridge, Cambridge CB2 3EJ, UK",
            ("US", "GB"),
        ),
        (
            "Environmental Studies Institute, Santa Clara University, Santa Clara, "
            "CA 95053,#N#USA",
            ("US",),
        ),
        (
            "Instituto de Patología Experimental, Facultad de Ciencias de la Salud, "
            "Universidad Nacional de Salta (UNSa) / Consejo Nacional de "
            "Investigaciones Científicas y Técnicas (CONICET), Bolivia 5150, "
            "A4408FVY Salta, Argentina.",
            ("AR",),
        ),
        (
            "Institute of Zoology, Zoological Society of London, Regents Park, "
            "London, NW1 4RY, United Kingdom, email georgina.mace@ioz.ac.uk; "
            "Millennium Ecosystem Assessment, World Fish Center, P.O. Box 500 GPO, "
            "10670 Penang, Malaysia, email reid@millenniumassessment.org",
            ("GB", "MY"),
        ),
        (
            "1] Stem Cell Group, Cardiovascular &Cell Sciences Research Institute, "
            "St. George's University of London, Cranmer Terrace, London SW17 0RE, "
            "UK [2] Wits/SAMRC Antiviral Gene Therapy Research Unit, Faculty of "
            "Health Sciences, University of the Witwatersrand, Johannesburg, "
            "South Africa.",
            ("GB", "ZA"),
        ),
        # French unit codes, Inserm/CNRS, F- postcodes: France when no country
        ("Inserm U1061", ("FR",)),
        ("UMR 7057", ("FR",)),
        ("EA 4711", ("FR",)),
        ("CIC 1414", ("FR",)),
        ("F-75013", ("FR",)),
        (
            "Unité de Recherche sur les Maladies Infectieuses Tropicales et "
            "Emergentes (URMITE), CNRS UMR 7278, INSERM U1095, Aix Marseille Université",
            ("FR",),
        ),
        # ... but never against a country the address names
        (
            "MultiScale Material Science for Energy and Environment, Massachusetts "
            "Institute of Technology-CNRS, Cambridge, MA 02139, USA.",
            ("US",),
        ),
    ],
)
def test_issue18_rules(text: str, expected: tuple[str, ...]) -> None:
    assert countries_in_affiliation(text, hk_macao_to_cn=False) == expected


def test_labelled_real_strings_meet_the_targets() -> None:
    """The hand-labelled set of tests/data/affiliations (see its README)."""
    rows = [
        json.loads(line)
        for line in (DATA / "affiliations" / "countries.jsonl").open(encoding="utf-8")
    ]
    assert len(rows) >= 500
    tp = fp = fn = 0
    for r in rows:
        got = set(countries_in_affiliation(r["text"], hk_macao_to_cn=False))
        gold = set(r["countries"])
        tp, fp, fn = tp + len(got & gold), fp + len(got - gold), fn + len(gold - got)
    assert tp / (tp + fp) >= 0.995
    assert tp / (tp + fn) >= 0.97
