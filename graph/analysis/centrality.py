"""Heavy network kernels with two engines: networkx (pure Python) and igraph (C).

igraph computes the same exact values as networkx (tests/test_analysis_centrality.py,
tests/test_analysis_betweenness.py) 40–10,000 times faster on the cooperation network of a
Gebiet (bench/README.md, "Land: the read in one pass"), so large networks go to igraph when it
is installed. It is imported on demand: without it networkx runs, betweenness sampled with a
fixed seed above ``exact_betweenness_max_nodes``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import Any

import networkx as nx

from graph.analysis.config import WeakSpotConfig


def igraph_module() -> Any | None:
    """igraph, or None when it is not installed."""
    try:
        return importlib.import_module("igraph")
    except ImportError:
        return None


def as_igraph(ig: Any, g: nx.Graph) -> tuple[Any, list[Any]]:
    """The graph with nodes numbered in networkx's order (edges unweighted)."""
    nodes = list(g.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    return ig.Graph(n=len(nodes), edges=[(index[a], index[b]) for a, b in g.edges]), nodes


def betweenness_scale(n: int) -> float:
    """The factor that turns igraph's raw betweenness into networkx's normalised value."""
    return 2.0 / ((n - 1) * (n - 2)) if n > 2 else 1.0


def _use_igraph(g: nx.Graph, config: WeakSpotConfig) -> bool:
    engine = config.betweenness_engine
    return engine == "igraph" or (
        engine == "auto" and g.number_of_nodes() > config.igraph_min_nodes
    )


def _missing() -> RuntimeError:
    return RuntimeError("igraph ist nicht installiert (pip install igraph)")


def betweenness(g: nx.Graph, config: WeakSpotConfig) -> dict[str, float]:
    """Normalised betweenness (as networkx computes it).

    Small graphs: networkx, exact (faster than handing them to igraph). Larger ones: igraph,
    exact, when it is installed (bench/README.md has the speed-up), else networkx, exact up to
    ``exact_betweenness_max_nodes`` and above with a seeded sample of pivots.
    """
    if _use_igraph(g, config):
        found = igraph_betweenness(g)
        if found is not None:
            return found
        if config.betweenness_engine == "igraph":
            raise _missing()
    n = g.number_of_nodes()
    if n > config.exact_betweenness_max_nodes:
        k = min(config.betweenness_sample, n)
        result: dict[str, float] = nx.betweenness_centrality(g, k=k, seed=config.seed)
        return result
    exact: dict[str, float] = nx.betweenness_centrality(g)
    return exact


def igraph_betweenness(g: nx.Graph) -> dict[str, float] | None:
    """Exact normalised betweenness computed by igraph (C), or None without igraph."""
    ig = igraph_module()
    if ig is None:
        return None
    ig_graph, nodes = as_igraph(ig, g)
    values = ig_graph.betweenness(directed=False)
    scale = betweenness_scale(len(nodes))
    return {str(node): float(v) * scale for node, v in zip(nodes, values, strict=True)}


def burt_constraint(
    g: nx.Graph, config: WeakSpotConfig, nodes: Iterable[str] | None = None
) -> dict[str, float]:
    """Burt's constraint (unweighted, as ``networkx.constraint``): low for a Träger whose
    partners are not partners of each other, i.e. who bridges structural holes. NaN for a
    Träger without partners (as networkx). Same engine choice as ``betweenness``; networkx's
    version is quadratic in a hub's degree (minutes on a Gebiet of 2,000 Träger), igraph's is
    not, and igraph always computes all nodes (then picked)."""
    if _use_igraph(g, config):
        ig = igraph_module()
        if ig is not None:
            ig_graph, order = as_igraph(ig, g)
            every = {
                str(node): float(v) for node, v in zip(order, ig_graph.constraint(), strict=True)
            }
            return every if nodes is None else {str(n): every[str(n)] for n in nodes}
        if config.betweenness_engine == "igraph":
            raise _missing()
    result: dict[str, float] = nx.constraint(g, nodes=None if nodes is None else list(nodes))
    return result
