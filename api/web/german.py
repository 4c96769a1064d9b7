"""German formats for what people read: dates ``03.12.2026``, numbers ``1.234``, plurals.

Pure functions, registered as Jinja2 filters in ``api/web/templating.py``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from graph import clock

BERLIN = clock.ZONE


def _as_datetime(value: object) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str) and "T" in value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return (_as_datetime(value) or value).astimezone(BERLIN).date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        moment = _as_datetime(value)
        if moment is not None:
            return moment.astimezone(BERLIN).date()
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def datum(value: object, default: str = "–") -> str:
    """``2026-12-03`` (date, datetime or ISO text) → ``03.12.2026``; local time for instants."""
    day = _as_date(value)
    return day.strftime("%d.%m.%Y") if day else default


def datum_zeit(value: object, default: str = "–") -> str:
    """An instant → ``03.12.2026, 14:05`` in German local time."""
    moment = _as_datetime(value)
    if moment is None:
        return datum(value, default)
    return moment.astimezone(BERLIN).strftime("%d.%m.%Y, %H:%M")


def zahl(value: int | float | None, default: str = "–") -> str:
    """``1234`` → ``1.234``; ``0.5`` → ``0,5``."""
    if value is None:
        return default
    if isinstance(value, float) and not value.is_integer():
        whole = f"{value:,.1f}"
    else:
        whole = f"{int(value):,}"
    return whole.replace(",", "_").replace(".", ",").replace("_", ".")


def plural(count: int, one: str, many: str) -> str:
    """``plural(1, "freier Platz", "freie Plätze")`` → ``1 freier Platz``."""
    return f"{zahl(count)} {one if count == 1 else many}"


def iso_date(value: str) -> date | None:
    """A date typed into a form: ``03.12.2026`` or ``2026-12-03`` (None when not a date)."""
    text = value.strip()
    for fmt in ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def today() -> date:
    """Heute nach deutschem Kalender (die eine Regel steht in graph.clock)."""
    return clock.today()
