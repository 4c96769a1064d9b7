"""GraphML/GEXF export of the cooperation network, read back with networkx."""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from graph import Graph
from loaders.export import export
from tests.loader_helpers import EXAMPLE_BUNDLE, import_path


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_cooperation_network_export(db: Graph, tmp_path: Path, fmt: str) -> None:
    import_path(db, EXAMPLE_BUNDLE, source="beispiel")
    path = tmp_path / f"netz.{fmt}"
    message = export(db, fmt, path)
    assert "5 Knoten und 5 Kanten" in message
    g = nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)
    assert g.number_of_nodes() == 5  # 4 Träger + 1 Verbund
    kinds = {n: data["type"] for n, data in g.nodes(data=True)}
    assert kinds["zentrale-schuldnerberatung"] == "network"
    assert kinds["jobcenter-stuttgart"] == "organization"
    agreement = g.edges["jobcenter-stuttgart", "caritas-stuttgart"]
    assert agreement["relation"] == "agreement"
    assert agreement["agreements"] == "kv-jc-caritas-sb"
    assert agreement["priority_access"] in (True, "true")
    members = {
        org for org, other in g.edges("zentrale-schuldnerberatung") for org in (org, other)
    } - {"zentrale-schuldnerberatung"}
    assert members == {"caritas-stuttgart", "eva-stuttgart", "praeventsozial"}
    role = g.edges["praeventsozial", "zentrale-schuldnerberatung"]["role"]
    assert role == "koordination"
