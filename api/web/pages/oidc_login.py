"""Anmelden mit dem Dienstkonto (OpenID Connect): the two routes of the flow in api/web/oidc.py.

``/anmelden/oidc?weiter=/pfad`` sends the browser to the identity provider;
``/anmelden/oidc/rueckkehr`` is where the provider sends it back (register this URL there).
A failed sign-in shows the login page with what to do next, and writes one log line with the
reason and the request id the page shows.
"""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from api.web.errors import REQUEST_ID_KEY
from api.web.forms import Errors
from api.web.oidc import RETURN_ROUTE, LoginFailed, OidcLogin, Problem
from api.web.pages.auth import login_page, safe_next
from api.web.session import sign_in

log = logging.getLogger("verbund.web")

_AGAIN = "Bitte erneut versuchen oder IT-Service kontaktieren."
MESSAGES: dict[Problem, str] = {
    "expired": "Die Anmeldung ist abgelaufen, wurde schon verwendet oder in einem anderen "
    f"Fenster begonnen. {_AGAIN}",
    "cancelled": "Die Anmeldung wurde beim Dienstkonto abgebrochen oder die Freigabe für "
    f"verbund nicht erteilt. {_AGAIN}",
    "refused": f"Die Anmeldung konnte nicht bestätigt werden. {_AGAIN}",
    "no_role": "Ihr Dienstkonto ist für verbund nicht freigeschaltet (keine Rolle oder keine "
    "Organisation). Bitte IT-Service kontaktieren und die Freischaltung für verbund erbitten.",
    "unavailable": "Der Anmeldedienst ist gerade nicht erreichbar. Bitte in einigen Minuten "
    "erneut versuchen oder IT-Service kontaktieren.",
}


def _login(request: Request) -> OidcLogin:
    found = request.app.state.oidc_login
    if not isinstance(found, OidcLogin):
        raise HTTPException(404)  # not configured: the login page has no such button
    return found


async def begin(request: Request) -> Response:
    login = _login(request)
    target = safe_next(request.query_params.get("weiter"))
    try:
        url = await login.start(request, target)
    except LoginFailed as exc:
        exc.next_path = target
        return _failed(request, exc)
    return RedirectResponse(url, status_code=303)


async def back(request: Request) -> Response:
    login = _login(request)
    try:
        done = await login.finish(request)
    except LoginFailed as exc:
        return _failed(request, exc)
    sign_in(request, done.principal, display_name=done.display_name)
    log.info("Angemeldet mit Dienstkonto: %s", done.principal.label())
    return RedirectResponse(safe_next(done.next_path), status_code=303)


def _failed(request: Request, exc: LoginFailed) -> Response:
    level = logging.ERROR if exc.status >= 500 else logging.WARNING
    log.log(
        level,
        "Anmeldung mit Dienstkonto fehlgeschlagen (%s, Vorgang %s): %s",
        exc.problem,
        request.scope.get(REQUEST_ID_KEY),
        exc.reason,
    )
    response = login_page(
        request,
        Errors(),
        "",
        status=exc.status,
        oidc_problem=MESSAGES[exc.problem],
        next_path=exc.next_path,
    )
    if exc.status == 503:
        response.headers["retry-after"] = "30"
    return response


ROUTES = [
    Route("/anmelden/oidc", begin, methods=["GET"]),
    Route("/anmelden/oidc/rueckkehr", back, methods=["GET"], name=RETURN_ROUTE),
]
