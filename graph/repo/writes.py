"""Single-record writes for coordinators: create, update with a version check, archive.

No lost update: every change first takes the node's write lock (``SET n._lock``) and reads
``version`` under it in the same statement, so two concurrent updates of version 3 cannot
both pass; the loser sees the winner's version 4 and gets ``StaleVersion``. The record is then
written by the bundle writer in the same transaction (so owned relationships match it and
imports stay idempotent); a dangling reference rolls everything back.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, LiteralString

import neo4j

from graph.connection import Graph, run
from graph.errors import ConflictError, GraphError, IntegrityError
from graph.model import NODE_SPECS, Record
from graph.records import Membership
from graph.repo.nodes import PROJECTIONS, to_stored
from graph.repo.organizations import StoredMembership, membership_of
from graph.repo.values import Stored
from graph.write import write_bundle_in


class NotFoundError(GraphError):
    code = "NOT_FOUND"

    def __init__(self, label: str, ident: str) -> None:
        super().__init__(f"{label} {ident!r} nicht gefunden")
        self.label = label
        self.ident = ident


class StaleVersion(ConflictError):
    """The node changed since the caller read it."""

    def __init__(self, label: str, ident: str, current: int) -> None:
        super().__init__(
            f"{label} {ident!r} wurde inzwischen geändert (aktuelle Version {current})."
        )
        self.current = current


class AlreadyExists(ConflictError):
    def __init__(self, label: str, ident: str) -> None:
        super().__init__(f"{label} {ident!r} existiert bereits.")


def _label(record: Record) -> LiteralString:
    label: LiteralString = NODE_SPECS[type(record)].label
    return label


def _lock_and_check(
    tx: neo4j.ManagedTransaction, label: LiteralString, ident: str, expected: int
) -> None:
    rows = run(
        tx,
        f"MATCH (n:{label} {{id: $id}}) SET n._lock = true "
        "WITH n, coalesce(n.version, 1) AS current REMOVE n._lock RETURN current",
        id=ident,
    )
    if not rows:
        raise NotFoundError(label, ident)
    if rows[0]["current"] != expected:
        raise StaleVersion(label, ident, rows[0]["current"])


def _read_back(tx: neo4j.ManagedTransaction, label: LiteralString, ident: str) -> Stored[Any]:
    (row,) = run(tx, f"MATCH (n:{label} {{id: $id}}) RETURN {PROJECTIONS[label]} AS n", id=ident)
    return to_stored(label, row["n"])


def _write(tx: neo4j.ManagedTransaction, record: Record, now: datetime, by: str | None) -> None:
    # ``updated_by`` is stamped only when the write really changes the node, like updated_at.
    missing = write_bundle_in(tx, [record], now, {"updated_by": by} if by else None)
    if missing:
        shown = ", ".join(f"{label} {ident!r}" for label, ident in missing)
        raise IntegrityError(f"Verweise auf fehlende Knoten: {shown}", missing)


def create(graph: Graph, record: Record, now: datetime, by: str | None = None) -> Stored[Any]:
    """Create a node for ``record``; AlreadyExists when its id is taken. ``by``: who (the
    principal's subject), kept as ``updated_by``."""
    label = _label(record)

    def work(tx: neo4j.ManagedTransaction) -> Stored[Any]:
        taken = run(tx, f"MATCH (n:{label} {{id: $id}}) RETURN n.id AS id", id=record.id)
        if taken:
            raise AlreadyExists(label, record.id)
        # The uniqueness constraint turns a concurrent create of the same id into a conflict.
        run(tx, f"CREATE (n:{label} {{id: $id}})", id=record.id)
        _write(tx, record, now, by)
        return _read_back(tx, label, record.id)

    result: Stored[Any] = graph.write(work)
    return result


def update(
    graph: Graph, record: Record, expected_version: int, now: datetime, by: str | None = None
) -> Stored[Any]:
    """Replace the node's record if its version is still ``expected_version``."""
    label = _label(record)

    def work(tx: neo4j.ManagedTransaction) -> Stored[Any]:
        _lock_and_check(tx, label, record.id, expected_version)
        _write(tx, record, now, by)
        return _read_back(tx, label, record.id)

    result: Stored[Any] = graph.write(work)
    return result


# Labels that can be archived, and what archiving sets besides ``archived_at``.
ARCHIVABLE: dict[str, LiteralString] = {
    "Organization": "",
    "Location": "",
    "Agreement": "",
    "Network": "",
    "Service": ", n.status = 'archived'",
}


def archive(
    graph: Graph,
    label: LiteralString,
    ident: str,
    expected_version: int,
    now: datetime,
    by: str | None = None,
) -> Stored[Any]:
    """Mark a node archived (kept for history and referrals), compare-and-set on version."""
    extra = ARCHIVABLE[label]
    cypher = (
        f"MATCH (n:{label} {{id: $id}}) SET n._lock = true "
        "WITH n, coalesce(n.version, 1) AS current "
        "CALL (n, current) { WITH * WHERE current = $expected "
        "SET n.archived_at = $now, n.updated_at = $now, n.version = current + 1, "
        f"n.updated_by = coalesce($by, n.updated_by){extra} }} "
        f"REMOVE n._lock RETURN current, {PROJECTIONS[label]} AS n"
    )
    params = {"id": ident, "expected": expected_version, "now": now, "by": by}
    rows = graph.query(cypher, params, write=True)
    if not rows:
        raise NotFoundError(label, ident)
    if rows[0]["current"] != expected_version:
        raise StaleVersion(label, ident, rows[0]["current"])
    return to_stored(label, rows[0]["n"])


# -- memberships: relationships with their own version ---------------------------------


_MEMBERSHIP_RETURN: LiteralString = (
    "RETURN w.id AS network_id, o.id AS organization_id, m.role AS role, m.since AS since, "
    "m.source AS source, m.version AS version"
)


def add_membership(
    graph: Graph, membership: Membership, now: datetime, by: str | None = None
) -> StoredMembership:
    def work(tx: neo4j.ManagedTransaction) -> StoredMembership:
        ends = run(
            tx,
            "OPTIONAL MATCH (o:Organization {id: $org}) OPTIONAL MATCH (w:Network {id: $net}) "
            "WITH o, w SET o._lock = true REMOVE o._lock "
            "RETURN o IS NOT NULL AS has_org, w IS NOT NULL AS has_net, "
            "EXISTS { (o)-[:MEMBER_OF]->(w) } AS exists",
            org=membership.organization_id,
            net=membership.network_id,
        )
        found = ends[0]
        missing = [
            (label, ident)
            for label, ident, present in (
                ("Organization", membership.organization_id, found["has_org"]),
                ("Network", membership.network_id, found["has_net"]),
            )
            if not present
        ]
        if missing:
            raise IntegrityError("Verweise auf fehlende Knoten", missing)
        if found["exists"]:
            raise AlreadyExists(
                "Mitgliedschaft", f"{membership.organization_id}@{membership.network_id}"
            )
        (row,) = run(
            tx,
            "MATCH (o:Organization {id: $org}), (w:Network {id: $net}) "
            "CREATE (o)-[m:MEMBER_OF {role: $role, since: $since, source: $source, "
            "version: 1, created_at: $now, updated_at: $now, updated_by: $by}]->(w) "
            + _MEMBERSHIP_RETURN,
            org=membership.organization_id,
            net=membership.network_id,
            role=membership.role,
            since=membership.since,
            source=membership.source,
            now=now,
            by=by,
        )
        return membership_of(row)

    result: StoredMembership = graph.write(work)
    return result


def update_membership(
    graph: Graph,
    network_id: str,
    organization_id: str,
    role: str,
    since: date | None,
    expected_version: int,
    now: datetime,
    by: str | None = None,
) -> StoredMembership:
    rows = graph.query(
        "MATCH (o:Organization {id: $org})-[m:MEMBER_OF]->(w:Network {id: $net}) "
        "SET m._lock = true WITH o, w, m, coalesce(m.version, 1) AS current "
        "CALL (m, current) { WITH * WHERE current = $expected "
        "SET m.role = $role, m.since = $since, m.version = current + 1, m.updated_at = $now, "
        "m.updated_by = coalesce($by, m.updated_by) } "
        "REMOVE m._lock " + _MEMBERSHIP_RETURN + ", current",
        {
            "org": organization_id,
            "net": network_id,
            "role": role,
            "since": since,
            "expected": expected_version,
            "now": now,
            "by": by,
        },
        write=True,
    )
    if not rows:
        raise NotFoundError("Mitgliedschaft", f"{organization_id}@{network_id}")
    if rows[0]["current"] != expected_version:
        raise StaleVersion("Mitgliedschaft", f"{organization_id}@{network_id}", rows[0]["current"])
    return membership_of(rows[0])


def remove_membership(
    graph: Graph, network_id: str, organization_id: str, expected_version: int
) -> None:
    rows = graph.query(
        "MATCH (o:Organization {id: $org})-[m:MEMBER_OF]->(w:Network {id: $net}) "
        "SET m._lock = true WITH m, coalesce(m.version, 1) AS current "
        "CALL (m, current) { WITH * WHERE current = $expected DELETE m } "
        "RETURN current",
        {"org": organization_id, "net": network_id, "expected": expected_version},
        write=True,
    )
    if not rows:
        raise NotFoundError("Mitgliedschaft", f"{organization_id}@{network_id}")
    if rows[0]["current"] != expected_version:
        raise StaleVersion("Mitgliedschaft", f"{organization_id}@{network_id}", rows[0]["current"])
