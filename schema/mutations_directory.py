"""Mutations for network coordinators: create, update (with version) and archive Träger,
Angebote, Standorte, Kooperationsvereinbarungen, Verbünde, and their memberships.

Expected failures come back as members of the result unions (NotFound, InvalidInput with
field paths, Conflict); the writes themselves are in graph/repo/writes.py.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry import UNSET

from graph import IntegrityError, clock, validation
from graph import records as rec
from graph.repo import writes
from graph.repo.values import Stored
from graph.repo.writes import AlreadyExists, NotFoundError, StaleVersion
from schema.context import Info
from schema.directory import Agreement, Location, Membership, Network, Organization, Service
from schema.enums import NetworkKind, Sector, ServiceStatus
from schema.idempotency import client_mutation_id_field
from schema.policy import HOUSEHOLD_LABELS, directory_write, service_availability_write
from schema.problems import Conflict, FieldError, InvalidInput, NotFound

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def _who(info: Info) -> str:
    """Who changes the record (kept as ``updated_by``), as referral events name it."""
    return info.context.principal.subject


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# -- inputs (one per kind, used for create and update: fields left out stay as they are) --


@strawberry.input(description="Angaben eines Trägers; beim Ändern nur die zu ändernden Felder.")
class OrganizationInput:
    id: strawberry.ID | None = strawberry.field(
        default=UNSET, description="Kennung (nur beim Anlegen; Standard: neu erzeugt)."
    )
    name: str | None = UNSET
    sector: Sector | None = UNSET
    description: str | None = UNSET
    website: str | None = UNSET
    email: str | None = UNSET
    phone: str | None = UNSET

    client_mutation_id: str | None = client_mutation_id_field()


@strawberry.input(description="Angaben eines Angebots; beim Ändern nur die zu ändernden Felder.")
class ServiceInput:
    id: strawberry.ID | None = strawberry.field(default=UNSET, description="Kennung (Anlegen).")
    organization: strawberry.ID | None = strawberry.field(default=UNSET, description="Träger.")
    name: str | None = UNSET
    description: str | None = UNSET
    categories: list[strawberry.ID] | None = strawberry.field(
        default=UNSET, description="Leistungsbereiche."
    )
    target_groups: list[str] | None = UNSET
    languages: list[str] | None = strawberry.field(default=UNSET, description="ISO 639-1.")
    legal_basis: str | None = UNSET
    capacity: int | None = UNSET
    capacity_unit: str | None = UNSET
    capacity_used: int | None = UNSET
    status: ServiceStatus | None = UNSET
    valid_from: dt.date | None = UNSET
    valid_to: dt.date | None = UNSET
    areas: list[strawberry.ID] | None = strawberry.field(
        default=UNSET, description="Versorgte Sozialräume."
    )
    locations: list[strawberry.ID] | None = strawberry.field(
        default=UNSET, description="Standorte."
    )
    email: str | None = UNSET
    url: str | None = UNSET
    required_documents: list[str] | None = strawberry.field(
        default=UNSET, description="Was mitbringen (Unterlagen)."
    )
    assured_date: dt.date | None = strawberry.field(
        default=UNSET, description="Zuletzt geprüft am."
    )

    client_mutation_id: str | None = client_mutation_id_field()


@strawberry.input(description="Angaben eines Standorts; beim Ändern nur die zu ändernden Felder.")
class LocationInput:
    id: strawberry.ID | None = strawberry.field(default=UNSET, description="Kennung (Anlegen).")
    organization: strawberry.ID | None = strawberry.field(default=UNSET, description="Träger.")
    name: str | None = UNSET
    street: str | None = UNSET
    postal_code: str | None = UNSET
    city: str | None = UNSET
    latitude: float | None = UNSET
    longitude: float | None = UNSET
    area: strawberry.ID | None = strawberry.field(default=UNSET, description="Sozialraum.")
    phone: str | None = strawberry.field(default=UNSET, description="Telefon.")
    opening_hours: str | None = strawberry.field(
        default=UNSET, description="Öffnungszeiten als Text, z. B. „Mo–Do 9–12 Uhr“."
    )

    client_mutation_id: str | None = client_mutation_id_field()


@strawberry.input(
    description="Angaben einer Kooperationsvereinbarung; beim Ändern nur die zu ändernden Felder."
)
class AgreementInput:
    id: strawberry.ID | None = strawberry.field(default=UNSET, description="Kennung (Anlegen).")
    title: str | None = UNSET
    parties: list[strawberry.ID] | None = strawberry.field(
        default=UNSET, description="Die beteiligten Träger (mindestens zwei)."
    )
    kind: str | None = UNSET
    priority_access: bool | None = UNSET
    categories: list[strawberry.ID] | None = strawberry.field(
        default=UNSET, description="Abgedeckte Leistungsbereiche (leer: alle)."
    )
    terms: str | None = UNSET
    valid_from: dt.date | None = UNSET
    valid_to: dt.date | None = UNSET
    document_ref: str | None = UNSET

    client_mutation_id: str | None = client_mutation_id_field()


@strawberry.input(description="Angaben eines Verbunds; beim Ändern nur die zu ändernden Felder.")
class NetworkInput:
    id: strawberry.ID | None = strawberry.field(default=UNSET, description="Kennung (Anlegen).")
    name: str | None = UNSET
    kind: NetworkKind | None = UNSET
    description: str | None = UNSET
    areas: list[strawberry.ID] | None = strawberry.field(
        default=UNSET, description="Sozialräume, in denen er tätig ist."
    )

    client_mutation_id: str | None = client_mutation_id_field()


# -- how each kind maps onto its record ------------------------------------------------


@dataclass(frozen=True, slots=True)
class Kind:
    label: str
    record: type
    wrap: Callable[[Stored[Any]], Any]
    prefix: str
    fields: Mapping[str, str]  # input attribute -> record field
    required: tuple[str, ...]  # input attributes needed to create
    refs: Mapping[str, str]  # referenced label -> input attribute (for dangling references)
    check: Callable[[Any], list[tuple[str, str]]]
    # A new record's id when the input has none (default: ``prefix`` and a random part).
    new_id: Callable[[Info], str] | None = None
    # Where the input's fields sit in the mutation's arguments (field error paths).
    path: tuple[str, ...] = ("input",)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


ORGANIZATION = Kind(
    "Organization",
    rec.Organization,
    Organization.of,
    "org",
    {f: f for f in ("name", "sector", "description", "website", "email", "phone")},
    ("name",),
    {},
    validation.organization,
)
SERVICE = Kind(
    "Service",
    rec.Service,
    Service.of,
    "svc",
    {
        "organization": "organization_id",
        "categories": "category_ids",
        "areas": "area_ids",
        "locations": "location_ids",
        **{
            f: f
            for f in (
                "name",
                "description",
                "target_groups",
                "languages",
                "legal_basis",
                "capacity",
                "capacity_unit",
                "capacity_used",
                "status",
                "valid_from",
                "valid_to",
                "email",
                "url",
                "required_documents",
                "assured_date",
            )
        },
    },
    ("organization", "name"),
    {
        "Organization": "organization",
        "Category": "categories",
        "Area": "areas",
        "Location": "locations",
    },
    validation.service,
)
LOCATION = Kind(
    "Location",
    rec.Location,
    Location.of,
    "loc",
    {
        "organization": "organization_id",
        "area": "area_id",
        **{
            f: f
            for f in (
                "name",
                "street",
                "postal_code",
                "city",
                "latitude",
                "longitude",
                "phone",
                "opening_hours",
            )
        },
    },
    ("name",),
    {"Organization": "organization", "Area": "area"},
    validation.location,
)
AGREEMENT = Kind(
    "Agreement",
    rec.Agreement,
    Agreement.of,
    "kv",
    {
        "parties": "party_ids",
        "categories": "category_ids",
        **{
            f: f
            for f in (
                "title",
                "kind",
                "priority_access",
                "terms",
                "valid_from",
                "valid_to",
                "document_ref",
            )
        },
    },
    ("title", "parties"),
    {"Organization": "parties", "Category": "categories"},
    validation.agreement,
)
NETWORK = Kind(
    "Network",
    rec.Network,
    Network.of,
    "net",
    {"areas": "area_ids", **{f: f for f in ("name", "kind", "description")}},
    ("name",),
    {"Area": "areas"},
    validation.network,
)


# The part of a service its Träger keeps current itself: places, occupancy, last checked.
AVAILABILITY = dataclasses.replace(
    SERVICE,
    fields={f: f for f in ("capacity", "capacity_used", "assured_date")},
    required=(),
    refs={},
    check=validation.service_availability,
    path=(),
)

_RECORD_TO_INPUT: dict[str, dict[str, str]] = {}


def _value(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return value


def _default(record: type, name: str) -> Any:
    for f in dataclasses.fields(record):
        if f.name == name:
            if f.default is not dataclasses.MISSING:
                return f.default
            if f.default_factory is not dataclasses.MISSING:
                return f.default_factory()
    return dataclasses.MISSING


def _changes(kind: Kind, data: Any) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for attr, field_name in kind.fields.items():
        value = getattr(data, attr)
        if value is UNSET:
            continue
        if value is None:
            # null clears a field back to its default; required fields are reported instead.
            found = _default(kind.record, field_name)
            if found is dataclasses.MISSING:
                continue
            value = found
        changes[field_name] = _value(value)
    return changes


def _invalid(kind: Kind, problems: list[tuple[str, str]]) -> InvalidInput:
    to_input = {v: k for k, v in kind.fields.items()}
    fields = [
        FieldError(path=[*kind.path, _camel(to_input.get(name, name))], message=message)
        for name, message in problems
    ]
    return InvalidInput(message=fields[0].message, fields=fields)


def _dangling(kind: Kind, error: IntegrityError) -> InvalidInput:
    fields = [
        FieldError(
            path=["input", _camel(kind.refs.get(label, label.lower()))],
            message=f"{label} {ident!r} existiert nicht.",
        )
        for label, ident in error.missing
    ]
    return InvalidInput(message=fields[0].message, fields=fields)


def _conflict(error: StaleVersion | AlreadyExists) -> Conflict:
    return Conflict(message=str(error), current_version=getattr(error, "current", None))


def _not_found(kind: Kind, ident: str) -> NotFound:
    return NotFound(
        message=f"{kind.label} {ident!r} nicht gefunden.", kind=kind.label, id=strawberry.ID(ident)
    )


async def create(info: Info, kind: Kind, data: Any) -> Any:
    missing = [a for a in kind.required if getattr(data, a) in (UNSET, None)]
    if missing:
        return InvalidInput(
            message="Pflichtangaben fehlen.",
            fields=[
                FieldError(path=["input", _camel(a)], message="Pflichtangabe.") for a in missing
            ],
        )
    given = getattr(data, "id", UNSET)
    if given not in (UNSET, None):
        ident = str(given)
    elif kind.new_id is not None:
        ident = kind.new_id(info)
    else:
        ident = f"{kind.prefix}-{uuid.uuid4().hex[:12]}"
    if not _ID.match(ident):
        return InvalidInput(
            message="Ungültige Kennung.",
            fields=[FieldError(path=["input", "id"], message="Nur Buchstaben, Ziffern, . _ : -")],
        )
    record = kind.record(id=ident, source="api", **_changes(kind, data))
    problems = kind.check(record)
    if problems:
        return _invalid(kind, problems)
    if kind.label in HOUSEHOLD_LABELS:
        # Named before the write: its audit entry commits with it (schema/policy_audit.py);
        # an answer that is a problem takes it back (schema/policy.py).
        info.context.access.records.add(f"{kind.label}:{ident}")
    try:
        stored = await info.context.run(
            writes.create, info.context.graph, record, _now(), _who(info)
        )
    except AlreadyExists as error:
        return _conflict(error)
    except IntegrityError as error:
        return _dangling(kind, error)
    return kind.wrap(stored)


async def update(info: Info, kind: Kind, ident: str, version: int, data: Any) -> Any:
    given = getattr(data, "id", UNSET)
    if given not in (UNSET, None) and str(given) != ident:
        return InvalidInput(
            message="Die Kennung kann nicht geändert werden.",
            fields=[FieldError(path=["input", "id"], message="Kennung ist unveränderlich.")],
        )
    current = await info.context.loaders.node(kind.label, ident)
    if current is None:
        return _not_found(kind, ident)
    cleared = [a for a in kind.required if getattr(data, a) is None]
    if cleared:
        return InvalidInput(
            message="Pflichtangaben können nicht gelöscht werden.",
            fields=[
                FieldError(path=["input", _camel(a)], message="Pflichtangabe.") for a in cleared
            ],
        )
    record = dataclasses.replace(current.record, **_changes(kind, data))
    problems = kind.check(record)
    if problems:
        return _invalid(kind, problems)
    try:
        stored = await info.context.run(
            writes.update, info.context.graph, record, version, _now(), _who(info)
        )
    except StaleVersion as error:
        return _conflict(error)
    except NotFoundError:
        return _not_found(kind, ident)
    except IntegrityError as error:
        return _dangling(kind, error)
    return kind.wrap(stored)


async def archive(info: Info, kind: Kind, ident: str, version: int) -> Any:
    try:
        stored = await info.context.run(
            writes.archive, info.context.graph, kind.label, ident, version, _now(), _who(info)
        )
    except StaleVersion as error:
        return _conflict(error)
    except NotFoundError:
        return _not_found(kind, ident)
    return kind.wrap(stored)


OrganizationResult = Annotated[
    Organization | NotFound | InvalidInput | Conflict, strawberry.union("OrganizationResult")
]
ServiceResult = Annotated[
    Service | NotFound | InvalidInput | Conflict, strawberry.union("ServiceResult")
]
LocationResult = Annotated[
    Location | NotFound | InvalidInput | Conflict, strawberry.union("LocationResult")
]
AgreementResult = Annotated[
    Agreement | NotFound | InvalidInput | Conflict, strawberry.union("AgreementResult")
]
NetworkResult = Annotated[
    Network | NotFound | InvalidInput | Conflict, strawberry.union("NetworkResult")
]
MembershipResult = Annotated[
    Membership | NotFound | InvalidInput | Conflict, strawberry.union("MembershipResult")
]


@strawberry.type(description="Eine Mitgliedschaft wurde beendet.")
class MembershipRemoved:
    network_id: strawberry.ID
    organization_id: strawberry.ID


MembershipRemovalResult = Annotated[
    MembershipRemoved | NotFound | Conflict, strawberry.union("MembershipRemovalResult")
]

VERSION = "Die zuletzt gelesene Version; weicht sie ab, kommt ein Conflict zurück."


def _membership_not_found(network: str, organization: str) -> NotFound:
    return NotFound(
        message=f"Träger {organization!r} ist nicht Mitglied von {network!r}.",
        kind="Membership",
        id=strawberry.ID(f"{organization}@{network}"),
    )


def creating(kind: Kind, input_type: type, result: Any, description: str) -> Any:
    """The ``create…`` mutation of one kind of record."""

    async def resolve(self: Any, info: Info, input: Any) -> Any:
        return await create(info, kind, input)

    resolve.__annotations__ = {"info": Info, "input": input_type, "return": result}
    return strawberry.mutation(
        resolver=resolve, description=description, extensions=[directory_write()]
    )


def updating(kind: Kind, input_type: type, result: Any, description: str) -> Any:
    """The ``update…`` mutation of one kind of record (with the version read before)."""

    async def resolve(self: Any, info: Info, id: strawberry.ID, version: int, input: Any) -> Any:
        return await update(info, kind, id, version, input)

    resolve.__annotations__ = {
        "info": Info,
        "id": strawberry.ID,
        "version": Annotated[int, strawberry.argument(description=VERSION)],
        "input": input_type,
        "return": result,
    }
    return strawberry.mutation(
        resolver=resolve, description=description, extensions=[directory_write()]
    )


def archiving(kind: Kind, result: Any, description: str) -> Any:
    """The ``archive…`` mutation of one kind of record."""

    async def resolve(self: Any, info: Info, id: strawberry.ID, version: int) -> Any:
        return await archive(info, kind, id, version)

    resolve.__annotations__ = {"info": Info, "id": strawberry.ID, "version": int, "return": result}
    return strawberry.mutation(
        resolver=resolve, description=description, extensions=[directory_write()]
    )


@strawberry.type
class DirectoryMutation:
    create_organization = creating(
        ORGANIZATION, OrganizationInput, OrganizationResult, "Träger anlegen."
    )
    update_organization = updating(
        ORGANIZATION, OrganizationInput, OrganizationResult, "Träger ändern (mit Version)."
    )
    archive_organization = archiving(ORGANIZATION, OrganizationResult, "Träger archivieren.")
    create_service = creating(SERVICE, ServiceInput, ServiceResult, "Angebot anlegen.")
    update_service = updating(SERVICE, ServiceInput, ServiceResult, "Angebot ändern (mit Version).")
    archive_service = archiving(SERVICE, ServiceResult, "Angebot archivieren (Status ARCHIVED).")

    @strawberry.mutation(
        description="Plätze, Belegung und „zuletzt geprüft“ eines Angebots melden (der Träger "
        "für seine eigenen Angebote, Koordination und Administration für alle; mit Version).",
        extensions=[service_availability_write(lambda a: str(a["id"]))],
    )
    async def update_service_availability(
        self,
        info: Info,
        id: strawberry.ID,
        version: Annotated[int, strawberry.argument(description=VERSION)],
        capacity: Annotated[
            int | None, strawberry.argument(description="Plätze bzw. Fälle gleichzeitig.")
        ] = UNSET,
        capacity_used: Annotated[
            int | None, strawberry.argument(description="Belegte Plätze (0 bis Kapazität).")
        ] = UNSET,
        assured_date: Annotated[
            dt.date | None, strawberry.argument(description="Zuletzt geprüft am (Standard: heute).")
        ] = UNSET,
    ) -> ServiceResult:
        data = ServiceInput(
            capacity=capacity,
            capacity_used=capacity_used,
            assured_date=assured_date if assured_date not in (UNSET, None) else clock.today(),
        )
        result: ServiceResult = await update(info, AVAILABILITY, id, version, data)
        return result

    create_location = creating(LOCATION, LocationInput, LocationResult, "Standort anlegen.")
    update_location = updating(
        LOCATION, LocationInput, LocationResult, "Standort ändern (mit Version)."
    )
    archive_location = archiving(LOCATION, LocationResult, "Standort archivieren.")
    create_agreement = creating(
        AGREEMENT, AgreementInput, AgreementResult, "Kooperationsvereinbarung anlegen."
    )
    update_agreement = updating(
        AGREEMENT, AgreementInput, AgreementResult, "Kooperationsvereinbarung ändern (mit Version)."
    )
    archive_agreement = archiving(
        AGREEMENT, AgreementResult, "Kooperationsvereinbarung archivieren."
    )
    create_network = creating(
        NETWORK, NetworkInput, NetworkResult, "Verbund / Arbeitskreis anlegen."
    )
    update_network = updating(
        NETWORK, NetworkInput, NetworkResult, "Verbund / Arbeitskreis ändern (mit Version)."
    )
    archive_network = archiving(NETWORK, NetworkResult, "Verbund / Arbeitskreis archivieren.")

    @strawberry.mutation(
        description="Träger in einen Verbund / Arbeitskreis aufnehmen.",
        extensions=[directory_write()],
    )
    async def add_membership(
        self,
        info: Info,
        network: strawberry.ID,
        organization: strawberry.ID,
        role: str = "mitglied",
        since: dt.date | None = None,
    ) -> MembershipResult:
        membership = rec.Membership(
            network_id=network, organization_id=organization, role=role, since=since, source="api"
        )
        try:
            stored = await info.context.run(
                writes.add_membership, info.context.graph, membership, _now(), _who(info)
            )
        except AlreadyExists as error:
            return _conflict(error)
        except IntegrityError as error:
            return InvalidInput(
                message="Verweise auf fehlende Datensätze.",
                fields=[
                    FieldError(path=[label.lower()], message=f"{label} {ident!r} existiert nicht.")
                    for label, ident in error.missing
                ],
            )
        return Membership.of(stored.membership, stored.version)

    @strawberry.mutation(
        description="Rolle oder Beginn einer Mitgliedschaft ändern (mit Version).",
        extensions=[directory_write()],
    )
    async def update_membership(
        self,
        info: Info,
        network: strawberry.ID,
        organization: strawberry.ID,
        version: Annotated[int, strawberry.argument(description=VERSION)],
        role: str,
        since: dt.date | None = None,
    ) -> MembershipResult:
        if _blank(role):
            return InvalidInput(
                message="Die Rolle darf nicht leer sein.",
                fields=[FieldError(path=["role"], message="Die Rolle darf nicht leer sein.")],
            )
        try:
            stored = await info.context.run(
                writes.update_membership,
                info.context.graph,
                network,
                organization,
                role,
                since,
                version,
                _now(),
                _who(info),
            )
        except StaleVersion as error:
            return _conflict(error)
        except NotFoundError:
            return _membership_not_found(network, organization)
        return Membership.of(stored.membership, stored.version)

    @strawberry.mutation(
        description="Mitgliedschaft beenden (mit Version).", extensions=[directory_write()]
    )
    async def remove_membership(
        self,
        info: Info,
        network: strawberry.ID,
        organization: strawberry.ID,
        version: Annotated[int, strawberry.argument(description=VERSION)],
    ) -> MembershipRemovalResult:
        try:
            await info.context.run(
                writes.remove_membership, info.context.graph, network, organization, version
            )
        except StaleVersion as error:
            return _conflict(error)
        except NotFoundError:
            return _membership_not_found(network, organization)
        return MembershipRemoved(network_id=network, organization_id=organization)
