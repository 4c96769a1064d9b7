"""Read the graph back as domain records (for exports), page by page in id order.

The inverse of graph/write.py: each record's fields come from its node's properties and the
relationships it owns. Relationship targets are sorted (the graph keeps no order among them).
"""

from __future__ import annotations

import typing
from collections.abc import Iterable, Iterator
from dataclasses import fields
from typing import Any

from graph.bundle import RECORD_TYPES, Bundle
from graph.connection import Graph
from graph.model import NODE_SPECS
from graph.records import (
    Adjacency,
    Area,
    Membership,
    Referral,
    ReferralEvent,
)

PAGE = 5_000


def _read_spec(record: type) -> tuple[str, dict[str, tuple[str, str, bool]]]:
    """Label and {field: (pattern from n, target label, many)}, from the writer's own spec."""
    spec = NODE_SPECS[record]
    return spec.label, {
        rel.field: (rel.arrow, rel.target, rel.many)
        for rel in spec.rels
        # A referral's history comes back as its events (see _query), not as ids.
        if rel.target != "ReferralEvent"
    }


_KIND_OF_RECORD: dict[str, type] = {
    kind: record for kind, record in RECORD_TYPES.items() if record in NODE_SPECS
}

_READ = {record: _read_spec(record) for record in _KIND_OF_RECORD.values()}


def _query(record: type) -> str:
    label, extra = _columns(record)
    # Only labels and patterns from the writer's spec are interpolated; values travel as parameters.
    return f"""
    MATCH (n:{label}) WHERE n.id > $after AND ($source IS NULL OR n.source = $source)
    WITH n ORDER BY n.id LIMIT $page
    RETURN properties(n) AS props{extra}
    """


def _by_id_query(record: type) -> str:
    label, extra = _columns(record)
    return f"""
    UNWIND $ids AS id
    MATCH (n:{label} {{id: id}})
    RETURN properties(n) AS props{extra}
    """


def _columns(record: type) -> tuple[str, str]:
    """The label and the returned relationship columns of one record type."""
    label, rels = _READ[record]
    parts = [
        f"[(n){pattern}(t:{target}) | t.id] AS `{name}`"
        for name, (pattern, target, _) in rels.items()
    ]
    if record is Referral:
        parts.append(
            "[(n)-[:HAS_EVENT]->(e:ReferralEvent) | e {.id, .status, .at, .by, .note}] AS events"
        )
    return label, "".join(", " + p for p in parts)


def read_records(graph: Graph, record: type, *, source: str | None = None) -> Iterator[Any]:
    """Every node of one record type as records, in id order, ``PAGE`` at a time."""
    query = _query(record)
    after = ""
    while True:
        rows = graph.query(query, {"after": after, "source": source, "page": PAGE})
        for row in rows:
            yield _record(record, row)
        if len(rows) < PAGE:
            return
        after = rows[-1]["props"]["id"]


def records_by_id(graph: Graph, record: type, ids: Iterable[str]) -> dict[str, Any]:
    """The stored records of one type among ``ids``, by id (ids not in the graph are left out)."""
    query = _by_id_query(record)
    wanted = sorted(set(ids))
    found: dict[str, Any] = {}
    for start in range(0, len(wanted), PAGE):
        for row in graph.query(query, {"ids": wanted[start : start + PAGE]}):
            found[row["props"]["id"]] = _record(record, row)
    return found


def _native(value: Any) -> Any:
    if hasattr(value, "to_native"):
        return value.to_native()
    return value


def _record(record: type, row: dict[str, Any]) -> Any:
    props = {k: _native(v) for k, v in row["props"].items()}
    _, rels = _READ[record]
    hints = typing.get_type_hints(record)
    values: dict[str, Any] = {}
    for f in fields(record):
        if f.name in rels:
            targets = sorted(row[f.name])
            values[f.name] = (
                tuple(targets) if rels[f.name][2] else (targets[0] if targets else None)
            )
        elif f.name in props:
            value = props[f.name]
            if isinstance(value, list) and typing.get_origin(hints[f.name]) is tuple:
                value = tuple(value)
            values[f.name] = value
    if record is Area:
        values["indicators"] = {
            key: props[f"indicator_{key}"] for key in props.get("indicator_keys", [])
        }
    if record is Referral:
        events = sorted(row["events"], key=lambda e: int(e["id"].rsplit("#", 1)[1]))
        values["history"] = tuple(
            ReferralEvent(status=e["status"], at=_native(e["at"]), by=e["by"], note=e["note"])
            for e in events
        )
    return record(**values)


_MEMBERSHIPS = """
MATCH (o:Organization)-[m:MEMBER_OF]->(w:Network)
WHERE $source IS NULL OR m.source = $source
RETURN o.id AS organization_id, w.id AS network_id, m.role AS role, m.since AS since,
       m.source AS source ORDER BY network_id, organization_id
"""

_ADJACENCIES = """
MATCH (a:Area)-[r:ADJACENT_TO]->(b:Area)
WHERE $source IS NULL OR r.source = $source
RETURN a.id AS area_id, b.id AS other_area_id, r.source AS source ORDER BY area_id, other_area_id
"""


def read_memberships(graph: Graph, *, source: str | None = None) -> list[Membership]:
    return [
        Membership(**{k: _native(v) for k, v in row.items() if v is not None})
        for row in graph.query(_MEMBERSHIPS, {"source": source})
    ]


def read_adjacencies(graph: Graph, *, source: str | None = None) -> list[Adjacency]:
    return [
        Adjacency(**{k: v for k, v in row.items() if v is not None})
        for row in graph.query(_ADJACENCIES, {"source": source})
    ]


def read_bundle(graph: Graph, *, source: str | None = None) -> Bundle:
    """The whole graph (or one source's part) as a Bundle."""
    bundle = Bundle()
    for kind, record in _KIND_OF_RECORD.items():
        getattr(bundle, kind).extend(read_records(graph, record, source=source))
    bundle.memberships.extend(read_memberships(graph, source=source))
    bundle.adjacencies.extend(read_adjacencies(graph, source=source))
    return bundle
