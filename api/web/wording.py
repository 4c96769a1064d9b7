"""Words people read for the values of the data (status, sector): stated once for all pages."""

from __future__ import annotations

from api.web.demo_logins import DEMO_USERS
from graph.records import CONSENT_DATA_CATEGORIES
from loaders.hsds.vocabulary import LANGUAGE_NAMES

REFERRAL_STATUS: dict[str, str] = {
    "CREATED": "Neu – wartet auf Antwort",
    "WAITLISTED": "Auf der Warteliste",
    "ACCEPTED": "Angenommen",
    "DECLINED": "Abgelehnt",
    "STARTED": "Hilfe begonnen",
    "COMPLETED": "Abgeschlossen",
    "NOT_TAKEN_UP": "Nicht wahrgenommen",
    "CANCELLED": "Zurückgezogen",
}

# A Handlungsbedarf's status (GraphQL NeedStatus) as the family page shows it.
NEED_STATUS: dict[str, str] = {
    "OPEN": "offen",
    "MET": "erfüllt",
    "CLOSED": "beendet ohne Ergebnis",
}

_BADGE: dict[str, str] = {
    "CREATED": "info",
    "WAITLISTED": "warning",
    "ACCEPTED": "success",
    "STARTED": "success",
    "COMPLETED": "success",
    "DECLINED": "danger",
    "NOT_TAKEN_UP": "danger",
    "CANCELLED": "danger",
}

SECTOR: dict[str, str] = {
    "PUBLIC": "öffentlicher Träger",
    "NONPROFIT": "freier Träger",
    "PRIVATE": "privater Träger",
}

# Reasons a receiving Träger gives when declining (a fixed list keeps them comparable).
DECLINE_REASONS: tuple[str, ...] = (
    "Keine freien Plätze",
    "Angebot passt nicht zum Bedarf",
    "Zielgruppe passt nicht",
    "Wohnort außerhalb des Einzugsgebiets",
    "Familie nicht erreichbar",
    "Andere Hilfe ist vorrangig",
)


def status_badge(status: str) -> str:
    return _BADGE.get(status, "info")


HOUSEHOLD_TYPE: dict[str, str] = {
    "alleinstehend": "Alleinstehend",
    "alleinerziehend": "Alleinerziehend",
    "paar-mit-kindern": "Paar mit Kindern",
    "paar-ohne-kinder": "Paar ohne Kinder",
    "mehrgenerationen": "Mehrere Generationen",
}

# Consent data categories as a person reads them, from the one vocabulary (graph.records).
DATA_CATEGORY: dict[str, str] = {
    t.code: f"{t.label}: {t.description}" for t in CONSENT_DATA_CATEGORIES
}

# Success messages after a step; the redirect names the key, never free text.
DONE: dict[str, str] = {
    "angenommen": "Überleitung angenommen.",
    "abgelehnt": "Überleitung abgelehnt. Die überleitende Stelle sieht den Grund.",
    "warteliste": "Überleitung auf die Warteliste gesetzt.",
    "begonnen": "Hilfebeginn eingetragen.",
    "abgeschlossen": "Überleitung abgeschlossen.",
    "nicht-wahrgenommen": "Eingetragen: Die Familie hat die Hilfe nicht wahrgenommen.",
    "zurueckgezogen": "Überleitung zurückgezogen. Der Träger sieht das sofort.",
    "gespeichert": "Angaben gespeichert.",
}


def household_type(value: str) -> str:
    return HOUSEHOLD_TYPE.get(value, value.replace("-", " ").capitalize())


def language(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def editor(subject: str | None, me: str = "", *, by: bool = False) -> str:
    """Who saved a record, as a person reads it: never a login id such as ``demo:koordination``
    (``updated_by`` keeps only the principal's subject; a demo login's name is known here, a
    real person's is not, so it stays "eine andere Person"). ``by``: the "von ..." form."""
    if subject and subject == me:
        return "von Ihnen" if by else "Sie selbst"
    person = "von einer anderen Person" if by else "eine andere Person"
    if subject and subject.startswith("demo:"):
        user = DEMO_USERS.get(subject.removeprefix("demo:"))
        if user is not None:
            return f"{person} ({user.display_name})"
    return person
