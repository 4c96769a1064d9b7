"""When a consent is in force (Einwilligung gültig): not revoked, begun and not ended on the day.

The one statement of the rule, for Python (``in_force``, ``in_term``) and for Cypher
(``in_force_where``): the visibility of household data to receiving Träger (graph/scope.py,
graph/repo/visibility.py), the check before a referral (graph/repo/referrals.py) and the
consent's ``validOn`` (schema/casework.py) all ask here. Both bounds count as in force
(a consent valid to 03.12.2026 still holds on that day).
"""

from __future__ import annotations

from datetime import date
from typing import LiteralString

from graph.records import Consent


def in_term(valid_from: date | None, valid_to: date | None, day: date) -> bool:
    """Whether ``day`` lies within the consent's term (a missing bound is open)."""
    return (valid_from is None or valid_from <= day) and (valid_to is None or valid_to >= day)


def in_force(consent: Consent, day: date) -> bool:
    """Whether ``consent`` allows sharing on ``day``."""
    return consent.revoked_at is None and in_term(consent.valid_from, consent.valid_to, day)


def in_force_where(c: LiteralString, day: LiteralString = "$today") -> LiteralString:
    """Cypher condition: the consent bound as ``c`` is in force on ``day`` (a parameter)."""
    return (
        c + ".revoked_at IS NULL "
        "AND (" + c + ".valid_from IS NULL OR " + c + ".valid_from <= " + day + ") "
        "AND (" + c + ".valid_to IS NULL OR " + c + ".valid_to >= " + day + ")"
    )
