"""Revoking a consent (Widerruf einer Einwilligung): effective at once, never undone here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from graph.connection import Graph


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
