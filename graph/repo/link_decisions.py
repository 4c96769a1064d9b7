"""Coordinators' decisions on duplicate-Träger suggestions (the review loop of the linkage).

One ``LinkDecision`` node per pair of Träger ids (``id`` = the two ids sorted, joined by
"|"): ``confirmed`` (merged with graph/merge.py) or ``rejected`` (never suggested again).
The ids stay as plain strings: after a confirmed merge one of them no longer exists, and the
decision is still a label for measuring the linkage (``verbund linkage labels``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, LiteralString

import neo4j

from graph.connection import Graph, run
from graph.merge import InvalidMerge, MergeResult, OrganizationNotFound, merge_organizations

Verdict = Literal["confirmed", "rejected"]


@dataclass(frozen=True, slots=True)
class LinkDecision:
    a_id: str
    b_id: str
    a_name: str
    b_name: str
    verdict: Verdict
    outcome: str  # what the linkage had suggested: same, related, renamed
    decided_by: str
    decided_at: datetime


def pair_id(a: str, b: str) -> str:
    x, y = sorted((a, b))
    return f"{x}|{y}"


_RECORD = """
MERGE (d:LinkDecision {id: $pair})
SET d.a_id = $a, d.b_id = $b, d.a_name = $a_name, d.b_name = $b_name, d.verdict = $verdict,
    d.outcome = $outcome, d.decided_by = $by, d.decided_at = $now
"""


def _names(tx: neo4j.ManagedTransaction, ids: list[str]) -> dict[str, str]:
    rows = run(
        tx, "MATCH (o:Organization) WHERE o.id IN $ids RETURN o.id AS id, o.name AS name", ids=ids
    )
    return {r["id"]: r["name"] for r in rows}


def _record(
    tx: neo4j.ManagedTransaction,
    names: dict[str, str],
    verdict: Verdict,
    outcome: str,
    by: str,
) -> None:
    x, y = sorted(names)
    run(
        tx,
        _RECORD,
        pair=pair_id(x, y),
        a=x,
        b=y,
        a_name=names[x],
        b_name=names[y],
        verdict=verdict,
        outcome=outcome,
        by=by,
        now=datetime.now(UTC),
    )


def reject(graph: Graph, a: str, b: str, *, outcome: str, by: str) -> None:
    """Store "not one Träger" (one transaction); both Träger must exist."""
    if a == b:
        raise InvalidMerge("Ein Träger kann nicht mit sich selbst verglichen werden.")

    def work(tx: neo4j.ManagedTransaction) -> None:
        names = _names(tx, [a, b])
        for ident in (a, b):
            if ident not in names:
                raise OrganizationNotFound(ident)
        _record(tx, names, "rejected", outcome, by)

    graph.write(work)


def confirm(graph: Graph, keep: str, drop: str, *, outcome: str, by: str) -> MergeResult:
    """Merge ``drop`` into ``keep`` (graph/merge.py, one transaction), then store "one
    Träger" with both names as they were. A failed merge stores nothing."""
    names = graph.read(lambda tx: _names(tx, [keep, drop]))
    result = merge_organizations(graph, keep, drop)
    graph.write(lambda tx: _record(tx, names, "confirmed", outcome, by))
    return result


# Also read by the analyses' snapshot (graph/analysis/projection.py), in its transaction.
REJECTED_PAIRS: LiteralString = (
    "MATCH (d:LinkDecision {verdict: 'rejected'}) RETURN d.a_id AS a, d.b_id AS b"
)


def rejected_pairs(graph: Graph) -> frozenset[frozenset[str]]:
    return frozenset(frozenset((r["a"], r["b"])) for r in graph.query(REJECTED_PAIRS))


def decisions(graph: Graph) -> list[LinkDecision]:
    """Every decision, oldest first (the labels a coordinator gave)."""
    rows = graph.query(
        "MATCH (d:LinkDecision) RETURN d.a_id AS a, d.b_id AS b, d.a_name AS a_name, "
        "d.b_name AS b_name, d.verdict AS verdict, d.outcome AS outcome, "
        "d.decided_by AS by, d.decided_at AS at ORDER BY d.decided_at, d.id"
    )
    return [
        LinkDecision(
            a_id=r["a"],
            b_id=r["b"],
            a_name=r["a_name"],
            b_name=r["b_name"],
            verdict=r["verdict"],
            outcome=r["outcome"],
            decided_by=r["by"],
            decided_at=r["at"].to_native(),
        )
        for r in rows
    ]
