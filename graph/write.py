"""Idempotent batched writes of records: MERGE on constrained ids, UNWIND batches.

Each record kind has a spec: its label, the properties it stores and the relationships it
owns. A written record's owned relationships are made to match the record exactly (stale
ones are removed), so writing the same records twice changes nothing and a changed record
updates its node. Labels and relationship types come only from the specs below, never
from user input; all values travel as parameters.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from functools import partial
from typing import Any, Literal

import neo4j
from neo4j.spatial import WGS84Point

from graph.bundle import Bundle
from graph.connection import Graph
from graph.errors import IntegrityError
from graph.records import (
    Agreement,
    Area,
    Category,
    Consent,
    Household,
    Location,
    Need,
    Network,
    Organization,
    Referral,
    ReferralEvent,
    Service,
)

DEFAULT_BATCH_SIZE = 10_000

Record = Any  # one of the dataclasses in graph.records


@dataclass(frozen=True, slots=True)
class OwnedRel:
    """A relationship a record owns: its type, direction seen from the record, target label."""

    type: str
    direction: Literal["out", "in"]
    target: str
    targets: Callable[[Record], Sequence[str]]


@dataclass(frozen=True, slots=True)
class NodeSpec:
    label: str
    rels: tuple[OwnedRel, ...] = ()
    # Record fields that become relationships (or are flattened), not node properties.
    not_props: frozenset[str] = frozenset()
    extra: Callable[[Record], dict[str, Any]] | None = None


def _one(value: str | None) -> list[str]:
    return [value] if value else []


def _area_extra(r: Area) -> dict[str, Any]:
    extra: dict[str, Any] = {f"indicator_{k}": v for k, v in sorted(r.indicators.items())}
    extra["indicator_keys"] = sorted(r.indicators)
    extra["centroid"] = _point(r.centroid_lat, r.centroid_lon)
    return extra


def _location_extra(r: Location) -> dict[str, Any]:
    return {"point": _point(r.latitude, r.longitude)}


def _point(lat: float | None, lon: float | None) -> WGS84Point | None:
    if lat is None or lon is None:
        return None
    return WGS84Point((lon, lat))


NODE_SPECS: dict[type, NodeSpec] = {
    Area: NodeSpec(
        "Area",
        (OwnedRel("PART_OF", "out", "Area", lambda r: _one(r.parent_id)),),
        frozenset({"parent_id", "indicators"}),
        _area_extra,
    ),
    Category: NodeSpec(
        "Category",
        (OwnedRel("BROADER", "out", "Category", lambda r: _one(r.parent_id)),),
        frozenset({"parent_id"}),
    ),
    Organization: NodeSpec("Organization"),
    Location: NodeSpec(
        "Location",
        (
            OwnedRel("HAS_LOCATION", "in", "Organization", lambda r: _one(r.organization_id)),
            OwnedRel("IN_AREA", "out", "Area", lambda r: _one(r.area_id)),
        ),
        frozenset({"organization_id", "area_id"}),
        _location_extra,
    ),
    Service: NodeSpec(
        "Service",
        (
            OwnedRel("PROVIDES", "in", "Organization", lambda r: [r.organization_id]),
            OwnedRel("IN_CATEGORY", "out", "Category", lambda r: list(r.category_ids)),
            OwnedRel("SERVES", "out", "Area", lambda r: list(r.area_ids)),
            OwnedRel("AT_LOCATION", "out", "Location", lambda r: list(r.location_ids)),
        ),
        frozenset({"organization_id", "category_ids", "area_ids", "location_ids"}),
    ),
    Agreement: NodeSpec(
        "Agreement",
        (
            OwnedRel("PARTY_TO", "in", "Organization", lambda r: list(r.party_ids)),
            OwnedRel("COVERS", "out", "Category", lambda r: list(r.category_ids)),
        ),
        frozenset({"party_ids", "category_ids"}),
    ),
    Network: NodeSpec(
        "Network",
        (OwnedRel("ACTIVE_IN", "out", "Area", lambda r: list(r.area_ids)),),
        frozenset({"area_ids"}),
    ),
    Household: NodeSpec(
        "Household",
        (OwnedRel("LIVES_IN", "out", "Area", lambda r: [r.area_id]),),
        frozenset({"area_id"}),
    ),
    Need: NodeSpec(
        "Need",
        (
            OwnedRel("HAS_NEED", "in", "Household", lambda r: [r.household_id]),
            OwnedRel("OF_CATEGORY", "out", "Category", lambda r: [r.category_id]),
        ),
        frozenset({"household_id", "category_id"}),
    ),
    Consent: NodeSpec(
        "Consent",
        (
            OwnedRel("GIVEN_BY", "out", "Household", lambda r: [r.household_id]),
            OwnedRel("GRANTS_TO", "out", "Organization", lambda r: list(r.organization_ids)),
        ),
        frozenset({"household_id", "organization_ids"}),
    ),
    Referral: NodeSpec(
        "Referral",
        (
            OwnedRel("FOR_HOUSEHOLD", "out", "Household", lambda r: [r.household_id]),
            OwnedRel("FOR_NEED", "out", "Need", lambda r: _one(r.need_id)),
            OwnedRel(
                "FROM_ORGANIZATION", "out", "Organization", lambda r: [r.from_organization_id]
            ),
            OwnedRel("TO_SERVICE", "out", "Service", lambda r: [r.to_service_id]),
            OwnedRel("UNDER_CONSENT", "out", "Consent", lambda r: [r.consent_id]),
            OwnedRel("HAS_EVENT", "out", "ReferralEvent", lambda r: _event_ids(r)),
        ),
        frozenset(
            {
                "household_id",
                "need_id",
                "from_organization_id",
                "to_service_id",
                "consent_id",
                "history",
            }
        ),
    ),
}


def _event_ids(r: Referral) -> list[str]:
    return [f"{r.id}#{i}" for i in range(len(r.history))]


def props_of(record: Record) -> dict[str, Any]:
    """The node properties a record stores (lists for tuples; None removes a property)."""
    spec = NODE_SPECS[type(record)]
    props: dict[str, Any] = {}
    # Shallow on purpose: dataclasses.asdict deep-copies every value, which dominated imports.
    for f in fields(record):
        key = f.name
        if key == "id" or key in spec.not_props:
            continue
        value = getattr(record, key)
        if isinstance(value, dict):
            value = dict(value)
        props[key] = list(value) if isinstance(value, tuple) else value
    if spec.extra is not None:
        props.update(spec.extra(record))
    return props


@dataclass(slots=True)
class WriteCounts:
    """What a write did, per label: created, changed, unchanged nodes and relationships set."""

    created: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    relationships: int = 0

    def add(self, label: str, created: int, changed: int, total: int) -> None:
        self.created[label] = self.created.get(label, 0) + created
        self.changed[label] = self.changed.get(label, 0) + changed
        self.unchanged[label] = self.unchanged.get(label, 0) + total - created - changed


def _batches(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _state_query(spec: NodeSpec) -> str:
    """Which of a batch's ids exist, and whether their stored fingerprint still holds.

    The fingerprint (``_hash``, over properties and link targets) only counts while
    ``_hash_version`` equals ``version``: any other writer that changes the node bumps
    ``version`` and so invalidates it. Only labels and relationship types from NODE_SPECS are
    interpolated into these statements.
    """
    return f"""
    UNWIND $rows AS row
    MATCH (n:{spec.label} {{id: row.id}})
    RETURN row.id AS id,
           coalesce(n._hash = row.h AND n._hash_version = n.version, false) AS same
    """


def _create_query(spec: NodeSpec) -> str:
    # Plain CREATE: the state query showed these ids are new (the constraint guards races).
    return f"""
    UNWIND $rows AS row
    CREATE (n:{spec.label} {{id: row.id}})
    SET n += row.props, n += $stamp, n._hash = row.h,
        n.created_at = coalesce(row.props.created_at, $now),
        n.updated_at = $now, n.version = 1, n._hash_version = 1
    """


def _update_query(spec: NodeSpec) -> str:
    return f"""
    UNWIND $rows AS row
    MATCH (n:{spec.label} {{id: row.id}})
    WITH n, row, coalesce(n.version, 0) + 1 AS v, n.revoked_at AS revoked
    SET n += row.props, n += $stamp, n._hash = row.h, n.updated_at = $now,
        n.created_at = coalesce(n.created_at, $now), n.version = v, n._hash_version = v,
        // A revocation (of a consent) is final: a re-import cannot undo it.
        n.revoked_at = coalesce(revoked, row.props.revoked_at)
    """


def _arrows(rel: OwnedRel) -> tuple[str, str]:
    if rel.direction == "out":
        return f"-[r:{rel.type}]->", f"-[:{rel.type}]->"
    return f"<-[r:{rel.type}]-", f"<-[:{rel.type}]-"


def _missing_query(rel: OwnedRel) -> str:
    return f"""
    UNWIND $ids AS id
    OPTIONAL MATCH (t:{rel.target} {{id: id}})
    WITH id, t WHERE t IS NULL
    RETURN collect(id) AS missing
    """


def _unlink_query(spec: NodeSpec, rel: OwnedRel) -> str:
    old, _ = _arrows(rel)
    return f"""
    UNWIND $rows AS row
    MATCH (n:{spec.label} {{id: row.id}}){old}(t:{rel.target})
    WHERE NOT t.id IN row.targets
    DELETE r
    """


def _link_query(spec: NodeSpec, rel: OwnedRel, *, merge: bool) -> str:
    _, new = _arrows(rel)
    verb = "MERGE" if merge else "CREATE"
    return f"""
    UNWIND $links AS link
    MATCH (n:{spec.label} {{id: link.s}})
    MATCH (t:{rel.target} {{id: link.t}})
    {verb} (n){new}(t)
    RETURN count(*) AS linked
    """


def fingerprint(props: dict[str, Any], targets: list[list[str]]) -> str:
    """A stable digest of what a record writes; equal digests mean nothing to change."""
    text = repr((sorted(props.items()), targets))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


_ADJACENCY_QUERY = """
UNWIND $rows AS row
OPTIONAL MATCH (a:Area {id: row.a})
OPTIONAL MATCH (b:Area {id: row.b})
FOREACH (_ IN CASE WHEN a IS NULL OR b IS NULL THEN [] ELSE [1] END |
  MERGE (a)-[r:ADJACENT_TO]-(b) SET r.source = row.source)
