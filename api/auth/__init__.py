"""Authentication: API tokens and OpenID Connect bearer tokens become a ``Principal``."""

from api.auth.errors import AuthError

__all__ = ["AuthError"]
