"""The data revision: one counter that every write the analyses may read bumps.

The analysis cache (graph/analysis/cache.py) keys its results by this revision, so a result
is reused only while nothing it read has changed. ``Graph.write`` and ``Graph.query(...,
write=True)`` bump it inside the write's own transaction (last statement, so the singleton's
lock is held only for the commit); writes the analyses never read (audit events,
idempotency records, schema, import bookkeeping) opt out with ``revise=False``.

The counter lives in one node with a random ``epoch`` set when the node is created: a
database cleared and reloaded starts a new epoch, so a counter that starts again at 1 never
matches a result cached before the clear. Writes made outside verbund (raw Cypher) do not
bump it; the cache's maximum age covers them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import neo4j

if TYPE_CHECKING:
    from graph.connection import Graph

LABEL = "DataRevision"

# The uniqueness constraint on DataRevision.id (graph/migrations.py) makes the MERGE safe
# under concurrent writers: one creates the node, the others wait and increment it.
_BUMP = """
MERGE (r:DataRevision {id: 'data'})
ON CREATE SET r.epoch = randomUUID(), r.value = 0
SET r.value = r.value + 1
"""
# After a statement that may have deleted the node (a clear): bump it only if it is still
# there. Without it nothing is cached (``current`` is None) until the next write creates it
# with a new epoch, and an emptied database stays empty.
_BUMP_EXISTING = "MATCH (r:DataRevision {id: 'data'}) SET r.value = r.value + 1"
_READ = "MATCH (r:DataRevision {id: 'data'}) RETURN r.epoch AS epoch, r.value AS value"


@dataclass(frozen=True, slots=True)
class Revision:
    epoch: str
    value: int


def bump_in(tx: neo4j.ManagedTransaction) -> None:
    """Bump the revision inside a write transaction (call it last)."""
    tx.run(_BUMP).consume()


def bump_after(graph: Graph) -> None:
    """Bump the revision in a transaction of its own, after a write that cannot hold it
    (``CALL ... IN TRANSACTIONS``); a deleted revision node is not created again."""

    def work(tx: neo4j.ManagedTransaction) -> None:
        tx.run(_BUMP_EXISTING).consume()

    graph.write(work, revise=False)


def current(graph: Graph) -> Revision | None:
    """The revision now; None before the first write (nothing to cache against yet)."""
    rows = graph.rows(_READ)
    if not rows or rows[0]["epoch"] is None:
        return None
    return Revision(epoch=str(rows[0]["epoch"]), value=int(rows[0]["value"]))
