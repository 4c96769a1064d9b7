"""The Open Referral API (HSDS 3.x), read-only, under ``/hsds``.

Endpoints and parameters as the official OpenAPI description defines them (``/services``,
``/organizations``, ``/service_at_locations``, ``/taxonomies``, ``/taxonomy_terms``, each
also ``/{id}``, and ``/`` with the API's version). Objects come from the one HSDS mapping
(loaders/hsds/writer.py), the data from the GraphQL schema in process (api/hsds_data.py).

``VERBUND_HSDS_API`` decides who may read: ``token`` (default) like ``/graphql``, ``public``
without credentials, ``off`` not at all (404). Parameters the API does not support are
refused with 400 and named, never silently ignored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Mount, Route

from api.hsds_data import (
    ORGANIZATION_FULL,
    ORGANIZATIONS,
    ORGANIZATIONS_FULL,
    SERVICE,
    SERVICES,
    SERVICES_AT_LOCATIONS,
    SERVICES_ONE_TO_ONE,
    DataError,
    Json,
    Run,
    all_of,
    categories,
    location_of,
    one,
    organization_of,
    page_of,
    runner,
    service_of,
)
from api.hsds_paging import PagingError, flag, page_answer, paging
from api.hsds_taxonomies import taxonomies, taxonomy, taxonomy_term, taxonomy_terms_page
from api.settings import Settings
from api.web.data import principal_of
from graph.labels import TARGET_GROUPS
from loaders.hsds.vocabulary import (
    TARGET_GROUP_TERM_PREFIX,
    TAXONOMY_CATEGORY,
    TAXONOMY_TARGET_GROUP,
)
from loaders.hsds.writer import (
    VALUE_TERMS,
    location_record,
    one_to_one,
    organization_record,
    service_record,
)
from schema.principal import Principal

HSDS_VERSION = "3.0"
OPENAPI_URL = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json"

# The caller in ``public`` mode: a role that reads the directory and nothing else is asked
# for (the documents here select directory fields only). Never leaves this module.
PUBLIC_READER = Principal(subject="hsds-public", role="planner", auth_method="anonymous")

# The parameters of the OpenAPI description this API serves; the others are refused.
_PAGING = ("page", "per_page", "format")
_SERVICE_FILTERS = ("search", "taxonomy_term_id", "taxonomy_id", "organization_id", "full")
_VALUE_TERM_IDS = frozenset(term["id"] for term in VALUE_TERMS)


_CODES = {400: "BAD_REQUEST", 401: "UNAUTHENTICATED", 403: "FORBIDDEN", 404: "NOT_FOUND"}


def _error(status: int, message: str) -> JSONResponse:
    headers = {"WWW-Authenticate": 'Bearer realm="verbund"'} if status == 401 else None
    code = _CODES.get(status, "UNAVAILABLE" if status == 503 else "INTERNAL")
    return JSONResponse({"code": code, "message": message}, status_code=status, headers=headers)


Handler = Callable[[Request, Run], Awaitable[Any]]


def _endpoint(handler: Handler, allowed: Iterable[str] = ()) -> Callable[..., Awaitable[Any]]:
    """Access (the setting), the allowed parameters, and errors as JSON for one handler."""
    known = frozenset(allowed)

    async def endpoint(request: Request) -> JSONResponse:
        principal = principal_of(request)
        if request.app.state.settings.hsds_api == "public" and not principal.authenticated:
            principal = PUBLIC_READER
        if not principal.authenticated:
            return _error(401, "Anmeldung erforderlich: Authorization: Bearer <Token>.")
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            names = ", ".join(unknown)
            hint = ", ".join(sorted(known)) or "keine"
            return _error(400, f"Parameter nicht unterstützt: {names}. Erlaubt: {hint}.")
        try:
            return JSONResponse(await handler(request, runner(request, principal)))
        except DataError as exc:
            return _error(exc.status, exc.message)
        except PagingError as exc:
            return _error(400, str(exc))

    return endpoint


# /services


def service_filter(params: Mapping[str, str]) -> Json:
    """The HSDS filters as the schema's ServiceFilterInput."""
    found: Json = {}
    if text := params.get("search", "").strip():
        found["text"] = text
    if org := params.get("organization_id"):
        found["organization"] = org
    if term := params.get("taxonomy_term_id"):
        if term in _VALUE_TERM_IDS:
            raise DataError(
                400,
                f"Nach dem Begriff {term!r} kann nicht gefiltert werden (sein Wert steht im "
                "Attribut). Bitte einen Leistungsbereich oder eine Zielgruppe angeben.",
            )
        if term.startswith(TARGET_GROUP_TERM_PREFIX):
            found["targetGroups"] = [term[len(TARGET_GROUP_TERM_PREFIX) :]]
        else:
            found["categories"] = [term]
    taxonomy = params.get("taxonomy_id")
    if taxonomy == TAXONOMY_TARGET_GROUP:
        found.setdefault("targetGroups", list(TARGET_GROUPS))
    elif taxonomy is not None and taxonomy != TAXONOMY_CATEGORY:
        raise DataError(
            400,
            f"Nach der Taxonomie {taxonomy!r} kann nicht gefiltert werden. Möglich: "
            f"{TAXONOMY_CATEGORY}, {TAXONOMY_TARGET_GROUP}.",
        )
    return found


async def _with_categories(run: Run, found: Json, taxonomy: str | None) -> Json:
    # taxonomy_id=verbund-leistungsbereich: every service with any Leistungsbereich, i.e. in
    # one of the top-level ones (the schema's category filter includes narrower ones).
    if taxonomy == TAXONOMY_CATEGORY and "categories" not in found:
        tops = [c.id for c in await categories(run) if c.parent_id is None]
        found = {**found, "categories": tops}
    return found


