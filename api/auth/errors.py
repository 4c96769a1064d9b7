"""The one error of authentication: why a credential was refused (logged, not shown)."""

from __future__ import annotations


class AuthError(Exception):
    """A credential was missing, malformed, expired, revoked or not trusted."""
