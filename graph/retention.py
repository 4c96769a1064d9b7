"""Retention (Löschfristen): forget households a set time after their last referral closed.

A household is due when none of its referrals is still active and the last one closed before
the cut-off (a household without referrals: when it was recorded before the cut-off). Its
referrals, their status events, its consents and needs go with it. Before anything is deleted,
the referrals are counted into ``ReferralAggregate`` nodes (per Sozialraum, Leistungsbereich,
month and final status), so planners keep their long-term numbers. Counting and deleting run in
one transaction: a failure leaves everything as it was.

The audit trail has a period of its own (``expire_audit_events``): entries older than their
cut-off are deleted in batches. This is the only place that deletes audit entries; the API can
neither change nor delete them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, LiteralString

import neo4j

from graph.audit import AuditEvent
from graph.audit_unit import WriteAudit, auditing
from graph.connection import Graph
from graph.records import CLOSED_REFERRAL_STATUSES

_DUE: LiteralString = """
MATCH (h:Household)
WHERE NOT EXISTS {
  MATCH (h)<-[:FOR_HOUSEHOLD]-(open:Referral) WHERE NOT open.status IN $closed
}
OPTIONAL MATCH (h)<-[:FOR_HOUSEHOLD]-(r:Referral)
OPTIONAL MATCH (r)-[:HAS_EVENT]->(e:ReferralEvent) WHERE e.status IN $closed
WITH h, count(r) AS referrals, max(coalesce(e.at, r.created_at)) AS last_closed
WITH h, CASE WHEN referrals = 0 THEN h.created_at ELSE last_closed END AS last
WHERE last IS NOT NULL AND last < $cutoff
RETURN h.id AS id ORDER BY id
"""

_AGGREGATE: LiteralString = """
UNWIND $ids AS hid
MATCH (h:Household {id: hid})<-[:FOR_HOUSEHOLD]-(r:Referral)
OPTIONAL MATCH (h)-[:LIVES_IN]->(a:Area)
OPTIONAL MATCH (r)-[:FOR_NEED]->(:Need)-[:OF_CATEGORY]->(nc:Category)
OPTIONAL MATCH (r)-[:TO_SERVICE]->(:Service)-[:IN_CATEGORY]->(sc:Category)
WITH r, a, nc, min(sc.id) AS service_category
WITH coalesce(a.id, 'unbekannt') AS area,
     coalesce(nc.id, service_category, 'unbekannt') AS category,
     substring(toString(r.created_at), 0, 7) AS month,
     r.status AS status, count(DISTINCT r) AS n
MERGE (g:ReferralAggregate {id: area + '|' + category + '|' + month + '|' + status})
ON CREATE SET g.area_id = area, g.category_id = category, g.month = month,
              g.status = status, g.referrals = 0, g.source = 'retention',
              g.created_at = $now, g.version = 1
