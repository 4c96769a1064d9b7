"""Directory types: Sozialräume, Leistungsbereiche, Träger, Standorte, Angebote,
Kooperationsvereinbarungen, Verbünde und Mitgliedschaften, navigable in both directions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import strawberry

from graph import clock
from graph import records as rec
from graph.capacity import Occupancy, occupancy
from graph.geometry import simplified
from graph.repo import areas, catalog, organizations
from graph.repo.includes import Linked
from graph.repo.paging import PageArgs
from graph.repo.values import Stored, as_date
from schema.context import Info
from schema.dataloaders import Paged
from schema.enums import AreaLevel, DirectorySort, NetworkKind, Sector, ServiceStatus
from schema.execution import READ_AHEAD, NotReadAhead
from schema.filters import (
    ReferralFilterInput,
    ServiceFilterInput,
    referral_filter,
    service_filter,
)
from schema.geo import GeoPoint, GeoPointInput, near_of
from schema.pagination import (
    AFTER_DESCRIPTION,
    FIRST_DESCRIPTION,
    Connection,
    connection,
    decode_cursor,
    page_size,
    skip_of,
)
from schema.policy import household_read
from schema.related import NOT_READ, Related, ahead, by_hop, by_id, by_ids
from schema.related import register as register_related
from schema.selection import connection as lookahead

if TYPE_CHECKING:
    from schema.casework import Household, Referral

F = TypeVar("F", bound=Hashable)
S = TypeVar("S", bound=str)
T = TypeVar("T")

HouseholdRef = Annotated["Household", strawberry.lazy("schema.casework")]
ReferralRef = Annotated["Referral", strawberry.lazy("schema.casework")]


def id_of(stored: Stored[Any]) -> strawberry.ID:
    return strawberry.ID(stored.record.id)


related = Related(globals())

HSDS_REST = (
    "Was der HSDS-Datensatz beim Import über die Felder von verbund hinaus enthielt "
    "(Programme, Öffnungszeiten mit RRULE, Kontakte, Telefone, Kosten, Förderung, Metadaten …), "
    "als JSON-Text, wie ihn der HSDS-Export und die Open-Referral-API wieder darüberlegen; "
    "`null`: nichts davon."
)


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


async def page_connection(
    info: Info,
    loader: Paged[PageArgs[F, S]],
    type_name: str,
    wrap: Callable[[Stored[Any]], T],
    f: F,
    sort: S,
    first: int | None,
    after: str | None,
    near: GeoPointInput | None = None,
    anchor: str | None = None,
    anchor_id: str | None = None,
    offset: int | None = None,
) -> Connection[T]:
    """A page of ``loader``'s list (of the node ``anchor_id``, if given), reading with it
    what the selection below needs of each ``type_name``; ``offset`` entries after the
    cursor are passed over."""
    read, with_total = lookahead(info, type_name)
    args = PageArgs(
        filter=f,
        sort=sort,
        first=page_size(first),
        after=decode_cursor(after, sort),
        near=near_of(near, sort),
        shape=read,
        with_total=with_total,
        skip=skip_of(offset),
    )
    found = await loader.page(args, anchor, anchor_id)

    async def total() -> int:
        return await loader.count(f, anchor, anchor_id)

    return connection(found, sort, wrap, total)


async def service_connection(
    info: Info,
    filter: ServiceFilterInput | None,
    sort: DirectorySort,
    first: int | None,
    after: str | None,
    near: GeoPointInput | None,
    anchor: str | None = None,
    anchor_id: str | None = None,
    offset: int | None = None,
) -> Connection[Service]:
    f = service_filter(filter)
    return await page_connection(
        info,
        info.context.loaders.services,
        "Service",
        Service.of,
        f,
        sort.value,
        first,
        after,
        near,
        anchor,
        anchor_id,
        offset,
    )


async def referral_connection(
    info: Info,
    filter: ReferralFilterInput | None,
    first: int | None,
    after: str | None,
    anchor: str | None = None,
    anchor_id: str | None = None,
) -> Connection[ReferralRef]:
    from schema.casework import Referral

    f = referral_filter(filter, info.context.overdue_before)
    return await page_connection(
        info,
        info.context.loaders.referrals,
        "Referral",
        Referral.of,
        f,
        "created",
        first,
        after,
        None,
        anchor,
        anchor_id,
    )


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

    parent = related.one(
        "Area", "Der umfassende Sozialraum.", by_id("Area", "parent_id", optional=True)
    )

    children = related.many("Area", "Die Teilräume (eine Ebene tiefer).", by_hop(areas.CHILDREN))

    neighbours = related.many(
        "Area", "Angrenzende Sozialräume (gemeinsame Grenze).", by_hop(areas.NEIGHBOURS)
    )

    services = service_field(
        "area", "Angebote, die diesen Sozialraum oder einen Teilraum versorgen."
    )

    @strawberry.field(
        description="Umriss als GeoJSON-Geometrie (Text, WGS84), null ohne Umriss. Mit "
        "tolerance (in Grad, z. B. 0.0005 für Stadtkarten) vereinfacht: kein Punkt weicht "
        "weiter ab, die Form bleibt gültig."
    )
    async def geometry(
        self,
        info: Info,
        tolerance: Annotated[
            float | None,
            strawberry.argument(description="Höchste Abweichung in Grad; null: unverändert."),
        ] = None,
    ) -> str | None:
        text = await info.context.loaders.geometry(self.id)
        if text is None or not tolerance:
            return text
        return simplified(text, tolerance)

    locations = related.many("Location", "Standorte in diesem Sozialraum.", by_hop(areas.LOCATIONS))

    networks = related.many(
        "Network", "Verbünde und Arbeitskreise, die hier tätig sind.", by_hop(areas.NETWORKS)
    )

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

    @strawberry.field(description=HSDS_REST)
    def hsds_rest(self) -> str | None:
        return self.stored.record.hsds

    @classmethod
    def of(cls, s: Stored[rec.Category]) -> Category:
        return cls(stored=s, id=id_of(s), name=s.record.name, **meta_of(s))

    broader = related.one(
        "Category",
        "Der übergeordnete Leistungsbereich.",
        by_id("Category", "parent_id", optional=True),
    )

    narrower = related.many("Category", "Engere Leistungsbereiche.", by_hop(catalog.NARROWER))

    services = service_field("category", "Angebote in diesem Leistungsbereich (samt engeren).")


@strawberry.type(description="Träger (HSDS organization).")
class Organization(Versioned):
    stored: strawberry.Private[Stored[rec.Organization]]
    id: strawberry.ID
    name: str
    sector: Sector
    legal_status: str | None = strawberry.field(
        description="Rechtsform, wie der Träger sie schreibt (z. B. „e.V.“, „gGmbH“; HSDS "
        "legal_status); leer, wo der Sektor alles sagt."
    )
    description: str
    website: str | None
    email: str | None
    phone: str | None

    @strawberry.field(description=HSDS_REST)
    def hsds_rest(self) -> str | None:
        return self.stored.record.hsds

    @classmethod
    def of(cls, s: Stored[rec.Organization]) -> Organization:
        r = s.record
        return cls(
            stored=s,
            id=id_of(s),
            name=r.name,
            sector=Sector(r.sector),
            legal_status=r.legal_status,
            description=r.description,
            website=r.website,
            email=r.email,
            phone=r.phone,
            **meta_of(s),
        )

    services = service_field("organization", "Angebote des Trägers.")

    locations = related.many("Location", "Standorte des Trägers.", by_hop(organizations.LOCATIONS))

    @strawberry.field(
        description="Kooperationsvereinbarungen, an denen der Träger beteiligt ist; mit `with` "
        "nur die mit diesem anderen Träger."
    )
    async def agreements(
        self,
        info: Info,
        with_: Annotated[
            strawberry.ID | None,
            strawberry.argument(
                name="with",
                description="Nur Vereinbarungen, an denen auch dieser Träger beteiligt ist.",
            ),
        ] = None,
    ) -> list[Agreement]:
        if with_ is None:
            read: Any = ahead(self.stored, "agreements")
            if read is not NOT_READ:
                return [Agreement.of(a) for a in read]
        # Whole records (with their parties), one statement for every organization asked for
        # in the request (the dataloader batches them); a Träger has only a few agreements.
        found = await info.context.loaders.hop(organizations.AGREEMENTS, self.id)
        return [Agreement.of(a) for a in found if with_ is None or with_ in a.record.party_ids]

    partners = related.many(
        "Organization",
        "Kooperationspartner: die anderen Parteien seiner Vereinbarungen.",
        by_hop(organizations.PARTNERS),
    )

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
    phone: str | None = strawberry.field(description="Telefon des Standorts.")
    opening_hours: str | None = strawberry.field(
        description="Öffnungszeiten als Text, z. B. „Mo–Do 9–12 Uhr, Di 14–17 Uhr“ "
        "(HSDS schedule description)."
    )

    @strawberry.field(description=HSDS_REST)
    def hsds_rest(self) -> str | None:
        return self.stored.record.hsds

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
            phone=r.phone,
            opening_hours=r.opening_hours,
            **meta_of(s),
        )

    organization = related.one(
        "Organization",
        "Der Träger des Standorts.",
        by_id("Organization", "organization_id", optional=True),
    )

    area = related.one(
        "Area",
        "Der Sozialraum, in dem der Standort liegt.",
        by_id("Area", "area_id", optional=True),
    )

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
    required_documents: list[str] = strawberry.field(
        description="Was mitbringen: Unterlagen, die die Familie mitbringen soll "
        "(HSDS required_document)."
    )
    assured_date: dt.date | None = strawberry.field(
        description="Zuletzt geprüft: wann der Träger die Angaben bestätigt hat "
        "(HSDS assured_date)."
    )

    @strawberry.field(description=HSDS_REST)
    def hsds_rest(self) -> str | None:
        return self.stored.record.hsds

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
            required_documents=list(r.required_documents),
            assured_date=r.assured_date,
            **meta_of(s),
        )

    def _occupancy(self, info: Info) -> Occupancy:
        r = self.stored.record
        return occupancy(
            r.capacity,
            r.capacity_used,
            r.assured_date,
            info.context.now.date(),
            info.context.capacity_max_age_days,
        )

    @strawberry.field(
        description="Freie Plätze (Kapazität minus Belegung); `null`, wenn Plätze oder "
        "Belegung unbekannt sind oder die Belegung zuletzt vor mehr als "
        "VERBUND_CAPACITY_MAX_AGE_DAYS Tagen geprüft wurde (nie 0 für unbekannt)."
    )
    def free_capacity(self, info: Info) -> int | None:
        return self._occupancy(info).free

    @strawberry.field(
        description="Die gemeldete Belegung ist älter als VERBUND_CAPACITY_MAX_AGE_DAYS Tage "
        "(siehe `assuredDate`) und gilt deshalb als unbekannt."
    )
    def occupancy_outdated(self, info: Info) -> bool:
        return self._occupancy(info).outdated

    organization = related.one(
        "Organization", "Der Träger des Angebots.", by_id("Organization", "organization_id")
    )

    categories = related.many(
        "Category", "Leistungsbereiche des Angebots.", by_ids("Category", "category_ids")
    )

    areas = related.many(
        "Area", "Versorgte Sozialräume (HSDS service_area).", by_ids("Area", "area_ids")
    )

    locations = related.many(
        "Location",
        "Standorte, an denen das Angebot erbracht wird.",
        by_ids("Location", "location_ids"),
    )

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

    parties = related.many(
        "Organization",
        "Die Parteien (Träger) der Vereinbarung.",
        by_ids("Organization", "party_ids"),
    )

    categories = related.many(
        "Category", "Abgedeckte Leistungsbereiche (leer: alle).", by_ids("Category", "category_ids")
    )

    @strawberry.field(description="Gilt die Vereinbarung an diesem Tag (Standard: heute)?")
    def valid_on(self, date: dt.date | None = None) -> bool:
        r = self.stored.record
        day = date or clock.today()
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

    areas = related.many(
        "Area", "Sozialräume, in denen der Verbund tätig ist.", by_ids("Area", "area_ids")
    )


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


def _memberships(parent: Organization) -> list[Membership]:
    found = ahead(parent.stored, "memberships")
    if found is NOT_READ:
        raise NotReadAhead
    return [Membership.read_with(parent.stored.record.id, linked) for linked in found]


def _membership_network(membership: Membership) -> Network:
    if membership.network_read is None:
        raise NotReadAhead
    return Network.of(membership.network_read)


# Each entry does what the field's resolver does when its records were read ahead; the
# fields declared with ``related`` bring their own.
register_related(Area, Category, Organization, Location, Service, Agreement, Network)
READ_AHEAD.update(
    {
        ("Organization", "memberships"): _memberships,
        ("Membership", "network"): _membership_network,
    }
)
