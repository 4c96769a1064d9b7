"""API tokens for scripts: random, shown once, stored only as SHA-256 hashes (graph/tokens.py)."""

from __future__ import annotations

import hashlib
import secrets

from api.auth.errors import AuthError
from api.auth.token_cache import TokenCache
from graph import Graph
from graph.tokens import ApiToken, find_active, store_token
from schema.principal import InvalidPrincipal, Principal, parse_role

TOKEN_PREFIX = "vbd_"  # noqa: S105 (a prefix, not a secret)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def looks_like_api_token(token: str) -> bool:
    return token.startswith(TOKEN_PREFIX)


def create_token(
    graph: Graph, *, role: str, organization_id: str | None = None, name: str = ""
) -> tuple[ApiToken, str]:
    """A new token for a role (and organization); returns the record and the token, once."""
    parsed = parse_role(role)
    # Validate the combination before anything is stored.
    Principal(subject=name or "token", role=parsed, organization_id=organization_id)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = store_token(
        graph,
        token_hash=hash_token(token),
        name=name or f"{parsed}-token",
        role=parsed,
        organization_id=organization_id,
    )
    return record, token


def authenticate_api_token(graph: Graph, token: str, cache: TokenCache | None = None) -> Principal:
    """The principal of an active token, or AuthError."""
    token_hash = hash_token(token)
    if cache is not None and (known := cache.get(token_hash)) is not None:
        return known
    record = find_active(graph, token_hash)
    if record is None:
        raise AuthError("unbekanntes oder widerrufenes API-Token")
    try:
        principal = Principal(
            subject=f"token:{record.id}",
            role=parse_role(record.role),
            organization_id=record.organization_id,
            auth_method="token",
        )
    except InvalidPrincipal as exc:
        raise AuthError(str(exc)) from exc
    if cache is not None:
        cache.put(token_hash, principal)
    return principal
