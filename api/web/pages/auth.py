"""Anmelden and Abmelden: demo logins (when on) and OpenID Connect (when configured)."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from api.auth.client_address import TrustedProxies
from api.auth.middleware import FailureLimiter
from api.web.demo_logins import DEMO_USERS, DemoLogins
from api.web.forms import Errors, read_form, text
from api.web.session import session_of, sign_in, sign_out
from api.web.templating import render


def safe_next(target: str | None) -> str:
    """Only a path on this site is a place to return to (no open redirect)."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _demo(request: Request) -> DemoLogins:
    found: DemoLogins = request.app.state.demo_logins
    return found


def _limiter(request: Request) -> FailureLimiter:
    found: FailureLimiter = request.app.state.login_limiter
    return found


async def login_form(request: Request) -> Response:
    return login_page(request, Errors(), username="")


def login_page(
    request: Request,
    errors: Errors,
    username: str,
    status: int = 200,
    *,
    oidc_problem: str = "",
    next_path: str | None = None,
) -> Response:
    """The login page; ``oidc_problem`` says why a sign-in with the Dienstkonto failed."""
    demo = _demo(request).enabled(request.app.state.graph)
    return render(
        request,
        "login.html",
        status=status,
        errors=errors,
        username=username,
        demo_users=list(DEMO_USERS.values()) if demo else [],
        oidc=request.app.state.oidc_login is not None,
        expired=session_of(request).expired or request.query_params.get("abgelaufen") == "1",
        oidc_problem=oidc_problem,
        next=safe_next(next_path or request.query_params.get("weiter")),
    )


async def login(request: Request) -> Response:
    form = await read_form(request)
    username = text(form, "benutzername", 100)
    password = text(form, "passwort", 200)
    target = safe_next(text(form, "weiter", 500))
    errors = Errors()
    if not username:
        errors.add("benutzername", "Geben Sie Ihren Benutzernamen ein.")
    if not password:
        errors.add("passwort", "Geben Sie Ihr Passwort ein.")
    if errors:
        return login_page(request, errors, username, status=400)
    limiter = _limiter(request)
    # Counted per user name, so others' mistakes never lock a person out of their account,
    # and per address, so one machine cannot try many names.
    # The address as the API counts it: X-Forwarded-For only from VERBUND_TRUSTED_PROXIES.
    proxies: TrustedProxies = request.app.state.trusted_proxies
    keys = (f"user:{username.lower()}", f"addr:{proxies.client_address(request.scope)}")
    if any(limiter.blocked(k) for k in keys):
        errors.add(
            "benutzername",
            "Zu viele fehlgeschlagene Versuche. Warten Sie eine Minute und versuchen Sie "
            "es dann erneut.",
        )
        return login_page(request, errors, username, status=429)
    demo = _demo(request)
    user = demo.check(username, password) if demo.enabled(request.app.state.graph) else None
    if user is None:
        for key in keys:
            limiter.fail(key)
        errors.add(
            "benutzername",
            "Benutzername oder Passwort stimmen nicht. Prüfen Sie beides und versuchen Sie es "
            "erneut.",
        )
        return login_page(request, errors, username, status=400)
    sign_in(request, demo.principal(user), display_name=user.display_name)
    return RedirectResponse(target, status_code=303)


async def logout(request: Request) -> Response:
    await read_form(request)
    sign_out(request)
    return RedirectResponse("/anmelden?abgemeldet=1", status_code=303)


ROUTES = [
    Route("/anmelden", login_form, methods=["GET"]),
    Route("/anmelden", login, methods=["POST"]),
    Route("/abmelden", logout, methods=["POST"]),
]
