"""Das Kooperationsnetz als Bild und Tabelle: Träger als Knoten, Vereinbarungen und gemeinsame
Verbünde als Kanten, Schwachstellen und fehlende Kooperationen markiert.

Everything comes through GraphQL as the signed-in coordinator (the same policies and audit as
``/graphql``); the analyses (weak spots, missing cooperation) are the API's, this module only
puts them on the nodes and edges that are drawn. The picture and the tables are built from
the one ``NetworkView``, so they always list the same nodes and edges.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import networkx as nx
from starlette.requests import Request

from api.web.data import gql
from graph import Bundle, clock
from graph import records as rec

_ORGS = """
query NetzTraeger($filter: OrganizationFilterInput, $after: String) {
  organizations(filter: $filter, first: 100, after: $after) {
    nodes { id name sector }
    pageInfo { hasNextPage endCursor }
  }
}
"""

_SERVICES = """
query NetzAngebote($after: String) {
  services(filter: {statuses: [ACTIVE]}, first: 100, after: $after) {
    nodes { organization { id } categories { id } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

_LINKS = """
query NetzKanten($area: String) {
  categories { id name }
  agreements {
    id title kind priorityAccess validFrom validTo archivedAt parties { id }
  }
  networks { id name kind archivedAt memberships { role organization { id } } }
  networkWeakSpots(area: $area) {
    findings { spot explanation organizations { id } }
    brokers { organization { id } betweenness }
  }
  missingCooperation(area: $area) {
    explanation sharedHouseholds organizations { id name } categories { name }
  }
}
"""

MAX_PAGES = 50  # 5,000 Träger or services: more than a city's directory holds

# Colours per Leistungsbereich, in the order of the category names; chosen to stay apart from
# the red of the weak spots and from each other (Tableau 10 without its reds).
PALETTE = (
    "#4E79A7",
    "#F28E2B",
    "#59A14F",
    "#B07AA1",
    "#EDC948",
    "#76B7B2",
    "#9C755F",
    "#A0CBE8",
    "#8CD17D",
    "#D4A6C8",
    "#86BCB6",
    "#FFBE7D",
)
NO_CATEGORY = "#BAB0AC"

SPOT_WORDS = {
    "isolated": "isoliert",
    "articulation_point": "Schnittpunkt",
    "broker": "Vermittler",
    "bridge": "Brücke",
    "component": "abgetrenntes Teilnetz",
}


@dataclass(frozen=True, slots=True)
class Filters:
    area: str = ""
    category: str = ""
    ego: str = ""
    year: int | None = None


@dataclass
class Node:
    id: str
    name: str
    sector: str
    category: str  # the main Leistungsbereich's name ("" when the Träger has no active service)
    categories: list[str]
    colour: str
    spots: list[str] = field(default_factory=list)
    betweenness: float = 0.0
    degree: int = 0
    x: float = 0.0
    y: float = 0.0


@dataclass
class Edge:
    id: str
    source: str
    target: str
    kind: str  # "agreement" or "network"
    details: list[str]
    # Agreements only: the years each agreement is valid in ((from, to), None = open).
    spans: list[tuple[int | None, int | None]] = field(default_factory=list)
    bridge: bool = False

    def valid_in(self, year: int | None) -> bool:
        if self.kind != "agreement" or year is None:
            return True
        return any(_covers(span, year) for span in self.spans)


def _covers(span: tuple[int | None, int | None], year: int) -> bool:
    start, end = span
    return (start is None or start <= year) and (end is None or year <= end)


@dataclass(frozen=True, slots=True)
class Suggestion:
    source: str
    target: str
    names: tuple[str, str]
    explanation: str
    households: int | None


@dataclass
class NetworkView:
    nodes: list[Node]
    edges: list[Edge]
    suggestions: list[Suggestion]
    legend: list[tuple[str, str]]  # (Leistungsbereich, colour)
    years: tuple[int, int]
    year: int
    ego_name: str = ""
    # The analysis' weak spots touching the Träger shown: (kind in words, explanation).
    findings: list[tuple[str, str]] = field(default_factory=list)
    # For the GEXF export: the records behind the picture.
    bundle: Bundle = field(default_factory=Bundle)

    def names(self) -> dict[str, str]:
        return {n.id: n.name for n in self.nodes}

    def shown_edges(self) -> list[Edge]:
        return [e for e in self.edges if e.valid_in(self.year)]

    def cytoscape(self) -> dict[str, Any]:
        """The picture's data for static/js/network.js (one element list, cytoscape's format)."""
        names = self.names()
        elements: list[dict[str, Any]] = [
            {
                "group": "nodes",
                "data": {
                    "id": n.id,
                    "label": n.name,
                    "colour": n.colour,
                    "category": n.category or "ohne aktives Angebot",
                    "size": round(30 + 80 * min(n.betweenness, 0.5), 1),
                },
                "position": {"x": n.x, "y": n.y},
                "classes": " ".join(n.spots),
            }
            for n in self.nodes
        ]
        elements += [
            {
                "group": "edges",
                "data": {
                    "id": e.id,
                    "source": e.source,
                    "target": e.target,
                    "label": f"{names[e.source]} – {names[e.target]}",
                    "spans": e.spans,
                },
                "classes": " ".join([e.kind, *(["bridge"] if e.bridge else [])]),
            }
            for e in self.edges
        ]
        elements += [
            {
                "group": "edges",
                "data": {"id": f"vorschlag-{i}", "source": s.source, "target": s.target},
                "classes": "suggestion",
            }
            for i, s in enumerate(self.suggestions)
        ]
        return {"elements": elements, "year": self.year, "years": list(self.years)}


async def _pages(request: Request, document: str, key: str, **variables: Any) -> list[Any]:
    found: list[Any] = []
    after: str | None = None
    for _ in range(MAX_PAGES):
        page = (await gql(request, document, after=after, **variables))[key]
        found += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    return found


def _year(value: str | None) -> int | None:
    return int(value[:4]) if value else None


def _main_categories(services: list[dict[str, Any]], names: dict[str, str]) -> dict[str, list[str]]:
    """Per Träger its Leistungsbereiche, the one with most active services first."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for service in services:
        org = (service.get("organization") or {}).get("id")
        for category in service["categories"]:
            if org and category["id"] in names:
                counts[org][names[category["id"]]] += 1
    return {
        org: [name for name, _ in sorted(c.items(), key=lambda x: (-x[1], x[0]))]
        for org, c in counts.items()
    }


def _layout(nodes: list[Node], edges: list[Edge]) -> None:
    """Fixed positions (same picture on every visit, no layout work in the browser).

    Each connected part is laid out on its own and the parts are set side by side, the
    largest first; Träger without connections (and pairs) stand in columns to the right. One
    spring layout of the whole graph would push them far out and squeeze the network into a
    corner.
    """
    g = nx.Graph()
    g.add_nodes_from(n.id for n in nodes)
    g.add_edges_from((e.source, e.target) for e in edges)
    parts = sorted(nx.connected_components(g), key=lambda c: (-len(c), min(c)))
    positions: dict[str, tuple[float, float]] = {}
    left = 0.0
    height = 0.0
    for part in (p for p in parts if len(p) > 2):
        # Wider than high, like the picture's frame; labels need room sideways.
        radius = 90.0 * len(part) ** 0.5
        sub = g.subgraph(part)
        # networkx needs scipy from 500 nodes on; a circle is enough for a network that size.
        laid = (
            nx.spring_layout(sub, k=2.4 / len(part) ** 0.5, seed=13, iterations=300, method="force")
            if len(part) < 500
            else nx.circular_layout(sub)
        )
        for key, (x, y) in laid.items():
            positions[key] = (left + 1.5 * radius * (1 + float(x)), radius * (1 + float(y)))
        left += 3 * radius + 120.0
        height = max(height, 2 * radius)
    loose = [key for part in sorted(sorted(p) for p in parts if len(p) <= 2) for key in part]
    # Träger without connections: columns to the right of the network.
    rows = max(int(height // 90.0), 1)
    for slot, key in enumerate(loose):
        column, row = divmod(slot, rows)
        positions[key] = (left + column * 190.0, 30.0 + row * 90.0)
    for node in nodes:
        x, y = positions[node.id]
        node.x, node.y = round(x, 1), round(y, 1)


def _edges(
    kept: set[str], agreements: list[dict[str, Any]], networks: list[dict[str, Any]]
) -> list[Edge]:
    pairs: dict[tuple[str, str, str], Edge] = {}

    def edge(a: str, b: str, kind: str) -> Edge | None:
        if a == b or a not in kept or b not in kept:
            return None
        a, b = sorted((a, b))
        key = (a, b, kind)
        if key not in pairs:
            pairs[key] = Edge(f"{kind}-{len(pairs)}", a, b, kind, [])
        return pairs[key]

    for agreement in agreements:
        parties = sorted({p["id"] for p in agreement["parties"]})
        span = (_year(agreement["validFrom"]), _year(agreement["validTo"]))
        for a, b in combinations(parties, 2):
            found = edge(a, b, "agreement")
            if found is not None:
                found.details.append(agreement["title"])
                found.spans.append(span)
    for network in networks:
        members = sorted(
            {m["organization"]["id"] for m in network["memberships"] if m["organization"]}
        )
        for a, b in combinations(members, 2):
            found = edge(a, b, "network")
            if found is not None:
                found.details.append(network["name"])
    return sorted(pairs.values(), key=lambda e: (e.source, e.target, e.kind))


def _bundle(
    nodes: list[Node], agreements: list[dict[str, Any]], networks: list[dict[str, Any]]
) -> Bundle:
    """The picture's records in the exporter's terms (loaders/network_export.py)."""
    kept = {n.id for n in nodes}
    bundle = Bundle()
    bundle.organizations += [
        rec.Organization(id=n.id, name=n.name, sector=n.sector.lower())  # type: ignore[arg-type]
        for n in nodes
    ]
    for agreement in agreements:
        parties = tuple(p["id"] for p in agreement["parties"] if p["id"] in kept)
        if len(set(parties)) >= 2:
            bundle.agreements.append(
                rec.Agreement(
                    id=agreement["id"],
                    title=agreement["title"],
                    party_ids=parties,
                    priority_access=agreement["priorityAccess"],
                )
            )
    for network in networks:
        members = [m for m in network["memberships"] if (m["organization"] or {}).get("id") in kept]
        if not members:
            continue
        bundle.networks.append(
            rec.Network(id=network["id"], name=network["name"], kind=network["kind"].lower())
        )
        bundle.memberships += [
            rec.Membership(
                network_id=network["id"], organization_id=m["organization"]["id"], role=m["role"]
            )
            for m in members
        ]
    return bundle


async def network_view(request: Request, filters: Filters) -> NetworkView:
    org_filter: dict[str, Any] = {}
    if filters.area:
        org_filter["area"] = filters.area
    if filters.category:
        org_filter["categories"] = [filters.category]
    organizations = await _pages(request, _ORGS, "organizations", filter=org_filter or None)
    services = await _pages(request, _SERVICES, "services")
    links = await gql(request, _LINKS, area=filters.area or None)

    category_names = {c["id"]: c["name"] for c in links["categories"]}
    colours = {
        name: PALETTE[i % len(PALETTE)] for i, name in enumerate(sorted(category_names.values()))
    }
    main = _main_categories(services, category_names)
    agreements = [a for a in links["agreements"] if not a["archivedAt"]]
    networks = [n for n in links["networks"] if not n["archivedAt"]]

    nodes = [
        Node(
            id=o["id"],
            name=o["name"],
            sector=o["sector"],
            category=(main.get(o["id"]) or [""])[0],
            categories=main.get(o["id"], []),
            colour=colours.get((main.get(o["id"]) or [""])[0], NO_CATEGORY),
        )
        for o in organizations
    ]
    kept = {n.id for n in nodes}
    edges = _edges(kept, agreements, networks)

    spans = [y for a in agreements for y in (_year(a["validFrom"]), _year(a["validTo"])) if y]
    this_year = clock.today().year
    years = (min([*spans, this_year]), max([*spans, this_year]))
    year = filters.year if filters.year and years[0] <= filters.year <= years[1] else this_year

    ego_name = ""
    if filters.ego in kept:
        near = {filters.ego} | {
            e.target if e.source == filters.ego else e.source
            for e in edges
            if filters.ego in (e.source, e.target) and e.valid_in(year)
        }
        nodes = [n for n in nodes if n.id in near]
        edges = [e for e in edges if e.source in near and e.target in near]
        kept = near
        ego_name = next(n.name for n in nodes if n.id == filters.ego)

    by_id = {n.id: n for n in nodes}
    weak = links["networkWeakSpots"]
    for broker in weak["brokers"]:
        if broker["organization"]["id"] in by_id:
            by_id[broker["organization"]["id"]].betweenness = broker["betweenness"]
    bridges: set[tuple[str, str]] = set()
    findings: list[tuple[str, str]] = []
    for finding in weak["findings"]:
        ids = [o["id"] for o in finding["organizations"]]
        if finding["spot"] in SPOT_WORDS and set(ids) & kept:
            findings.append((SPOT_WORDS[finding["spot"]], finding["explanation"]))
        if finding["spot"] == "bridge" and len(ids) == 2:
            bridges.add((min(ids), max(ids)))
        elif finding["spot"] in SPOT_WORDS:
            for org in ids:
                if org in by_id and finding["spot"] not in by_id[org].spots:
                    by_id[org].spots.append(finding["spot"])
    for e in edges:
        e.bridge = (e.source, e.target) in bridges
    shown = [e for e in edges if e.valid_in(year)]
    for e in shown:
        by_id[e.source].degree += 1
        by_id[e.target].degree += 1

    suggestions = [
        Suggestion(
            source=m["organizations"][0]["id"],
            target=m["organizations"][1]["id"],
            names=(m["organizations"][0]["name"], m["organizations"][1]["name"]),
            explanation=m["explanation"],
            households=m["sharedHouseholds"],
        )
        for m in links["missingCooperation"]
        if len(m["organizations"]) == 2 and {o["id"] for o in m["organizations"]} <= kept
    ]
    _layout(nodes, shown)
    used = sorted({n.category for n in nodes if n.category})
    legend = [(name, colours[name]) for name in used]
    if any(not n.category for n in nodes):
        legend.append(("ohne aktives Angebot", NO_CATEGORY))
    return NetworkView(
        nodes=sorted(nodes, key=lambda n: n.name.casefold()),
        edges=edges,
        suggestions=suggestions,
        legend=legend,
        years=years,
        year=year,
        ego_name=ego_name,
        findings=findings,
        bundle=_bundle(nodes, [a for a in agreements if _valid(a, year)], networks),
    )


def _valid(agreement: dict[str, Any], year: int) -> bool:
    return _covers((_year(agreement["validFrom"]), _year(agreement["validTo"])), year)
