"""Country names and affiliation/address strings to ISO 3166-1 alpha-2 codes.

``country_code(name)`` maps a country *name* (as registries and exports print
it, historical and variant spellings included) to its code;
``country_from_affiliation(text)`` finds the country of a free-text
affiliation or address.  One shared, tested parser for every source.
"""

from __future__ import annotations

from functools import lru_cache

import pycountry


@lru_cache(maxsize=65536)
def country_code(name: str | None) -> str | None:
    """ISO alpha-2 code of a country name or code, or None when unknown."""
    if not name:
        return None
    text = name.strip()
    if not text:
        return None
    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        return None
