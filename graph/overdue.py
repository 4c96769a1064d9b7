"""Überfällige Überleitungen: the one rule for when a receiving Träger owes an answer.

A referral is overdue while it is still ``created`` (nobody accepted, declined or put it on
the waiting list) and its last status change is more than ``days`` days ago. The API shows it
per referral (``overdue``, ``daysSinceChange``) and filters by it in Cypher
(``OVERDUE_CONDITION``), both from here, so a page's list and its count agree with the flags.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import LiteralString

from graph.records import Referral

DEFAULT_ANSWER_DAYS = 7
"""Days a receiving Träger has to answer a new referral (VERBUND_REFERRAL_ANSWER_DAYS)."""

WAITING_STATUS = "created"

# The moment of the referral's (``n``) last status change: its newest event, else its creation.
LAST_CHANGE: LiteralString = (
    "coalesce(head(COLLECT { MATCH (n)-[:HAS_EVENT]->(e:ReferralEvent) "
    "RETURN e.at AS at ORDER BY at DESC LIMIT 1 }), n.created_at)"
)
# Overdue (``n`` a Referral), with the parameters of ``params``.
OVERDUE_CONDITION: LiteralString = (
    "(n.status = $overdue_status AND " + LAST_CHANGE + " < $overdue_before)"
)


def cutoff(now: datetime, days: int) -> datetime:
    """Referrals whose last change is before this moment are overdue (if still waiting)."""
    return now - timedelta(days=days)


def params(before: datetime) -> dict[str, object]:
    return {"overdue_status": WAITING_STATUS, "overdue_before": before}


def last_changed(referral: Referral) -> datetime:
    """When the referral's status last changed (its newest event, else its creation)."""
    return max((e.at for e in referral.history), default=referral.created_at)


def days_since_change(referral: Referral, now: datetime) -> int:
    """Whole days since the last status change (0 on the same day)."""
    return max(0, (now - last_changed(referral)).days)


def is_overdue(referral: Referral, now: datetime, days: int) -> bool:
    return referral.status == WAITING_STATUS and last_changed(referral) < cutoff(now, days)
