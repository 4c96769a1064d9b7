"""German words for the codes people see: languages (ISO 639-1), target groups, household
types. Unknown codes are shown as they are, so imported vocabularies never disappear."""

from __future__ import annotations

LANGUAGES: dict[str, str] = {
    "de": "Deutsch",
    "en": "Englisch",
    "tr": "Türkisch",
    "ar": "Arabisch",
    "ru": "Russisch",
    "uk": "Ukrainisch",
    "it": "Italienisch",
    "el": "Griechisch",
    "hr": "Kroatisch",
    "fa": "Persisch (Farsi)",
    "pl": "Polnisch",
    "ro": "Rumänisch",
    "bg": "Bulgarisch",
    "sq": "Albanisch",
    "ku": "Kurdisch",
    "fr": "Französisch",
    "es": "Spanisch",
    "sr": "Serbisch",
    "bs": "Bosnisch",
    "ti": "Tigrinya",
    "so": "Somali",
    "ps": "Paschtu",
    "vi": "Vietnamesisch",
}

TARGET_GROUPS: dict[str, str] = {
    "familien": "Familien",
    "alleinerziehende": "Alleinerziehende",
    "kinder": "Kinder",
    "jugendliche": "Jugendliche",
    "junge-erwachsene": "Junge Erwachsene",
    "erwachsene": "Erwachsene",
    "senioren": "Seniorinnen und Senioren",
    "gefluechtete": "Geflüchtete",
}

HOUSEHOLD_TYPES: dict[str, str] = {
    "alleinstehend": "alleinstehend",
    "alleinerziehend": "alleinerziehend",
    "paar-mit-kindern": "Paar mit Kindern",
    "paar-ohne-kinder": "Paar ohne Kinder",
    "mehrgenerationen": "Mehrgenerationenhaushalt",
    "unbekannt": "unbekannt",
}


def language(code: str) -> str:
    return LANGUAGES.get(code.lower(), code)


def languages(codes: list[str] | tuple[str, ...]) -> str:
    return ", ".join(language(c) for c in codes) or "unbekannt"


def target_group(code: str) -> str:
    return TARGET_GROUPS.get(code, code)
