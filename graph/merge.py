"""Merge two records of one Träger or one Angebot (duplicates found by the analyses) without
losing anything.

Every relationship of the dropped record moves to the kept one, properties the kept one lacks
are taken over, the dropped name is kept as an alternate name and its id in ``merged_ids``; API
tokens bound to a dropped organization follow. It all happens in one transaction: if the dropped
node still has a relationship this module does not know, nothing changes.
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
_INCOMING: tuple[LiteralString, ...] = ("GRANTS_TO", "FROM_ORGANIZATION", "CASE_OF")


class OrganizationNotFound(GraphError):
    code = "NOT_FOUND"

    def __init__(self, organization_id: str) -> None:
        super().__init__(f"Träger nicht gefunden: {organization_id}")
        self.organization_id = organization_id


class ServiceNotFound(GraphError):
    code = "NOT_FOUND"

    def __init__(self, service_id: str) -> None:
        super().__init__(f"Angebot nicht gefunden: {service_id}")
        self.service_id = service_id


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


def _move_query(label: LiteralString, rel: LiteralString, outgoing: bool) -> LiteralString:
    if outgoing:
        return (
            "MATCH (d:" + label + " {id: $drop})-[r:" + rel + "]->(x) "
            "MATCH (k:" + label + " {id: $keep}) "
            "MERGE (k)-[n:" + rel + "]->(x) ON CREATE SET n = properties(r) "
            "DELETE r RETURN count(*) AS moved"
        )
    return (
        "MATCH (d:" + label + " {id: $drop})<-[r:" + rel + "]-(x) "
        "MATCH (k:" + label + " {id: $keep}) "
        "MERGE (k)<-[n:" + rel + "]-(x) ON CREATE SET n = properties(r) "
        "DELETE r RETURN count(*) AS moved"
    )


def _move_all(
    tx: neo4j.ManagedTransaction,
    label: LiteralString,
    outgoing: tuple[LiteralString, ...],
    incoming: tuple[LiteralString, ...],
    keep: str,
    drop: str,
) -> dict[str, int]:
    """Move the known relationships; raise (rolling back) when the dropped node has others."""
    moved: dict[str, int] = {}
    for rel in outgoing:
        moved[rel] = run(tx, _move_query(label, rel, True), keep=keep, drop=drop)[0]["moved"]
    for rel in incoming:
        moved[rel] = run(tx, _move_query(label, rel, False), keep=keep, drop=drop)[0]["moved"]
    left = run(
        tx,
        "MATCH (d:" + label + " {id: $drop})-[r]-() RETURN type(r) AS type, count(*) AS n",
        drop=drop,
    )
    if left:
        kinds = ", ".join(f"{r['type']} ({r['n']})" for r in left)
        # Raising inside the transaction function rolls everything back.
        raise ConflictError(f"Unbekannte Beziehungen am Datensatz {drop}: {kinds}")
    return {k: v for k, v in moved.items() if v}


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
        moved = _move_all(tx, "Organization", _OUTGOING, _INCOMING, keep_id, drop_id)
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
            moved=moved,
            tokens=tokens,
            agreements_with_itself=shared,
        )

    return graph.write(work)


# Everything docs/model.md links to a Service. Agreements cover Leistungsbereiche, so the merged
# Angebot stays covered through the union of IN_CATEGORY.
_SERVICE_OUTGOING: tuple[LiteralString, ...] = ("IN_CATEGORY", "SERVES", "AT_LOCATION")
_SERVICE_INCOMING: tuple[LiteralString, ...] = ("PROVIDES", "TO_SERVICE")

_UNION: LiteralString = (
    "reduce(acc = coalesce(k.{0}, []), x IN coalesce(d.{0}, []) | "
    "CASE WHEN x IN acc THEN acc ELSE acc + x END)"
)
_FILL_SERVICE: LiteralString = (
    """
MATCH (k:Service {id: $keep}), (d:Service {id: $drop})
SET k.description = CASE WHEN coalesce(k.description, '') = '' THEN d.description
                         ELSE k.description END,
    k.email = coalesce(k.email, d.email),
    k.url = coalesce(k.url, d.url),
    k.legal_basis = coalesce(k.legal_basis, d.legal_basis),
    // One Angebot entered twice has its places once: capacities are never added up.
    k.capacity = coalesce(k.capacity, d.capacity),
    k.capacity_unit = coalesce(k.capacity_unit, d.capacity_unit),
    k.capacity_used = coalesce(k.capacity_used, d.capacity_used),
    k.valid_from = coalesce(k.valid_from, d.valid_from),
    k.target_groups = """
    + _UNION.replace("{0}", "target_groups")
    + """,
    k.languages = """
    + _UNION.replace("{0}", "languages")
    + """,
    k.alternate_names = [n IN coalesce(k.alternate_names, []) + [d.name]
                         + coalesce(d.alternate_names, []) WHERE n <> k.name],
    k.merged_ids = coalesce(k.merged_ids, []) + [d.id] + coalesce(d.merged_ids, []),
    k.updated_at = $now,
    k.version = coalesce(k.version, 1) + 1
REMOVE k._hash, k._hash_version
"""
)


def merge_services(graph: Graph, keep_id: str, drop_id: str) -> MergeResult:
    """Fold service ``drop_id`` into ``keep_id`` (one transaction).

    Both must belong to the same organization: records under two organization records are
    merged after those (``merge_organizations``), so an Angebot never has two Träger.
    """
    if keep_id == drop_id:
        raise InvalidMerge("Ein Angebot kann nicht mit sich selbst zusammengeführt werden.")
    now = datetime.now(UTC)

    def work(tx: neo4j.ManagedTransaction) -> MergeResult:
        owners = {
            r["id"]: r["owners"]
            for r in run(
                tx,
                "MATCH (s:Service) WHERE s.id IN $ids "
                "RETURN s.id AS id, [(o:Organization)-[:PROVIDES]->(s) | o.id] AS owners",
                ids=[keep_id, drop_id],
            )
        }
        for ident in (keep_id, drop_id):
            if ident not in owners:
                raise ServiceNotFound(ident)
        if sorted(owners[keep_id]) != sorted(owners[drop_id]):
            raise InvalidMerge(
                f"Die Angebote {keep_id} und {drop_id} gehören zu verschiedenen Trägern "
                f"({', '.join(owners[keep_id]) or 'keiner'} / "
                f"{', '.join(owners[drop_id]) or 'keiner'}): zuerst die Träger zusammenführen."
            )
        moved = _move_all(tx, "Service", _SERVICE_OUTGOING, _SERVICE_INCOMING, keep_id, drop_id)
        run(tx, _FILL_SERVICE, keep=keep_id, drop=drop_id, now=now)
        run(tx, "MATCH (d:Service {id: $drop}) DELETE d", drop=drop_id)
        return MergeResult(kept_id=keep_id, dropped_id=drop_id, moved=moved)

    return graph.write(work)
