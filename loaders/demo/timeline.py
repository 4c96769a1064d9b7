"""Status histories of referrals over the demo period (2024-11-01 .. 2026-10-31).

created -> accepted | declined -> started -> completed, some cancelled on the way; each step
strictly later than the one before; steps that would fall after the period's end do not happen
yet, so recent referrals are still active.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from graph.records import ReferralEvent, ReferralStatus

START = datetime(2024, 11, 1, 8, 0, tzinfo=UTC)
END = datetime(2026, 10, 31, 18, 0, tzinfo=UTC)
PERIOD_DAYS = (END - START).days

DECLINE_REASONS: tuple[str, ...] = (
    "keine freie Kapazität",
    "nicht zuständig",
    "Familie hat den Termin abgesagt",
)
NOTES: dict[ReferralStatus, str] = {
    "created": "Überleitung angelegt",
    "waitlisted": "auf der Warteliste",
    "accepted": "Aufnahme bestätigt",
    "declined": "abgelehnt",
    "started": "Beratung begonnen",
    "completed": "erfolgreich abgeschlossen",
    "cancelled": "abgebrochen",
    "not_taken_up": "nicht wahrgenommen",
}


_LATER_STEPS: tuple[tuple[ReferralStatus, int, int], ...] = (
    ("started", 3, 28),
    ("completed", 30, 300),
)


def at_working_hours(rng: random.Random, day: datetime) -> datetime:
    base = day.replace(hour=8, minute=0, second=0, microsecond=0)
    return base + timedelta(minutes=rng.randrange(0, 9 * 60))


def random_start(
    rng: random.Random, earliest: datetime = START, latest: datetime = END
) -> datetime:
    span = max(0, (latest - earliest).days - 1)
    return at_working_hours(rng, earliest + timedelta(days=rng.randint(0, span)))


def later(rng: random.Random, t: datetime, min_days: int, max_days: int) -> datetime:
    """A working-hours moment ``min_days``..``max_days`` after ``t``, always after ``t``."""
    nxt = at_working_hours(rng, t + timedelta(days=rng.randint(min_days, max_days)))
    return nxt if nxt > t else t + timedelta(minutes=rng.randint(5, 90))


def event(status: ReferralStatus, at: datetime, by: str, note: str | None = None) -> ReferralEvent:
    return ReferralEvent(status=status, at=at, by=by, note=NOTES[status] if note is None else note)


def natural(
    rng: random.Random, created: datetime, referrer_staff: str, provider_staff: str
) -> tuple[ReferralEvent, ...]:
    """A realistic history that stops at the period's end."""
    events = [event("created", created, referrer_staff)]
    t = later(rng, created, 1, 14)
    if t > END:
        return tuple(events)
    if rng.random() < 0.12:
        events.append(event("declined", t, provider_staff, rng.choice(DECLINE_REASONS)))
        return tuple(events)
    events.append(event("accepted", t, provider_staff))
    for status, lo, hi in _LATER_STEPS:
        t = later(rng, t, lo, hi)
        if t > END:
            return tuple(events)
        if rng.random() < 0.05:
            who = rng.choice((referrer_staff, provider_staff))
            events.append(event("cancelled", t, who))
            return tuple(events)
        events.append(event(status, t, provider_staff))
    return tuple(events)


def forced(
    rng: random.Random,
    created: datetime,
    final: ReferralStatus,
    referrer_staff: str,
    provider_staff: str,
) -> tuple[ReferralEvent, ...]:
    """A history ending in ``final`` (for planted cases); the caller picks ``created`` early
    enough that every step fits into the period."""
    steps: dict[ReferralStatus, tuple[ReferralStatus, ...]] = {
        "created": (),
        "accepted": ("accepted",),
        "started": ("accepted", "started"),
        "completed": ("accepted", "started", "completed"),
        "declined": ("declined",),
        "cancelled": ("accepted", "cancelled"),
    }
    events = [event("created", created, referrer_staff)]
    t = created
    for status in steps[final]:
        t = later(rng, t, 2, 12 if status != "completed" else 60)
        events.append(event(status, t, provider_staff))
    if events[-1].at > END:
        raise ValueError("planted referral history runs past the demo period")
    return tuple(events)
