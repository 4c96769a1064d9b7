"""Träger (organizations): filtered, sorted, keyset-paged lists; partners and memberships."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, LiteralString

from graph.connection import Graph
from graph.records import Membership
from graph.repo import paging
from graph.repo.includes import hop
from graph.repo.matching import CATEGORY_WANTED, category_params
from graph.repo.paging import Anchor, Near, Page, PageArgs
from graph.repo.values import as_date

OrganizationSort = Literal["name", "updated", "distance"]

ANCHORS: dict[str, Anchor] = {
    "network": Anchor("(x:Network {id: xid})<-[:MEMBER_OF]-(n:Organization)"),
}

SORT_KEYS: dict[str, LiteralString] = {
    "name": "toLower(n.name)",
    "updated": "-n.updated_at.epochMillis",
    "distance": (
        "coalesce(head(COLLECT { MATCH (n)-[:HAS_LOCATION]->(l:Location) "
        "WHERE l.point IS NOT NULL "
        "RETURN point.distance(l.point, $near) AS d ORDER BY d LIMIT 1 }), 1.0e12)"
    ),
}

# Partners: the other parties of the organization's agreements.
PARTNERS = hop("Organization", "partners")
AGREEMENTS = hop("Organization", "agreements")
LOCATIONS = hop("Organization", "locations")


@dataclass(frozen=True, slots=True)
class OrganizationFilter:
    text: str | None = None
    include_archived: bool = False
    sectors: tuple[str, ...] = ()
    category_ids: tuple[str, ...] = ()
    area_id: str | None = None
    network_id: str | None = None


def _query(f: OrganizationFilter, near: Near | None) -> paging.Query:
    q = paging.Query("Organization")
    if not f.include_archived:
        q.conditions.append("n.archived_at IS NULL")
    if f.sectors:
        q.conditions.append("n.sector IN $sectors")
        q.params["sectors"] = list(f.sectors)
    if f.category_ids:
        q.conditions.append(
            "EXISTS { MATCH (n)-[:PROVIDES]->(:Service)-[:IN_CATEGORY]->(:Category)"
            "-[:BROADER*0..]->(c:Category) WHERE " + CATEGORY_WANTED + " }"
        )
        q.params.update(category_params(f.category_ids))
    if f.area_id is not None:
        q.conditions.append(
            "EXISTS { MATCH (n)-[:PROVIDES]->(:Service)-[:SERVES]->(:Area)"
            "-[:PART_OF*0..]->(:Area {id: $area}) } "
            "OR EXISTS { MATCH (n)-[:HAS_LOCATION]->(:Location)-[:IN_AREA]->(:Area)"
            "-[:PART_OF*0..]->(:Area {id: $area}) }"
        )
        q.params["area"] = f.area_id
    if f.network_id is not None:
        q.conditions.append("EXISTS { MATCH (n)-[:MEMBER_OF]->(:Network {id: $network}) }")
        q.params["network"] = f.network_id
    q.search(f.text)
    q.near(near)
    return q


LISTING = paging.Listing(SORT_KEYS, ANCHORS)


def query(f: OrganizationFilter) -> paging.Query:
    """The conditions and parameters of ``f`` (graph/repo/projection.py reads a page of
    them inside a larger statement)."""
    return _query(f, None)


def page(
    graph: Graph,
    a: PageArgs[OrganizationFilter, OrganizationSort],
    anchor: Literal["network"] | None = None,
    anchor_ids: Sequence[str] = (),
) -> dict[str | None, Page]:
    return LISTING.pages(graph, _query(a.filter, a.near), a, anchor, anchor_ids)


def count(
    graph: Graph,
    f: OrganizationFilter,
    anchor: Literal["network"] | None = None,
    anchor_ids: Sequence[str] = (),
) -> dict[str | None, int]:
    return LISTING.counts(graph, _query(f, None), anchor, anchor_ids)


@dataclass(frozen=True, slots=True)
class StoredMembership:
    """A membership (a MEMBER_OF relationship) with its own version for updates."""

    membership: Membership
    version: int


def membership_of(row: dict[str, Any]) -> StoredMembership:
    return StoredMembership(
        Membership(
            network_id=row["network_id"],
            organization_id=row["organization_id"],
            role=row["role"] or "mitglied",
            since=as_date(row["since"]),
            source=row["source"] or "manual",
        ),
        int(row["version"] or 1),
    )


def _memberships(
    graph: Graph, match: LiteralString, order: LiteralString, ids: Sequence[str]
) -> dict[str, list[StoredMembership]]:
    """The memberships ``match`` finds for each id (``xid``), in ``order``."""
    rows = graph.query(
        "UNWIND $ids AS xid MATCH " + match + " WITH xid, o, m, w ORDER BY " + order + " "
        "RETURN xid, collect({network_id: w.id, organization_id: o.id, role: m.role, "
        "since: m.since, source: m.source, version: m.version}) AS items",
        {"ids": sorted(set(ids))},
    )
    found: dict[str, list[StoredMembership]] = {i: [] for i in ids}
    for row in rows:
        found[row["xid"]] = [membership_of(m) for m in row["items"]]
    return found


def memberships_of_organizations(
    graph: Graph, ids: Sequence[str]
) -> dict[str, list[StoredMembership]]:
    """Each organization's memberships in networks, by network name."""
    match = "(o:Organization {id: xid})-[m:MEMBER_OF]->(w:Network)"
    return _memberships(graph, match, "w.name, w.id", ids)


def memberships_of_networks(graph: Graph, ids: Sequence[str]) -> dict[str, list[StoredMembership]]:
    """Each network's member organizations, by organization name."""
    match = "(o:Organization)-[m:MEMBER_OF]->(w:Network {id: xid})"
    return _memberships(graph, match, "o.name, o.id", ids)
