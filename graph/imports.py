"""Import bookkeeping in the graph: which ids exist, pruning by source, ImportRun records."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from graph.connection import Graph
from graph.diff import chunks
from graph.migrations import NODE_LABELS

# Relationship types an import writes as rows of their own (not owned by a node record).
PAIR_TYPES: dict[str, tuple[str, str]] = {
    "MEMBER_OF": ("Organization", "Network"),
    "ADJACENT_TO": ("Area", "Area"),
}


def _checked(label: str) -> str:
    if label not in NODE_LABELS:
        raise ValueError(f"unknown label {label!r}")
    return label


def existing_ids(
    graph: Graph, label: str, ids: Iterable[str], *, except_source: str | None = None
) -> set[str]:
    """The ids among ``ids`` that exist as ``label`` nodes (optionally not of one source)."""
    found: set[str] = set()
    for batch in chunks(sorted(set(ids))):
        # A literal (checked) label lets the planner use the id constraint's index.
        rows = graph.query(
            f"UNWIND $ids AS id MATCH (n:{_checked(label)} {{id: id}}) "
            "WHERE $except IS NULL OR coalesce(n.source, '') <> $except RETURN n.id AS id",
            {"ids": batch, "except": except_source},
        )
        found.update(row["id"] for row in rows)
    return found


def prune_nodes(graph: Graph, label: str, source: str, keep: set[str], *, dry_run: bool) -> int:
    """Delete (or count) ``label`` nodes of ``source`` whose id is not in ``keep``.

    A pruned referral takes its status events with it.
    """
    label = _checked(label)
    params = {"source": source, "keep": sorted(keep)}
    if dry_run:
        rows = graph.query(
            f"MATCH (n:{label} {{source: $source}}) WHERE NOT n.id IN $keep RETURN count(n) AS n",
            params,
        )
        return int(rows[0]["n"])
    rows = graph.query(
        f"MATCH (n:{label} {{source: $source}}) WHERE NOT n.id IN $keep "
        "OPTIONAL MATCH (n)-[:HAS_EVENT]->(e:ReferralEvent) "
        "WITH n, collect(e) AS events "
        "FOREACH (e IN events | DETACH DELETE e) "
        "DETACH DELETE n RETURN count(*) AS n",
        params,
        write=True,
    )
    return int(rows[0]["n"])


def prune_pairs(
    graph: Graph, rel_type: str, source: str, keep: set[tuple[str, str]], *, dry_run: bool
) -> int:
    """Delete (or count) MEMBER_OF / ADJACENT_TO relationships of ``source`` not in ``keep``."""
    if rel_type not in PAIR_TYPES:
        raise ValueError(f"unknown relationship type {rel_type!r}")
    a_label, b_label = PAIR_TYPES[rel_type]
    # Adjacency is undirected: keep a pair in either direction.
    pairs = [list(p) for p in keep] + (
        [[b, a] for a, b in keep] if rel_type == "ADJACENT_TO" else []
    )
    action = "RETURN count(r) AS n" if dry_run else "DELETE r RETURN count(*) AS n"
    rows = graph.query(
        "MATCH (a:$($a_label))-[r:$($rel_type) {source: $source}]->(b:$($b_label)) "
        f"WHERE NOT [a.id, b.id] IN $pairs {action}",
        {
            "a_label": a_label,
            "b_label": b_label,
            "rel_type": rel_type,
            "source": source,
            "pairs": pairs,
        },
        write=not dry_run,
    )
    return int(rows[0]["n"])


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportRun:
    """Importlauf: one import, its source and what it did."""

    id: str
    source: str
    format: str
    started_at: datetime
    finished_at: datetime
    pruned_requested: bool
    created: Mapping[str, int] = field(default_factory=dict)
    changed: Mapping[str, int] = field(default_factory=dict)
    unchanged: Mapping[str, int] = field(default_factory=dict)
    pruned: Mapping[str, int] = field(default_factory=dict)
    warnings: int = 0  # hints that did not refuse the import (e.g. a Träger's differing rows)


def record_import_run(graph: Graph, run: ImportRun) -> None:
    """Keep the run as an ImportRun node: totals as numbers, per-label counts as JSON text."""
    graph.query(
        "CREATE (r:ImportRun {id: $id}) SET r += $props",
        {
            "id": run.id,
            "props": {
                "source": run.source,
                "format": run.format,
                "started_at": run.started_at,
                "finished_at": run.finished_at,
                "prune": run.pruned_requested,
                "created": sum(run.created.values()),
                "changed": sum(run.changed.values()),
                "unchanged": sum(run.unchanged.values()),
                "pruned": sum(run.pruned.values()),
                "warnings": run.warnings,
                "counts": json.dumps(
                    {
                        "created": dict(run.created),
                        "changed": dict(run.changed),
                        "unchanged": dict(run.unchanged),
                        "pruned": dict(run.pruned),
                    },
                    sort_keys=True,
                ),
            },
        },
        write=True,
    )


def import_runs(graph: Graph, source: str | None = None) -> list[ImportRun]:
    """Recorded runs, newest first (optionally of one source)."""
    rows = graph.query(
        "MATCH (r:ImportRun) WHERE $source IS NULL OR r.source = $source "
        "RETURN r {.*} AS r ORDER BY r.started_at DESC",
        {"source": source},
    )
    return [_run_of(row["r"]) for row in rows]


def _run_of(props: dict[str, Any]) -> ImportRun:
    counts = json.loads(props["counts"])
    return ImportRun(
        id=props["id"],
        source=props["source"],
        format=props["format"],
        started_at=props["started_at"].to_native(),
        finished_at=props["finished_at"].to_native(),
        pruned_requested=props["prune"],
        created=counts["created"],
        changed=counts["changed"],
        unchanged=counts["unchanged"],
        pruned=counts["pruned"],
        warnings=props.get("warnings", 0),
    )


def area_geometries(graph: Graph, level: str) -> list[tuple[str, str]]:
    """(id, GeoJSON text) of the areas of one level that have a geometry."""
    rows = graph.query(
        "MATCH (a:Area {level: $level}) WHERE a.geometry IS NOT NULL "
        "RETURN a.id AS id, a.geometry AS geometry ORDER BY id",
        {"level": level},
    )
    return [(row["id"], row["geometry"]) for row in rows]
