"""Constraints and indexes of the graph model, created idempotently (``verbund migrate``).

docs/model.md describes the same model; tests/test_migrations.py checks the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, LiteralString

from graph import normalize, revision
from graph.connection import Graph

# Every node label carries a stable, unique ``id``.
NODE_LABELS: tuple[str, ...] = (
    "Area",
    "Category",
    "Organization",
    "Location",
    "Service",
    "Agreement",
    "Network",
    "Household",
    "Need",
    "Consent",
    "Referral",
    "ReferralEvent",
    "ImportRun",
    "AuditEvent",
    "ApiToken",
    "ReferralAggregate",
    "IdempotencyKey",
    "LinkDecision",
    "DataRevision",
)

# (label, property) pairs with a range index: filtered or sorted on by the API and analyses.
RANGE_INDEXES: tuple[tuple[str, str], ...] = (
    ("Area", "level"),
    ("Area", "name"),
    ("Organization", "name"),
    ("Service", "name"),
    ("Service", "status"),
    ("Service", "updated_at"),
    ("Referral", "status"),
    ("Referral", "created_at"),
    ("Need", "status"),
    ("Organization", "source"),
    ("Service", "source"),
    ("Area", "source"),
    ("AuditEvent", "at"),
    ("AuditEvent", "subject"),
    ("ApiToken", "token_hash"),
    ("IdempotencyKey", "expires_at"),
)

POINT_INDEXES: tuple[tuple[str, str], ...] = (("Location", "point"), ("Area", "centroid"))

FULLTEXT_INDEX = "directory_text"
FULLTEXT_LABELS: tuple[str, ...] = ("Service", "Organization")
FULLTEXT_PROPERTIES: tuple[str, ...] = ("name", "description")


@dataclass(frozen=True, slots=True)
class SchemaItem:
    name: str
    statement: str


def _ident(*parts: str) -> str:
    return "_".join(p.lower() for p in parts)


def schema_items() -> list[SchemaItem]:
    """Every constraint and index, as idempotent statements built from the constants above."""
    items = [
        SchemaItem(
            _ident(label, "id", "unique"),
            f"CREATE CONSTRAINT {_ident(label, 'id', 'unique')} IF NOT EXISTS "
            f"FOR (n:{label}) REQUIRE n.id IS UNIQUE",
        )
        for label in NODE_LABELS
    ]
    items += [
        SchemaItem(
            _ident(label, prop),
            f"CREATE INDEX {_ident(label, prop)} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})",
        )
        for label, prop in RANGE_INDEXES
    ]
    items += [
        SchemaItem(
            _ident(label, prop, "point"),
            f"CREATE POINT INDEX {_ident(label, prop, 'point')} IF NOT EXISTS "
            f"FOR (n:{label}) ON (n.{prop})",
        )
        for label, prop in POINT_INDEXES
    ]
    labels = "|".join(FULLTEXT_LABELS)
    props = ", ".join(f"n.{p}" for p in FULLTEXT_PROPERTIES)
    items.append(
        SchemaItem(
            FULLTEXT_INDEX,
            f"CREATE FULLTEXT INDEX {FULLTEXT_INDEX} IF NOT EXISTS "
            f"FOR (n:{labels}) ON EACH [{props}]"
            " OPTIONS {indexConfig: {`fulltext.analyzer`: 'german'}}",
        )
    )
    return items


def migrate(graph: Graph) -> list[str]:
    """Create what is missing and wait until every index is online; return the names."""
    items = schema_items()
    for item in items:
        graph.query(item.statement, write=True, revise=False)  # schema only
    graph.query("CALL db.awaitIndexes(300)")
    # The data revision exists from here on: a database loaded before it existed (or only
    # read since) has its analyses cached at once, not only after the next write.
    graph.write(revision.bump_in, revise=False)
    return [item.name for item in items]


def existing_schema(graph: Graph) -> set[str]:
    """Names of the constraints and indexes the database has now."""
    constraints = graph.query("SHOW CONSTRAINTS YIELD name RETURN name")
    indexes = graph.query(
        "SHOW INDEXES YIELD name, type, owningConstraint "
        "WHERE owningConstraint IS NULL AND type <> 'LOOKUP' RETURN name"
    )
    return {row["name"] for row in constraints} | {row["name"] for row in indexes}


# Properties kept in one canonical form (graph/normalize.py, applied by graph/records.py on
# every write); data written before that rule existed is brought into it here.
_CANONICAL_READ: dict[LiteralString, LiteralString] = {
    "Service": "MATCH (n:Service) RETURN n.id AS id, n.name AS name, "
    "n.description AS description, n.languages AS languages, n.legal_basis AS legal_basis",
    "Organization": "MATCH (n:Organization) RETURN n.id AS id, n.name AS name, "
    "n.description AS description",
}
# The import diff's stored hash described the old values: removed, so the next import
# compares the properties themselves (as graph/merge.py does after a merge).
_CANONICAL_WRITE: dict[LiteralString, LiteralString] = {
    "Service": "UNWIND $rows AS row MATCH (n:Service {id: row.id}) "
    "SET n += row.props REMOVE n._hash, n._hash_version",
    "Organization": "UNWIND $rows AS row MATCH (n:Organization {id: row.id}) "
    "SET n += row.props REMOVE n._hash, n._hash_version",
}
_CANONICAL_BATCH = 2000


def _canonical(row: dict[str, Any]) -> dict[str, Any]:
    """The properties of one node that differ from their canonical form."""
    changed: dict[str, Any] = {}
    for key in ("name", "description"):
        value = row.get(key)
        if isinstance(value, str) and normalize.visible(value) != value:
            changed[key] = normalize.visible(value)
    languages = row.get("languages")
    if isinstance(languages, list) and list(normalize.languages(languages)) != languages:
        changed["languages"] = list(normalize.languages(languages))
    legal_basis = row.get("legal_basis")
    if isinstance(legal_basis, str) and normalize.legal_basis(legal_basis) != legal_basis:
        changed["legal_basis"] = normalize.legal_basis(legal_basis)
    return changed


def canonical_values(graph: Graph) -> int:
    """Bring stored Angebote and Träger into the canonical form (legal bases, language codes,
    names without invisible characters); idempotent. Returns how many nodes changed."""
    total = 0
    for label, read in _CANONICAL_READ.items():
        rows = [
            {"id": row["id"], "props": props}
            for row in graph.query(read)
            if (props := _canonical(row))
        ]
        for start in range(0, len(rows), _CANONICAL_BATCH):
            batch = rows[start : start + _CANONICAL_BATCH]
            graph.query(_CANONICAL_WRITE[label], {"rows": batch}, write=True)
        total += len(rows)
    return total
