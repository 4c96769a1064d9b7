"""The errors of authentication: why a credential was refused (logged, not shown)."""

from __future__ import annotations


class AuthError(Exception):
    """A credential was missing, malformed, expired, revoked or not trusted (HTTP 401)."""


class KeysUnavailable(AuthError):
    """The identity provider's keys cannot be loaded: the caller is not at fault (HTTP 503)."""

    code = "OIDC_KEYS_UNAVAILABLE"
