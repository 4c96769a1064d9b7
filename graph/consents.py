"""Revoking a consent (Widerruf einer Einwilligung): effective at once, never undone here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from graph.connection import Graph
from graph.records import Consent


@dataclass(frozen=True, slots=True)
class Revocation:
    consent_id: str
    revoked_at: datetime
    already_revoked: bool


def revoke_consent(graph: Graph, consent_id: str, at: datetime) -> Revocation | None:
    """Set ``revoked_at`` (kept if it was already revoked); None if there is no such consent.

    Every visibility rule (graph/scope.py, the household repositories) requires
    ``revoked_at IS NULL``, so the receiving organizations lose access with the next request.
    """
    rows = graph.query(
        "MATCH (c:Consent {id: $id}) "
        "WITH c, c.revoked_at IS NOT NULL AS already "
        "SET c.revoked_at = CASE WHEN already THEN c.revoked_at ELSE $at END, "
        "    c.updated_at = CASE WHEN already THEN c.updated_at ELSE $at END, "
        "    c.version = CASE WHEN already THEN c.version ELSE coalesce(c.version, 1) + 1 END "
        "RETURN c.revoked_at AS revoked_at, already",
        {"id": consent_id, "at": at},
        write=True,
    )
    if not rows:
        return None
    at_value = rows[0]["revoked_at"]
    return Revocation(
        consent_id=consent_id,
        revoked_at=at_value.to_native() if hasattr(at_value, "to_native") else at_value,
        already_revoked=bool(rows[0]["already"]),
    )


# -- changing a consent ------------------------------------------------------------------------

NEW_CONSENT_INSTEAD = (
    "Dafür braucht es eine neue Einwilligung der Familie: bitte eine neue Einwilligung erfassen "
    "und diese widerrufen, wenn sie nicht mehr gelten soll."
)


def same_purpose(a: str, b: str) -> bool:
    """Two purposes are the same when they differ only in spaces."""
    return " ".join(a.split()) == " ".join(b.split())


def change_problems(old: Consent, new: Consent, today: date) -> list[tuple[str, str]]:
    """Why ``new`` may not replace ``old`` without the family consenting again (empty: it may).

    A consent covers exactly what the family agreed to (Art. 7 DSGVO). Taking something away
    is a partial withdrawal the family may ask for at any time: fewer recipients, fewer data
    categories, an earlier end. Adding a recipient, a data category, a longer validity or
    another purpose widens it and needs the family's new consent. Correcting the evidence
    (how and when it was given) changes nothing the family agreed to."""
    found: list[tuple[str, str]] = []
    if old.revoked_at is not None:
        return [
            (
                "id",
                f"Die Einwilligung ist seit {old.revoked_at:%d.%m.%Y} widerrufen und bleibt so. "
                "Bitte eine neue Einwilligung erfassen.",
            )
        ]
    if not same_purpose(new.purpose, old.purpose):
        found.append(
            ("purpose", "Ein anderer Zweck ist eine neue Einwilligung. " + NEW_CONSENT_INSTEAD)
        )
    added = [o for o in new.organization_ids if o not in old.organization_ids]
    if added:
        found.append(
            (
                "organization_ids",
                f"Neue Träger ({', '.join(added)}) erweitern die Einwilligung. "
                + NEW_CONSENT_INSTEAD,
            )
        )
    more = [c for c in new.data_categories if c not in old.data_categories]
    if more:
        found.append(
            (
                "data_categories",
                f"Neue Datenkategorien ({', '.join(more)}) erweitern die Einwilligung. "
                + NEW_CONSENT_INSTEAD,
            )
        )
    if new.valid_to != old.valid_to:
        if new.valid_to is None or (old.valid_to is not None and new.valid_to > old.valid_to):
            found.append(
                (
                    "valid_to",
                    "Eine längere Gültigkeit erweitert die Einwilligung. " + NEW_CONSENT_INSTEAD,
                )
            )
        elif new.valid_to < today:
            found.append(
                (
                    "valid_to",
                    "Gültig bis darf nicht vor heute liegen: um die Einwilligung sofort zu "
                    "beenden, widerrufen Sie sie.",
                )
            )
    return found
