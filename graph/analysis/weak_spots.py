"""Schwachstellen im Kooperationsnetz: where the network of Träger is fragile.

The cooperation network links two Träger that share an agreement or a network, or between
which households were referred. On it: components and isolated partners, articulation points
(a Träger without whom others are cut off) and bridges (a single link holding parts together),
brokers by betweenness, communities compared with the areas the Träger work in, and the
density of the network inside each area.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Literal, get_args

import networkx as nx

from graph.analysis.centrality import betweenness, burt_constraint
from graph.analysis.config import DROPPED_REFERRAL_STATUSES, WeakSpotConfig
from graph.analysis.findings import Finding, share_text
from graph.analysis.snapshot import (
    AgreementInfo,
    AreaIndex,
    NetworkInfo,
    OrganizationInfo,
    ReferralInfo,
    ServiceInfo,
)


def cooperation_graph(
    organizations: Iterable[OrganizationInfo],
    agreements: Iterable[AgreementInfo] = (),
    networks: Iterable[NetworkInfo] = (),
    referrals: Iterable[ReferralInfo] = (),
    services: Mapping[str, ServiceInfo] | None = None,
) -> nx.Graph:
    """Träger as nodes; edges count agreements, shared networks and referrals between them."""
    g = nx.Graph()
    for o in organizations:
        g.add_node(o.id, name=o.name)

    def link(a: str, b: str, kind: str) -> None:
        if a == b or a not in g or b not in g:
            return
        if not g.has_edge(a, b):
            g.add_edge(a, b, agreements=0, networks=0, referrals=0)
        g.edges[a, b][kind] += 1

    for agreement in agreements:
        for a, b in combinations(sorted(set(agreement.party_ids)), 2):
            link(a, b, "agreements")
    for network in networks:
        for a, b in combinations(sorted(set(network.member_ids)), 2):
            link(a, b, "networks")
    services = services or {}
    for r in referrals:
        service = services.get(r.service_id)
        if service is None or r.from_organization_id is None:
            continue
        if r.status not in DROPPED_REFERRAL_STATUSES:
            link(r.from_organization_id, service.organization_id, "referrals")
    return g


Spot = Literal["no_data", "isolated", "component", "articulation_point", "bridge", "broker"]
# Every kind of weak spot, in the order the API documents them.
SPOTS: tuple[Spot, ...] = get_args(Spot)
SPOT_LABELS: Mapping[Spot, str] = {
    "no_data": "keine Kooperationsdaten erfasst",
    "isolated": "isolierter Träger",
    "component": "abgetrenntes Teilnetz",
    "articulation_point": "Schnittpunkt",
    "bridge": "Brücke",
    "broker": "Vermittler",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class WeakSpot(Finding):
    spot: Spot


@dataclass(frozen=True, slots=True, kw_only=True)
class Community:
    organization_ids: tuple[str, ...]
    main_area_id: str | None
    main_area_share: float


@dataclass(frozen=True, slots=True, kw_only=True)
class AreaDensity:
    area_id: str
    organizations: int
    links: int
    density: float


@dataclass(frozen=True, slots=True, kw_only=True)
class NetworkStructure:
    organizations: int
    links: int
    components: int
    isolated_ids: tuple[str, ...]
    articulation_points: Mapping[str, int]  # Träger -> how many others it alone connects
    bridges: tuple[tuple[str, str, int], ...]  # (a, b, size of the smaller side)
    betweenness: Mapping[str, float]
    communities: tuple[Community, ...]
    community_area_agreement: float | None  # normalised mutual information, 0..1
    densities: tuple[AreaDensity, ...]
    findings: tuple[WeakSpot, ...]


def cut_sizes(g: nx.Graph) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    """Articulation points and bridges with how many nodes each one alone holds on.

    One iterative DFS (Tarjan's low-link). Removing an articulation point splits its component
    into parts (the child subtrees that reach the rest only through it, plus the remainder); the
    count is the number of nodes outside the largest part, i.e. those it alone keeps connected.
    For a bridge it is the size of the smaller side.
    """
    disc: dict[str, int] = {}
    low: dict[str, int] = {}
    size: dict[str, int] = {}
    parts: dict[str, list[int]] = defaultdict(list)
    points: dict[str, int] = {}
    bridges: dict[tuple[str, str], int] = {}
    counter = 0
    for root in sorted(g.nodes):
        if root in disc:
            continue
        component_size = len(nx.node_connected_component(g, root))
        disc[root] = low[root] = counter
        counter += 1
        size[root] = 1
        stack: list[tuple[str, str | None, Iterable[str]]] = [(root, None, iter(sorted(g[root])))]
        while stack:
            node, parent, children = stack[-1]
            advanced = False
            for child in children:
                if child == parent:
                    continue
                if child in disc:
                    low[node] = min(low[node], disc[child])
                    continue
                disc[child] = low[child] = counter
                counter += 1
                size[child] = 1
                stack.append((child, node, iter(sorted(g[child]))))
                advanced = True
                break
            if advanced:
                continue
            stack.pop()
            if parent is None:
                continue
            low[parent] = min(low[parent], low[node])
            size[parent] += size[node]
            if low[node] > disc[parent]:
                key = (parent, node) if parent < node else (node, parent)
                bridges[key] = min(size[node], component_size - size[node])
            if low[node] >= disc[parent]:
                parts[parent].append(size[node])
        for node, split in parts.items():
            if node == root and len(split) < 2:
                continue
            rest = component_size - 1 - sum(split)
            pieces = [*split, rest] if rest > 0 else split
            points[node] = sum(pieces) - max(pieces)
        parts.clear()
    return points, bridges


def _home_areas(
    organizations: Iterable[OrganizationInfo],
    services: Iterable[ServiceInfo],
    index: AreaIndex,
) -> dict[str, str]:
    """The unit a Träger mainly works in: its locations, else the areas its services serve."""
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for o in organizations:
        for area in o.area_ids:
            if (unit := index.unit_of(area)) is not None:
                votes[o.id][unit] += 2
    for s in services:
        served = index.served_units(s.area_ids)
        for unit in served or ():
            votes[s.organization_id][unit] += 1
    # Ties to the first unit id, not to the order the votes came in (sets, the read's order).
    return {org: min(c.items(), key=lambda x: (-x[1], x[0]))[0] for org, c in votes.items() if c}


def _nmi(labels_a: Sequence[str], labels_b: Sequence[str]) -> float | None:
    """Normalised mutual information of two labelings (arithmetic mean normalisation)."""
    import math

    n = len(labels_a)
    if n == 0:
        return None
    ca, cb = Counter(labels_a), Counter(labels_b)
    joint = Counter(zip(labels_a, labels_b, strict=True))
    mi = sum(c / n * math.log(c * n / (ca[a] * cb[b])) for (a, b), c in joint.items())
    ha = -sum(c / n * math.log(c / n) for c in ca.values())
    hb = -sum(c / n * math.log(c / n) for c in cb.values())
    if ha + hb == 0:
        return 1.0
    return 2 * mi / (ha + hb)


def network_structure(
    g: nx.Graph,
    config: WeakSpotConfig,
    *,
    home_areas: Mapping[str, str] | None = None,
    names: Mapping[str, str] | None = None,
    area_names: Mapping[str, str] | None = None,
    centrality: Mapping[str, float] | None = None,
) -> NetworkStructure:
    """Weak spots of a cooperation graph (see module doc); ``centrality`` may be precomputed."""
    names = names or {n: str(d.get("name", n)) for n, d in g.nodes(data=True)}
    home_areas = home_areas or {}
    area_names = area_names or {}
    isolated = tuple(sorted(str(n) for n in nx.isolates(g)))
    connected = g.subgraph(n for n in g if g.degree(n) > 0)
    components = sorted(nx.connected_components(connected), key=len, reverse=True)
    points, bridges = cut_sizes(connected)
    central = dict(centrality) if centrality is not None else betweenness(connected, config)
    findings: list[WeakSpot] = []
    if isolated and g.number_of_edges() == 0:
        # Without any cooperation data, one finding says so instead of one per Träger.
        findings.append(
            WeakSpot(
                kind="weak_spot",
                spot="no_data",
                severity="mittel",
                explanation=(
                    f"Für die {len(isolated)} Träger sind weder Vereinbarungen noch Verbünde "
                    "noch Überleitungen erfasst: das Kooperationsnetz ist unbekannt."
                ),
                counts={"organizations": len(isolated)},
            )
        )
        isolated_findings: tuple[str, ...] = ()
    else:
        isolated_findings = isolated
    for org in isolated_findings:
        findings.append(
            WeakSpot(
                kind="weak_spot",
                spot="isolated",
                severity="mittel",
                explanation=(
                    f"{names.get(org, org)} hat weder Vereinbarungen noch Verbünde noch "
                    "Überleitungen mit anderen Trägern."
                ),
                organization_ids=(org,),
                area_ids=(home_areas[org],) if org in home_areas else (),
            )
        )
    for part in components[1:]:
        members = tuple(sorted(part))
        findings.append(
            WeakSpot(
                kind="weak_spot",
                spot="component",
                severity="mittel",
                explanation=(
                    f"{len(members)} Träger bilden ein eigenes Teilnetz ohne Verbindung zum "
                    "übrigen Kooperationsnetz."
                ),
                organization_ids=members,
                counts={"organizations": len(members)},
            )
        )
    for org, cut in sorted(points.items(), key=lambda x: (-x[1], x[0])):
        findings.append(
            WeakSpot(
                kind="weak_spot",
                spot="articulation_point",
                severity="hoch" if cut >= 5 else "mittel",
                explanation=(
                    f"Ohne {names.get(org, org)} wären {cut} Träger vom übrigen "
                    "Kooperationsnetz abgeschnitten."
                ),
                organization_ids=(org,),
                area_ids=(home_areas[org],) if org in home_areas else (),
                counts={"cut_off": cut},
            )
        )
    for (a, b), cut in sorted(bridges.items(), key=lambda x: (-x[1], x[0])):
        if cut < 2:
            continue  # a single partner hanging on one link shows up as articulation point
        findings.append(
            WeakSpot(
                kind="weak_spot",
                spot="bridge",
                severity="hoch" if cut >= 5 else "mittel",
                explanation=(
                    f"Die Verbindung {names.get(a, a)} – {names.get(b, b)} ist die einzige "
                    f"zwischen zwei Teilen des Netzes; am kleineren hängen {cut} Träger."
                ),
                organization_ids=(a, b),
                counts={"cut_off": cut},
            )
        )
    brokers = [
        (org, value)
        for org, value in sorted(central.items(), key=lambda x: (-x[1], x[0]))[: config.top_brokers]
        if value >= config.min_broker_betweenness
    ]
    # Burt's constraint only for the few brokers shown: it tells a planner whether the
    # broker's partners also work with each other (high) or are linked only through the
    # broker (low: a structural hole, e.g. between two groups that each work closely).
    constraint = burt_constraint(connected, config, nodes=[org for org, _ in brokers])
    for org, value in brokers:
        held = constraint[org]
        known = held == held  # NaN for a Träger without partners (not a broker in practice)
        findings.append(
            WeakSpot(
                kind="weak_spot",
                spot="broker",
                severity="niedrig",
                # In words a planner reads, not the measures' names: the normalised
                # betweenness is the share of the other pairs whose shortest way runs through
                # the Träger; the constraint stays a number in the counts (CSV, GraphQL).
                explanation=(
                    f"{names.get(org, org)} vermittelt zwischen vielen Trägern: Bei "
                    f"{share_text(value)} der übrigen Trägerpaare führt der kürzeste Weg über "
                    "ihn; fällt er aus, werden Wege länger."
                    + (
                        " Viele seiner Partner sind nur über ihn verbunden."
                        if known and held < config.max_broker_constraint
                        else ""
                    )
                ),
                organization_ids=(org,),
                counts={"betweenness": round(value, 4)}
                | ({"constraint": round(held, 4)} if known else {}),
            )
        )
    communities, nmi = _communities(connected, home_areas, config)
    return NetworkStructure(
        organizations=g.number_of_nodes(),
        links=g.number_of_edges(),
        components=len(components) + len(isolated),
        isolated_ids=isolated,
        articulation_points=points,
        bridges=tuple((a, b, c) for (a, b), c in sorted(bridges.items())),
        betweenness=central,
        communities=communities,
        community_area_agreement=nmi,
        densities=_densities(g, home_areas),
        findings=tuple(findings),
    )


def _communities(
    g: nx.Graph, home_areas: Mapping[str, str], config: WeakSpotConfig
) -> tuple[tuple[Community, ...], float | None]:
    if g.number_of_edges() == 0:
        return (), None
    parts = nx.community.louvain_communities(g, seed=config.seed)
    out: list[Community] = []
    labels_c: list[str] = []
    labels_a: list[str] = []
    for i, part in enumerate(sorted(parts, key=lambda p: (-len(p), min(p)))):
        areas = Counter(home_areas[o] for o in part if o in home_areas)
        # Ties go to the first area id: ``most_common`` would follow the set's order, which
        # changes with each process's string hashing (two workers named other main areas).
        main, count = min(areas.items(), key=lambda x: (-x[1], x[0])) if areas else (None, 0)
        out.append(
            Community(
                organization_ids=tuple(sorted(part)),
                main_area_id=main,
                main_area_share=count / len(part),
            )
        )
        for o in part:
            if o in home_areas:
                labels_c.append(str(i))
                labels_a.append(home_areas[o])
    return tuple(out), _nmi(labels_c, labels_a)


def _densities(g: nx.Graph, home_areas: Mapping[str, str]) -> tuple[AreaDensity, ...]:
    by_area: dict[str, list[str]] = defaultdict(list)
    for org, area in home_areas.items():
        if org in g:
            by_area[area].append(org)
    rows = []
    for area, orgs in sorted(by_area.items()):
        sub = g.subgraph(orgs)
        rows.append(
            AreaDensity(
                area_id=area,
                organizations=len(orgs),
                links=sub.number_of_edges(),
                density=nx.density(sub) if len(orgs) > 1 else 0.0,
            )
        )
    return tuple(rows)


def home_areas(
    organizations: Iterable[OrganizationInfo],
    services: Iterable[ServiceInfo],
    index: AreaIndex,
) -> dict[str, str]:
    return _home_areas(organizations, services, index)
