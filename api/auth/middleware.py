"""Starlette (ASGI) middleware that turns the request's credentials into a ``Principal``.

``Authorization: Bearer vbd_…`` is an API token, any other bearer token an OpenID Connect JWT.
Protected paths (``/graphql``) answer 401 without valid credentials; only the GraphiQL page
itself (GET, text/html) stays reachable and it contains no data. Other paths (``/health``)
get the anonymous principal and decide themselves what they show.

Repeated failures are answered with 429 for a while, counted twice: per credential (a hash of
the presented token, so one token is not tried again and again) and per client address (the
socket peer; ``X-Forwarded-For`` only from ``VERBUND_TRUSTED_PROXIES``, api/auth/client_address).
A valid credential is never refused because of others' failures: a whole Jobcenter may sit
behind one address. So an address over its limit is not refused up front; its credential is
checked first and only a credential that does not hold gets 429 instead of 401. (Guessing a
token is hopeless anyway: 256 random bits. The limit keeps the noise down and makes the
answer to a misbehaving address plain; the check costs one indexed read or one signature.)

The failure count lives in this process's memory (README, "Failed logins"): exact for the one
process ``verbund serve`` runs; with several workers each counts alone, so the binding limit
then belongs in the reverse proxy or the identity provider. It is not kept in Neo4j on purpose:
each failed attempt would become a database write.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import time
from collections import deque
from collections.abc import Callable

from anyio.to_thread import run_sync
from starlette.datastructures import Headers
from starlette.requests import HTTPConnection
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from api import faults
from api.auth.api_tokens import authenticate_api_token, hash_token, looks_like_api_token
from api.auth.client_address import TrustedProxies
from api.auth.errors import AuthError, KeysUnavailable
from api.auth.oidc import OidcVerifier
from api.auth.token_cache import TokenCache
from api.settings import Settings
from api.web.session import SESSION_PRINCIPAL_KEY, session_of
from graph import Graph, GraphError
from schema.principal import ANONYMOUS, Principal

log = logging.getLogger("verbund.auth")

PRINCIPAL_SCOPE_KEY = "verbund.principal"
PROTECTED_PREFIXES = ("/graphql",)
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _csrf_ok(scope: Scope) -> bool:
    expected = session_of(HTTPConnection(scope)).data.get("csrf")
    given = Headers(scope=scope).get("x-csrf-token", "")
    return isinstance(expected, str) and hmac.compare_digest(expected, given)


class FailureLimiter:
    """Counts authentication failures per key (address, user name, credential hash) in a
    sliding window; only the last ``limit`` failures of a key are kept (enough to decide)."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic):
        self.limit = limit
        self.window = window
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, client: str) -> deque[float]:
        found = self._failures.get(client)
        if found is None:
            return deque()  # the common case (no failures): nothing stored, nothing to drop
        now = self.clock()
        while found and now - found[0] > self.window:
            found.popleft()
        if not found:
            del self._failures[client]
            return deque()
        return found

    def blocked(self, client: str) -> bool:
        return len(self._recent(client)) >= self.limit

    def fail(self, client: str) -> None:
        self._failures.setdefault(client, deque(maxlen=self.limit)).append(self.clock())
        if len(self._failures) > 10_000:
            # Forget the oldest clients rather than grow without bound.
            for key in list(self._failures)[:1000]:
                del self._failures[key]


def _error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": code}}]},
        status_code=status,
        headers=headers,
    )


def _unauthorized() -> JSONResponse:
    return _error(
        401,
        "UNAUTHENTICATED",
        "Anmeldung erforderlich: Authorization: Bearer <Token>.",
        {"WWW-Authenticate": 'Bearer realm="verbund"'},
    )


def _is_ide_page(scope: Scope, headers: Headers) -> bool:
    return scope["method"] == "GET" and "text/html" in headers.get("accept", "")


class AuthMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.oidc = OidcVerifier.from_settings(settings)
        self.proxies = TrustedProxies.parse(settings.trusted_proxies)
        self.tokens = TokenCache(settings.api_token_cache_seconds)
        # Two limiters: a flood of made-up credentials must not push an address's count out
        # of the bounded table (FailureLimiter forgets its oldest keys).
        self.limiter = FailureLimiter(
            settings.auth_failure_limit, settings.auth_failure_window_seconds
        )
        self.credentials = FailureLimiter(
            settings.auth_failure_limit, settings.auth_failure_window_seconds
        )
        workers = os.environ.get("WEB_CONCURRENCY", "1")
        if workers.isdigit() and int(workers) > 1:
            log.warning(
                "%s Worker: die Sperre nach fehlgeschlagenen Anmeldungen zählt je Prozess; "
                "die verbindliche Grenze gehört in den Reverse Proxy.",
                workers,
            )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        protected = scope["path"].startswith(PROTECTED_PREFIXES)
        client = self.proxies.client_address(scope)
        authorization = headers.get("authorization")
        principal = ANONYMOUS
        if authorization:
            credential = hashlib.sha256(authorization.encode("utf-8", "replace")).hexdigest()
            # This very credential failed too often: it does not hold, no need to check again.
            if self.credentials.blocked(credential):
                await self._too_many()(scope, receive, send)
                return
            # The address over its limit: decided after the check (module doc).
            address_blocked = self.limiter.blocked(client)
            try:
                principal = await self._authenticate(scope, authorization)
            except KeysUnavailable as exc:
                # Not the caller's fault: no failure counted, the operator is told in the log.
                log.error("Anmeldung nicht prüfbar (%s): %s", client, exc)
                if protected:
                    await _error(
                        503,
                        exc.code,
                        "Anmeldung derzeit nicht prüfbar (Identitätsanbieter nicht erreichbar).",
                        {"Retry-After": "30"},
                    )(scope, receive, send)
                    return
            except AuthError as exc:
                self.limiter.fail(client)
                self.credentials.fail(credential)
                log.info("Anmeldung abgelehnt (%s): %s", client, exc)
                if address_blocked:
                    await self._too_many()(scope, receive, send)
                    return
                if protected:
                    await _unauthorized()(scope, receive, send)
                    return
            except GraphError as exc:
                faults.log_fault(scope, exc)
                if protected:
                    status = faults.status_of(exc.code) or 503
                    await _error(status, exc.code, str(exc), faults.retry_headers(status))(
                        scope, receive, send
                    )
                    return
        elif isinstance(found := scope.get(SESSION_PRINCIPAL_KEY), Principal):
            # Signed in on the web pages: the session cookie counts like a token, but a
            # cookie is sent by the browser on its own, so writes need the CSRF header too.
            if protected and scope["method"] not in _SAFE_METHODS and not _csrf_ok(scope):
                await _error(
                    403,
                    "CSRF_TOKEN_INVALID",
                    "Sicherheitsmerkmal fehlt oder ist abgelaufen (X-CSRF-Token). "
                    "Bitte die Seite neu laden.",
                )(scope, receive, send)
                return
            principal = found
        if protected and not principal.authenticated and not _is_ide_page(scope, headers):
            await _unauthorized()(scope, receive, send)
            return
        scope = {**scope, PRINCIPAL_SCOPE_KEY: principal}
        await self.app(scope, receive, send)

    def _too_many(self) -> JSONResponse:
        return _error(
            429,
            "TOO_MANY_FAILURES",
            "Zu viele fehlgeschlagene Anmeldungen. Bitte später erneut versuchen.",
            {"Retry-After": str(int(self.limiter.window))},
        )

    async def _authenticate(self, scope: Scope, authorization: str) -> Principal:
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token or len(token) > 8192:
            raise AuthError("kein Bearer-Token")
        if looks_like_api_token(token):
            graph: Graph = scope["app"].state.graph
            if (known := self.tokens.get(hash_token(token))) is not None:
                return known  # checked a moment ago: no thread, no database round trip
            return await run_sync(authenticate_api_token, graph, token, self.tokens)
        if self.oidc is None:
            raise AuthError("OIDC ist nicht eingerichtet")
        return await run_sync(self.oidc.verify, token)
