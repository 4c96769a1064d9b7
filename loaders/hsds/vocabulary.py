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
