"""The web application's routes and middleware, mounted into the one starlette app."""

from __future__ import annotations

from pathlib import Path

from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles

from api.settings import Settings
from api.web.errors import RequestId
from api.web.pages import (
    auth,
    coordination_areas,
    coordination_directory,
    coordination_duplicates,
    coordination_network,
    directory_edit,
    directory_edit_memberships,
    family,
    family_consents,
    family_needs,
    handout,
    import_run,
    imports,
    inbox,
    oidc_login,
    our_services,
    planning,
    planning_map,
    planning_trends,
    referral_new,
    referrals,
    search,
    service,
    start,
)
from api.web.session import WebSession

STATIC = Path(__file__).parent / "static"


def web_routes() -> list[BaseRoute]:
    return [
        *start.ROUTES,
        *auth.ROUTES,
        *oidc_login.ROUTES,
        *search.ROUTES,
        *service.ROUTES,
        # Before /ueberleitungen/{id}: the wizard's paths are not referral ids.
        *referral_new.ROUTES,
        *referrals.ROUTES,
        *family.ROUTES,
        *family_needs.ROUTES,
        *family_consents.ROUTES,
        *handout.ROUTES,
        *inbox.ROUTES,
        *our_services.ROUTES,
        *planning.ROUTES,
        *planning_map.ROUTES,
        *planning_trends.ROUTES,
        *coordination_network.ROUTES,
        *coordination_directory.ROUTES,
        *directory_edit.ROUTES,
        *directory_edit_memberships.ROUTES,
        *coordination_areas.ROUTES,
        *coordination_duplicates.ROUTES,
        *imports.ROUTES,
        *import_run.ROUTES,
        # Assets are compressed here (they are most of a first visit's bytes); API answers
        # are not, to keep their fixed cost low.
        Mount("/static", app=GZipMiddleware(StaticFiles(directory=STATIC)), name="static"),
    ]


def web_middleware(settings: Settings) -> list[Middleware]:
    """Request ids first (every answer has one), then the session the auth layer reads."""
    return [Middleware(RequestId), Middleware(WebSession, settings=settings)]
