"""How each label is read: one map projection per label (node properties plus the ids of
the relationships its record owns) and the mapping onto the record dataclass.

Labels and projections are code constants; ids and values always travel as parameters.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, LiteralString

from graph import records as rec
from graph.bundle import RECORD_TYPES
from graph.connection import Graph
from graph.model import KIND_LABELS, NODE_SPECS, OwnedRel
from graph.repo.values import Stored, stored

Row = Mapping[str, Any]

# Bookkeeping timestamps travel as epoch milliseconds: decoding zoned DateTime values in the
# driver cost more than everything else in a typical page (three times the time in total).
_META: LiteralString = (
    " _hash: null, _hash_version: null, created_at: null, updated_at: null, archived_at: null,"
    " created_ms: n.created_at.epochMillis, updated_ms: n.updated_at.epochMillis,"
    " archived_ms: n.archived_at.epochMillis"
)
# Referral.created_at is part of the record itself, so it keeps its DateTime.
_REFERRAL_META: LiteralString = (
    " _hash: null, _hash_version: null, updated_at: null, archived_at: null,"
    " updated_ms: n.updated_at.epochMillis"
)

# Properties that are not part of a record (and must not be sent), per label.
_HIDDEN: dict[str, list[LiteralString]] = {"Area": ["geometry: null"], "Location": ["point: null"]}

# The labels read as records (the node kinds of a Bundle).
_RECORDS: dict[str, type] = {label: RECORD_TYPES[kind] for kind, label in KIND_LABELS.items()}

# The relationships each label's record owns, by record field (the writer's own table).
OWNED: dict[str, dict[str, OwnedRel]] = {
    label: {rel.field: rel for rel in NODE_SPECS[record].rels} for label, record in _RECORDS.items()
}


def _computed(rel: OwnedRel) -> LiteralString:
    if rel.target == "ReferralEvent":
        # A referral's history is read as its event nodes, not as ids.
        return "events: [(n)-[:HAS_EVENT]->(e:ReferralEvent) | e {.*}]"
    ids = f"[(n){rel.arrow}(t:{rel.target}) | t.id]"
    return f"{rel.field}: {ids}" if rel.many else f"{rel.field}: head({ids})"


# Record fields read through relationships, by record field name: "key: expression".
COMPUTED: dict[str, dict[str, LiteralString]] = {
    label: {name: _computed(rel) for name, rel in rels.items()} for label, rels in OWNED.items()
}

PROJECTIONS: dict[str, LiteralString] = {
    label: "n {.*,"
    + (_REFERRAL_META if label == "Referral" else _META)
    + "".join(", " + part for part in [*_HIDDEN.get(label, []), *COMPUTED[label].values()])
    + "}"
    for label in COMPUTED
}

# Bookkeeping a lean projection reads only when asked for (see ``lean_projection``).
_LEAN_META: dict[str, LiteralString] = {
    "version": ".version",
    "created_at": "created_ms: n.created_at.epochMillis",
    "updated_at": "updated_ms: n.updated_at.epochMillis",
    "archived_at": "archived_ms: n.archived_at.epochMillis",
    "updated_by": ".updated_by",
}


def lean_projection(label: str, fields: frozenset[str]) -> LiteralString:
    """The projection of only ``fields`` (record fields, ``version`` and the bookkeeping
    timestamps) plus the id; records built from it keep their defaults elsewhere."""
    parts: list[LiteralString] = [".id"]
    computed = COMPUTED[label]
    # Required properties are cheap and keep every record valid; required relationship
    # ids not asked for get placeholders instead (``to_stored``).
    for name in sorted(fields | (_REQUIRED[label].keys() & _PROPERTIES[label])):
        if name == "id":
            continue
        if name in computed:
            parts.append(computed[name])
        elif name in _LEAN_META and not (label == "Referral" and name == "created_at"):
            parts.append(_LEAN_META[name])
        elif name in _PROPERTIES[label]:
            parts.append(f".{name}")
    return "n {" + ", ".join(parts) + "}"


def _event_index(event: Row) -> int:
    suffix = str(event.get("id", "")).rpartition("#")[2]
    return int(suffix) if suffix.isdigit() else 0


def _area(props: Row) -> Stored[rec.Area]:
    keys = props.get("indicator_keys") or []
    indicators = {k: float(props[f"indicator_{k}"]) for k in keys if f"indicator_{k}" in props}
    return stored(rec.Area, props, indicators=indicators)


def _referral(props: Row) -> Stored[rec.Referral]:
    events = sorted(props.get("events") or [], key=_event_index)
    history = tuple(stored(rec.ReferralEvent, e).record for e in events)
    return stored(rec.Referral, props, history=history)


# Record fields stored as node properties of the same name.
_PROPERTIES: dict[str, frozenset[str]] = {
    label: frozenset(f.name for f in dataclasses.fields(cls)) - set(COMPUTED[label])
    for label, cls in _RECORDS.items()
}

# Labels whose records need more than their properties (flattened indicators, events).
_MAPPED: dict[str, Callable[[Row], Stored[Any]]] = {"Area": _area, "Referral": _referral}
MAPPERS: dict[str, Callable[[Row], Stored[Any]]] = {
    label: _MAPPED.get(label) or partial(stored, record) for label, record in _RECORDS.items()
}


# Required record fields and the placeholder a lean read gives those it did not read.
_REQUIRED: dict[str, dict[str, Any]] = {
    label: {
        f.name: () if "tuple" in str(f.type) else ""
        for f in dataclasses.fields(cls)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    }
    for label, cls in _RECORDS.items()
}


def to_stored(label: str, props: Row, *, lean: bool = False) -> Stored[Any]:
    """The stored record of a projected node. ``lean``: the projection read only some
    fields (``lean_projection``); required ones it left out get placeholders. Such records
    go only to resolvers that declared what they read (schema/selection.py)."""
    if lean:
        missing = {k: v for k, v in _REQUIRED[label].items() if k not in props}
        if missing:
            props = {**missing, **props}
    return MAPPERS[label](props)


def by_ids(graph: Graph, label: str, ids: Iterable[str]) -> dict[str, Stored[Any]]:
    """The nodes of one label with the given ids (missing ones are simply absent)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    cypher = f"UNWIND $ids AS id MATCH (n:{label} {{id: id}}) RETURN {PROJECTIONS[label]} AS n"
    rows = graph.query(cypher, {"ids": wanted})
    return {row["n"]["id"]: to_stored(label, row["n"]) for row in rows}


