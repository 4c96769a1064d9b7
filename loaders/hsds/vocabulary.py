"""How verbund's fields sit in HSDS 3.x records where HSDS has no field of its own.

Leistungsbereiche, Zielgruppen, Rechtsgrundlage and validity travel as HSDS ``attributes``
with taxonomy terms; a service area names its Sozialraum by a URN; a location names its
Sozialraum as an external identifier. Everything else uses HSDS's own fields.
"""

from __future__ import annotations

AREA_URN = "urn:verbund:area:"
AREA_IDENTIFIER_TYPE = "verbund-sozialraum"

TAXONOMY_CATEGORY = "verbund-leistungsbereich"
TAXONOMY_TARGET_GROUP = "verbund-zielgruppe"
TAXONOMY_LEGAL_BASIS = "verbund-rechtsgrundlage"
TAXONOMY_VALIDITY = "verbund-gueltigkeit"
TERM_VALID_FROM = "gueltig-ab"
TERM_VALID_TO = "gueltig-bis"
TERM_LEGAL_BASIS = "rechtsgrundlage"
TARGET_GROUP_TERM_PREFIX = "zielgruppe-"

UNKNOWN_USE = "Belegung unbekannt"

STATUS_TO_HSDS = {"active": "active", "inactive": "inactive", "archived": "defunct"}
STATUS_FROM_HSDS = {
    "active": "active",
    "inactive": "inactive",
    "defunct": "archived",
    "temporarily closed": "inactive",
}

SECTOR_FROM_HSDS = {
    "public": "public",
    "government": "public",
    "öffentlich": "public",
    "nonprofit": "nonprofit",
    "non-profit": "nonprofit",
    "gemeinnützig": "nonprofit",
    "charity": "nonprofit",
    "private": "private",
    "for-profit": "private",
    "privat": "private",
}

# Rechtsformen as sources write them (compared without case, dots and spaces).
_SECTOR_OF_LEGAL_FORM = {
    "ev": "nonprofit",
    "ggmbh": "nonprofit",
    "gug": "nonprofit",
    "gag": "nonprofit",
    "stiftung": "nonprofit",
    "gemeinnuetzigegmbh": "nonprofit",
    "eg": "nonprofit",
    "cic": "nonprofit",
    "charitableincorporatedorganisation": "nonprofit",
    "gmbh": "private",
    "ag": "private",
    "ug": "private",
    "ughaftungsbeschraenkt": "private",
    "kg": "private",
    "ohg": "private",
    "gbr": "private",
    "limitedcompany": "private",
    "ltd": "private",
    "inc": "private",
    "llc": "private",
    "koerperschaftdesoeffentlichenrechts": "public",
    "kdoer": "public",
    "anstaltdesoeffentlichenrechts": "public",
    "aoer": "public",
}


def sector_of(legal_status: str) -> str | None:
    """The sector a Rechtsform stands for (None: not to be told from the text)."""
    found = SECTOR_FROM_HSDS.get(legal_status.strip().casefold())
    if found is not None:
        return found
    key = legal_status.casefold()
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        key = key.replace(a, b)
    return _SECTOR_OF_LEGAL_FORM.get("".join(ch for ch in key if ch.isalnum()))


LANGUAGE_NAMES = {
    "de": "Deutsch",
    "tr": "Türkisch",
    "ar": "Arabisch",
    "ru": "Russisch",
    "uk": "Ukrainisch",
    "en": "Englisch",
    "it": "Italienisch",
    "el": "Griechisch",
    "hr": "Kroatisch",
    "fa": "Persisch",
}
