"""Ending a case: the household is closed, never deleted; its open needs end with it.

One transaction, compare-and-set on the household's version (like every update): the
household and its history (needs, consents, referrals) stay for the people who may see them
and for the retention rules (graph/retention.py); only new casework on it is refused.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

import neo4j

from graph import records as rec
from graph.connection import Graph, run
from graph.repo.values import Stored
from graph.repo.writes import _lock_and_check, _read_back, _write


def close_household(
    graph: Graph,
    current: rec.Household,
    expected_version: int,
    on: date,
    now: datetime,
    by: str | None = None,
) -> tuple[Stored[Any], int]:
    """Set ``closed_on`` and close the household's open needs; returns the household as
    stored and how many needs were closed."""

    def work(tx: neo4j.ManagedTransaction) -> tuple[Stored[Any], int]:
        _lock_and_check(tx, "Household", current.id, expected_version)
        _write(tx, replace(current, closed_on=on), now, by)
        rows = run(
            tx,
            "MATCH (:Household {id: $id})-[:HAS_NEED]->(n:Need {status: 'open'}) "
            "SET n.status = 'closed', n.updated_at = $now, "
            "    n.version = coalesce(n.version, 1) + 1, "
            "    n.updated_by = coalesce($by, n.updated_by) "
            "RETURN count(n) AS closed",
            id=current.id,
            now=now,
            by=by,
        )
        return _read_back(tx, "Household", current.id), int(rows[0]["closed"])

    result: tuple[Stored[Any], int] = graph.write(work)
    return result
