"""Der Kalendertag des Dienstes: ein „heute“ für alle Regeln.

Fristen, Gültigkeiten von Einwilligungen, „zuletzt geprüft“ und Quartale
zählen nach dem Kalender der Ämter, also in Europe/Berlin, nicht nach der
Uhr des Rechners (in Containern meist UTC). Zwischen 23 und 1 Uhr deutscher
Zeit liegen beide Kalender einen Tag auseinander; würde eine Stelle
``date.today()`` fragen und eine andere Berliner Zeit, lehnte ein Formular
„heute“ als Zukunft ab oder speicherte gestern. Deshalb fragt jede Regel hier.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

ZONE = ZoneInfo("Europe/Berlin")


def now() -> datetime:
    """Der jetzige Zeitpunkt (mit Zeitzone UTC, für Zeitstempel)."""
    return datetime.now(UTC)


def today(at: datetime | None = None) -> date:
    """Der Kalendertag in Deutschland zum Zeitpunkt ``at`` (sonst jetzt)."""
    return (at or now()).astimezone(ZONE).date()
