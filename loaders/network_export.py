"""The cooperation network for Gephi and similar tools: GraphML or GEXF via networkx.

Nodes are Träger (``type=organization``) and Verbünde/Arbeitskreise (``type=network``);
edges are Kooperationsvereinbarungen between Träger (``relation=agreement``; several agreements
between the same pair become one edge listing them) and memberships (``relation=membership``).
Edges say ``relation``, not ``type``: GEXF reserves ``type`` on edges.
"""

from __future__ import annotations

from itertools import combinations
from pathlib import Path
from typing import Any

import networkx as nx

from graph.bundle import Bundle

NETWORK_FORMATS: tuple[str, ...] = ("graphml", "gexf")


def cooperation_graph(bundle: Bundle) -> Any:
    """An undirected networkx graph of Träger, networks, agreements and memberships."""
    g = nx.Graph(name="Kooperationsnetz")
    for org in bundle.organizations:
        g.add_node(org.id, label=org.name, type="organization", sector=org.sector)
    for network in bundle.networks:
        g.add_node(network.id, label=network.name, type="network", kind=network.kind)
    for agreement in sorted(bundle.agreements, key=lambda a: a.id):
        for a, b in combinations(sorted(set(agreement.party_ids)), 2):
            if g.has_edge(a, b):
                edge = g.edges[a, b]
                edge["agreements"] += f"|{agreement.id}"
                edge["weight"] += 1
                edge["priority_access"] = edge["priority_access"] or agreement.priority_access
            else:
                g.add_edge(
                    a,
                    b,
                    relation="agreement",
                    agreements=agreement.id,
                    weight=1,
                    priority_access=agreement.priority_access,
                )
    for membership in bundle.memberships:
        g.add_edge(
            membership.organization_id,
            membership.network_id,
            relation="membership",
            role=membership.role,
            weight=1,
        )
    return g


def write_network(bundle: Bundle, fmt: str, path: Path) -> tuple[int, int]:
    """Write the cooperation network; return (nodes, edges)."""
    g = cooperation_graph(bundle)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "graphml":
        nx.write_graphml(g, path, encoding="utf-8")
    else:
        nx.write_gexf(g, path, encoding="utf-8")
    return g.number_of_nodes(), g.number_of_edges()
