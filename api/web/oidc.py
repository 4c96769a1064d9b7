"""Signing in on the web pages with OpenID Connect: the authorization code flow with PKCE (S256).

``start`` keeps a fresh ``state``, ``nonce`` and PKCE ``code_verifier`` with the page to return
to in the session cookie (signed, HttpOnly; at most three pending sign-ins, ten minutes each)
and answers with the provider's authorization URL. ``finish`` takes the pending sign-in named
by the callback's ``state`` out of the session (one use), exchanges the code at the token
endpoint with the verifier (and the client secret, ``client_secret_basic``, when configured),
verifies the ID token (signature against the provider's JWKS via ``api/auth/jwks.py``; issuer,
audience = client id, expiry, nonce) and maps its claims to a principal exactly as bearer tokens
are mapped (``api.auth.oidc.principal_from_claims``).

The provider's endpoints come from its discovery document
(``VERBUND_OIDC_ISSUER`` + ``/.well-known/openid-configuration``), fetched on the first sign-in
and kept for an hour. Every provider URL must be https (plain http only to this machine), and
every call has ``VERBUND_OIDC_TIMEOUT`` (5 s). Whatever goes wrong ends in ``LoginFailed``: a
kind the page turns into German text, a status, and a reason for the log, never shown.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import httpx
import jwt
from anyio.to_thread import run_sync
from starlette.requests import Request

from api.auth.errors import AuthError, KeysUnavailable
from api.auth.jwks import JwksCache, check_url
from api.auth.oidc import principal_from_claims
from api.settings import Settings
from api.web.session import session_of
from schema.principal import Principal

log = logging.getLogger("verbund.web")

FLOWS_KEY = "oidc"  # session data: pending sign-ins by state
RETURN_ROUTE = "oidc_rueckkehr"
_FLOW_SECONDS = 600
_MAX_FLOWS = 3
_DISCOVERY_SECONDS = 3600.0
_MAX_BYTES = 1_000_000

Problem = Literal["expired", "cancelled", "refused", "no_role", "unavailable"]
_STATUS: dict[Problem, int] = {
    "expired": 400,  # no pending sign-in for this state (tampered, replayed, too old)
    "cancelled": 400,  # the provider answered with an error (access_denied: no consent)
    "refused": 400,  # the code or the ID token was not accepted
    "no_role": 403,  # signed in at the provider, but without a verbund role
    "unavailable": 503,  # the provider cannot be reached or answers nonsense
}


class LoginFailed(Exception):
    """The sign-in cannot go on: ``problem`` for the page, ``reason`` for the log only."""

    def __init__(self, problem: Problem, reason: str, next_path: str = "/") -> None:
        super().__init__(reason)
        self.problem = problem
        self.reason = reason
        self.status = _STATUS[problem]
        self.next_path = next_path


@dataclass(frozen=True, slots=True)
class Endpoints:
    authorization: str
    token: str
    jwks: str


@dataclass(frozen=True, slots=True)
class SignedIn:
    principal: Principal
    display_name: str
    next_path: str


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def code_challenge(verifier: str) -> str:
    """PKCE S256: BASE64URL(SHA256(verifier)) without padding (RFC 7636, 4.2)."""
    return _b64(hashlib.sha256(verifier.encode("ascii")).digest())


class OidcLogin:
    """The sign-in flow against one provider, for one client; shared by all requests."""

    def __init__(self, settings: Settings) -> None:
        if not (settings.oidc_issuer and settings.oidc_client_id):
            raise ValueError("Die Anmeldung braucht VERBUND_OIDC_ISSUER und _CLIENT_ID")
        check_url(settings.oidc_issuer, "VERBUND_OIDC_ISSUER")
        if settings.oidc_redirect_url:
            check_url(settings.oidc_redirect_url, "VERBUND_OIDC_REDIRECT_URL")
        self.settings = settings
        self.issuer = settings.oidc_issuer
        self.client_id = settings.oidc_client_id
        self.secret = (
            settings.oidc_client_secret.get_secret_value() if settings.oidc_client_secret else None
        )
        scopes = settings.oidc_scopes.split()
        self.scope = " ".join(scopes if "openid" in scopes else ["openid", *scopes])
        self.algorithms = [a.strip() for a in settings.oidc_algorithms.split(",") if a.strip()]
        self.timeout = settings.oidc_timeout_seconds
        self.discovery_url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
        self._endpoints: Endpoints | None = None
        self._discovered_at = 0.0
        self._keys: JwksCache | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> OidcLogin | None:
        """None unless the web sign-in is configured (issuer and client id)."""
        if not (settings.oidc_issuer and settings.oidc_client_id):
            return None
        return cls(settings)

    # -- the two steps --------------------------------------------------------------------

    async def start(self, request: Request, next_path: str) -> str:
        """Remember a new sign-in in the session; the provider's URL to send the browser to."""
        endpoints = await self._discover()
        state = secrets.token_urlsafe(32)
        nonce = secrets.token_urlsafe(32)
        verifier = secrets.token_urlsafe(64)  # 86 characters of [A-Za-z0-9_-]
        redirect = self.redirect_url(request)
        session = session_of(request)
        now = int(time.time())
        flows = {
            key: flow
            for key, flow in _flows(session.data).items()
            if now - int(flow.get("t", 0)) <= _FLOW_SECONDS
        }
        # A few sign-ins may be pending (several tabs); the oldest gives way.
        while len(flows) >= _MAX_FLOWS:
            del flows[min(flows, key=lambda k: int(flows[k].get("t", 0)))]
        flows[state] = {
            "nonce": nonce,
            "verifier": verifier,
            "next": next_path,
            "redirect": redirect,
            "t": now,
        }
        session.data[FLOWS_KEY] = flows
        session.changed = True
        return _with_query(
            endpoints.authorization,
            {
                "response_type": "code",
                "client_id": self.client_id,
                "redirect_uri": redirect,
                "scope": self.scope,
                "state": state,
                "nonce": nonce,
                "code_challenge": code_challenge(verifier),
                "code_challenge_method": "S256",
            },
        )

    async def finish(self, request: Request) -> SignedIn:
        """The callback: the person signed in, or LoginFailed."""
        params = request.query_params
        flow = self._take_flow(request, params.get("state", ""))
        next_path = str(flow.get("next") or "/")
        try:
            error = params.get("error")
            if error:
                description = params.get("error_description", "")[:200]
                raise LoginFailed("cancelled", f"Anbieter meldet {error[:50]}: {description}")
            issuer = params.get("iss")
            if issuer is not None and issuer != self.issuer:
                # RFC 9207: the answer comes from another provider (mix-up).
                raise LoginFailed("refused", f"Antwort eines anderen Anbieters: {issuer[:200]}")
            code = params.get("code")
            if not code:
                raise LoginFailed("refused", "Rückkehr ohne code")
            endpoints = await self._discover()
            id_token = await self._exchange(endpoints, code, flow)
            claims = await self._verify(endpoints, id_token, str(flow.get("nonce", "")))
            try:
                principal = principal_from_claims(claims, self.settings)
            except AuthError as exc:
                raise LoginFailed(
                    "no_role", f"{claims.get('sub')!r} ohne verbund-Rolle: {exc}"
                ) from exc
        except LoginFailed as exc:
            exc.next_path = next_path
            raise
        name = claims.get("name") or claims.get("preferred_username") or ""
        return SignedIn(principal, str(name)[:200], next_path)

    def redirect_url(self, request: Request) -> str:
        if self.settings.oidc_redirect_url:
            return self.settings.oidc_redirect_url
        return str(request.url_for(RETURN_ROUTE))

    # -- pieces ---------------------------------------------------------------------------

    def _take_flow(self, request: Request, state: str) -> dict[str, Any]:
        session = session_of(request)
        flows = _flows(session.data)
        flow = flows.pop(state, None) if state else None
        if flow is not None:
            # One use: the cookie sent with this answer no longer knows the state.
            session.data[FLOWS_KEY] = flows
            session.changed = True
        if flow is None:
            raise LoginFailed("expired", "state unbekannt, schon benutzt oder aus anderer Sitzung")
        if int(time.time()) - int(flow.get("t", 0)) > _FLOW_SECONDS:
            raise LoginFailed("expired", "Anmeldung nach mehr als zehn Minuten nicht beendet")
        return flow

    async def _discover(self) -> Endpoints:
        now = time.monotonic()
        if self._endpoints is not None and now - self._discovered_at < _DISCOVERY_SECONDS:
            return self._endpoints
        try:
            status, document = await self._call("GET", self.discovery_url)
            if status != 200:
                raise ValueError(f"HTTP {status}")
            if document.get("issuer") != self.issuer:
                raise ValueError(f"issuer {document.get('issuer')!r} statt {self.issuer!r}")
            found = Endpoints(
                authorization=_url(document, "authorization_endpoint"),
                token=_url(document, "token_endpoint"),
                jwks=_url(document, "jwks_uri"),
            )
        except (httpx.HTTPError, ValueError) as exc:
            if self._endpoints is not None:
                log.warning("OIDC-Discovery nicht erneuert (%s), bisherige gilt weiter", exc)
                self._discovered_at = now - _DISCOVERY_SECONDS + 60  # next try in a minute
                return self._endpoints
            raise LoginFailed("unavailable", f"Discovery {self.discovery_url}: {exc}") from exc
        if self._keys is None or self._keys.url != found.jwks:
            self._keys = JwksCache(
                found.jwks,
                timeout=self.timeout,
                cache_seconds=self.settings.oidc_jwks_cache_seconds,
                min_refresh_seconds=self.settings.oidc_jwks_min_refresh_seconds,
            )
        self._endpoints, self._discovered_at = found, now
        return found

    async def _exchange(self, endpoints: Endpoints, code: str, flow: Mapping[str, Any]) -> str:
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": str(flow.get("redirect", "")),
            "code_verifier": str(flow.get("verifier", "")),
        }
        headers = {}
        if self.secret is not None:
            # RFC 6749, 2.3.1: both parts form-encoded before Basic.
            pair = f"{quote(self.client_id, safe='')}:{quote(self.secret, safe='')}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        else:
            form["client_id"] = self.client_id
        try:
            status, answer = await self._call("POST", endpoints.token, form, headers)
        except (httpx.HTTPError, ValueError) as exc:
            raise LoginFailed("unavailable", f"Token-Endpunkt: {exc}") from exc
        if status >= 500:
            raise LoginFailed("unavailable", f"Token-Endpunkt: HTTP {status}")
        if status != 200:
            error = str(answer.get("error", ""))[:50]
            if error in ("invalid_client", "unauthorized_client"):
                # Not the person's doing: the client is registered differently (operator).
                log.error("OIDC-Client abgelehnt (%s): Client-ID/Secret prüfen", error)
            raise LoginFailed("refused", f"Token-Endpunkt: HTTP {status} {error}")
        id_token = answer.get("id_token")
        if not isinstance(id_token, str) or not id_token:
            raise LoginFailed("refused", "Token-Antwort ohne id_token (Scope openid?)")
        return id_token

    async def _verify(self, endpoints: Endpoints, id_token: str, nonce: str) -> dict[str, Any]:
        keys = self._keys
        assert keys is not None  # set by _discover
        try:
            kid = jwt.get_unverified_header(id_token).get("kid")
            if kid is not None and not isinstance(kid, str):
                raise LoginFailed("refused", "ID-Token: ungültige Schlüssel-ID")
            key = await run_sync(keys.key, kid)
        except KeysUnavailable as exc:
            raise LoginFailed("unavailable", f"JWKS {endpoints.jwks}: {exc}") from exc
        except (AuthError, jwt.PyJWTError) as exc:
            raise LoginFailed("refused", f"ID-Token: {exc}") from exc
        try:
            claims: dict[str, Any] = jwt.decode(
                id_token,
                key=key,
                algorithms=self.algorithms,
                audience=self.client_id,
                issuer=self.issuer,
                leeway=self.settings.oidc_leeway_seconds,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "nonce"]},
            )
        except jwt.PyJWTError as exc:
            raise LoginFailed("refused", f"ID-Token ungültig: {exc}") from exc
        if not hmac.compare_digest(str(claims["nonce"]).encode(), nonce.encode()):
            raise LoginFailed("refused", "ID-Token: nonce passt nicht zur Anmeldung")
        audience = claims["aud"]
        if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != self.client_id:
            raise LoginFailed("refused", "ID-Token: mehrere Empfänger, azp ist nicht dieser Client")
        return claims

    async def _call(
        self,
        method: str,
        url: str,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """One request to the provider: status and JSON object (at most 1 MB, no redirects)."""
        body = bytearray()
        async with (
            httpx.AsyncClient(timeout=self.timeout, follow_redirects=False) as client,
            client.stream(
                method, url, data=data, headers={"Accept": "application/json", **(headers or {})}
            ) as response,
        ):
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > _MAX_BYTES:
                    raise ValueError("Antwort zu groß")
        found = json.loads(body) if body else {}
        if not isinstance(found, dict):
            raise ValueError("Antwort ist kein JSON-Objekt")
        return response.status_code, found


def _flows(data: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    found = data.get(FLOWS_KEY)
    if not isinstance(found, dict):
        return {}
    return {k: v for k, v in found.items() if isinstance(k, str) and isinstance(v, dict)}


def _url(document: Mapping[str, Any], name: str) -> str:
    value = document.get(name)
    if not isinstance(value, str):
        raise ValueError(f"{name} fehlt")
    check_url(value, name)
    return value


def _with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = urlencode([*parse_qsl(parts.query, keep_blank_values=True), *params.items()])
    return urlunsplit(parts._replace(query=query))
