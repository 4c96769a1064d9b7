"""Import bookkeeping in the graph: which ids exist, pruning by source, ImportRun records."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

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


def absent_ids(graph: Graph, label: str, source: str, keep: set[str]) -> list[str]:
    """The ids of ``label`` nodes of ``source`` that are not in ``keep`` (what a prune would
    delete), sorted; for the review before the import."""
    rows = graph.query(
        f"MATCH (n:{_checked(label)} {{source: $source}}) WHERE NOT n.id IN $keep "
        "RETURN n.id AS id ORDER BY id",
        {"source": source, "keep": sorted(keep)},
    )
    return [row["id"] for row in rows]


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


ImportState = Literal["running", "finished", "failed", "interrupted"]
# What a running import does: writing rows, pruning absent records, settling the run.
ImportPhase = Literal["writing", "pruning", "settling"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportRun:
    """Importlauf: one import, who ran it on which file, what it did and how it ended.

    Written as ``running`` before the first write and settled at the end, so an import that
    was killed stays visible (``running`` with a dead process, see ``settle_lost_runs``).
    """

    id: str
    source: str
    format: str
    started_at: datetime
    finished_at: datetime | None = None
    pruned_requested: bool = False
    state: ImportState = "running"
    by: str = ""
    file: str = ""
    sha256: str = ""
    # Where the importing process runs: a ``running`` run whose process is gone was killed.
    host: str = ""
    pid: int = 0
    created: Mapping[str, int] = field(default_factory=dict)
    changed: Mapping[str, int] = field(default_factory=dict)
    unchanged: Mapping[str, int] = field(default_factory=dict)
    pruned: Mapping[str, int] = field(default_factory=dict)
    warnings: int = 0  # hints that did not refuse the import (e.g. a Träger's differing rows)
    errors: int = 0
    error: str = ""  # why a failed run failed (one line, no traceback)
    # How far a running import is: rows written of all rows, and what it does now.
    rows_done: int = 0
    rows_total: int = 0
    phase: ImportPhase = "writing"


def _counts(run: ImportRun) -> dict[str, Any]:
    return {
        "created": sum(run.created.values()),
        "changed": sum(run.changed.values()),
        "unchanged": sum(run.unchanged.values()),
        "pruned": sum(run.pruned.values()),
        "warnings": run.warnings,
        "errors": run.errors,
        "counts": json.dumps(
            {
                "created": dict(run.created),
                "changed": dict(run.changed),
                "unchanged": dict(run.unchanged),
                "pruned": dict(run.pruned),
            },
            sort_keys=True,
        ),
    }


def start_import_run(graph: Graph, run: ImportRun) -> None:
    """Keep the run as an ImportRun node in state ``running`` (before the import writes)."""
    graph.query(
        "CREATE (r:ImportRun {id: $id}) SET r += $props",
        {
            "id": run.id,
            "props": {
                "source": run.source,
                "format": run.format,
                "started_at": run.started_at,
                "prune": run.pruned_requested,
                "state": "running",
                "by": run.by,
                "file": run.file,
                "sha256": run.sha256,
                "host": run.host,
                "pid": run.pid,
                "rows_done": run.rows_done,
                "rows_total": run.rows_total,
                "phase": run.phase,
                **_counts(run),
            },
        },
        write=True,
        revise=False,  # the run's bookkeeping; finish_import_run bumps
    )


def record_progress(graph: Graph, run_id: str, done: int, total: int, phase: ImportPhase) -> None:
    """How far a running import is (one small write per batch, read by the import page)."""
    graph.query(
        "MATCH (r:ImportRun {id: $id, state: 'running'}) "
        "SET r.rows_done = $done, r.rows_total = $total, r.phase = $phase",
        {"id": run_id, "done": done, "total": total, "phase": phase},
        write=True,
        revise=False,  # the run's bookkeeping: the batches bump the revision themselves
    )


def finish_import_run(graph: Graph, run: ImportRun, *, revise: bool = True) -> None:
    """Settle a started run: its end state, end time and counts (totals as numbers,
    per-label counts as JSON text). ``revise=False`` for a run that changed no data: the
    analyses' cache stays valid (graph/revision.py)."""
    graph.query(
        "MATCH (r:ImportRun {id: $id}) SET r += $props",
        {
            "id": run.id,
            "props": {
                "state": run.state,
                "finished_at": run.finished_at,
                "error": run.error,
                **_counts(run),
            },
        },
        write=True,
        revise=revise,
    )


def record_import_run(graph: Graph, run: ImportRun) -> None:
    """Keep a run that is already over (started and settled at once)."""
    start_import_run(graph, run)
    finish_import_run(graph, run)


def running_imports(graph: Graph, host: str) -> list[tuple[str, int]]:
    """(id, process id) of the runs on ``host`` still marked ``running``."""
    rows = graph.query(
        "MATCH (r:ImportRun {state: 'running'}) WHERE r.host = $host "
        "RETURN r.id AS id, r.pid AS pid",
        {"host": host},
    )
    return [(row["id"], int(row["pid"] or 0)) for row in rows]


def mark_interrupted(graph: Graph, run_ids: list[str], message: str) -> None:
    """Runs whose process is gone (killed): ``interrupted``, no end time (it is unknown)."""
    if run_ids:
        graph.query(
            "UNWIND $ids AS id MATCH (r:ImportRun {id: id, state: 'running'}) "
            "SET r.state = 'interrupted', r.error = $message",
            {"ids": run_ids, "message": message},
            write=True,
            revise=False,
        )


