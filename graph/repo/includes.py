"""Related records read in the same statement as their parent ("includes").

A page of services that will show each service's organization, or an organization shown
with its agreements, partners and locations, is one statement: the related records are
projected next to the parent's own properties (``_inc_<name>``) instead of being fetched by
id in further round trips. The API asks for includes from what a request selects; every
relation is a code constant here, so the statement never contains a caller's string.

Household-level targets carry the organization scope's visibility condition, so an include
shows exactly what the scoped loaders would.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any, LiteralString

from graph.connection import Graph
from graph.model import HOUSEHOLD_LEVEL
from graph.repo.nodes import OWNED, PROJECTIONS, Hop, lean_projection, to_stored
from graph.repo.values import Stored
from graph.repo.visibility import OrgScope, scope_params, visible

# Includes nest at most this deep (the parent is level 0), which bounds the statement.
MAX_DEPTH = 4


@dataclass(frozen=True, slots=True)
class Shape:
    """What to read of each node: which record fields (None: the whole record, else only
    these and the id, the rest keeps the record's defaults) and which related records."""

    fields: frozenset[str] | None = None
    includes: tuple[Include, ...] = ()


@dataclass(frozen=True, slots=True)
class Include:
    """Read the relation ``name`` of each node, in the given shape."""

    name: str
    shape: Shape = Shape()


FULL = Shape()


@dataclass(frozen=True, slots=True)
class Relation:
    """``pattern`` leads from the parent ``{p}`` to the related ``{c}`` (edge ``{m}``)."""

    pattern: LiteralString
    target: str
    many: bool = True
    # None keeps the traversal order (as the id lists in the projections do).
    order: LiteralString | None = "{c}.name, {c}.id"
    # Also read the relationship's properties (``edge`` of a ``Linked``).
    edge: bool = False


@dataclass(frozen=True, slots=True)
class Linked:
    """A related node together with the properties of the relationship that leads to it."""

    node: Stored[Any]
    edge: Mapping[str, Any]


def _owned(label: str, name: str) -> Relation:
    """The relationship a ``label`` record owns as its field ``name`` (graph/write.py), in
    traversal order like the id lists of the projections."""
    rel = OWNED[label][name]
    pattern = f"({{p}}){rel.arrow}({{c}}:{rel.target})"
    return Relation(pattern, rel.target, many=rel.many, order=None)


RELATIONS: dict[str, dict[str, Relation]] = {
    "Area": {
        "parent": _owned("Area", "parent_id"),
        "children": Relation("({p})<-[:PART_OF]-({c}:Area)", "Area"),
        "neighbours": Relation("({p})-[:ADJACENT_TO]-({c}:Area)", "Area"),
        "locations": Relation("({p})<-[:IN_AREA]-({c}:Location)", "Location"),
        "networks": Relation("({p})<-[:ACTIVE_IN]-({c}:Network)", "Network"),
    },
    "Category": {
        "broader": _owned("Category", "parent_id"),
        "narrower": Relation("({p})<-[:BROADER]-({c}:Category)", "Category"),
    },
    "Organization": {
        "locations": Relation("({p})-[:HAS_LOCATION]->({c}:Location)", "Location"),
        "agreements": Relation(
            "({p})-[:PARTY_TO]->({c}:Agreement)", "Agreement", order="{c}.title, {c}.id"
        ),
        "partners": Relation(
            "({p})-[:PARTY_TO]->(:Agreement)<-[:PARTY_TO]-({c}:Organization) WHERE {c} <> {p}",
            "Organization",
        ),
        "memberships": Relation("({p})-[{m}:MEMBER_OF]->({c}:Network)", "Network", edge=True),
    },
    "Location": {
        "organization": _owned("Location", "organization_id"),
        "area": _owned("Location", "area_id"),
    },
    "Service": {
        "organization": _owned("Service", "organization_id"),
        "categories": _owned("Service", "category_ids"),
        "areas": _owned("Service", "area_ids"),
        "locations": _owned("Service", "location_ids"),
    },
    "Agreement": {
        "parties": _owned("Agreement", "party_ids"),
        "categories": _owned("Agreement", "category_ids"),
    },
    "Network": {
        "areas": _owned("Network", "area_ids"),
    },
    "Referral": {
        "household": _owned("Referral", "household_id"),
        "need": _owned("Referral", "need_id"),
        "from_organization": _owned("Referral", "from_organization_id"),
        "to_service": _owned("Referral", "to_service_id"),
        "consent": _owned("Referral", "consent_id"),
    },
}


def hop(label: str, name: str) -> Hop:
    """The relation ``name`` of ``label`` as a dataloader hop (``nodes.related``): the
    records and order the resolvers get whether it was read ahead or not."""
    relation = RELATIONS[label][name]
    if relation.order is None or relation.edge:
        raise ValueError(f"{label}.{name} ist kein Schritt für nodes.related")
    pattern = f"(x:{label} {{id: xid}}), " + relation.pattern.format(p="x", c="n")
    return Hop(pattern, relation.target, relation.order.format(c="n"))


_NODE_VAR = re.compile(r"\bn\b")


def _var(depth: int) -> LiteralString:
    return "n" if depth == 0 else f"n{depth}"


@cache
def _renamed(text: LiteralString, var: LiteralString) -> LiteralString:
    # The projections and scope conditions are written for ``n``; nested levels need their
    # own variable. Only code constants pass through here.
    return _NODE_VAR.sub(var, text)


def projection(
    label: str, shape: Shape = FULL, scope: OrgScope | None = None, depth: int = 0
) -> LiteralString:
    """The map projection of ``label`` (node variable ``n``) in ``shape``."""
    var = _var(depth)
    own = PROJECTIONS[label] if shape.fields is None else lean_projection(label, shape.fields)
    base = _renamed(own, var)
    if not shape.includes:
        return base
    if depth + 1 >= MAX_DEPTH:
        raise ValueError(f"Includes sind höchstens {MAX_DEPTH - 1} Ebenen tief.")
    parts: list[LiteralString] = []
    for include in shape.includes:
        relation = RELATIONS[label][include.name]
        child = _var(depth + 1)
        edge: LiteralString = f"m{depth + 1}"
        pattern = relation.pattern.format(p=var, c=child, m=edge)
        where: LiteralString = ""
        if scope is not None and relation.target in HOUSEHOLD_LEVEL:
            condition = _renamed(visible(scope, relation.target), child)
            where = (" AND " if " WHERE " in pattern else " WHERE ") + condition
        inner = projection(relation.target, include.shape, scope, depth + 1)
        if relation.edge:
            inner = inner[:-1] + f", _edge: {edge} {{.*}}}}"
        if relation.many:
            keep: LiteralString = f"{child}, {edge}" if relation.edge else child
            order: LiteralString = (
                f" WITH DISTINCT {keep} ORDER BY {relation.order.format(c=child)}"
                if relation.order
                else ""
            )
            value = f"COLLECT {{ MATCH {pattern}{where}{order} RETURN {inner} }}"
        else:
            value = f"head(COLLECT {{ MATCH {pattern}{where} RETURN {inner} }})"
        parts.append(f"_inc_{include.name}: {value}")
    return base[:-1] + ", " + ", ".join(parts) + "}"


# Records already read from one statement's rows, by (label, id, shape identity).
Memo = dict[tuple[str, str, int], Stored[Any]]


def read(label: str, props: Mapping[str, Any], shape: Shape, memo: Memo) -> Stored[Any]:
    """The stored record of a projected row, with its included related records.

    ``memo`` holds the records already read from the rows of one statement: the same node
    projected in the same shape there is the same record, so it is built once and shared (a
    page of services repeats each organization and its agreements for every service it
    provides). Records are immutable, and sharing them also lets the API complete such a
    subtree once.
    """
    key = (label, str(props.get("id")), id(shape))
    found = memo.get(key)
    if found is not None:
        return found
    stored = to_stored(label, props, lean=shape.fields is not None)
    if shape.includes:
        included: dict[str, Any] = {}
        for include in shape.includes:
            relation = RELATIONS[label][include.name]
            value = props.get(f"_inc_{include.name}")
            if relation.many:
                included[include.name] = [
                    _item(relation, row, include, memo) for row in value or ()
                ]
            else:
                included[include.name] = (
                    None if value is None else _item(relation, value, include, memo)
                )
        stored = dataclasses.replace(stored, included=included)
    memo[key] = stored
    return stored


def _item(relation: Relation, row: Mapping[str, Any], include: Include, memo: Memo) -> Any:
    node = read(relation.target, row, include.shape, memo)
    if relation.edge:
        return Linked(node=node, edge=row.get("_edge") or {})
    return node


def by_ids(
    graph: Graph,
    label: str,
    ids: Iterable[str],
    shape: Shape = FULL,
    scope: OrgScope | None = None,
) -> dict[str, Stored[Any]]:
    """Nodes of one label by id with their includes; household-level ones limited to
    ``scope`` (those outside it are absent, as if missing)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    where: LiteralString = ""
    if scope is not None and label in HOUSEHOLD_LEVEL:
        where = "WHERE " + visible(scope, label)
    cypher = (
        f"UNWIND $ids AS id MATCH (n:{label} {{id: id}}) {where} "
        f"RETURN {projection(label, shape, scope)} AS n"
    )
    rows = graph.rows(cypher, {"ids": wanted, **scope_params(scope)})
    memo: Memo = {}
    return {row["n"]["id"]: read(label, row["n"], shape, memo) for row in rows}