WITH row, a, b WHERE a IS NULL OR b IS NULL
RETURN row.a AS a, row.b AS b, a IS NULL AS a_missing, b IS NULL AS b_missing
"""

_MEMBERSHIP_QUERY = """
UNWIND $rows AS row
OPTIONAL MATCH (o:Organization {id: row.organization_id})
OPTIONAL MATCH (w:Network {id: row.network_id})
FOREACH (_ IN CASE WHEN o IS NULL OR w IS NULL THEN [] ELSE [1] END |
  MERGE (o)-[m:MEMBER_OF]->(w) SET m.role = row.role, m.since = row.since, m.source = row.source)
WITH row, o, w WHERE o IS NULL OR w IS NULL
RETURN row.organization_id AS a, row.network_id AS b, o IS NULL AS a_missing,
       w IS NULL AS b_missing
"""


@dataclass(frozen=True, slots=True)
class _Row:
    id: str
    props: dict[str, Any]
    targets: list[list[str]]
    hash: str

    def param(self) -> dict[str, Any]:
        return {"id": self.id, "props": self.props, "h": self.hash}


class _Writer:
    def __init__(
        self,
        tx_runner: Callable[[Callable[[neo4j.ManagedTransaction], Any]], Any],
        batch_size: int,
        now: datetime,
        stamp: Mapping[str, Any] | None = None,
    ) -> None:
        self._run_tx = tx_runner
        self._batch = batch_size
        self._now = now
        self._stamp = dict(stamp or {})
        self.counts = WriteCounts()
        self.missing: list[tuple[str, str]] = []
        self._known: set[str] = set()

    def _run(self, cypher: str, rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
            records = tx.run(cypher, rows=list(rows), now=self._now, stamp=self._stamp)
            return [r.data() for r in records]

        result: list[dict[str, Any]] = self._run_tx(work)
        return result

    def nodes(self, records: Sequence[Record]) -> None:
        """Upsert records of one kind: new ones are created, changed ones updated and
        re-linked, unchanged ones (same fingerprint) not touched at all."""
        if not records:
            return
        spec = NODE_SPECS[type(records[0])]
        unique = list({r.id: r for r in records}.values())  # last wins, as MERGE would
        for batch in _batches(_parents_first(spec, unique), self._batch):
            rows = [_row(spec, r) for r in batch]
            # The transaction function may run more than once (retries), so it only returns
            # what it did; counts are taken after it committed.
            done: _BatchResult = self._run_tx(partial(self._batch_in, spec=spec, rows=rows))
            self.counts.add(spec.label, done.created, done.changed, len(rows))
            self.counts.relationships += done.linked
            self.missing.extend(done.missing)

    def _batch_in(
        self, tx: neo4j.ManagedTransaction, *, spec: NodeSpec, rows: list[_Row]
    ) -> _BatchResult:
        params = {row.id: row.param() for row in rows}
        state: dict[str, bool] = {}
        if self._has_nodes(tx, spec.label):
            result = tx.run(_state_query(spec), rows=list(params.values()))
            state = {r["id"]: r["same"] for r in result}
        new = [row for row in rows if row.id not in state]
        changed = [row for row in rows if row.id in state and not state[row.id]]
        common: dict[str, Any] = {"now": self._now, "stamp": self._stamp}
        if new:
            tx.run(_create_query(spec), rows=[params[r.id] for r in new], **common).consume()
        if changed:
            tx.run(_update_query(spec), rows=[params[r.id] for r in changed], **common).consume()
        done = _BatchResult(len(new), len(changed))
        for i, rel in enumerate(spec.rels):
            _link(tx, spec, rel, [(r.id, r.targets[i]) for r in new], done, merge=False)
            if changed:
                tx.run(
                    _unlink_query(spec, rel),
                    rows=[{"id": r.id, "targets": r.targets[i]} for r in changed],
                ).consume()
                _link(tx, spec, rel, [(r.id, r.targets[i]) for r in changed], done, merge=True)
        return done

    def _has_nodes(self, tx: neo4j.ManagedTransaction, label: str) -> bool:
        """Whether any node of the label exists; a fresh import then skips the state read.
        Answered from the count store; remembered once true."""
        if label in self._known:
            return True
        (row,) = tx.run(_COUNT_QUERIES[label]).data()
        if row["n"] > 0:
            self._known.add(label)
        return bool(row["n"] > 0)

    def pairs(self, query: str, rows: Sequence[dict[str, Any]], labels: tuple[str, str]) -> None:
        for batch in _batches(rows, self._batch):
            for res in self._run(query, batch):
                if res["a_missing"]:
                    self.missing.append((labels[0], res["a"]))
                if res["b_missing"]:
                    self.missing.append((labels[1], res["b"]))
            self.counts.relationships += len(batch)


@dataclass(slots=True)
class _BatchResult:
    created: int
    changed: int
    linked: int = 0
    missing: list[tuple[str, str]] = field(default_factory=list)


def _link(
    tx: neo4j.ManagedTransaction,
    spec: NodeSpec,
    rel: OwnedRel,
    wanted: list[tuple[str, list[str]]],
    done: _BatchResult,
    *,
    merge: bool,
) -> None:
    links = [{"s": s, "t": t} for s, targets in wanted for t in targets]
    if not links:
        return
    (res,) = tx.run(_link_query(spec, rel, merge=merge), links=links).data()
    done.linked += res["linked"]
    if res["linked"] < len(links):
        # Only now look for what is missing: the common case costs one statement.
        ids = sorted({link["t"] for link in links})
        (found,) = tx.run(_missing_query(rel), ids=ids).data()
        done.missing.extend((rel.target, m) for m in found["missing"])


def _row(spec: NodeSpec, record: Record) -> _Row:
    props = props_of(record)
    targets = [list(dict.fromkeys(rel.targets(record))) for rel in spec.rels]
    return _Row(record.id, props, targets, fingerprint(props, targets))


def _parents_first(spec: NodeSpec, records: list[Record]) -> list[Record]:
    """Order records that link to their own kind (areas, categories) parents first, so a
    parent is always written in the same or an earlier batch than its children."""
    self_rels = [rel for rel in spec.rels if rel.target == spec.label]
    if not self_rels:
        return records
    by_id = {r.id: r for r in records}
    depth: dict[str, int] = {}

    def depth_of(ident: str, seen: frozenset[str] = frozenset()) -> int:
        if ident in depth:
            return depth[ident]
        parents = [
            p
            for rel in self_rels
            for p in rel.targets(by_id[ident])
            if p in by_id and p not in seen
        ]
        d = 1 + max((depth_of(p, seen | {ident}) for p in parents), default=-1)
        depth[ident] = d
        return d

    return sorted(records, key=lambda r: depth_of(r.id))


def write_bundle(
    graph: Graph,
    bundle: Bundle,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    atomic: bool = False,
    now: datetime | None = None,
    stamp: Mapping[str, Any] | None = None,
) -> WriteCounts:
    """Write a bundle in dependency order; raise IntegrityError if a reference dangles.

    ``stamp`` holds extra properties (e.g. ``imported_at``) set only on nodes the write
    creates or changes, so re-writing the same records stays a no-op.

    ``atomic=True`` writes everything in one transaction, so a dangling reference leaves the
    database unchanged. Otherwise each batch commits by itself (bounded memory for large
    imports); callers validate references first, as loaders do.
    """
    now = now or datetime.now(UTC)
    if atomic:

        def all_in_one(tx: neo4j.ManagedTransaction) -> WriteCounts:
            writer = _Writer(lambda work: work(tx), batch_size, now, stamp)
            _write_all(writer, bundle)
            if writer.missing:
                # Raising inside the transaction function rolls everything back.
                raise _dangling(writer.missing)
            return writer.counts

        result: WriteCounts = graph.write(all_in_one)
        return result
    writer = _Writer(graph.write, batch_size, now, stamp)
    _write_all(writer, bundle)
    if writer.missing:
        raise _dangling(writer.missing)
    return writer.counts


def write_bundle_in(
    tx: neo4j.ManagedTransaction,
    records: Sequence[Record],
    now: datetime,
    stamp: Mapping[str, Any] | None = None,
) -> list[tuple[str, str]]:
    """Write records of one kind inside the caller's transaction; return dangling references.

    For the API's single-record writes, which check versions in the same transaction first;
    ``stamp`` as in ``write_bundle`` (e.g. ``updated_by``).
    """
    writer = _Writer(lambda work: work(tx), DEFAULT_BATCH_SIZE, now, stamp)
    writer.nodes(records)
    return writer.missing


def _dangling(missing: list[tuple[str, str]]) -> IntegrityError:
    shown = ", ".join(f"{label} {ident!r}" for label, ident in missing[:10])
    more = f" (und {len(missing) - 10} weitere)" if len(missing) > 10 else ""
    return IntegrityError(f"Verweise auf fehlende Knoten: {shown}{more}", missing)


def _write_all(writer: _Writer, bundle: Bundle) -> None:
    writer.nodes(bundle.areas)
    writer.pairs(
        _ADJACENCY_QUERY,
        [{"a": a.area_id, "b": a.other_area_id, "source": a.source} for a in bundle.adjacencies],
        ("Area", "Area"),
    )
    writer.nodes(bundle.categories)
    writer.nodes(bundle.organizations)
    writer.nodes(bundle.locations)
    writer.nodes(bundle.services)
    writer.nodes(bundle.agreements)
    writer.nodes(bundle.networks)
    writer.pairs(
        _MEMBERSHIP_QUERY,
        [
            {
                "organization_id": m.organization_id,
                "network_id": m.network_id,
                "role": m.role,
                "since": m.since,
                "source": m.source,
            }
            for m in bundle.memberships
        ],
        ("Organization", "Network"),
    )
    writer.nodes(bundle.households)
    writer.nodes(bundle.needs)
    writer.nodes(bundle.consents)
    # Events carry their own id derived from the referral id and position.
    events = [_EventRecord.of(r, i, e) for r in bundle.referrals for i, e in enumerate(r.history)]
    writer.nodes(events)
    writer.nodes(bundle.referrals)


@dataclass(frozen=True, slots=True)
class _EventRecord:
    id: str
    status: str
    at: datetime
    by: str
    note: str
    source: str  # the referral's: every imported node keeps its source

    @staticmethod
    def of(referral: Referral, index: int, event: ReferralEvent) -> _EventRecord:
        return _EventRecord(
            f"{referral.id}#{index}", event.status, event.at, event.by, event.note, referral.source
        )


NODE_SPECS[_EventRecord] = NodeSpec("ReferralEvent")

_COUNT_QUERIES: dict[str, str] = {
    spec.label: f"MATCH (n:{spec.label}) RETURN count(n) AS n" for spec in NODE_SPECS.values()
}
