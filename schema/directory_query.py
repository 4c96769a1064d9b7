"""Directory queries: single records by id and the paged, filtered lists."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph.repo import nodes
from schema.context import Info
from schema.directory import (
    Agreement,
    Area,
    Category,
    Location,
    Network,
    Organization,
    Service,
    page_connection,
    service_connection,
)
from schema.enums import DirectorySort
from schema.filters import (
    AreaFilterInput,
    OrganizationFilterInput,
    ServiceFilterInput,
    area_filter,
    organization_filter,
)
from schema.geo import GeoPointInput
from schema.pagination import (
    AFTER_DESCRIPTION,
    FIRST_DESCRIPTION,
    Connection,
)
from schema.policy import anyone
from schema.selection import shape

First = Annotated[int | None, strawberry.argument(description=FIRST_DESCRIPTION)]
After = Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)]


@strawberry.type
class DirectoryQuery:
    @strawberry.field(description="Ein Sozialraum.", extensions=[anyone()])
    async def area(self, info: Info, id: strawberry.ID) -> Area | None:
        found = await info.context.loaders.node("Area", id, shape(info, "Area"))
        return Area.of(found) if found else None

    @strawberry.field(description="Sozialräume, gefiltert und seitenweise.", extensions=[anyone()])
    async def areas(
        self,
        info: Info,
        filter: AreaFilterInput | None = None,
        sort: DirectorySort = DirectorySort.NAME,
        first: First = None,
        after: After = None,
        near: GeoPointInput | None = None,
    ) -> Connection[Area]:
        f = area_filter(filter)
        return await page_connection(
            info, info.context.loaders.areas, "Area", Area.of, f, sort.value, first, after, near
        )

    @strawberry.field(description="Ein Leistungsbereich.", extensions=[anyone()])
    async def category(self, info: Info, id: strawberry.ID) -> Category | None:
        found = await info.context.loaders.node("Category", id, shape(info, "Category"))
        return Category.of(found) if found else None

    @strawberry.field(description="Alle Leistungsbereiche.", extensions=[anyone()])
    async def categories(self, info: Info) -> list[Category]:
        found = await info.context.run(nodes.all_of, info.context.graph, "Category")
        return [Category.of(c) for c in found]

    @strawberry.field(description="Ein Träger.", extensions=[anyone()])
    async def organization(self, info: Info, id: strawberry.ID) -> Organization | None:
        found = await info.context.loaders.node("Organization", id, shape(info, "Organization"))
        return Organization.of(found) if found else None

    @strawberry.field(
        description="Träger, gefiltert, sortiert und seitenweise.", extensions=[anyone()]
    )
    async def organizations(
        self,
        info: Info,
        filter: OrganizationFilterInput | None = None,
        sort: DirectorySort = DirectorySort.NAME,
        first: First = None,
        after: After = None,
        near: GeoPointInput | None = None,
    ) -> Connection[Organization]:
        f = organization_filter(filter)
        return await page_connection(
            info,
            info.context.loaders.organizations,
            "Organization",
            Organization.of,
            f,
            sort.value,
            first,
            after,
            near,
        )

    @strawberry.field(description="Ein Angebot.", extensions=[anyone()])
    async def service(self, info: Info, id: strawberry.ID) -> Service | None:
        found = await info.context.loaders.node("Service", id, shape(info, "Service"))
        return Service.of(found) if found else None

    @strawberry.field(
        description="Angebote, gefiltert, sortiert und seitenweise.", extensions=[anyone()]
    )
    async def services(
        self,
        info: Info,
        filter: ServiceFilterInput | None = None,
        sort: DirectorySort = DirectorySort.NAME,
        first: First = None,
        after: After = None,
        near: GeoPointInput | None = None,
    ) -> Connection[Service]:
        return await service_connection(info, filter, sort, first, after, near)

    @strawberry.field(description="Ein Standort.", extensions=[anyone()])
    async def location(self, info: Info, id: strawberry.ID) -> Location | None:
        found = await info.context.loaders.node("Location", id, shape(info, "Location"))
        return Location.of(found) if found else None

    @strawberry.field(description="Eine Kooperationsvereinbarung.", extensions=[anyone()])
    async def agreement(self, info: Info, id: strawberry.ID) -> Agreement | None:
        found = await info.context.loaders.node("Agreement", id, shape(info, "Agreement"))
        return Agreement.of(found) if found else None

    @strawberry.field(description="Alle Kooperationsvereinbarungen.", extensions=[anyone()])
    async def agreements(self, info: Info) -> list[Agreement]:
        found = await info.context.run(
            nodes.all_of, info.context.graph, "Agreement", "n.title, n.id"
        )
        return [Agreement.of(a) for a in found]

    @strawberry.field(description="Ein Verbund / Arbeitskreis.", extensions=[anyone()])
    async def network(self, info: Info, id: strawberry.ID) -> Network | None:
        found = await info.context.loaders.node("Network", id, shape(info, "Network"))
        return Network.of(found) if found else None

    @strawberry.field(
        description="Alle Verbünde, Arbeitskreise und Netzwerke.", extensions=[anyone()]
    )
    async def networks(self, info: Info) -> list[Network]:
        found = await info.context.run(nodes.all_of, info.context.graph, "Network")
        return [Network.of(n) for n in found]
