"""Burt's constraint (graph/analysis/centrality.py): a known answer, and igraph equal to
networkx on larger graphs, so a large network can go to igraph without changing a value."""

from __future__ import annotations

import math

import networkx as nx
import pytest

from graph.analysis.centrality import burt_constraint
from graph.analysis.config import WeakSpotConfig

NETWORKX = WeakSpotConfig(betweenness_engine="networkx")
IGRAPH = WeakSpotConfig(betweenness_engine="igraph")


def star_with_pair() -> nx.Graph:
    """Hub h with partners a, b, c; a and b are also partners of each other."""
    return nx.Graph([("h", "a"), ("h", "b"), ("h", "c"), ("a", "b")])


@pytest.mark.parametrize("config", [NETWORKX, IGRAPH], ids=["networkx", "igraph"])
def test_constraint_known_answer(config: WeakSpotConfig) -> None:
    # Burt: c_i = sum_j (p_ij + sum_q p_iq p_qj)^2 with p_ij = 1 / degree(i) (unweighted).
    # h: p = 1/3 each; a and b reach each other also via the other (1/3 * 1/2):
    #   2 * (1/3 + 1/6)^2 + (1/3)^2 = 1/2 + 1/9 = 11/18.
    # a: p(a,h) = p(a,b) = 1/2; to h also via b (1/2 * 1/2), to b also via h (1/2 * 1/3):
    #   (1/2 + 1/4)^2 + (1/2 + 1/6)^2 = 9/16 + 4/9 = 145/144. c: its only partner, 1.
    found = burt_constraint(star_with_pair(), config)
    assert found == pytest.approx({"h": 11 / 18, "a": 145 / 144, "b": 145 / 144, "c": 1.0})


@pytest.mark.parametrize("config", [NETWORKX, IGRAPH], ids=["networkx", "igraph"])
def test_constraint_of_chosen_nodes_and_of_a_node_without_partners(
    config: WeakSpotConfig,
) -> None:
    g = star_with_pair()
    g.add_node("alone")
    found = burt_constraint(g, config, nodes=["h", "alone"])
    assert set(found) == {"h", "alone"}
    assert found["h"] == pytest.approx(11 / 18)
    assert math.isnan(found["alone"])


def test_igraph_constraint_equals_networkx_on_larger_graphs() -> None:
    for g in (
        nx.relabel_nodes(nx.barabasi_albert_graph(300, 3, seed=5), lambda x: f"t{x}"),
        nx.relabel_nodes(nx.connected_caveman_graph(20, 6), lambda x: f"t{x}"),
    ):
        reference = nx.constraint(g)
        assert burt_constraint(g, IGRAPH) == pytest.approx(reference, abs=1e-12)
        # "auto" hands a graph above the size limit to igraph: the same values.
        auto = WeakSpotConfig(igraph_min_nodes=50)
        assert burt_constraint(g, auto) == pytest.approx(reference, abs=1e-12)