@dataclass(frozen=True, slots=True)
class Hop:
    """One step through the graph, from nodes ``x`` (with ``id = xid``) to nodes ``n``."""

    pattern: LiteralString
    target: str
    order: LiteralString = "n.name, n.id"


def related(graph: Graph, hop: Hop, ids: Iterable[str]) -> dict[str, list[Stored[Any]]]:
    """For each id, the nodes one hop away, ordered; one query for the whole batch."""
    wanted = sorted(set(ids))
    found: dict[str, list[Stored[Any]]] = {i: [] for i in wanted}
    if not wanted:
        return found
    cypher = (
        f"UNWIND $ids AS xid MATCH {hop.pattern} "
        f"WITH DISTINCT xid, n ORDER BY {hop.order} "
        f"RETURN xid, collect({PROJECTIONS[hop.target]}) AS items"
    )
    for row in graph.query(cypher, {"ids": wanted}):
        found[row["xid"]] = [to_stored(hop.target, item) for item in row["items"]]
    return found


# How the directory lists every node of a small label (``all_of``), where not by name.
_LIST_ORDER: dict[str, LiteralString] = {"Agreement": "n.title, n.id"}


def list_order(label: str) -> LiteralString:
    """The order of ``all_of``'s list of ``label`` (also graph/repo/projection.py's)."""
    return _LIST_ORDER.get(label, "n.name, n.id")


def stored_fields(label: str) -> frozenset[str]:
    """The record fields of ``label`` stored as node properties of the same name."""
    return _PROPERTIES[label]


def all_of(graph: Graph, label: str) -> list[Stored[Any]]:
    """Every node of a small label (categories, agreements, networks), in ``list_order``."""
    cypher = (
        f"MATCH (n:{label}) WITH n ORDER BY {list_order(label)} RETURN {PROJECTIONS[label]} AS n"
    )
    return [to_stored(label, row["n"]) for row in graph.query(cypher)]
