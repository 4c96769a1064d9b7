"""Household-level types: Bedarfsgemeinschaften, Handlungsbedarfe, Einwilligungen,
Überleitungen and their Statuswechsel. Every read goes through the scoped loaders."""

from __future__ import annotations

import datetime as dt

import strawberry

from graph import records as rec
from graph.repo.values import Stored
from schema.context import Info
from schema.directory import (
    NOT_READ,
    Area,
    Category,
    Organization,
    Service,
    ahead,
    id_of,
)
from schema.enums import NeedStatus, ReferralStatus
from schema.policy import household_level

# Own fields, not the Versioned interface: household-level types get their own access guard on
# every field, which must not reach the directory types sharing an interface field.
VERSION = "Version; bei Änderungen mitsenden (optimistische Sperre)."


@household_level(
    "Household",
    categories={
        "household_type": "stammdaten",
        "age_bands": "stammdaten",
        "area": "stammdaten",
        "needs": "bedarfslage",
    },
)
@strawberry.type(
    description="Bedarfsgemeinschaft / Familie, nur unter Pseudonym; keine Namen, keine Adressen."
)
class Household:
    stored: strawberry.Private[Stored[rec.Household]]
    version: int = strawberry.field(description=VERSION)
    updated_at: dt.datetime | None = strawberry.field(description="Zuletzt geändert.")
    id: strawberry.ID = strawberry.field(description="Pseudonym.")
    household_type: str = strawberry.field(description="Haushaltstyp.")
    age_bands: list[str] = strawberry.field(description="Altersgruppen der Mitglieder.")

    @classmethod
    def of(cls, s: Stored[rec.Household]) -> Household:
        r = s.record
        return cls(
            stored=s,
            id=id_of(s),
            household_type=r.household_type,
            age_bands=list(r.age_bands),
            version=s.version,
            updated_at=s.updated_at,
        )

    @strawberry.field(description="Der Sozialraum, in dem der Haushalt wohnt.")
    async def area(self, info: Info) -> Area | None:
        found = await info.context.loaders.node("Area", self.stored.record.area_id)
        return Area.of(found) if found else None

    @strawberry.field(description="Handlungsbedarfe des Haushalts.")
    async def needs(self, info: Info) -> list[Need]:
        found = await info.context.loaders.household_hop("household.needs", self.id)
        return [Need.of(n) for n in found]

    @strawberry.field(description="Einwilligungen des Haushalts.")
    async def consents(self, info: Info) -> list[Consent]:
        found = await info.context.loaders.household_hop("household.consents", self.id)
        return [Consent.of(c) for c in found]

    @strawberry.field(description="Überleitungen des Haushalts (älteste zuerst).")
    async def referrals(self, info: Info) -> list[Referral]:
        found = await info.context.loaders.household_hop("household.referrals", self.id)
        return [Referral.of(r) for r in found]


@household_level(
    "Need",
    categories={"status": "bedarfslage", "identified_on": "bedarfslage", "category": "bedarfslage"},
)
@strawberry.type(description="Handlungsbedarf eines Haushalts in einem Leistungsbereich.")
class Need:
    stored: strawberry.Private[Stored[rec.Need]]
    version: int = strawberry.field(description=VERSION)
    updated_at: dt.datetime | None = strawberry.field(description="Zuletzt geändert.")
    id: strawberry.ID
    status: NeedStatus
    identified_on: dt.date | None = strawberry.field(description="Festgestellt am.")

    @classmethod
    def of(cls, s: Stored[rec.Need]) -> Need:
        r = s.record
        return cls(
            stored=s,
            id=id_of(s),
            status=NeedStatus(r.status),
            identified_on=r.identified_on,
            version=s.version,
            updated_at=s.updated_at,
        )

    @strawberry.field(description="Der Leistungsbereich.")
    async def category(self, info: Info) -> Category | None:
        found = await info.context.loaders.node("Category", self.stored.record.category_id)
        return Category.of(found) if found else None

    @strawberry.field(description="Der Haushalt.")
    async def household(self, info: Info) -> Household | None:
        found = await info.context.loaders.node("Household", self.stored.record.household_id)
        return Household.of(found) if found else None

    @strawberry.field(description="Überleitungen zu diesem Bedarf.")
    async def referrals(self, info: Info) -> list[Referral]:
        found = await info.context.loaders.household_hop("need.referrals", self.id)
        return [Referral.of(r) for r in found]


