"""Angebote (services): filtered, sorted, keyset-paged lists, overall or per anchor."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, LiteralString

from graph.connection import Graph
from graph.records import Service
from graph.repo import paging
from graph.repo.matching import (
    CATEGORY_WANTED,
    category_params,
    language_params,
    legal_basis_params,
    vocabulary_params,
)
from graph.repo.nodes import by_ids
from graph.repo.paging import Anchor, Near, Page, PageArgs
from graph.repo.values import Stored

ServiceSort = Literal["name", "updated", "distance"]
ServiceAnchor = Literal["area", "organization", "category", "location"]

ANCHORS: dict[str, Anchor] = {
    # An area's services: those serving it or one of its sub-areas.
    "area": Anchor("(x:Area {id: xid})<-[:PART_OF*0..]-(:Area)<-[:SERVES]-(n:Service)"),
    "organization": Anchor("(x:Organization {id: xid})-[:PROVIDES]->(n:Service)"),
    # A category's services include those of its narrower categories.
    "category": Anchor(
        "(x:Category {id: xid})<-[:BROADER*0..]-(:Category)<-[:IN_CATEGORY]-(n:Service)"
    ),
    "location": Anchor("(x:Location {id: xid})<-[:AT_LOCATION]-(n:Service)"),
}

SORT_KEYS: dict[str, LiteralString] = {
    "name": "toLower(n.name)",
    "updated": "-n.updated_at.epochMillis",
    "distance": (
        "coalesce("
        "head(COLLECT { MATCH (n)-[:AT_LOCATION]->(l:Location) WHERE l.point IS NOT NULL "
        "RETURN point.distance(l.point, $near) AS d ORDER BY d LIMIT 1 }), "
        "head(COLLECT { MATCH (n)<-[:PROVIDES]-(:Organization)-[:HAS_LOCATION]->(l:Location) "
        "WHERE l.point IS NOT NULL "
        "RETURN point.distance(l.point, $near) AS d ORDER BY d LIMIT 1 }), "
        "1.0e12)"
    ),
}


@dataclass(frozen=True, slots=True)
class ServiceFilter:
    """Conditions on services; every given condition must hold (lists: any of them)."""

    area_id: str | None = None
    include_broader_areas: bool = False
    category_ids: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    legal_bases: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    valid_on: date | None = None
    text: str | None = None
    organization_id: str | None = None


def _query(f: ServiceFilter, near: Near | None) -> paging.Query:
    q = paging.Query("Service")
    if f.area_id is not None:
        within: LiteralString = (
            "EXISTS { MATCH (n)-[:SERVES]->(:Area)-[:PART_OF*0..]->(:Area {id: $area}) }"
        )
        if f.include_broader_areas:
            within += (
                " OR EXISTS { MATCH (:Area {id: $area})-[:PART_OF*1..]->(:Area)<-[:SERVES]-(n) }"
            )
        q.conditions.append(within)
        q.params["area"] = f.area_id
    if f.category_ids:
        q.conditions.append(
            "EXISTS { MATCH (n)-[:IN_CATEGORY]->(:Category)-[:BROADER*0..]->(c:Category) "
            "WHERE " + CATEGORY_WANTED + " }"
        )
        q.params.update(category_params(f.category_ids))
    if f.target_groups:
        q.conditions.append("any(t IN n.target_groups WHERE toLower(t) IN $target_groups)")
        q.params["target_groups"] = vocabulary_params(f.target_groups)
    if f.languages:
        # Stored codes are canonical (graph/records.py, migrated by graph/migrations.py).
        q.conditions.append("any(x IN n.languages WHERE x IN $languages)")
        q.params["languages"] = language_params(f.languages)
    if f.legal_bases:
        q.conditions.append("n.legal_basis IN $legal_bases")
        q.params["legal_bases"] = legal_basis_params(f.legal_bases)
    if f.statuses:
        q.conditions.append("n.status IN $statuses")
        q.params["statuses"] = list(f.statuses)
    if f.valid_on is not None:
        q.conditions.append(
            "(n.valid_from IS NULL OR n.valid_from <= $valid_on) "
            "AND (n.valid_to IS NULL OR n.valid_to >= $valid_on)"
        )
        q.params["valid_on"] = f.valid_on
    if f.organization_id is not None:
        q.conditions.append("EXISTS { MATCH (:Organization {id: $organization})-[:PROVIDES]->(n) }")
        q.params["organization"] = f.organization_id
    q.search(f.text)
    q.near(near)
    return q


LISTING = paging.Listing(SORT_KEYS, ANCHORS)


def query(f: ServiceFilter) -> paging.Query:
    """The conditions and parameters of ``f`` (graph/repo/projection.py reads a page of
    them inside a larger statement)."""
    return _query(f, None)


def page(
    graph: Graph,
    a: PageArgs[ServiceFilter, ServiceSort],
    anchor: ServiceAnchor | None = None,
    anchor_ids: Sequence[str] = (),
) -> dict[str | None, Page]:
    return LISTING.pages(graph, _query(a.filter, a.near), a, anchor, anchor_ids)


def count(
    graph: Graph,
    f: ServiceFilter,
    anchor: ServiceAnchor | None = None,
    anchor_ids: Sequence[str] = (),
) -> dict[str | None, int]:
    return LISTING.counts(graph, _query(f, None), anchor, anchor_ids)


def services(graph: Graph, ids: Sequence[str]) -> dict[str, Stored[Service]]:
    found: dict[str, Stored[Any]] = by_ids(graph, "Service", ids)
    return found
