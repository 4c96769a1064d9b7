"""The web pages' session: a signed cookie that names the signed-in person.

The cookie holds only who is signed in (subject, role, organization, how), when the session
began and was last used, and the CSRF token: no case data. It is signed (itsdangerous) with
``VERBUND_SESSION_SECRET`` or, when unset, a key generated once into the state directory, so a
restart keeps people signed in. HttpOnly, SameSite=Lax, and Secure unless the request comes
to the local machine over plain http (``make run``). Idle and absolute timeouts are checked
here on every request, because a cookie's own expiry is the browser's to keep.

A cookie cannot be withdrawn from the browser that holds it: signing out ends the session in
that browser; a copied cookie stays valid until its idle or absolute timeout (README).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, TimestampSigner
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.settings import Settings
from schema.principal import InvalidPrincipal, Principal, parse_role

COOKIE = "verbund_sitzung"
SESSION_SCOPE_KEY = "verbund.session"
SESSION_PRINCIPAL_KEY = "verbund.session_principal"
_LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})
# "Last used" is written back at most this often, so not every answer sets a cookie.
_TOUCH_SECONDS = 60


@dataclass
class Session:
    """The session of one request; ``changed`` makes the middleware send a new cookie."""

    data: dict[str, Any] = field(default_factory=dict)
    changed: bool = False
    expired: bool = False

    def principal(self) -> Principal | None:
        role = self.data.get("role")
        if not isinstance(role, str):
            return None
        try:
            return Principal(
                subject=str(self.data.get("sub", "")),
                role=parse_role(role),
                organization_id=self.data.get("org"),
                auth_method="oidc" if self.data.get("auth") == "oidc" else "demo",
            )
        except InvalidPrincipal:
            return None

    def csrf_token(self) -> str:
        token = self.data.get("csrf")
        if not isinstance(token, str):
            token = secrets.token_urlsafe(32)
            self.data["csrf"] = token
            self.changed = True
        return token

    def replace(self, data: dict[str, Any]) -> None:
        self.data = data
        self.changed = True


def session_of(conn: HTTPConnection) -> Session:
    found = conn.scope.get(SESSION_SCOPE_KEY)
    if isinstance(found, Session):
        return found
    # Outside the middleware (unit tests of a page function): a throwaway session.
    session = Session()
    conn.scope[SESSION_SCOPE_KEY] = session
    return session


def sign_in(conn: HTTPConnection, principal: Principal, *, display_name: str = "") -> None:
    """Start a new session for ``principal`` (a fresh cookie and CSRF token: no fixation)."""
    now = int(time.time())
    session_of(conn).replace(
        {
            "sub": principal.subject,
            "role": principal.role,
            "org": principal.organization_id,
            "auth": principal.auth_method,
            "name": display_name or principal.subject,
            "iat": now,
            "seen": now,
            "csrf": secrets.token_urlsafe(32),
        }
    )


def sign_out(conn: HTTPConnection) -> None:
    session_of(conn).replace({})


def load_secret(settings: Settings) -> bytes:
    """The signing key: configured, or generated once (mode 600) beside the local state."""
    if settings.session_secret is not None:
        return settings.session_secret.get_secret_value().encode("utf-8")
    path = Path(settings.state_dir) / "session-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process wrote it first; read theirs
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(secrets.token_urlsafe(48))
    return path.read_text("utf-8").strip().encode("utf-8")


class WebSession:
    """Reads and writes the session cookie; puts the session and its principal in the scope."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.signer = TimestampSigner(load_secret(settings), salt="verbund.sitzung")
        self.idle = settings.session_idle_minutes * 60
        self.absolute = settings.session_absolute_hours * 3600

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        # Scripts with a token send no cookie: nothing to parse (a cost on every API call).
        has_cookie = any(name == b"cookie" for name, _ in scope["headers"])
        session = self._load(conn.cookies.get(COOKIE) if has_cookie else None)
        scope[SESSION_SCOPE_KEY] = session
        principal = session.principal()
        if principal is not None:
            scope[SESSION_PRINCIPAL_KEY] = principal

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and session.changed:
                # Worked out only when a cookie is set: building the URL costs every request.
                secure = not (conn.url.scheme == "http" and conn.url.hostname in _LOCAL_HOSTS)
                headers = MutableHeaders(scope=message)
                headers.append("set-cookie", self._cookie(session, secure))
                headers["cache-control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _load(self, raw: str | None) -> Session:
        if not raw:
            return Session()
        try:
            payload = self.signer.unsign(raw.encode("ascii"), max_age=self.absolute)
            data = json.loads(base64.urlsafe_b64decode(payload))
        except (BadSignature, ValueError, UnicodeError):
            return Session(changed=True)  # a bad or too old cookie is replaced
        if not isinstance(data, dict):
            return Session(changed=True)
        now = time.time()
        if "role" in data:
            began, seen = data.get("iat", 0), data.get("seen", 0)
            if now - began > self.absolute or now - seen > self.idle:
                # Signed out by time; the CSRF token survives so the login form still works.
                kept = {"csrf": data["csrf"]} if isinstance(data.get("csrf"), str) else {}
                return Session(data=kept, changed=True, expired=True)
            if now - seen > _TOUCH_SECONDS:
                data["seen"] = int(now)
                return Session(data=data, changed=True)
        return Session(data=data)

    def _cookie(self, session: Session, secure: bool) -> str:
        flags = "; Path=/; HttpOnly; SameSite=Lax" + ("; Secure" if secure else "")
        if not session.data:
            return f"{COOKIE}=; Max-Age=0{flags}"
        payload = base64.urlsafe_b64encode(json.dumps(session.data).encode("utf-8"))
        return f"{COOKIE}={self.signer.sign(payload).decode('ascii')}{flags}"
