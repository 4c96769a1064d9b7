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
    OFFSET_DESCRIPTION,
    Connection,
)
from schema.policy import anyone
from schema.related import record_by_id

First = Annotated[int | None, strawberry.argument(description=FIRST_DESCRIPTION)]
After = Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)]
Offset = Annotated[int | None, strawberry.argument(description=OFFSET_DESCRIPTION)]


@strawberry.type
class DirectoryQuery:
    area = record_by_id(Area, "Ein Sozialraum.", anyone())

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

    category = record_by_id(Category, "Ein Leistungsbereich.", anyone())

    @strawberry.field(description="Alle Leistungsbereiche.", extensions=[anyone()])
    async def categories(self, info: Info) -> list[Category]:
        found = await info.context.run(nodes.all_of, info.context.graph, "Category")
        return [Category.of(c) for c in found]

    organization = record_by_id(Organization, "Ein Träger.", anyone())

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
        offset: Offset = None,
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
            offset=offset,
        )

    service = record_by_id(Service, "Ein Angebot.", anyone())

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
        offset: Offset = None,
    ) -> Connection[Service]:
        return await service_connection(info, filter, sort, first, after, near, offset=offset)

    location = record_by_id(Location, "Ein Standort.", anyone())

    agreement = record_by_id(Agreement, "Eine Kooperationsvereinbarung.", anyone())

    @strawberry.field(description="Alle Kooperationsvereinbarungen.", extensions=[anyone()])
    async def agreements(self, info: Info) -> list[Agreement]:
        found = await info.context.run(nodes.all_of, info.context.graph, "Agreement")
        return [Agreement.of(a) for a in found]

    network = record_by_id(Network, "Ein Verbund / Arbeitskreis.", anyone())

    @strawberry.field(
        description="Alle Verbünde, Arbeitskreise und Netzwerke.", extensions=[anyone()]
    )
    async def networks(self, info: Info) -> list[Network]:
        found = await info.context.run(nodes.all_of, info.context.graph, "Network")
        return [Network.of(n) for n in found]