SET g.referrals = g.referrals + n, g.updated_at = $now
RETURN count(g) AS groups, sum(n) AS referrals
"""

# Each statement deletes one kind of record of the due households and counts it.
_DELETES: tuple[tuple[str, LiteralString], ...] = (
    (
        "ReferralEvent",
        "UNWIND $ids AS hid MATCH (:Household {id: hid})<-[:FOR_HOUSEHOLD]-(:Referral)"
        "-[:HAS_EVENT]->(x:ReferralEvent) WITH DISTINCT x DETACH DELETE x RETURN count(*) AS n",
    ),
    (
        "Referral",
        "UNWIND $ids AS hid MATCH (:Household {id: hid})<-[:FOR_HOUSEHOLD]-(x:Referral) "
        "WITH DISTINCT x DETACH DELETE x RETURN count(*) AS n",
    ),
    (
        "Consent",
        "UNWIND $ids AS hid MATCH (:Household {id: hid})<-[:GIVEN_BY]-(x:Consent) "
        "WITH DISTINCT x DETACH DELETE x RETURN count(*) AS n",
    ),
    (
        "Need",
        "UNWIND $ids AS hid MATCH (:Household {id: hid})-[:HAS_NEED]->(x:Need) "
        "WITH DISTINCT x DETACH DELETE x RETURN count(*) AS n",
    ),
    (
        "Household",
        "UNWIND $ids AS hid MATCH (x:Household {id: hid}) "
        "WITH DISTINCT x DETACH DELETE x RETURN count(*) AS n",
    ),
)

_COUNTS: dict[str, LiteralString] = {
    "ReferralEvent": (
        "UNWIND $ids AS hid MATCH (:Household {id: hid})<-[:FOR_HOUSEHOLD]-(:Referral)"
        "-[:HAS_EVENT]->(x:ReferralEvent) RETURN count(DISTINCT x) AS n"
    ),
    "Referral": (
        "UNWIND $ids AS hid MATCH (:Household {id: hid})<-[:FOR_HOUSEHOLD]-(x:Referral) "
        "RETURN count(DISTINCT x) AS n"
    ),
    "Consent": (
        "UNWIND $ids AS hid MATCH (:Household {id: hid})<-[:GIVEN_BY]-(x:Consent) "
        "RETURN count(DISTINCT x) AS n"
    ),
    "Need": (
        "UNWIND $ids AS hid MATCH (:Household {id: hid})-[:HAS_NEED]->(x:Need) "
        "RETURN count(DISTINCT x) AS n"
    ),
}


@dataclass(frozen=True, slots=True)
class RetentionReport:
    """What retention removed (or, in a dry run, would remove)."""

    cutoff: datetime
    dry_run: bool
    households: tuple[str, ...]
    removed: dict[str, int] = field(default_factory=dict)
    aggregated_referrals: int = 0
    aggregate_groups: int = 0


def due_households(graph: Graph, cutoff: datetime) -> list[str]:
    """Pseudonyms of the households whose retention period has run out, sorted."""
    rows = graph.query(_DUE, {"closed": sorted(CLOSED_REFERRAL_STATUSES), "cutoff": cutoff})
    return [row["id"] for row in rows]


def apply_retention(
    graph: Graph,
    cutoff: datetime,
    *,
    dry_run: bool = False,
    now: datetime | None = None,
    entries: Callable[[Sequence[str]], Sequence[AuditEvent]] | None = None,
) -> RetentionReport:
    """Delete (or, with ``dry_run``, only list and count) what is due before ``cutoff``.

    ``entries`` makes the audit entries of the deletion from the deleted households' ids:
    they are committed in the deletion's transaction (graph/audit_unit.py), so a deletion
    never stands unrecorded."""
    ids = due_households(graph, cutoff)
    if dry_run or not ids:
        counts = {label: graph.query(q, {"ids": ids})[0]["n"] for label, q in _COUNTS.items()}
        counts["Household"] = len(ids)
        return RetentionReport(
            cutoff=cutoff, dry_run=dry_run, households=tuple(ids), removed=counts
        )
    stamp = now or datetime.now(cutoff.tzinfo)

    def work(tx: neo4j.ManagedTransaction) -> tuple[dict[str, int], int, int]:
        summary = tx.run(_AGGREGATE, {"ids": ids, "now": stamp}).single()
        groups = int(summary["groups"]) if summary else 0
        referrals = int(summary["referrals"] or 0) if summary else 0
        removed: dict[str, int] = {}
        for label, statement in _DELETES:
            row: Any = tx.run(statement, {"ids": ids}).single()
            removed[label] = int(row["n"]) if row else 0
        return removed, referrals, groups

    unit = (
        WriteAudit(entries=lambda: entries(ids), committed=lambda _: None)
        if entries is not None
        else None
    )
    with auditing(unit) if unit is not None else nullcontext():
        removed, referrals, groups = graph.write(work)
    return RetentionReport(
        cutoff=cutoff,
        dry_run=False,
        households=tuple(ids),
        removed=removed,
        aggregated_referrals=referrals,
        aggregate_groups=groups,
    )


def referral_aggregates(graph: Graph) -> list[dict[str, Any]]:
    """The kept counts of deleted referrals, per area, category, month and status."""
    return graph.query(
        "MATCH (g:ReferralAggregate) RETURN g.area_id AS area_id, g.category_id AS category_id, "
        "g.month AS month, g.status AS status, g.referrals AS referrals "
        "ORDER BY month, area_id, category_id, status"
    )


_AUDIT_DELETE: LiteralString = """
MATCH (a:AuditEvent) WHERE a.at < $cutoff
WITH a LIMIT $batch
DETACH DELETE a
RETURN count(*) AS n
"""


@dataclass(frozen=True, slots=True)
class AuditRetentionReport:
    """Audit entries older than the cut-off: deleted, or (dry run) counted."""

    cutoff: datetime
    dry_run: bool
    events: int
    oldest: datetime | None = None


def expire_audit_events(
    graph: Graph, cutoff: datetime, *, dry_run: bool = False, batch: int = 10_000
) -> AuditRetentionReport:
    """Delete audit entries recorded before ``cutoff`` (in batches: the trail can be long)."""
    (row,) = graph.query(
        "MATCH (a:AuditEvent) WHERE a.at < $cutoff RETURN count(a) AS n, min(a.at) AS oldest",
        {"cutoff": cutoff},
    )
    oldest = row["oldest"]
    oldest = oldest.to_native() if hasattr(oldest, "to_native") else oldest
    if dry_run or not row["n"]:
        return AuditRetentionReport(cutoff=cutoff, dry_run=dry_run, events=row["n"], oldest=oldest)
    deleted = 0
    while True:
        (done,) = graph.query(
            _AUDIT_DELETE, {"cutoff": cutoff, "batch": batch}, write=True, revise=False
        )
        deleted += int(done["n"])
        if done["n"] < batch:
            break
    return AuditRetentionReport(cutoff=cutoff, dry_run=False, events=deleted, oldest=oldest)
