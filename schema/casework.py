"""Household-level types: Bedarfsgemeinschaften, Handlungsbedarfe, Einwilligungen,
Überleitungen and their Statuswechsel. Every read goes through the scoped loaders."""

from __future__ import annotations

import datetime as dt

import strawberry

from graph import clock, overdue
from graph import records as rec
from graph.consent_in_force import in_force
from graph.repo.values import Stored
from schema.context import Info
from schema.directory import Area, Category, Organization, Service, id_of
from schema.enums import NeedStatus, ReferralStatus
from schema.policy import household_level
from schema.related import Related, by_household_hop, by_id, by_ids, register

# Own fields, not the Versioned interface: household-level types get their own access guard on
# every field, which must not reach the directory types sharing an interface field.
VERSION = "Version; bei Änderungen mitsenden (optimistische Sperre)."

related = Related(globals())


@household_level(
    "Household",
    categories={
        "household_type": "stammdaten",
        "age_bands": "stammdaten",
        "closed_on": "stammdaten",
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
    closed_on: dt.date | None = strawberry.field(
        description="Fall abgeschlossen am (`null`: der Fall läuft)."
    )

    @classmethod
    def of(cls, s: Stored[rec.Household]) -> Household:
        r = s.record
        return cls(
            stored=s,
            id=id_of(s),
            household_type=r.household_type,
            age_bands=list(r.age_bands),
            closed_on=r.closed_on,
            version=s.version,
            updated_at=s.updated_at,
        )

    area = related.one(Area, "Der Sozialraum, in dem der Haushalt wohnt.", by_id("Area", "area_id"))

    needs = related.many(
        "Need", "Handlungsbedarfe des Haushalts.", by_household_hop("household.needs")
    )

    consents = related.many(
        "Consent", "Einwilligungen des Haushalts.", by_household_hop("household.consents")
    )

    referrals = related.many(
        "Referral",
        "Überleitungen des Haushalts (älteste zuerst).",
        by_household_hop("household.referrals"),
    )


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

    category = related.one(Category, "Der Leistungsbereich.", by_id("Category", "category_id"))

    household = related.one("Household", "Der Haushalt.", by_id("Household", "household_id"))

    referrals = related.many(
        "Referral", "Überleitungen zu diesem Bedarf.", by_household_hop("need.referrals")
    )


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
    evidence: str | None = strawberry.field(
        description="Nachweis, z. B. „schriftlich am 03.12.2026“ (`null`: keiner erfasst)."
    )

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
            evidence=r.evidence,
            version=s.version,
            updated_at=s.updated_at,
        )

    @strawberry.field(description="Gilt die Einwilligung an diesem Tag (nicht widerrufen)?")
    def valid_on(self, date: dt.date | None = None) -> bool:
        return in_force(self.stored.record, date or clock.today())

    household = related.one(
        "Household", "Der Haushalt, der eingewilligt hat.", by_id("Household", "household_id")
    )

    organizations = related.many(
        Organization, "Die empfangenden Träger.", by_ids("Organization", "organization_ids")
    )

    referrals = related.many(
        "Referral",
        "Überleitungen unter dieser Einwilligung.",
        by_household_hop("consent.referrals"),
    )


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

    @strawberry.field(description="Zeitpunkt des letzten Statuswechsels (sonst der Anlage).")
    def last_changed_at(self) -> dt.datetime:
        return overdue.last_changed(self.stored.record)

    @strawberry.field(description="Volle Tage seit dem letzten Statuswechsel.")
    def days_since_change(self, info: Info) -> int:
        return overdue.days_since_change(self.stored.record, info.context.now)

    @strawberry.field(
        description="Überfällig: noch nicht beantwortet (CREATED) und seit mehr Tagen unverändert, "
        "als die Antwortfrist erlaubt (VERBUND_REFERRAL_ANSWER_DAYS, Standard 7)."
    )
    def overdue(self, info: Info) -> bool:
        return overdue.is_overdue(
            self.stored.record, info.context.now, info.context.referral_answer_days
        )

    household = related.one(
        "Household", "Der übergeleitete Haushalt.", by_id("Household", "household_id")
    )

    need = related.one(
        "Need", "Der Handlungsbedarf, um den es geht.", by_id("Need", "need_id", optional=True)
    )

    from_organization = related.one(
        Organization, "Der überleitende Träger.", by_id("Organization", "from_organization_id")
    )

    to_service = related.one(Service, "Das aufnehmende Angebot.", by_id("Service", "to_service_id"))

    consent = related.one(
        "Consent", "Die Einwilligung, unter der übergeleitet wird.", by_id("Consent", "consent_id")
    )


register(Household, Need, Consent, Referral)
