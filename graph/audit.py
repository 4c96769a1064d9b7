"""The append-only audit trail (Protokollierung) of access to household-level data.

Every read or write of social data is one ``AuditEvent`` node: who, when, which records,
for which purpose; a refused attempt is a ``denied`` event with the reason. This module only
ever CREATEs events and reads them back; there is no update or delete here and none in the API.

``gate`` is the one way in for every path that releases or writes household-level data (the
GraphQL schema for ``/graphql`` and the web pages, the CLI import, the exports): it writes the
events or raises ``AuditFailed``, and the caller then releases nothing.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, LiteralString

from graph.bundle import Bundle
from graph.errors import GraphError
from graph.model import HOUSEHOLD_LEVEL, KIND_LABELS

if TYPE_CHECKING:
    # graph/connection.py writes a mutation's entries in its transaction (graph/audit_unit.py).
    from graph.connection import Graph

log = logging.getLogger("verbund.audit")

Action = Literal["read", "write", "delete", "denied"]

NO_PURPOSE = "nicht angegeben"
"""The purpose of an access nobody declared: said so, never a field or command name."""

MAX_RECORDS_PER_EVENT = 5_000
"""A bulk access (an export, an import) is several events of at most this many records,
written together: one list property stays small enough to read back and search."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Actor:
    """Who accesses: the person or script, its role and organization, how it signed in."""

    subject: str
    role: str
    organization_id: str | None
    auth_method: str


SYSTEM = Actor(subject="system", role="admin", organization_id=None, auth_method="system")
"""Loader work without a named operator (tests, scripts calling the loaders directly)."""


