"""The data of the Open Referral API: GraphQL documents run in this process as the caller,
and their answers turned into verbund's records for the one HSDS mapping (loaders/hsds).

Every read goes through the schema's resolvers with the caller's principal, like the web
pages (api/web/data.py): the same policies apply and only directory fields are selected here,
so no household data can reach an HSDS answer.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from starlette.requests import Request

from graph import Graph
from graph.records import Area, Category, Location, Organization, Service
from schema import Context, schema
from schema.principal import Principal

log = logging.getLogger("verbund.hsds")

Json = dict[str, Any]
Run = Callable[..., Awaitable[Json]]

# GraphQL error code -> HTTP status of the HSDS answer.
_STATUS = {
    "UNAUTHENTICATED": 401,
    "FORBIDDEN": 403,
    "NOT_FOUND": 404,
    "INVALID_INPUT": 400,
    "BAD_USER_INPUT": 400,
    "GRAPH_UNAVAILABLE": 503,
    "QUERY_TIMEOUT": 503,
}


class DataError(Exception):
    """No answer but an error: ``status`` and a German message for the client (the schema
    refused or failed, an unknown id, a parameter to correct)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def runner(request: Request, principal: Principal) -> Run:
    """Run documents as ``principal`` with the app's Context settings."""
    graph: Graph = request.app.state.graph

    async def run(document: str, **variables: Any) -> Json:
        context = Context(
            graph=graph,
            request=request,
            principal=principal,
            **request.app.state.context_settings,
        )
        result = await schema.execute(document, variable_values=variables, context_value=context)
        if result.errors:
            codes = [(e.extensions or {}).get("code", "") for e in result.errors]
            status = next((_STATUS[c] for c in codes if c in _STATUS), 500)
            if status == 500:
                log.error("GraphQL-Fehler in der HSDS-API: %s", result.errors)
                raise DataError(500, "Interner Fehler; bitte später erneut versuchen.")
            raise DataError(status, "; ".join(e.message for e in result.errors))
        assert result.data is not None
        return dict(result.data)

    return run


ORGANIZATION = "id name sector legalStatus description website email phone hsdsRest"
LOCATION = (
    "id name street postalCode city position { latitude longitude } phone openingHours "
    "organization { id } area { id } hsdsRest"
)
CATEGORY = "id name broader { id } hsdsRest"
SERVICE = f"""
id name description targetGroups languages legalBasis capacity capacityUnit capacityUsed
status validFrom validTo email url requiredDocuments assuredDate hsdsRest
organization {{ {ORGANIZATION} }}
categories {{ {CATEGORY} }}
areas {{ id name }}
locations {{ {LOCATION} }}
"""
# What a list without ``full`` shows: the one-to-one fields of the service and its Träger.
SERVICE_ONE_TO_ONE = (
    f"id name description status email url assuredDate hsdsRest organization {{ {ORGANIZATION} }}"
)


@dataclass(frozen=True, slots=True)
class Listing:
    """A paged list of the schema: its field, filter type and node selection."""

    field: str
    filter_type: str
    selection: str
    # Nodes per query: a page of fully nested services costs about 160 a service in the
    # schema's estimate (schema/cost.py); 50 of them stay within the default budget of 10,000.
    chunk: int = 100

    def page_document(self) -> str:
        return (
            f"query($filter: {self.filter_type}, $first: Int, $after: String, $offset: Int) {{"
            f" {self.field}(filter: $filter, first: $first, after: $after, offset: $offset) {{"
            f" totalCount pageInfo {{ endCursor hasNextPage }} nodes {{ {self.selection} }} }} }}"
        )


SERVICES = Listing("services", "ServiceFilterInput", SERVICE, chunk=50)
SERVICES_ONE_TO_ONE = Listing("services", "ServiceFilterInput", SERVICE_ONE_TO_ONE)
# For service_at_location objects: the service's one-to-one fields and its locations.
SERVICES_AT_LOCATIONS = Listing(
    "services", "ServiceFilterInput", f"{SERVICE_ONE_TO_ONE} locations {{ {LOCATION} }}"
)
ORGANIZATIONS = Listing("organizations", "OrganizationFilterInput", ORGANIZATION)
ORGANIZATION_FULL = f"{ORGANIZATION} locations {{ {LOCATION} }}"
ORGANIZATIONS_FULL = Listing(
    "organizations", "OrganizationFilterInput", ORGANIZATION_FULL, chunk=50
)


async def _nodes(
    run: Run, listing: Listing, filter: Json, after: str | None, size: int | None
) -> tuple[list[Json], int]:
    """``size`` nodes after the cursor (None: all of them), in chunks, and the total."""
    nodes: list[Json] = []
    while True:
        want = listing.chunk if size is None else min(listing.chunk, size - len(nodes))
        found = (await run(listing.page_document(), filter=filter, first=want, after=after))[
            listing.field
        ]
        nodes += found["nodes"]
        after = found["pageInfo"]["endCursor"]
        done = size is not None and len(nodes) >= size
        if done or not found["pageInfo"]["hasNextPage"]:
            return nodes, int(found["totalCount"])


