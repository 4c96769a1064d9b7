"""The append-only audit trail (Protokollierung) of access to household-level data.

Every read or write of social data is one ``AuditEvent`` node: who, when, which records,
for which purpose. This module only ever CREATEs events and reads them back; there is no
update or delete here and none in the API.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from graph.connection import Graph


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEvent:
    """Protokolleintrag: one request's access to household-level records."""

    id: str
    at: datetime
    subject: str
    role: str
    organization_id: str | None
    auth_method: str
    action: str  # "read", "write", "delete" or "denied" (purpose not covered)
    operation: str  # the GraphQL root fields or the command
    purpose: str
    records: tuple[str, ...]  # "Label:id"


def new_event(
    *,
    subject: str,
    role: str,
    organization_id: str | None,
    auth_method: str,
    action: str,
    operation: str,
    purpose: str,
    records: Sequence[str],
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
    )


def append(graph: Graph, events: Sequence[AuditEvent]) -> None:
    """Write events (CREATE only: an existing id is a conflict, never an overwrite)."""
    if not events:
        return
    graph.query(
        "UNWIND $events AS e CREATE (a:AuditEvent) SET a = e",
        {"events": [_props(e) for e in events]},
        write=True,
    )


def _props(event: AuditEvent) -> dict[str, Any]:
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
