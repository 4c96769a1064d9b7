"""API tokens (for scripts) as ``ApiToken`` nodes: only the SHA-256 hash of a token is stored."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from graph.connection import Graph
from graph.errors import GraphError


class UnknownOrganization(GraphError):
    """A token was to be created for an organization that is not in the graph."""

    code = "UNKNOWN_ORGANIZATION"


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiToken:
    """API-Token: who a token acts as. The token itself is never stored."""

    id: str
    name: str
    role: str
    organization_id: str | None
    created_at: datetime
    revoked_at: datetime | None = None


def _native(value: Any) -> Any:
    return value.to_native() if hasattr(value, "to_native") else value


def _token(row: dict[str, Any]) -> ApiToken:
    return ApiToken(
        id=row["id"],
        name=row["name"],
        role=row["role"],
        organization_id=row.get("organization_id"),
        created_at=_native(row["created_at"]),
        revoked_at=_native(row.get("revoked_at")),
    )


def store_token(
    graph: Graph, *, token_hash: str, name: str, role: str, organization_id: str | None
) -> ApiToken:
    """Store a new token's hash (CREATE: a second token with the same id is a conflict)."""
    props = {
        "id": uuid.uuid4().hex[:12],
        "name": name,
        "role": role,
        "organization_id": organization_id,
        "token_hash": token_hash,
        "created_at": datetime.now(UTC),
        "source": "manual",
    }
    # The organization must exist, checked in the same transaction as the CREATE: a token
    # for a mistyped Träger would authenticate and then see nothing (or, once someone
    # creates that id, a Träger nobody meant).
    rows = graph.query(
        "OPTIONAL MATCH (o:Organization {id: $org}) WITH o "
        "WHERE $org IS NULL OR o IS NOT NULL "
        "CREATE (t:ApiToken) SET t = $props RETURN properties(t) AS t",
        {"props": props, "org": organization_id},
        write=True,
        revise=False,  # tokens are not analysed
    )
    if not rows:
        raise UnknownOrganization(
            f"Organisation „{organization_id}“ gibt es nicht im Verbund; "
            "bitte die Träger-ID prüfen (verbund token create --organization ID)."
        )
    return _token(rows[0]["t"])


def find_active(graph: Graph, token_hash: str) -> ApiToken | None:
    # On every API request: the cheapest read (Graph.rows), still exact (a revocation
    # committed before the request is seen).
    rows = graph.rows(
        "MATCH (t:ApiToken {token_hash: $hash}) WHERE t.revoked_at IS NULL "
        "RETURN properties(t) AS t",
        {"hash": token_hash},
    )
    return _token(rows[0]["t"]) if rows else None


def revoke_token(graph: Graph, token_id: str) -> bool:
    """Revoke a token; False when no such token exists (revoking twice is fine)."""
    rows = graph.query(
        "MATCH (t:ApiToken {id: $id}) SET t.revoked_at = coalesce(t.revoked_at, $now) "
        "RETURN t.id AS id",
        {"id": token_id, "now": datetime.now(UTC)},
        write=True,
        revise=False,
    )
    return bool(rows)


def list_tokens(graph: Graph) -> list[ApiToken]:
    rows = graph.query("MATCH (t:ApiToken) RETURN properties(t) AS t ORDER BY t.created_at, t.id")
    return [_token(row["t"]) for row in rows]
