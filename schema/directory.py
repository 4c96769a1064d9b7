"""Directory types: Sozialräume, Leistungsbereiche, Träger, Standorte, Angebote,
Kooperationsvereinbarungen, Verbünde und Mitgliedschaften, navigable in both directions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from graph import records as rec
from graph.repo import areas, catalog, organizations
from graph.repo.includes import Linked
from graph.repo.values import Stored, as_date
from schema.context import Info
from schema.enums import AreaLevel, DirectorySort, NetworkKind, Sector, ServiceStatus
from schema.execution import READ_AHEAD, NotReadAhead
from schema.filters import (
    ReferralFilterInput,
    ServiceFilterInput,
    referral_filter,
    service_filter,
)
from schema.geo import GeoPoint, GeoPointInput, near_of
from schema.loaders import ReferralArgs, ServiceArgs
from schema.pagination import (
    AFTER_DESCRIPTION,
    FIRST_DESCRIPTION,
    Connection,
    connection,
    decode_cursor,
    page_size,
)
from schema.policy import household_read
from schema.selection import connection as lookahead

if TYPE_CHECKING:
    from schema.casework import Household, Referral

HouseholdRef = Annotated["Household", strawberry.lazy("schema.casework")]
ReferralRef = Annotated["Referral", strawberry.lazy("schema.casework")]


def id_of(stored: Stored[Any]) -> strawberry.ID:
    return strawberry.ID(stored.record.id)


NOT_READ: Any = object()


def ahead(stored: Stored[Any], name: str) -> Any:
    """What was read with ``stored`` under the include ``name`` (schema/selection.py), or
    ``NOT_READ``: then the resolver asks the dataloaders."""
    return stored.included.get(name, NOT_READ)


@strawberry.interface(description="Gemeinsame Angaben jedes gespeicherten Datensatzes.")
class Versioned:
    version: int = strawberry.field(
        description="Version; bei Änderungen mitsenden (optimistische Sperre)."
    )
    updated_at: dt.datetime | None = strawberry.field(description="Zuletzt geändert.")
    archived_at: dt.datetime | None = strawberry.field(
        description="Archiviert am (archivierte Datensätze bleiben für Verlauf und Auswertung)."
    )
    updated_by: str | None = strawberry.field(
        description="Wer zuletzt über die API geändert hat; Importe lassen es unverändert."
    )


def meta_of(stored: Stored[Any]) -> dict[str, Any]:
    return {
        "version": stored.version,
        "updated_at": stored.updated_at,
        "archived_at": stored.archived_at,
        "updated_by": stored.updated_by,
    }


# -- connections used from several types ---------------------------------------------


async def service_connection(
    info: Info,
    filter: ServiceFilterInput | None,
    sort: DirectorySort,
    first: int | None,
    after: str | None,
    near: GeoPointInput | None,
    anchor: str | None = None,
    anchor_id: str | None = None,
) -> Connection[Service]:
    f = service_filter(filter)
    read, with_total = lookahead(info, "Service")
    args = ServiceArgs(
        filter=f,
        sort=sort.value,
        first=page_size(first),
        after=decode_cursor(after, sort.value),
        near=near_of(near, sort.value),
        shape=read,
        with_total=with_total,
    )
    loader = info.context.loaders.services
    found = await loader.page(args, anchor, anchor_id)

    async def total() -> int:
        return await loader.count(f, anchor, anchor_id)

    return connection(found, sort.value, Service.of, total)


async def referral_connection(
    info: Info,
    filter: ReferralFilterInput | None,
    first: int | None,
    after: str | None,
    anchor: str | None = None,
    anchor_id: str | None = None,
) -> Connection[ReferralRef]:
    from schema.casework import Referral

    f = referral_filter(filter)
    read, with_total = lookahead(info, "Referral")
    args = ReferralArgs(
        filter=f,
        sort="created",
        first=page_size(first),
        after=decode_cursor(after, "created"),
        shape=read,
        with_total=with_total,
    )
    loader = info.context.loaders.referrals
    found = await loader.page(args, anchor, anchor_id)

    async def total() -> int:
        return await loader.count(f, anchor, anchor_id)

    return connection(found, "created", Referral.of, total)


# -- the same list field on several types ------------------------------------------------


def service_field(anchor: str, description: str) -> Any:
    """``services(filter, sort, first, after, near)`` of the node it is declared on."""

    async def services(
        self: Any,
        info: Info,
        filter: ServiceFilterInput | None = None,
        sort: DirectorySort = DirectorySort.NAME,
        first: Annotated[int | None, strawberry.argument(description=FIRST_DESCRIPTION)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)] = None,
        near: GeoPointInput | None = None,
    ) -> Connection[Service]:
        return await service_connection(info, filter, sort, first, after, near, anchor, self.id)

    return strawberry.field(resolver=services, description=description)


def referral_field(anchor: str, description: str) -> Any:
    """A page of referrals of the node it is declared on (household-level: a policy)."""

    async def referrals(
        self: Any,
        info: Info,
        filter: ReferralFilterInput | None = None,
        first: Annotated[int | None, strawberry.argument(description=FIRST_DESCRIPTION)] = None,
        after: Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)] = None,
    ) -> Connection[ReferralRef]:
        return await referral_connection(info, filter, first, after, anchor, self.id)

    return strawberry.field(
        resolver=referrals, description=description, extensions=[household_read()]
    )


# -- types ----------------------------------------------------------------------------


@strawberry.type(description="Kennzahl eines Sozialraums (z. B. SGB-II-Quote).")
class Indicator:
    key: str
    value: float


@strawberry.type(description="Sozialraum: Planungsraum, verschachtelt Stadt > Bezirk > Stadtteil.")
class Area(Versioned):
    stored: strawberry.Private[Stored[rec.Area]]
    id: strawberry.ID
    name: str
    level: AreaLevel
    population: int | None = strawberry.field(description="Einwohnerzahl.")
    centroid: GeoPoint | None = strawberry.field(description="Mittelpunkt (WGS84).")
    indicators: list[Indicator] = strawberry.field(description="Sozialraum-Kennzahlen.")

    @classmethod
    def of(cls, s: Stored[rec.Area]) -> Area:
        r = s.record
        centroid = (
            GeoPoint(latitude=r.centroid_lat, longitude=r.centroid_lon)
            if r.centroid_lat is not None and r.centroid_lon is not None
            else None
        )
        return cls(
            stored=s,
            id=id_of(s),
            name=r.name,
            level=AreaLevel(r.level),
            population=r.population,
            centroid=centroid,
            indicators=[Indicator(key=k, value=v) for k, v in sorted(r.indicators.items())],
            **meta_of(s),
        )

    @strawberry.field(description="Der umfassende Sozialraum.")
    async def parent(self, info: Info) -> Area | None:
        found = ahead(self.stored, "parent")
        if found is NOT_READ:
            pid = self.stored.record.parent_id
            found = await info.context.loaders.node("Area", pid) if pid else None
        return Area.of(found) if found else None

    @strawberry.field(description="Die Teilräume (eine Ebene tiefer).")
    async def children(self, info: Info) -> list[Area]:
        found = ahead(self.stored, "children")
        if found is NOT_READ:
            found = await info.context.loaders.hop(areas.CHILDREN, self.id)
        return [Area.of(a) for a in found]

    @strawberry.field(description="Angrenzende Sozialräume (gemeinsame Grenze).")
    async def neighbours(self, info: Info) -> list[Area]:
        found = ahead(self.stored, "neighbours")
        if found is NOT_READ:
            found = await info.context.loaders.hop(areas.NEIGHBOURS, self.id)
        return [Area.of(a) for a in found]

    services = service_field(
        "area", "Angebote, die diesen Sozialraum oder einen Teilraum versorgen."
    )

    @strawberry.field(description="Standorte in diesem Sozialraum.")
    async def locations(self, info: Info) -> list[Location]:
        found = ahead(self.stored, "locations")
        if found is NOT_READ:
            found = await info.context.loaders.hop(areas.LOCATIONS, self.id)
        return [Location.of(x) for x in found]

    @strawberry.field(description="Verbünde und Arbeitskreise, die hier tätig sind.")
    async def networks(self, info: Info) -> list[Network]:
        found = ahead(self.stored, "networks")
        if found is NOT_READ:
            found = await info.context.loaders.hop(areas.NETWORKS, self.id)
        return [Network.of(x) for x in found]

    @strawberry.field(
        description="Haushalte (Bedarfsgemeinschaften), die hier wohnen.",
        extensions=[household_read()],
    )
    async def households(self, info: Info) -> list[HouseholdRef]:
        from schema.casework import Household

        found = await info.context.loaders.household_hop("area.households", self.id)
        return [Household.of(h) for h in found]


@strawberry.type(description="Leistungsbereich (HSDS taxonomy_term).")
class Category(Versioned):
    stored: strawberry.Private[Stored[rec.Category]]
    id: strawberry.ID
    name: str

    @classmethod
    def of(cls, s: Stored[rec.Category]) -> Category:
        return cls(stored=s, id=id_of(s), name=s.record.name, **meta_of(s))

    @strawberry.field(description="Der übergeordnete Leistungsbereich.")
    async def broader(self, info: Info) -> Category | None:
        found = ahead(self.stored, "broader")
        if found is NOT_READ:
            pid = self.stored.record.parent_id
            found = await info.context.loaders.node("Category", pid) if pid else None
        return Category.of(found) if found else None

    @strawberry.field(description="Engere Leistungsbereiche.")
    async def narrower(self, info: Info) -> list[Category]:
        found = ahead(self.stored, "narrower")
        if found is NOT_READ:
            found = await info.context.loaders.hop(catalog.NARROWER, self.id)
        return [Category.of(c) for c in found]

    services = service_field("category", "Angebote in diesem Leistungsbereich (samt engeren).")


@strawberry.type(description="Träger (HSDS organization).")
class Organization(Versioned):
    stored: strawberry.Private[Stored[rec.Organization]]
    id: strawberry.ID
    name: str
    sector: Sector
    description: str
    website: str | None
    email: str | None
    phone: str | None

    @classmethod
    def of(cls, s: Stored[rec.Organization]) -> Organization:
        r = s.record
        return cls(
            stored=s,
            id=id_of(s),
            name=r.name,
            sector=Sector(r.sector),
            description=r.description,
            website=r.website,
            email=r.email,
            phone=r.phone,
            **meta_of(s),
        )

    services = service_field("organization", "Angebote des Trägers.")

    @strawberry.field(description="Standorte des Trägers.")
    async def locations(self, info: Info) -> list[Location]:
        found = ahead(self.stored, "locations")
        if found is NOT_READ:
            found = await info.context.loaders.hop(organizations.LOCATIONS, self.id)
        return [Location.of(x) for x in found]

    @strawberry.field(description="Kooperationsvereinbarungen, an denen der Träger beteiligt ist.")
    async def agreements(self, info: Info) -> list[Agreement]:
        found = ahead(self.stored, "agreements")
        if found is NOT_READ:
            found = await info.context.loaders.hop(organizations.AGREEMENTS, self.id)
        return [Agreement.of(x) for x in found]

    @strawberry.field(
        description="Kooperationspartner: die anderen Parteien seiner Vereinbarungen."
    )
    async def partners(self, info: Info) -> list[Organization]:
        found = ahead(self.stored, "partners")
        if found is NOT_READ:
            found = await info.context.loaders.hop(organizations.PARTNERS, self.id)
        return [Organization.of(x) for x in found]

    @strawberry.field(description="Mitgliedschaften in Verbünden und Arbeitskreisen.")
    async def memberships(self, info: Info) -> list[Membership]:
        read: Any = ahead(self.stored, "memberships")
        if read is not NOT_READ:
            return [Membership.read_with(self.stored.record.id, linked) for linked in read]
        found = await info.context.loaders.memberships_of_organization(self.id)
        return [Membership.of(m.membership, m.version) for m in found]

    referrals_sent = referral_field("sent_by", "Überleitungen, die dieser Träger veranlasst hat.")

    referrals_received = referral_field("received_by", "Überleitungen an Angebote dieses Trägers.")


@strawberry.type(description="Standort (HSDS location) eines Trägers.")
class Location(Versioned):
    stored: strawberry.Private[Stored[rec.Location]]
    id: strawberry.ID
    name: str
    street: str | None
    postal_code: str | None
    city: str | None
    position: GeoPoint | None = strawberry.field(description="Lage (WGS84).")

    @classmethod
    def of(cls, s: Stored[rec.Location]) -> Location:
        r = s.record
        position = (
            GeoPoint(latitude=r.latitude, longitude=r.longitude)
            if r.latitude is not None and r.longitude is not None
            else None
        )
        return cls(
            stored=s,
            id=id_of(s),
            name=r.name,
            street=r.street,
            postal_code=r.postal_code,
            city=r.city,
            position=position,
            **meta_of(s),
        )

    @strawberry.field(description="Der Träger des Standorts.")
    async def organization(self, info: Info) -> Organization | None:
        found = ahead(self.stored, "organization")
        if found is NOT_READ:
            oid = self.stored.record.organization_id
            found = await info.context.loaders.node("Organization", oid) if oid else None
        return Organization.of(found) if found else None

    @strawberry.field(description="Der Sozialraum, in dem der Standort liegt.")
    async def area(self, info: Info) -> Area | None:
        found = ahead(self.stored, "area")
        if found is NOT_READ:
            aid = self.stored.record.area_id
            found = await info.context.loaders.node("Area", aid) if aid else None
        return Area.of(found) if found else None

    services = service_field("location", "Angebote an diesem Standort.")


@strawberry.type(description="Angebot (HSDS service) eines Trägers.")
class Service(Versioned):
    stored: strawberry.Private[Stored[rec.Service]]
    id: strawberry.ID
    name: str
    description: str
    target_groups: list[str] = strawberry.field(description="Zielgruppen.")
    languages: list[str] = strawberry.field(description="Sprachen (ISO 639-1).")
    legal_basis: str | None = strawberry.field(description="Rechtsgrundlage, z. B. § 16a SGB II.")
    capacity: int | None = strawberry.field(description="Plätze bzw. Fälle gleichzeitig.")
    capacity_unit: str | None
    capacity_used: int | None = strawberry.field(description="Belegte Plätze.")
    status: ServiceStatus
    valid_from: dt.date | None = strawberry.field(description="Gültig ab.")
    valid_to: dt.date | None = strawberry.field(description="Gültig bis.")
    email: str | None
    url: str | None

    @classmethod
    def of(cls, s: Stored[rec.Service]) -> Service:
        r = s.record
        return cls(
            stored=s,
            id=id_of(s),
            name=r.name,
            description=r.description,
            target_groups=list(r.target_groups),
            languages=list(r.languages),
            legal_basis=r.legal_basis,
            capacity=r.capacity,
            capacity_unit=r.capacity_unit,
            capacity_used=r.capacity_used,
            status=ServiceStatus(r.status),
            valid_from=r.valid_from,
            valid_to=r.valid_to,
            email=r.email,
            url=r.url,
            **meta_of(s),
        )

    @strawberry.field(description="Freie Plätze (Kapazität minus Belegung), falls bekannt.")
    def free_capacity(self) -> int | None:
        r = self.stored.record
        if r.capacity is None:
            return None
        return max(r.capacity - (r.capacity_used or 0), 0)

    @strawberry.field(description="Der Träger des Angebots.")
    async def organization(self, info: Info) -> Organization | None:
        found = ahead(self.stored, "organization")
        if found is NOT_READ:
            oid = self.stored.record.organization_id
            found = await info.context.loaders.node("Organization", oid)
        return Organization.of(found) if found else None

    @strawberry.field(description="Leistungsbereiche des Angebots.")
    async def categories(self, info: Info) -> list[Category]:
        found = ahead(self.stored, "categories")
        if found is NOT_READ:
            found = await info.context.loaders.nodes("Category", self.stored.record.category_ids)
        return [Category.of(c) for c in found]

    @strawberry.field(description="Versorgte Sozialräume (HSDS service_area).")
    async def areas(self, info: Info) -> list[Area]:
        found = ahead(self.stored, "areas")
        if found is NOT_READ:
            found = await info.context.loaders.nodes("Area", self.stored.record.area_ids)
        return [Area.of(a) for a in found]

    @strawberry.field(description="Standorte, an denen das Angebot erbracht wird.")
    async def locations(self, info: Info) -> list[Location]:
        found = ahead(self.stored, "locations")
        if found is NOT_READ:
            found = await info.context.loaders.nodes("Location", self.stored.record.location_ids)
        return [Location.of(x) for x in found]

    referrals = referral_field("service", "Überleitungen an dieses Angebot.")


@strawberry.type(description="Kooperationsvereinbarung zwischen Trägern.")
class Agreement(Versioned):
    stored: strawberry.Private[Stored[rec.Agreement]]
    id: strawberry.ID
    title: str
    kind: str
    priority_access: bool = strawberry.field(
        description="Vorrangiger Zugang: Klient:innen der anderen Partei werden zuerst bedient."
    )
    terms: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    document_ref: str | None

    @classmethod
    def of(cls, s: Stored[rec.Agreement]) -> Agreement:
        r = s.record
        return cls(
            stored=s,
            id=id_of(s),
            title=r.title,
            kind=r.kind,
            priority_access=r.priority_access,
            terms=r.terms,
            valid_from=r.valid_from,
            valid_to=r.valid_to,
            document_ref=r.document_ref,
            **meta_of(s),
        )

    @strawberry.field(description="Die Parteien (Träger) der Vereinbarung.")
    async def parties(self, info: Info) -> list[Organization]:
        found = ahead(self.stored, "parties")
        if found is NOT_READ:
            found = await info.context.loaders.nodes("Organization", self.stored.record.party_ids)
        return [Organization.of(o) for o in found]

    @strawberry.field(description="Abgedeckte Leistungsbereiche (leer: alle).")
    async def categories(self, info: Info) -> list[Category]:
        found = ahead(self.stored, "categories")
        if found is NOT_READ:
            found = await info.context.loaders.nodes("Category", self.stored.record.category_ids)
        return [Category.of(c) for c in found]

    @strawberry.field(description="Gilt die Vereinbarung an diesem Tag (Standard: heute)?")
    def valid_on(self, date: dt.date | None = None) -> bool:
        r = self.stored.record
        day = date or dt.date.today()
        return (r.valid_from is None or r.valid_from <= day) and (
            r.valid_to is None or r.valid_to >= day
        )


@strawberry.type(description="Verbund, Arbeitskreis oder Netzwerk von Trägern.")
class Network(Versioned):
    stored: strawberry.Private[Stored[rec.Network]]
    id: strawberry.ID
    name: str
    kind: NetworkKind
    description: str

    @classmethod
    def of(cls, s: Stored[rec.Network]) -> Network:
        r = s.record
        return cls(
            stored=s,
            id=id_of(s),
            name=r.name,
            kind=NetworkKind(r.kind),
            description=r.description,
            **meta_of(s),
        )

    @strawberry.field(description="Mitgliedschaften der Träger.")
    async def memberships(self, info: Info) -> list[Membership]:
        found = await info.context.loaders.memberships_of_network(self.id)
        return [Membership.of(m.membership, m.version) for m in found]

    @strawberry.field(description="Sozialräume, in denen der Verbund tätig ist.")
    async def areas(self, info: Info) -> list[Area]:
        found = ahead(self.stored, "areas")
        if found is NOT_READ:
            found = await info.context.loaders.nodes("Area", self.stored.record.area_ids)
        return [Area.of(a) for a in found]


@strawberry.type(description="Mitgliedschaft eines Trägers in einem Verbund / Arbeitskreis.")
class Membership:
    membership: strawberry.Private[rec.Membership]
    role: str
    since: dt.date | None
    version: int = strawberry.field(description="Version; bei Änderungen mitsenden.")

    network_read: strawberry.Private[Stored[rec.Network] | None] = None

    @classmethod
    def of(cls, m: rec.Membership, version: int = 1) -> Membership:
        return cls(membership=m, role=m.role, since=m.since, version=version)

    @classmethod
    def read_with(cls, organization_id: str, linked: Linked) -> Membership:
        """A membership read as an include of its organization (with its network)."""
        edge = linked.edge
        m = rec.Membership(
            network_id=linked.node.record.id,
            organization_id=organization_id,
            role=edge.get("role") or "mitglied",
            since=as_date(edge.get("since")),
            source=edge.get("source") or "manual",
        )
        membership = cls.of(m, int(edge.get("version") or 1))
        membership.network_read = linked.node
        return membership

    @strawberry.field(description="Der Träger.")
    async def organization(self, info: Info) -> Organization | None:
        found = await info.context.loaders.node("Organization", self.membership.organization_id)
        return Organization.of(found) if found else None

    @strawberry.field(description="Der Verbund / Arbeitskreis.")
    async def network(self, info: Info) -> Network | None:
        found = self.network_read or await info.context.loaders.node(
            "Network", self.membership.network_id
        )
        return Network.of(found) if found else None


# -- completing read-ahead relations without their resolvers (schema/execution.py) -----


def _one(name: str, wrap: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def get(parent: Any) -> Any:
        found = ahead(parent.stored, name)
        if found is NOT_READ:
            raise NotReadAhead
        return None if found is None else wrap(found)

    return get


def _many(name: str, wrap: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def get(parent: Any) -> Any:
        found = ahead(parent.stored, name)
        if found is NOT_READ:
            raise NotReadAhead
        return [wrap(item) for item in found]

    return get


def _memberships(parent: Organization) -> list[Membership]:
    found = ahead(parent.stored, "memberships")
    if found is NOT_READ:
        raise NotReadAhead
    return [Membership.read_with(parent.stored.record.id, linked) for linked in found]


def _membership_network(membership: Membership) -> Network:
    if membership.network_read is None:
        raise NotReadAhead
    return Network.of(membership.network_read)


# Each entry does what the field's resolver does when its records were read ahead.
READ_AHEAD.update(
    {
        ("Area", "parent"): _one("parent", Area.of),
        ("Area", "children"): _many("children", Area.of),
        ("Area", "neighbours"): _many("neighbours", Area.of),
        ("Area", "locations"): _many("locations", Location.of),
        ("Area", "networks"): _many("networks", Network.of),
        ("Category", "broader"): _one("broader", Category.of),
        ("Category", "narrower"): _many("narrower", Category.of),
        ("Organization", "locations"): _many("locations", Location.of),
        ("Organization", "agreements"): _many("agreements", Agreement.of),
        ("Organization", "partners"): _many("partners", Organization.of),
        ("Organization", "memberships"): _memberships,
        ("Location", "organization"): _one("organization", Organization.of),
        ("Location", "area"): _one("area", Area.of),
        ("Service", "organization"): _one("organization", Organization.of),
        ("Service", "categories"): _many("categories", Category.of),
        ("Service", "areas"): _many("areas", Area.of),
        ("Service", "locations"): _many("locations", Location.of),
        ("Agreement", "parties"): _many("parties", Organization.of),
        ("Agreement", "categories"): _many("categories", Category.of),
        ("Network", "areas"): _many("areas", Area.of),
        ("Membership", "network"): _membership_network,
    }
)
