"""Merge two records of one Träger (a duplicate found by the analysis) without losing anything.

Every relationship of the dropped organization moves to the kept one, properties the kept one
lacks are taken over, the dropped name is kept as an alternate name and its id in
``merged_ids``; API tokens bound to the dropped id follow. It all happens in one transaction:
if the dropped node still has a relationship this module does not know, nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import LiteralString

import neo4j

from graph.connection import Graph, run
from graph.errors import ConflictError, GraphError

# (relationship type, direction seen from the organization): everything docs/model.md links
# to an Organization. Only these constants are ever put into a query.
_OUTGOING: tuple[LiteralString, ...] = ("PROVIDES", "HAS_LOCATION", "PARTY_TO", "MEMBER_OF")
_INCOMING: tuple[LiteralString, ...] = ("GRANTS_TO", "FROM_ORGANIZATION")


class OrganizationNotFound(GraphError):
    code = "NOT_FOUND"

    def __init__(self, organization_id: str) -> None:
        super().__init__(f"Träger nicht gefunden: {organization_id}")
        self.organization_id = organization_id


class InvalidMerge(GraphError):
    code = "BAD_USER_INPUT"


@dataclass(frozen=True, slots=True)
class MergeResult:
    kept_id: str
    dropped_id: str
    moved: dict[str, int] = field(default_factory=dict)  # relationship type -> count
    tokens: int = 0
    # Agreements whose two parties were these two records: now with the kept one only.
    agreements_with_itself: int = 0


def _move_query(rel: LiteralString, outgoing: bool) -> LiteralString:
    if outgoing:
        return (
            "MATCH (d:Organization {id: $drop})-[r:" + rel + "]->(x) "
            "MATCH (k:Organization {id: $keep}) "
            "MERGE (k)-[n:" + rel + "]->(x) ON CREATE SET n = properties(r) "
            "DELETE r RETURN count(*) AS moved"
        )
    return (
        "MATCH (d:Organization {id: $drop})<-[r:" + rel + "]-(x) "
        "MATCH (k:Organization {id: $keep}) "
        "MERGE (k)<-[n:" + rel + "]-(x) ON CREATE SET n = properties(r) "
        "DELETE r RETURN count(*) AS moved"
    )


_FILL: LiteralString = """
MATCH (k:Organization {id: $keep}), (d:Organization {id: $drop})
SET k.description = coalesce(k.description, d.description),
    k.website = coalesce(k.website, d.website),
    k.email = coalesce(k.email, d.email),
    k.phone = coalesce(k.phone, d.phone),
    k.sector = coalesce(k.sector, d.sector),
    k.alternate_names = [n IN coalesce(k.alternate_names, []) + [d.name]
                         + coalesce(d.alternate_names, []) WHERE n <> k.name],
    k.merged_ids = coalesce(k.merged_ids, []) + [d.id] + coalesce(d.merged_ids, []),
    k.updated_at = $now,
    k.version = coalesce(k.version, 1) + 1
// The writer's fingerprint no longer describes the node: the next import rewrites it.
REMOVE k._hash, k._hash_version
"""


def merge_organizations(graph: Graph, keep_id: str, drop_id: str) -> MergeResult:
    """Fold organization ``drop_id`` into ``keep_id`` (one transaction)."""
    if keep_id == drop_id:
        raise InvalidMerge("Ein Träger kann nicht mit sich selbst zusammengeführt werden.")
    now = datetime.now(UTC)

    def work(tx: neo4j.ManagedTransaction) -> MergeResult:
        found = {
            r["id"]
            for r in run(
                tx,
                "MATCH (o:Organization) WHERE o.id IN $ids RETURN o.id AS id",
                ids=[keep_id, drop_id],
            )
        }
        for ident in (keep_id, drop_id):
            if ident not in found:
                raise OrganizationNotFound(ident)
        shared = run(
            tx,
            "MATCH (:Organization {id: $keep})-[:PARTY_TO]->(a:Agreement)"
            "<-[:PARTY_TO]-(:Organization {id: $drop}) RETURN count(a) AS n",
            keep=keep_id,
            drop=drop_id,
        )[0]["n"]
        moved: dict[str, int] = {}
        for rel in _OUTGOING:
            moved[rel] = run(tx, _move_query(rel, True), keep=keep_id, drop=drop_id)[0]["moved"]
        for rel in _INCOMING:
            moved[rel] = run(tx, _move_query(rel, False), keep=keep_id, drop=drop_id)[0]["moved"]
        left = run(
            tx,
            "MATCH (d:Organization {id: $drop})-[r]-() RETURN type(r) AS type, count(*) AS n",
            drop=drop_id,
        )
        if left:
            kinds = ", ".join(f"{r['type']} ({r['n']})" for r in left)
            # Raising inside the transaction function rolls everything back.
            raise ConflictError(f"Unbekannte Beziehungen am Träger {drop_id}: {kinds}")
        run(tx, _FILL, keep=keep_id, drop=drop_id, now=now)
        tokens = run(
            tx,
            "MATCH (t:ApiToken {organization_id: $drop}) SET t.organization_id = $keep "
            "RETURN count(t) AS n",
            keep=keep_id,
            drop=drop_id,
        )[0]["n"]
        run(tx, "MATCH (d:Organization {id: $drop}) DELETE d", drop=drop_id)
        return MergeResult(
            kept_id=keep_id,
            dropped_id=drop_id,
            moved={k: v for k, v in moved.items() if v},
            tokens=tokens,
            agreements_with_itself=shared,
        )

    return graph.write(work)
