"""Jinja2 for the web pages: one environment, German filters, the layout's shared context."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from api.web import german
from api.web.data import principal_of
from api.web.navigation import navigation
from api.web.session import session_of
from api.web.wording import (
    DATA_CATEGORY,
    NEED_STATUS,
    REFERRAL_STATUS,
    SECTOR,
    editor,
    household_type,
    language,
    status_badge,
)

TEMPLATES = Path(__file__).parent / "templates"

env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(("html",)),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
env.filters.update(
    datum=german.datum,
    datum_zeit=german.datum_zeit,
    zahl=german.zahl,
    haushaltstyp=household_type,
    sprache=language,
)
env.globals.update(
    plural=german.plural,
    REFERRAL_STATUS=REFERRAL_STATUS,
    DATA_CATEGORY=DATA_CATEGORY,
    NEED_STATUS=NEED_STATUS,
    SECTOR=SECTOR,
    status_badge=status_badge,
    editor=editor,
)


def is_htmx(request: Request) -> bool:
    """A partial request from htmx (the page still works without it: full page then).

    A history restore (back button after ``hx-push-url`` when htmx has no copy) wants the
    whole page, so it is not partial.
    """
    headers = request.headers
    restore = headers.get("hx-history-restore-request") == "true"
    return headers.get("hx-request") == "true" and not restore


def render(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    session = session_of(request)
    principal = principal_of(request)
    page = env.get_template(template).render(
        request=request,
        principal=principal,
        display_name=session.data.get("name", ""),
        nav=navigation(principal, request.url.path),
        csrf_token=session.csrf_token(),
        request_id=request.scope.get("verbund.request_id", ""),
        **context,
    )
    response = HTMLResponse(page, status_code=status)
    if principal.authenticated:
        # Pages of a signed-in person may carry social data: never kept in a cache.
        response.headers["cache-control"] = "no-store"
    return response
