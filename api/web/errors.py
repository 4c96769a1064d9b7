"""German error pages with a request id; nothing of a stack trace reaches the browser.

``RequestId`` gives every request an id (also in the ``X-Request-Id`` header and in the log
line of a failure), so a caseworker can quote it to the help desk.
"""

from __future__ import annotations

import logging
import secrets
from urllib.parse import quote

from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import faults
from api.web.data import PageError
from graph import GraphError

log = logging.getLogger("verbund.web")

REQUEST_ID_KEY = faults.REQUEST_ID_KEY

_MESSAGES: dict[int, tuple[str, str]] = {
    400: ("Anfrage nicht verständlich", "Bitte gehen Sie zurück und versuchen Sie es erneut."),
    403: (
        "Kein Zugriff",
        "Diese Seite ist für Ihre Rolle nicht freigegeben. Wenn Sie sie brauchen, wenden Sie "
        "sich an die Netzwerkkoordination.",
    ),
    404: (
        "Seite nicht gefunden",
        "Die Adresse stimmt nicht oder der Eintrag ist nicht (mehr) für Sie sichtbar. "
        "Gehen Sie zur Startseite und suchen Sie von dort.",
    ),
    405: ("Aktion nicht möglich", "Bitte nutzen Sie die Schaltflächen auf der Seite."),
    409: (
        "Eintrag existiert bereits",
        "Ein Eintrag mit diesem Schlüssel ist schon gespeichert; nichts wurde geändert. "
        "Bitte öffnen Sie den vorhandenen Eintrag.",
    ),
    413: (
        "Eingabe zu groß",
        "Bitte kürzen Sie die Eingabe (eine Datei: teilen Sie sie auf) und senden Sie sie erneut.",
    ),
    422: (
        "Eingabe nicht speicherbar",
        "Ein Wert ist zu lang oder hat das falsche Format; nichts wurde gespeichert. "
        "Bitte gehen Sie zurück, kürzen oder prüfen Sie die Eingabe.",
    ),
    500: (
        "Ein Fehler ist aufgetreten",
        "Das ist unser Fehler, nicht Ihrer. Bitte versuchen Sie es in einigen Minuten erneut. "
        "Wenn es wieder passiert, nennen Sie dem IT-Service die Vorgangsnummer.",
    ),
    503: (
        "Dienst vorübergehend nicht erreichbar",
        "Die Datenbank kann gerade nicht antworten (nicht erreichbar, ausgelastet oder die "
        "Abfrage war zu umfangreich). Bitte versuchen Sie es in einigen Minuten erneut, wenn "
        "möglich mit einer engeren Auswahl.",
    ),
    507: (
        "Speichern nicht möglich",
        "Der Speicherplatz der Datenbank ist voll; Ihre Änderung wurde nicht gespeichert. "
        "Bitte melden Sie das dem IT-Service mit der Vorgangsnummer.",
    ),
}


class RequestId:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = secrets.token_hex(6)
        scope[REQUEST_ID_KEY] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)["x-request-id"] = request_id
            await send(message)

        await self.app(scope, receive, send_with_id)


def error_page(request: Request, status: int) -> Response:
    from api.web.templating import render

    if status == 401:
        # Not (or no longer) signed in: to the login, and back here afterwards.
        from api.web.session import session_of

        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        expired = "&abgelaufen=1" if session_of(request).expired else ""
        return RedirectResponse(f"/anmelden?weiter={quote(target)}{expired}", status_code=303)
    title, text = _MESSAGES.get(status, _MESSAGES[500])
    response = render(request, "error.html", status=status, title=title, text=text, code=status)
    response.headers.update(faults.retry_headers(status))
    return response


def busy_page(request: Request, retry_after: int) -> Response:
    """The page for a request the backpressure refused (api/backpressure.py)."""
    from api.backpressure import seconds
    from api.web.templating import render

    text = (
        "Gerade kommen sehr viele Anfragen gleichzeitig; Ihre wurde nicht bearbeitet und ein "
        "abgeschicktes Formular nicht gespeichert. Bitte versuchen Sie es in "
        f"{seconds(retry_after)} erneut."
    )
    response = render(
        request, "error.html", status=503, title="Dienst ausgelastet", text=text, code=503
    )
    response.headers["retry-after"] = str(retry_after)
    return response


async def on_page_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageError)
    # Server faults and the database's refusals (409, 422) get their one log line here.
    if exc.status >= 500 or exc.status in (409, 422):
        log.error(
            "Seite %s: %s (Vorgang %s)",
            request.url.path,
            exc.detail,
            request.scope.get(REQUEST_ID_KEY),
        )
    return error_page(request, exc.status)


async def on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if request.url.path.startswith("/graphql"):
        return Response(exc.detail, status_code=exc.status_code)
    return error_page(request, exc.status_code)


async def on_graph_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, GraphError)
    faults.log_fault(request.scope, exc)
    return error_page(request, faults.status_of(exc.code) or 500)


async def on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception(
        "Unerwarteter Fehler auf %s (Vorgang %s)",
        request.url.path,
        request.scope.get(REQUEST_ID_KEY),
        exc_info=exc,
    )
    return error_page(request, 500)


HANDLERS = {
    PageError: on_page_error,
    HTTPException: on_http_error,
    GraphError: on_graph_error,
    Exception: on_unexpected,
}
