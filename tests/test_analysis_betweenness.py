"""Betweenness engines (graph/analysis/weak_spots.py): igraph gives networkx's exact values;
without igraph a large network is sampled with a fixed seed and keeps its clear brokers."""

from __future__ import annotations

import networkx as nx
import pytest

from graph.analysis.config import WeakSpotConfig
from graph.analysis.weak_spots import betweenness


def hubs_graph(n: int = 400) -> nx.Graph:
    """Local clusters joined through three hubs: the hubs are the clear brokers."""
    g = nx.relabel_nodes(nx.connected_caveman_graph(n // 10, 10), lambda x: f"t{x:04d}")
    for h, hub in enumerate(("hub-a", "hub-b", "hub-c")):
        for cluster in range(h, n // 10, 3):
            g.add_edge(hub, f"t{cluster * 10:04d}")
    g.add_edges_from([("hub-a", "hub-b"), ("hub-b", "hub-c")])
    return g


def test_auto_hands_large_networks_to_igraph_with_networkx_values() -> None:
    pytest.importorskip("igraph")
    g = hubs_graph()
    config = WeakSpotConfig()
    assert g.number_of_nodes() > config.igraph_min_nodes
    assert betweenness(g, config) == pytest.approx(nx.betweenness_centrality(g), abs=1e-12)


def test_networkx_samples_above_the_exact_limit_and_keeps_the_brokers() -> None:
    g = hubs_graph()
    config = WeakSpotConfig(
        betweenness_engine="networkx", exact_betweenness_max_nodes=100, betweenness_sample=60
    )
    sampled = betweenness(g, config)
    again = betweenness(g, config)
    exact = nx.betweenness_centrality(g)
    assert sampled == again  # the seed fixes the pivots
    assert sampled != pytest.approx(exact, abs=1e-12)  # it did sample
    top = sorted(exact, key=lambda x: -exact[x])[:3]
    assert sorted(sampled, key=lambda x: -sampled[x])[:3] == top
    assert set(top) == {"hub-a", "hub-b", "hub-c"}
    assert max(abs(sampled[x] - exact[x]) for x in g) < 0.15 * exact[top[0]]  # 60 of 400 pivots


def test_networkx_is_exact_up_to_the_limit() -> None:
    g = hubs_graph(200)
    config = WeakSpotConfig(betweenness_engine="networkx")
    assert g.number_of_nodes() <= config.exact_betweenness_max_nodes
    assert betweenness(g, config) == nx.betweenness_centrality(g)
