"""The import benchmark's ceiling (graph/bare.py) writes the same nodes and properties as the
real writer, only without relationships and bookkeeping, so the two rates compare equal
nodes (bench/README.md)."""

from __future__ import annotations

from typing import Any

from graph import Graph
from graph.admin import clear
from graph.bare import create_bare
from graph.write import bundle_rows, write_bundle
from loaders.formats import parse_input
from tests.loader_helpers import EXAMPLE_BUNDLE

# What the writer adds to every node it creates, beside the record's own properties.
BOOKKEEPING = {"_hash", "_hash_version", "version", "updated_at", "created_at"}


def _nodes(graph: Graph) -> dict[str, dict[str, Any]]:
    rows = graph.query(
        # Not the data revision (graph/revision.py): bookkeeping every write bumps.
        "MATCH (n) WHERE NOT n:DataRevision "
        "RETURN n.id AS id, labels(n) AS labels, properties(n) AS p"
    )
    return {f"{r['labels'][0]}:{r['id']}": r["p"] for r in rows}


def test_bare_create_writes_the_writers_nodes_without_relationships(db: Graph) -> None:
    parsed, _ = parse_input(EXAMPLE_BUNDLE, "auto", "beispiel")
    bundle = parsed.bundle
    write_bundle(db, bundle)
    written = _nodes(db)
    clear(db)

    pairs = len(bundle.memberships) + len(bundle.adjacencies)
    assert create_bare(db, bundle, "properties") == bundle_rows(bundle) - pairs
    bare = _nodes(db)
    assert bare.keys() == written.keys()
    for key, props in bare.items():
        assert props == {k: v for k, v in written[key].items() if k in props}, key
        assert set(written[key]) - set(props) <= BOOKKEEPING, key
    (row,) = db.query("MATCH ()-[r]->() RETURN count(r) AS n")
    assert row["n"] == 0


def test_bare_create_of_ids_only(db: Graph) -> None:
    parsed, _ = parse_input(EXAMPLE_BUNDLE, "auto", "beispiel")
    create_bare(db, parsed.bundle, "ids")
    rows = db.query("MATCH (n) WHERE NOT n:DataRevision RETURN keys(n) AS k")
    assert len(rows) == 36 - 6  # the example bundle: 36 rows minus 6 relationship rows
    assert all(r["k"] == ["id"] for r in rows)


def _rels(graph: Graph) -> list[tuple[str, str, str]]:
    rows = graph.query("MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b")
    return sorted((r["a"], r["t"], r["b"]) for r in rows)


def test_bare_create_with_relationships_links_what_the_writer_links(db: Graph) -> None:
    parsed, _ = parse_input(EXAMPLE_BUNDLE, "auto", "beispiel")
    bundle = parsed.bundle
    write_bundle(db, bundle)
    written = _rels(db)
    clear(db)
    create_bare(db, bundle, "relationships")
    assert written
    assert _rels(db) == written
