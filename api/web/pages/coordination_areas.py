"""Sozialräume (Netzwerkkoordination): the tree of areas (Stadt, Bezirke, Stadtteile) with
their neighbours and how many services serve each, and one area with its services."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.web.data import PageError, gql, require
from api.web.templating import render

_AREAS = """
query Sozialraeume($after: String) {
  areas(first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id name level population parent { id }
      neighbours { id name }
      services(first: 1) { totalCount }
    }
  }
}
"""

_ONE = """
query EinSozialraum($id: ID!, $after: String) {
  area(id: $id) {
    id name level population
    parent { id name }
    children { id name }
    neighbours { id name }
    services(first: 100, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { id name capacity freeCapacity organization { id name } categories { name } }
    }
  }
}
"""

MAX_PAGES = 50
LEVELS = {
    "CITY": "Stadt",
    "DISTRICT": "Bezirk",
    "SUBDISTRICT": "Stadtteil",
    "PLANNING": "Planungsraum",
}


@dataclass
class Branch:
    area: dict[str, Any]
    children: list[Branch] = field(default_factory=list)


def tree(areas: list[dict[str, Any]]) -> list[Branch]:
    """The areas as a tree (roots: areas without a known parent), names in order."""
    branches = {a["id"]: Branch(a) for a in areas}
    kids: dict[str | None, list[Branch]] = defaultdict(list)
    for area in areas:
        parent = (area.get("parent") or {}).get("id")
        kids[parent if parent in branches else None].append(branches[area["id"]])
    for branch in branches.values():
        branch.children = sorted(kids[branch.area["id"]], key=lambda b: b.area["name"])
    return sorted(kids[None], key=lambda b: b.area["name"])


def flatten(branches: list[Branch], depth: int = 0) -> list[tuple[int, dict[str, Any]]]:
    rows: list[tuple[int, dict[str, Any]]] = []
    for branch in branches:
        rows.append((depth, branch.area))
        rows += flatten(branch.children, depth + 1)
    return rows


async def areas(request: Request) -> Response:
    require(request, "coordinator", "admin")
    found: list[dict[str, Any]] = []
    after: str | None = None
    for _ in range(MAX_PAGES):
        page = (await gql(request, _AREAS, after=after))["areas"]
        found += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    return render(
        request,
        "coordination/areas.html",
        title="Sozialräume",
        rows=flatten(tree(found)),
        levels=LEVELS,
    )


async def area(request: Request) -> Response:
    require(request, "coordinator", "admin")
    data = (await gql(request, _ONE, id=request.path_params["id"]))["area"]
    if data is None:
        raise PageError(404)
    services = list(data["services"]["nodes"])
    page = data["services"]["pageInfo"]
    for _ in range(MAX_PAGES):
        if not page["hasNextPage"]:
            break
        more = await gql(request, _ONE, id=data["id"], after=page["endCursor"])
        services += more["area"]["services"]["nodes"]
        page = more["area"]["services"]["pageInfo"]
    return render(
        request,
        "coordination/area.html",
        title=data["name"],
        area=data,
        services=services,
        levels=LEVELS,
    )


ROUTES = [
    Route("/sozialraeume", areas),
    Route("/sozialraeume/{id}", area),
]