def full_service(node: Json) -> Json:
    parts = service_of(node)
    return service_record(
        parts.service, parts.organizations, parts.locations, parts.categories, parts.areas
    )


async def services(request: Request, run: Run) -> Json:
    params = request.query_params
    page = paging(params)
    full = flag(params, "full")
    found = await _with_categories(run, service_filter(params), params.get("taxonomy_id"))
    listing = SERVICES if full else SERVICES_ONE_TO_ONE
    nodes, total = await page_of(run, listing, found, page.offset, page.per_page)
    records = [full_service(node) for node in nodes]
    return page_answer(page, total, records if full else [one_to_one(r) for r in records])


async def service(request: Request, run: Run) -> Json:
    ident = request.path_params["id"]
    node = await one(run, "service", SERVICE, ident)
    if node is None:
        raise DataError(404, f"Kein Angebot mit der Kennung {ident!r}.")
    return full_service(node)


# /organizations


async def organizations(request: Request, run: Run) -> Json:
    params = request.query_params
    page = paging(params)
    full, with_services = flag(params, "full"), flag(params, "full_service")
    found: Json = {}
    if text := params.get("search", "").strip():
        found["text"] = text
    listing = ORGANIZATIONS_FULL if full or with_services else ORGANIZATIONS
    nodes, total = await page_of(run, listing, found, page.offset, page.per_page)
    if not (full or with_services):
        return page_answer(
            page, total, [one_to_one(organization_record(organization_of(n))) for n in nodes]
        )
    return page_answer(
        page, total, [await _full_organization(run, n, with_services) for n in nodes]
    )


async def _full_organization(run: Run, node: Json, with_services: bool) -> Json:
    """An organization with its locations and services (one-to-one fields of each service,
    or the full service records with ``full_service=true``)."""
    listing = SERVICES if with_services else SERVICES_ONE_TO_ONE
    offered = [full_service(s) for s in await all_of(run, listing, {"organization": node["id"]})]
    return {
        **organization_record(organization_of(node)),
        "locations": [location_record(location_of(loc)) for loc in node["locations"]],
        "services": offered if with_services else [one_to_one(s) for s in offered],
    }


async def organization(request: Request, run: Run) -> Json:
    ident = request.path_params["id"]
    node = await one(run, "organization", ORGANIZATION_FULL, ident)
    if node is None:
        raise DataError(404, f"Kein Träger mit der Kennung {ident!r}.")
    return await _full_organization(run, node, flag(request.query_params, "full_service"))


# /service_at_locations


def _at_locations(record: Json) -> list[Json]:
    """A service's service_at_location objects with the service (one-to-one fields)."""
    return [
        {**sal, "service": one_to_one(record)} for sal in record.get("service_at_locations", [])
    ]


async def service_at_locations(request: Request, run: Run) -> Json:
    params = request.query_params
    page = paging(params)
    full = flag(params, "full")
    found = await _with_categories(run, service_filter(params), params.get("taxonomy_id"))
    # Pairs of service and location: their number is known only after reading the services.
    pairs = [
        sal
        for node in await all_of(run, SERVICES_AT_LOCATIONS, found)
        for sal in _at_locations(full_service(node))
    ]
    chosen = pairs[page.offset : page.offset + page.per_page]
    if not full:
        chosen = [{**one_to_one(sal), "location": one_to_one(sal["location"])} for sal in chosen]
    return page_answer(page, len(pairs), chosen)


async def service_at_location(request: Request, run: Run) -> Json:
    ident = request.path_params["id"]
    # The id is "<service>--<location>" (the mapping's); ids may contain "--" themselves.
    parts = ident.split("--")
    for cut in range(1, len(parts)):
        node = await one(run, "service", SERVICE, "--".join(parts[:cut]))
        if node is None:
            continue
        for sal in _at_locations(full_service(node)):
            if sal["id"] == ident:
                return sal
    raise DataError(404, f"Kein Angebot an einem Standort mit der Kennung {ident!r}.")


async def info(request: Request, run: Run) -> Json:
    return {"version": HSDS_VERSION, "openapi_url": OPENAPI_URL}


@dataclass(frozen=True, slots=True)
class _Endpoint:
    path: str
    handler: Handler
    allowed: tuple[str, ...] = ()


_ENDPOINTS = (
    _Endpoint("/", info),
    _Endpoint("/services", services, (*_PAGING, *_SERVICE_FILTERS)),
    _Endpoint("/services/{id}", service),
    _Endpoint("/organizations", organizations, (*_PAGING, "search", "full", "full_service")),
    _Endpoint("/organizations/{id}", organization, ("full_service",)),
    _Endpoint("/service_at_locations", service_at_locations, (*_PAGING, *_SERVICE_FILTERS)),
    _Endpoint("/service_at_locations/{id}", service_at_location),
    _Endpoint("/taxonomies", taxonomies, (*_PAGING, "search")),
    _Endpoint("/taxonomies/{id}", taxonomy),
    _Endpoint(
        "/taxonomy_terms",
        taxonomy_terms_page,
        (*_PAGING, "search", "taxonomy_id", "parent_id", "top_only"),
    ),
    _Endpoint("/taxonomy_terms/{id}", taxonomy_term),
)


def hsds_routes(settings: Settings) -> list[BaseRoute]:
    """The ``/hsds`` mount, or nothing when ``VERBUND_HSDS_API=off`` (then 404)."""
    if settings.hsds_api == "off":
        return []
    routes = [Route(e.path, _endpoint(e.handler, e.allowed), methods=["GET"]) for e in _ENDPOINTS]
    return [Mount("/hsds", routes=routes)]
