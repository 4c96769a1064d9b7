"""Server facts and housekeeping: version, emptiness, counts, clearing (tests, demo reset)."""

from __future__ import annotations

from dataclasses import dataclass

from graph import revision
from graph.connection import Graph


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """What Neo4j reports about itself through ``dbms.components()``."""

    name: str
    version: str
    edition: str


def server_info(graph: Graph) -> ServerInfo:
    rows = graph.query(
        "CALL dbms.components() YIELD name, versions, edition "
        "RETURN name, versions[0] AS version, edition"
    )
    row = rows[0]
    return ServerInfo(name=row["name"], version=row["version"], edition=row["edition"])


def is_empty(graph: Graph) -> bool:
    # The data revision (graph/revision.py) is no data.
    rows = graph.query("MATCH (n) WHERE NOT n:DataRevision RETURN count(n) = 0 AS empty")
    return bool(rows[0]["empty"])


def label_counts(graph: Graph) -> dict[str, int]:
    """Nodes per label, from the count store (cheap whatever the size)."""
    rows = graph.query(
        "CALL db.labels() YIELD label "
        "CALL (label) { MATCH (n:$(label)) RETURN count(n) AS count } "
        "RETURN label, count ORDER BY label"
    )
    # The data revision (graph/revision.py) is bookkeeping, not data.
    return {
        row["label"]: row["count"]
        for row in rows
        if row["count"] and row["label"] != revision.LABEL
    }


def clear(graph: Graph) -> None:
    """Delete every node and relationship (keeps constraints and indexes).

    Relationships first, in batches: a DETACH DELETE of a Leistungsbereich with 170,000
    relationships (the generated Land) exceeds a transaction's memory in one batch."""
    graph.run_implicit("MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS")
    graph.run_implicit("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")


def has_source(graph: Graph, source: str) -> bool:
    """Whether any Träger came from this source (e.g. the synthetic demo)."""
    rows = graph.query(
        "MATCH (o:Organization {source: $source}) RETURN 1 AS found LIMIT 1", {"source": source}
    )
    return bool(rows)
