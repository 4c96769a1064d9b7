"""The benchmark's row-by-row baseline writes the same graph as the batched writer (so the
ratio in bench/README.md compares equal work)."""

from __future__ import annotations

from graph import Graph
from graph.naive import write_row_by_row
from graph.write import write_bundle
from loaders.formats import parse_input
from tests.loader_helpers import EXAMPLE_BUNDLE, graph_bundle


def test_row_by_row_baseline_writes_the_same_graph(db: Graph) -> None:
    parsed, _ = parse_input(EXAMPLE_BUNDLE, "auto", "beispiel")
    write_bundle(db, parsed.bundle)
    batched = graph_bundle(db)
    db.query("MATCH (n) DETACH DELETE n", write=True)
    assert write_row_by_row(db, parsed.bundle) == 36 - 6  # nodes: 36 rows minus 6 relationships
    assert graph_bundle(db) == batched