def import_run(graph: Graph, run_id: str) -> ImportRun | None:
    """One recorded run by its id, or None."""
    rows = graph.query("MATCH (r:ImportRun {id: $id}) RETURN r {.*} AS r", {"id": run_id})
    return _run_of(rows[0]["r"]) if rows else None


def running_runs(graph: Graph) -> list[ImportRun]:
    """Runs of any machine still marked ``running``, newest first."""
    rows = graph.query(
        "MATCH (r:ImportRun {state: 'running'}) RETURN r {.*} AS r ORDER BY r.started_at DESC"
    )
    return [_run_of(row["r"]) for row in rows]


def import_runs(graph: Graph, source: str | None = None, limit: int = 1_000) -> list[ImportRun]:
    """Recorded runs, newest first (optionally of one source)."""
    rows = graph.query(
        "MATCH (r:ImportRun) WHERE $source IS NULL OR r.source = $source "
        "RETURN r {.*} AS r ORDER BY r.started_at DESC LIMIT $limit",
        {"source": source, "limit": limit},
    )
    return [_run_of(row["r"]) for row in rows]


def _run_of(props: dict[str, Any]) -> ImportRun:
    counts = json.loads(props["counts"])
    finished = props.get("finished_at")
    return ImportRun(
        id=props["id"],
        source=props["source"],
        format=props["format"],
        started_at=props["started_at"].to_native(),
        finished_at=finished.to_native() if finished is not None else None,
        pruned_requested=props["prune"],
        # Runs recorded before states existed were recorded when they had finished.
        state=props.get("state", "finished"),
        by=props.get("by", ""),
        file=props.get("file", ""),
        sha256=props.get("sha256", ""),
        host=props.get("host", ""),
        pid=int(props.get("pid", 0) or 0),
        created=counts["created"],
        changed=counts["changed"],
        unchanged=counts["unchanged"],
        pruned=counts["pruned"],
        warnings=props.get("warnings", 0),
        errors=props.get("errors", 0),
        error=props.get("error", "") or "",
        rows_done=int(props.get("rows_done", 0) or 0),
        rows_total=int(props.get("rows_total", 0) or 0),
        phase=props.get("phase", "writing") or "writing",
    )


def remove_orphan_events(graph: Graph, source: str) -> int:
    """Delete status events of ``source`` that no referral holds any more (left by an import
    killed between the events and their referrals, or by a history that got shorter)."""
    # Counted first: a run that leaves no orphans writes nothing (no revision bump).
    rows = graph.query(
        "MATCH (e:ReferralEvent {source: $source}) WHERE NOT ()-[:HAS_EVENT]->(e) "
        "RETURN count(e) AS n",
        {"source": source},
    )
    if not rows[0]["n"]:
        return 0
    rows = graph.query(
        "MATCH (e:ReferralEvent {source: $source}) WHERE NOT ()-[:HAS_EVENT]->(e) "
        "DETACH DELETE e RETURN count(*) AS n",
        {"source": source},
        write=True,
    )
    return int(rows[0]["n"])


def area_geometries(graph: Graph, level: str) -> list[tuple[str, str]]:
    """(id, GeoJSON text) of the areas of one level that have a geometry."""
    rows = graph.query(
        "MATCH (a:Area {level: $level}) WHERE a.geometry IS NOT NULL "
        "RETURN a.id AS id, a.geometry AS geometry ORDER BY id",
        {"level": level},
    )
    return [(row["id"], row["geometry"]) for row in rows]


def area_extent(graph: Graph) -> tuple[float, float, float, float] | None:
    """(west, south, east, north) around the centroids of the areas in the graph, or None."""
    rows = graph.query(
        "MATCH (a:Area) WHERE a.centroid IS NOT NULL "
        "RETURN min(a.centroid.x) AS west, min(a.centroid.y) AS south, "
        "max(a.centroid.x) AS east, max(a.centroid.y) AS north"
    )
    if not rows or rows[0]["west"] is None:
        return None
    row = rows[0]
    return float(row["west"]), float(row["south"]), float(row["east"]), float(row["north"])


def stored_memberships(
    graph: Graph, pairs: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], dict[str, Any]]:
    """Role and since of the MEMBER_OF rows among (organization id, network id) pairs."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    wanted = [list(p) for p in sorted(set(pairs))]
    for start in range(0, len(wanted), 5_000):
        rows = graph.query(
            "UNWIND $pairs AS pair "
            "MATCH (:Organization {id: pair[0]})-[m:MEMBER_OF]->(:Network {id: pair[1]}) "
            "RETURN pair[0] AS o, pair[1] AS n, m.role AS role, m.since AS since",
            {"pairs": wanted[start : start + 5_000]},
        )
        for row in rows:
            since = row["since"]
            found[(row["o"], row["n"])] = {
                "role": row["role"],
                "since": since.to_native() if since is not None else None,
            }
    return found


def area_names(graph: Graph) -> list[tuple[str, str]]:
    """(id, name) of every Sozialraum, for matching places named in an import."""
    rows = graph.query("MATCH (a:Area) RETURN a.id AS id, a.name AS name ORDER BY id")
    return [(row["id"], row["name"]) for row in rows]
