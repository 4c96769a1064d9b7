"""Wann eine Belegung als bekannt gilt: die eine Regel für Ranking, Analysen, GraphQL und Exporte.

Unknown occupancy is never free capacity. Occupancy (``capacity_used``) is unknown when it was
never reported, or when the service's "zuletzt geprüft" (``assured_date``) lies more than
``max_age_days`` (``VERBUND_CAPACITY_MAX_AGE_DAYS``) before today: who is full this week says
nothing about next quarter. The number of places (``capacity``) is the service's size, not its
load; it stays known when set (the gap analysis plans with it), and only its occupancy ages.
A service without any ``assured_date`` has no known age: its figures are taken as reported
(imports often carry none; every report through verbund sets it, see
``updateServiceAvailability``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

DEFAULT_MAX_AGE_DAYS = 90


@dataclass(frozen=True, slots=True)
class Occupancy:
    """What is known of a service's places today."""

    capacity: int | None  # places; None: unknown
    used: int | None  # occupied places; None: unknown (never reported, or too old)
    outdated: bool  # a reported occupancy older than the allowed age (counted as unknown)

    @property
    def known(self) -> bool:
        return self.capacity is not None and self.used is not None

    @property
    def free(self) -> int | None:
        """Free places, or None when places or occupancy are unknown (never 0 for unknown)."""
        if self.capacity is None or self.used is None:
            return None
        return max(self.capacity - self.used, 0)


def is_outdated(assured: date | None, today: date, max_age_days: int) -> bool:
    """Whether a figure last checked on ``assured`` is too old on ``today``."""
    return assured is not None and (today - assured).days > max_age_days


def occupancy(
    capacity: int | None,
    used: int | None,
    assured: date | None,
    today: date,
    max_age_days: int = DEFAULT_MAX_AGE_DAYS,
) -> Occupancy:
    """The occupancy as it counts on ``today`` (see the module's docstring)."""
    outdated = used is not None and is_outdated(assured, today, max_age_days)
    return Occupancy(capacity=capacity, used=None if outdated else used, outdated=outdated)