class AuditFailed(GraphError):
    """The audit entry could not be written: the data must not be released (or written)."""

    code = "AUDIT_FAILED"

    def __init__(self, consequence: str = "deshalb werden keine Daten ausgegeben") -> None:
        super().__init__(
            f"Der Zugriff konnte nicht protokolliert werden; {consequence}. Bitte später "
            "erneut versuchen; wenn der Fehler bleibt, die Administration verständigen."
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEvent:
    """Protokolleintrag: one request's access to household-level records."""

    id: str
    at: datetime
    subject: str
    role: str
    organization_id: str | None
    auth_method: str
    action: Action
    operation: str  # the GraphQL root fields or the command
    purpose: str  # declared, the consent's, the operation's own, or NO_PURPOSE
    records: tuple[str, ...]  # "Label:id"
    # Why a "denied" access was refused ("code: Meldung", several joined with "; ").
    reason: str | None = None


def new_event(
    *,
    subject: str,
    role: str,
    organization_id: str | None,
    auth_method: str,
    action: Action,
    operation: str,
    purpose: str,
    records: Iterable[str],
    reason: str | None = None,
) -> AuditEvent:
    return AuditEvent(
        id=str(uuid.uuid4()),
        at=datetime.now(UTC),
        subject=subject,
        role=role,
        organization_id=organization_id,
        auth_method=auth_method,
        action=action,
        operation=operation,
        purpose=purpose,
        records=tuple(sorted(set(records))),
        reason=reason,
    )


def events_for(
    actor: Actor,
    *,
    action: Action,
    operation: str,
    purpose: str | None,
    records: Iterable[str],
    reason: str | None = None,
) -> list[AuditEvent]:
    """The events of one access by ``actor``: one, or one per ``MAX_RECORDS_PER_EVENT``."""
    ordered = sorted(set(records))
    chunks = [
        ordered[i : i + MAX_RECORDS_PER_EVENT]
        for i in range(0, len(ordered), MAX_RECORDS_PER_EVENT)
    ] or [[]]
    return [
        new_event(
            subject=actor.subject,
            role=actor.role,
            organization_id=actor.organization_id,
            auth_method=actor.auth_method,
            action=action,
            operation=operation,
            purpose=(purpose or NO_PURPOSE)[:200],
            records=chunk,
            reason=reason,
        )
        for chunk in chunks
    ]


# Bundle kinds that are household-level data (Sozialdaten), with their node labels.
HOUSEHOLD_KINDS: dict[str, str] = {
    kind: label for kind, label in KIND_LABELS.items() if label in HOUSEHOLD_LEVEL
}


def bundle_records(bundle: Bundle) -> list[str]:
    """The household-level records of a bundle as ``Label:id`` (empty: nothing to audit)."""
    return [
        f"{label}:{record.id}"
        for kind, label in HOUSEHOLD_KINDS.items()
        for record in getattr(bundle, kind)
    ]


def gate(
    graph: Graph,
    events: Sequence[AuditEvent],
    consequence: str = "deshalb werden keine Daten ausgegeben",
) -> None:
    """Write the events, or raise ``AuditFailed``: the caller releases (or writes) the data
    only after this returned. All events of one call are one transaction. ``consequence``
    tells the user what the caller then does (in German, completing the error message)."""
    try:
        append(graph, events)
    except Exception as exc:
        # Whatever failed (the database, a constraint, a bug), the entry does not exist:
        # logged in full here, the caller sees only AUDIT_FAILED.
        log.error("Protokollierung fehlgeschlagen", exc_info=exc)
        raise AuditFailed(consequence) from exc


APPEND: LiteralString = "UNWIND $events AS e CREATE (a:AuditEvent) SET a = e"


def append(graph: Graph, events: Sequence[AuditEvent]) -> None:
    """Write events (CREATE only: an existing id is a conflict, never an overwrite)."""
    if not events:
        return
    graph.query(
        APPEND,
        {"events": [props(e) for e in events]},
        write=True,
        revise=False,  # the analyses do not read the audit log
    )


def props(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "at": event.at,
        "subject": event.subject,
        "role": event.role,
        "organization_id": event.organization_id,
        "auth_method": event.auth_method,
        "action": event.action,
        "operation": event.operation,
        "purpose": event.purpose,
        "records": list(event.records),
        "reason": event.reason,
    }


def _event(row: dict[str, Any]) -> AuditEvent:
    at = row["at"]
    return AuditEvent(
        id=row["id"],
        at=at.to_native() if hasattr(at, "to_native") else at,
        subject=row["subject"],
        role=row["role"],
        organization_id=row.get("organization_id"),
        auth_method=row["auth_method"],
        action=row["action"],
        operation=row["operation"],
        purpose=row["purpose"],
        records=tuple(row.get("records") or ()),
        reason=row.get("reason"),
    )


def query_events(
    graph: Graph,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    subject: str | None = None,
    record: str | None = None,
    limit: int = 100,
) -> list[AuditEvent]:
    """Events newest first, filtered by time window, caller and touched record."""
    rows = graph.query(
        "MATCH (a:AuditEvent) "
        "WHERE ($since IS NULL OR a.at >= $since) AND ($until IS NULL OR a.at < $until) "
        "AND ($subject IS NULL OR a.subject = $subject) "
        "AND ($record IS NULL OR $record IN a.records) "
        "RETURN properties(a) AS a ORDER BY a.at DESC, a.id LIMIT $limit",
        {"since": since, "until": until, "subject": subject, "record": record, "limit": limit},
    )
    return [_event(row["a"]) for row in rows]


def export_events(graph: Graph, batch: int = 1000) -> Iterator[AuditEvent]:
    """Every event, oldest first, in batches (for the admin export)."""
    last_at: Any = None
    last_id = ""
    while True:
        rows = graph.query(
            "MATCH (a:AuditEvent) "
            "WHERE $at IS NULL OR a.at > $at OR (a.at = $at AND a.id > $id) "
            "RETURN properties(a) AS a ORDER BY a.at, a.id LIMIT $batch",
            {"at": last_at, "id": last_id, "batch": batch},
        )
        if not rows:
            return
        for row in rows:
            yield _event(row["a"])
        last_at, last_id = rows[-1]["a"]["at"], rows[-1]["a"]["id"]
