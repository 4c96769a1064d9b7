"""OpenID Connect bearer tokens (e.g. Keycloak): signature, issuer, audience, expiry, claims.

Keys come from a JWKS file or URL (``VERBUND_OIDC_JWKS``; the URL is cached and refetched as
``api/auth/jwks.py`` describes). The role is taken from a claim
(default Keycloak's ``realm_access.roles``) whose values carry a prefix (``verbund-caseworker``);
exactly one verbund role must be present. The organization comes from another claim.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jwt
from jwt import PyJWKSet

from api.auth.errors import AuthError
from api.auth.jwks import JwksCache
from api.settings import Settings
from schema.principal import ORGANIZATION_ROLES, ROLES, InvalidPrincipal, Principal, Role

_FILE_RELOAD_SECONDS = 300.0


def claim(claims: Mapping[str, Any], path: str) -> Any:
    """A claim by dotted path (``realm_access.roles``)."""
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


class OidcVerifier:
    """Validates bearer JWTs against the configured issuer's keys and maps them to principals."""

    def __init__(self, settings: Settings) -> None:
        if not (settings.oidc_jwks and settings.oidc_issuer and settings.oidc_audience):
            raise ValueError("OIDC braucht VERBUND_OIDC_JWKS, _ISSUER und _AUDIENCE")
        self.settings = settings
        self.jwks = settings.oidc_jwks
        self.algorithms = [a.strip() for a in settings.oidc_algorithms.split(",") if a.strip()]
        self._client = (
            JwksCache(
                self.jwks,
                timeout=settings.oidc_jwks_timeout_seconds,
                cache_seconds=settings.oidc_jwks_cache_seconds,
                min_refresh_seconds=settings.oidc_jwks_min_refresh_seconds,
            )
            if self.jwks.startswith(("https://", "http://"))
            else None
        )
        self._file_keys: PyJWKSet | None = None
        self._file_loaded = 0.0

    @classmethod
    def from_settings(cls, settings: Settings) -> OidcVerifier | None:
        """None when OIDC is not configured (only API tokens are accepted then)."""
        if not settings.oidc_jwks:
            return None
        return cls(settings)

    def _key(self, token: str) -> Any:
        try:
            header = jwt.get_unverified_header(token)
            kid = header.get("kid")
            if kid is not None and not isinstance(kid, str):
                raise AuthError("ungültige Schlüssel-ID")
            if self._client is not None:
                return self._client.key(kid)
            keys = self._keys_from_file()
            for key in keys.keys:
                if kid is None or key.key_id == kid:
                    return key.key
        except (jwt.PyJWTError, OSError, ValueError) as exc:
            raise AuthError(f"Schlüssel nicht gefunden: {exc}") from exc
        raise AuthError("kein passender Schlüssel im JWKS")

    def _keys_from_file(self) -> PyJWKSet:
        now = time.monotonic()
        if self._file_keys is None or now - self._file_loaded > _FILE_RELOAD_SECONDS:
            data = json.loads(Path(self.jwks).read_text("utf-8"))
            self._file_keys = PyJWKSet.from_dict(data)
            self._file_loaded = now
        return self._file_keys

    def verify(self, token: str) -> Principal:
        """The principal of a valid token, or AuthError (never a partial principal)."""
        key = self._key(token)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,
                algorithms=self.algorithms,
                audience=self.settings.oidc_audience,
                issuer=self.settings.oidc_issuer,
                leeway=self.settings.oidc_leeway_seconds,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise AuthError(f"Token ungültig: {exc}") from exc
        return self.principal(claims)

    def principal(self, claims: Mapping[str, Any]) -> Principal:
        return principal_from_claims(claims, self.settings)


def principal_from_claims(claims: Mapping[str, Any], settings: Settings) -> Principal:
    """The principal of verified claims: a bearer token's, or the ID token of a web sign-in.

    AuthError when the claims name no verbund role, several, or a role without the
    organization it needs (never a partial principal).
    """
    role = _role(claims, settings)
    organization = claim(claims, settings.oidc_organization_claim)
    if isinstance(organization, list):
        organization = organization[0] if len(organization) == 1 else None
    if organization is not None and not isinstance(organization, str):
        organization = None
    if role not in ORGANIZATION_ROLES:
        organization = organization or None
    subject = claim(claims, settings.oidc_subject_claim) or claims["sub"]
    try:
        return Principal(
            subject=str(subject), role=role, organization_id=organization, auth_method="oidc"
        )
    except InvalidPrincipal as exc:
        raise AuthError(str(exc)) from exc


def _role(claims: Mapping[str, Any], settings: Settings) -> Role:
    values = claim(claims, settings.oidc_role_claim)
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list):
        raise AuthError("keine Rolle im Token")
    prefix = settings.oidc_role_prefix
    found = {
        role
        for role in ROLES
        for value in values
        if isinstance(value, str) and value == prefix + role
    }
    if len(found) != 1:
        raise AuthError(f"genau eine verbund-Rolle erwartet, gefunden: {sorted(found)}")
    return found.pop()
