"""Shared helpers for the loader tests: import a path, snapshot the graph, compare bundles."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import fields, replace
from pathlib import Path
from typing import Any, TypeVar

from graph import Bundle, Graph
from graph.readback import read_bundle
from loaders.formats import graph_areas, graph_directory, parse_input
from loaders.importer import ImportReport, run_import

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_BUNDLE = ROOT / "examples" / "bundle"

T = TypeVar("T")


def import_path(
    graph: Graph,
    path: Path,
    *,
    source: str = "test",
    fmt: str = "auto",
    dry_run: bool = False,
    prune: bool = False,
    mapping: Path | None = None,
) -> ImportReport:
    parsed, used = parse_input(
        path,
        fmt,
        source,
        mapping=mapping,
        lookup=graph_areas(graph),
        directory=graph_directory(graph),
    )
    return run_import(graph, parsed, source=source, format=used, dry_run=dry_run, prune=prune)


def snapshot(graph: Graph) -> list[dict[str, Any]]:
    """Every node and relationship with all properties: equal snapshots = unchanged graph.

    Without the data revision (graph/revision.py): every write transaction bumps it, also one
    that changes nothing."""
    nodes = graph.query(
        "MATCH (n) WHERE NOT n:DataRevision "
        "RETURN labels(n) AS labels, properties(n) AS props ORDER BY n.id"
    )
    rels = graph.query(
        "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, b.id AS b, properties(r) AS props "
        "ORDER BY a, t, b"
    )
    return nodes + rels


def normalized(bundle: Bundle, source: str = "x") -> Bundle:
    """The bundle with every record's source replaced (sources name the import, not data)."""
    out = Bundle()
    for f in fields(Bundle):
        getattr(out, f.name).extend(replace(r, source=source) for r in getattr(bundle, f.name))
    return out


def graph_bundle(graph: Graph) -> Bundle:
    return normalized(read_bundle(graph))


def shared_data() -> Path:
    """The team's read-only open data (``VERBUND_SHARED_DATA``, default ``../shared/data``)."""
    import os

    return Path(os.environ.get("VERBUND_SHARED_DATA") or ROOT.parent / "shared" / "data")


def first_per_field(paths: Iterable[T], field: Callable[[T], object]) -> list[T]:
    """The first of ``paths`` under each top-level field: the sample of a whole-record check
    that `make test-fast` runs (every field's type once); `make test` runs every path."""
    out: dict[object, T] = {}
    for path in paths:
        out.setdefault(field(path), path)
    return list(out.values())
