"""Words people read for the values of the data (status, sector): stated once for all pages."""

from __future__ import annotations

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
