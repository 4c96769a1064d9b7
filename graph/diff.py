"""What writing a bundle would do, computed by comparing it with the graph (no writes).

Used for ``--dry-run`` and for the counts an import reports: a node is *created* when its id
is new, *changed* when a stored property or an owned relationship differs, else *unchanged*.
Memberships and adjacencies are counted under their relationship type.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.bundle import Bundle
from graph.connection import Graph
from graph.model import NODE_SPECS, NodeSpec, Record, props_of
from graph.write import _EventRecord, fingerprint

BATCH = 5_000


@dataclass(slots=True)
class Plan:
    """Per label (or relationship type): how many rows would be created, changed, unchanged."""

    created: dict[str, int] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    # Per node label: each record's id and what writing it would do (for the import review).
    outcomes: dict[str, dict[str, str]] = field(default_factory=dict)

    def add(self, label: str, kind: str, n: int = 1, ident: str | None = None) -> None:
        counts: dict[str, int] = getattr(self, kind)
        counts[label] = counts.get(label, 0) + n
        if ident is not None:
            self.outcomes.setdefault(label, {})[ident] = kind

    def labels(self) -> list[str]:
        return sorted(set(self.created) | set(self.changed) | set(self.unchanged))


def node_groups(bundle: Bundle) -> Iterator[Sequence[Record]]:
    """The bundle's node records grouped by kind, referral events included, in write order."""
    yield bundle.areas
    yield bundle.categories
    yield bundle.organizations
    yield bundle.locations
    yield bundle.services
    yield bundle.agreements
    yield bundle.networks
    yield bundle.households
    yield bundle.needs
    yield bundle.consents
    yield [_EventRecord.of(r, i, e) for r in bundle.referrals for i, e in enumerate(r.history)]
    yield bundle.referrals


def plan_bundle(graph: Graph, bundle: Bundle) -> Plan:
    plan = Plan()
    for records in node_groups(bundle):
        if records:
            _plan_nodes(graph, records, plan)
    _plan_pairs(
        graph,
        _MEMBERSHIP_DIFF,
        "MEMBER_OF",
        [
            {
                "a": m.organization_id,
                "b": m.network_id,
                "props": {"role": m.role, "since": m.since, "source": m.source},
            }
            for m in bundle.memberships
        ],
        plan,
    )
    _plan_pairs(
        graph,
        _ADJACENCY_DIFF,
        "ADJACENT_TO",
        [
            {"a": a.area_id, "b": a.other_area_id, "props": {"source": a.source}}
            for a in bundle.adjacencies
        ],
        plan,
    )
    return plan


def _state_query(spec: NodeSpec) -> str:
    # Labels and relationship types come only from NODE_SPECS.
    parts = []
    for i, rel in enumerate(spec.rels):
        arrow = f"-[:{rel.type}]->" if rel.direction == "out" else f"<-[:{rel.type}]-"
        parts.append(f"[(n){arrow}(t:{rel.target}) | t.id] AS r{i}")
    rels = ", " + ", ".join(parts) if parts else ""
    return f"""
    UNWIND $ids AS id
    MATCH (n:{spec.label} {{id: id}})
    RETURN n.id AS id, properties(n) AS props{rels}
    """


def _hash_query(label: str) -> str:
    # A literal label (from NODE_SPECS) lets the planner use the id constraint's index.
    return f"""
    UNWIND $ids AS id
    MATCH (n:{label} {{id: id}})
    RETURN n.id AS id, coalesce(n._hash_version = n.version, false) AS valid, n._hash AS hash
    """


def _plan_nodes(graph: Graph, records: Sequence[Record], plan: Plan) -> None:
    """Fingerprints first (cheap); full comparison only where a fingerprint does not decide."""
    spec = NODE_SPECS[type(records[0])]
    query = _state_query(spec)
    hash_query = _hash_query(spec.label)
    for start in range(0, len(records), BATCH):
        batch = records[start : start + BATCH]
        rows = graph.query(hash_query, {"ids": [r.id for r in batch]})
        hashes = {row["id"]: row["hash"] for row in rows if row["valid"]}
        present = {row["id"] for row in rows}
        unsure = []
        for record in batch:
            if record.id not in present:
                plan.add(spec.label, "created", ident=record.id)
            elif hashes.get(record.id) == _fingerprint(record, spec):
                plan.add(spec.label, "unchanged", ident=record.id)
            else:
                unsure.append(record)
        if not unsure:
            continue
        stored = {row["id"]: row for row in graph.query(query, {"ids": [r.id for r in unsure]})}
        for record in unsure:
            kind = "changed" if _differs(record, spec, stored[record.id]) else "unchanged"
            plan.add(spec.label, kind, ident=record.id)


def _fingerprint(record: Record, spec: NodeSpec) -> str:
    # The same digest graph/write.py stores, so an unchanged record is recognised cheaply.
    targets = [list(dict.fromkeys(rel.targets(record))) for rel in spec.rels]
    return fingerprint(props_of(record), targets)


def _differs(record: Record, spec: NodeSpec, row: dict[str, Any]) -> bool:
    stored = row["props"]
    for key, value in props_of(record).items():
        if not _same(stored.get(key), value):
            return True
    return any(set(row[f"r{i}"]) != set(rel.targets(record)) for i, rel in enumerate(spec.rels))


def _same(stored: Any, value: Any) -> bool:
    if stored is None or value is None:
        return stored is None and value is None
    if hasattr(stored, "to_native"):
        stored = stored.to_native()
    if isinstance(stored, tuple) and isinstance(value, tuple):
        return tuple(stored) == tuple(value)
    return bool(stored == value)


_MEMBERSHIP_DIFF = """
UNWIND $rows AS row
OPTIONAL MATCH (:Organization {id: row.a})-[m:MEMBER_OF]->(:Network {id: row.b})
WITH row, collect(m)[0] AS m
RETURN m IS NOT NULL AS found,
       coalesce(m.role = row.props.role, false)
       AND coalesce(m.since = row.props.since, m.since IS NULL AND row.props.since IS NULL)
       AND coalesce(m.source = row.props.source, false) AS same
"""

_ADJACENCY_DIFF = """
UNWIND $rows AS row
OPTIONAL MATCH (:Area {id: row.a})-[r:ADJACENT_TO]-(:Area {id: row.b})
WITH row, collect(r)[0] AS r
RETURN r IS NOT NULL AS found, coalesce(r.source = row.props.source, false) AS same
"""


def _plan_pairs(
    graph: Graph, query: str, label: str, rows: Sequence[dict[str, Any]], plan: Plan
) -> None:
    for start in range(0, len(rows), BATCH):
        for res in graph.query(query, {"rows": list(rows[start : start + BATCH])}):
            if not res["found"]:
                plan.add(label, "created")
            elif res["same"]:
                plan.add(label, "unchanged")
            else:
                plan.add(label, "changed")


def chunks(items: Iterable[str], size: int = BATCH) -> Iterator[list[str]]:
    batch: list[str] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