async def page_of(
    run: Run, listing: Listing, filter: Json, offset: int, size: int
) -> tuple[list[Json], int]:
    """The nodes ``offset`` .. ``offset + size`` of the list and the list's total.

    An HSDS page number is a position: the schema's ``offset`` passes over the nodes before
    it in the database, so any page costs one query (two where it holds more nodes than one
    query of ``listing`` may read). A page past the end is empty, with the total."""
    nodes: list[Json] = []
    while True:
        want = min(listing.chunk, size - len(nodes))
        found = (
            await run(
                listing.page_document(), filter=filter, first=want, offset=offset + len(nodes)
            )
        )[listing.field]
        nodes += found["nodes"]
        if len(nodes) >= size or not found["pageInfo"]["hasNextPage"]:
            return nodes, int(found["totalCount"])


async def all_of(run: Run, listing: Listing, filter: Json) -> list[Json]:
    """Every node of the list, chunk by chunk."""
    return (await _nodes(run, listing, filter, None, None))[0]


async def one(run: Run, field: str, selection: str, ident: str) -> Json | None:
    """One record by id, or None where the schema knows none."""
    data = await run(f"query($id: ID!) {{ {field}(id: $id) {{ {selection} }} }}", id=ident)
    found = data[field]
    return dict(found) if found is not None else None


async def categories(run: Run) -> list[Category]:
    data = await run(f"{{ categories {{ {CATEGORY} }} }}")
    return [category_of(c) for c in data["categories"]]


# GraphQL answer -> verbund's records (what the HSDS mapping takes).


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def organization_of(node: Json) -> Organization:
    return Organization(
        id=node["id"],
        name=node["name"],
        sector=node["sector"].lower(),
        legal_status=node["legalStatus"],
        description=node["description"],
        website=node["website"],
        email=node["email"],
        phone=node["phone"],
        hsds=node.get("hsdsRest"),
    )


def location_of(node: Json) -> Location:
    position = node["position"] or {}
    return Location(
        id=node["id"],
        name=node["name"],
        organization_id=(node["organization"] or {}).get("id"),
        street=node["street"],
        postal_code=node["postalCode"],
        city=node["city"],
        latitude=position.get("latitude"),
        longitude=position.get("longitude"),
        area_id=(node["area"] or {}).get("id"),
        phone=node["phone"],
        opening_hours=node["openingHours"],
        hsds=node.get("hsdsRest"),
    )


def category_of(node: Json) -> Category:
    return Category(
        id=node["id"],
        name=node["name"],
        parent_id=(node["broader"] or {}).get("id"),
        hsds=node.get("hsdsRest"),
    )


@dataclass(frozen=True, slots=True)
class ServiceParts:
    """A service and the records its HSDS record names, as the mapping's lookups take them."""

    service: Service
    organizations: dict[str, Organization]
    locations: dict[str, Location]
    categories: dict[str, Category]
    areas: dict[str, Area]


def service_of(node: Json) -> ServiceParts:
    """The records of a service node; the lists a selection left out (SERVICE_ONE_TO_ONE)
    stay empty, which changes only the arrays of the HSDS record."""
    org = organization_of(node["organization"])
    locations = [location_of(loc) for loc in node.get("locations", [])]
    cats = [category_of(c) for c in node.get("categories", [])]
    # Name and level are all the mapping reads of an area (the name of a service_area).
    areas = [Area(id=a["id"], name=a["name"], level="city") for a in node.get("areas", [])]
    service = Service(
        id=node["id"],
        organization_id=org.id,
        name=node["name"],
        description=node["description"],
        category_ids=tuple(c.id for c in cats),
        target_groups=tuple(node.get("targetGroups", ())),
        languages=tuple(node.get("languages", ())),
        legal_basis=node.get("legalBasis"),
        capacity=node.get("capacity"),
        capacity_unit=node.get("capacityUnit"),
        capacity_used=node.get("capacityUsed"),
        status=node["status"].lower(),
        valid_from=_day(node.get("validFrom")),
        valid_to=_day(node.get("validTo")),
        area_ids=tuple(a.id for a in areas),
        location_ids=tuple(loc.id for loc in locations),
        email=node["email"],
        url=node["url"],
        required_documents=tuple(node.get("requiredDocuments", ())),
        assured_date=_day(node["assuredDate"]),
        hsds=node.get("hsdsRest"),
    )
    return ServiceParts(
        service=service,
        organizations={org.id: org},
        locations={loc.id: loc for loc in locations},
        categories={c.id: c for c in cats},
        areas={a.id: a for a in areas},
    )
