"""Neo4j access for verbund: the only package that imports the driver; all Cypher lives here."""

from graph.bundle import Bundle
from graph.connection import Graph, Neo4jConfig
from graph.errors import (
    ConflictError,
    GraphAuthError,
    GraphError,
    GraphUnavailable,
    IntegrityError,
    QueryTimeout,
)

__all__ = [
    "Bundle",
    "ConflictError",
    "Graph",
    "GraphAuthError",
    "GraphError",
    "GraphUnavailable",
    "IntegrityError",
    "Neo4jConfig",
    "QueryTimeout",
]
