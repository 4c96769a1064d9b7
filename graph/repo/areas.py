"""Sozialräume (areas): the nesting city > district > sub-district, adjacency, paged lists."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, LiteralString

from graph import normalize
from graph.connection import Graph
from graph.repo import paging
from graph.repo.includes import hop
from graph.repo.matching import FOLDED_NAME
from graph.repo.paging import Near, Page, PageArgs

AreaSort = Literal["name", "updated", "distance"]

SORT_KEYS: dict[str, LiteralString] = {
    "name": "toLower(n.name)",
    "updated": "-n.updated_at.epochMillis",
    "distance": "coalesce(point.distance(n.centroid, $near), 1.0e12)",
}

CHILDREN = hop("Area", "children")
NEIGHBOURS = hop("Area", "neighbours")
LOCATIONS = hop("Area", "locations")
NETWORKS = hop("Area", "networks")


@dataclass(frozen=True, slots=True)
class AreaFilter:
    levels: tuple[str, ...] = ()
    within_id: str | None = None  # the area itself and everything below it
    name_contains: str | None = None


def _query(f: AreaFilter, near: Near | None) -> paging.Query:
    q = paging.Query("Area")
    if f.levels:
        q.conditions.append("n.level IN $levels")
        q.params["levels"] = list(f.levels)
    if f.within_id is not None:
        q.conditions.append("EXISTS { MATCH (n)-[:PART_OF*0..]->(:Area {id: $within}) }")
        q.params["within"] = f.within_id
    if f.name_contains:
        # "Muenster" finds "Münster", "bad cannstatt" finds "Bad Cannstatt".
        q.conditions.append(FOLDED_NAME + " CONTAINS $name")
        q.params["name"] = normalize.fold(f.name_contains)
    q.near(near)
    return q


LISTING = paging.Listing(SORT_KEYS)


def query(f: AreaFilter) -> paging.Query:
    """The conditions and parameters of ``f`` (graph/repo/projection.py reads a page of
    them inside a larger statement)."""
    return _query(f, None)


def page(graph: Graph, a: PageArgs[AreaFilter, AreaSort]) -> Page:
    return LISTING.pages(graph, _query(a.filter, a.near), a)[None]


def count(graph: Graph, f: AreaFilter) -> int:
    return paging.counts(graph, _query(f, None))[None]


def district_adjacency(graph: Graph) -> list[tuple[str, str]]:
    """Every adjacency between areas, once per pair (for reachability in steps)."""
    rows = graph.query(
        "MATCH (a:Area)-[:ADJACENT_TO]-(b:Area) WHERE a.id < b.id RETURN a.id AS a, b.id AS b "
        "ORDER BY a, b"
    )
    return [(row["a"], row["b"]) for row in rows]


def ids_within(graph: Graph, area_ids: Sequence[str]) -> list[str]:
    rows = graph.query(
        "UNWIND $ids AS xid MATCH (:Area {id: xid})<-[:PART_OF*0..]-(n:Area) "
        "RETURN DISTINCT n.id AS id ORDER BY id",
        {"ids": list(area_ids)},
    )
    return [row["id"] for row in rows]


def geometries(graph: Graph, area_ids: Sequence[str]) -> dict[str, str | None]:
    """Area id -> its stored GeoJSON geometry text (None without one), for the given ids.

    Outlines are large, so node reads leave them out (graph/repo/nodes.py); maps ask here,
    once for all the areas they draw."""
    rows = graph.query(
        "UNWIND $ids AS xid MATCH (a:Area {id: xid}) RETURN a.id AS id, a.geometry AS geometry",
        {"ids": sorted(set(area_ids))},
    )
    return {row["id"]: row["geometry"] for row in rows}