@household_level("Consent")
@strawberry.type(
    description="Einwilligung von Haushaltsmitgliedern zur Weitergabe an benannte Träger."
)
class Consent:
    stored: strawberry.Private[Stored[rec.Consent]]
    version: int = strawberry.field(description=VERSION)
    updated_at: dt.datetime | None = strawberry.field(description="Zuletzt geändert.")
    id: strawberry.ID
    purpose: str = strawberry.field(description="Zweck.")
    members: list[str] = strawberry.field(description="Einwilligende Haushaltsmitglieder.")
    data_categories: list[str] = strawberry.field(description="Freigegebene Datenkategorien.")
    valid_from: dt.date | None
    valid_to: dt.date | None
    revoked_at: dt.datetime | None = strawberry.field(description="Widerrufen am.")

    @classmethod
    def of(cls, s: Stored[rec.Consent]) -> Consent:
        r = s.record
        return cls(
            stored=s,
            id=id_of(s),
            purpose=r.purpose,
            members=list(r.members),
            data_categories=list(r.data_categories),
            valid_from=r.valid_from,
            valid_to=r.valid_to,
            revoked_at=r.revoked_at,
            version=s.version,
            updated_at=s.updated_at,
        )

    @strawberry.field(description="Gilt die Einwilligung an diesem Tag (nicht widerrufen)?")
    def valid_on(self, date: dt.date | None = None) -> bool:
        r = self.stored.record
        day = date or dt.date.today()
        return (
            r.revoked_at is None
            and (r.valid_from is None or r.valid_from <= day)
            and (r.valid_to is None or r.valid_to >= day)
        )

    @strawberry.field(description="Der Haushalt, der eingewilligt hat.")
    async def household(self, info: Info) -> Household | None:
        found = await info.context.loaders.node("Household", self.stored.record.household_id)
        return Household.of(found) if found else None

    @strawberry.field(description="Die empfangenden Träger.")
    async def organizations(self, info: Info) -> list[Organization]:
        found = await info.context.loaders.nodes(
            "Organization", self.stored.record.organization_ids
        )
        return [Organization.of(o) for o in found]

    @strawberry.field(description="Überleitungen unter dieser Einwilligung.")
    async def referrals(self, info: Info) -> list[Referral]:
        found = await info.context.loaders.household_hop("consent.referrals", self.id)
        return [Referral.of(r) for r in found]


@household_level("ReferralEvent", id_attr=None)
@strawberry.type(description="Statuswechsel einer Überleitung: wer, wann, wohin.")
class ReferralEvent:
    status: ReferralStatus
    at: dt.datetime
    by: str = strawberry.field(description="Wer den Status gesetzt hat.")
    note: str


@household_level(
    "Referral",
    categories={
        "history": "hilfeverlauf",
        "outcome": "hilfeverlauf",
        "decline_reason": "hilfeverlauf",
        "need": "bedarfslage",
    },
)
@strawberry.type(description="Überleitung eines Haushalts von einem Träger an ein Angebot.")
class Referral:
    stored: strawberry.Private[Stored[rec.Referral]]
    version: int = strawberry.field(description=VERSION)
    updated_at: dt.datetime | None = strawberry.field(description="Zuletzt geändert.")
    id: strawberry.ID
    status: ReferralStatus
    created_at: dt.datetime
    purpose: str
    outcome: str | None = strawberry.field(description="Ergebnis (bei Abschluss).")
    decline_reason: str | None = strawberry.field(description="Ablehnungsgrund.")
    history: list[ReferralEvent] = strawberry.field(description="Statusverlauf, älteste zuerst.")

    @classmethod
    def of(cls, s: Stored[rec.Referral]) -> Referral:
        r = s.record
        return cls(
            stored=s,
            id=id_of(s),
            status=ReferralStatus(r.status),
            created_at=r.created_at,
            purpose=r.purpose,
            outcome=r.outcome,
            decline_reason=r.decline_reason,
            history=[
                ReferralEvent(status=ReferralStatus(e.status), at=e.at, by=e.by, note=e.note)
                for e in r.history
            ],
            version=s.version,
            updated_at=s.updated_at,
        )

    @strawberry.field(description="Der übergeleitete Haushalt.")
    async def household(self, info: Info) -> Household | None:
        found = ahead(self.stored, "household")
        if found is NOT_READ:
            found = await info.context.loaders.node("Household", self.stored.record.household_id)
        return Household.of(found) if found else None

    @strawberry.field(description="Der Handlungsbedarf, um den es geht.")
    async def need(self, info: Info) -> Need | None:
        found = ahead(self.stored, "need")
        if found is NOT_READ:
            nid = self.stored.record.need_id
            found = await info.context.loaders.node("Need", nid) if nid else None
        return Need.of(found) if found else None

    @strawberry.field(description="Der überleitende Träger.")
    async def from_organization(self, info: Info) -> Organization | None:
        found = ahead(self.stored, "from_organization")
        if found is NOT_READ:
            oid = self.stored.record.from_organization_id
            found = await info.context.loaders.node("Organization", oid)
        return Organization.of(found) if found else None

    @strawberry.field(description="Das aufnehmende Angebot.")
    async def to_service(self, info: Info) -> Service | None:
        found = ahead(self.stored, "to_service")
        if found is NOT_READ:
            found = await info.context.loaders.node("Service", self.stored.record.to_service_id)
        return Service.of(found) if found else None

    @strawberry.field(description="Die Einwilligung, unter der übergeleitet wird.")
    async def consent(self, info: Info) -> Consent | None:
        found = ahead(self.stored, "consent")
        if found is NOT_READ:
            found = await info.context.loaders.node("Consent", self.stored.record.consent_id)
        return Consent.of(found) if found else None
