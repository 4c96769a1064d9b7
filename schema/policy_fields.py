"""Data protection fields: revoking a consent, reading the audit trail, kept referral counts.

The audit trail has no mutation on purpose: it is written only by the policies
(``schema/policy.py``) and read here by administrators.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any

import strawberry

from graph import audit
from graph.consents import revoke_consent
from graph.retention import referral_aggregates
from schema.casework import Consent
from schema.context import Info
from schema.policy import Policy, admin_only, aggregate, every_field, not_visible, visibility
from schema.principal import Principal
from schema.problems import NotFound

MAX_AUDIT_EVENTS = 500


@every_field(admin_only)
@strawberry.type(name="AuditEvent", description="Protokolleintrag: ein Zugriff auf Sozialdaten.")
class AuditEventType:
    id: strawberry.ID
    at: dt.datetime
    subject: str = strawberry.field(description="Wer (Benutzer oder Token).")
    role: str
    organization_id: str | None
    auth_method: str
    action: str = strawberry.field(
        description="read (gelesen), write (geschrieben), delete (gelöscht) oder denied "
        "(abgelehnter Versuch; der Grund steht in `reason`)."
    )
    operation: str = strawberry.field(description="Die GraphQL-Felder oder der Befehl.")
    purpose: str = strawberry.field(
        description="Zweck des Zugriffs: der angegebene, der der Einwilligung oder der des "
        "Vorgangs; „nicht angegeben“, wenn keiner bekannt ist."
    )
    records: list[str] = strawberry.field(description="Betroffene Datensätze als `Typ:ID`.")
    reason: str | None = strawberry.field(
        description="Nur bei denied: warum abgelehnt, als `CODE (Feld): Erklärung`, mehrere "
        "durch `; ` getrennt. Codes: ROLE (Rolle nicht erlaubt), OTHER_ORGANIZATION (für eine "
        "andere Organisation), NOT_OWN_CASE (kein Fall der eigenen Organisation), NO_CONSENT "
        "(keine gültige Einwilligung), CONSENT_CATEGORY (Datenkategorie nicht eingewilligt), "
        "PURPOSE_NOT_COVERED (Zweck nicht gedeckt), FORBIDDEN, oder der Grund einer "
        "abgelehnten Überleitung (z. B. CONSENT_REVOKED)."
    )

    @classmethod
    def of(cls, e: audit.AuditEvent) -> AuditEventType:
        return cls(
            id=strawberry.ID(e.id),
            at=e.at,
            subject=e.subject,
            role=e.role,
            organization_id=e.organization_id,
            auth_method=e.auth_method,
            action=e.action,
            operation=e.operation,
            purpose=e.purpose,
            records=list(e.records),
            reason=e.reason,
        )


@strawberry.type(
    description="Aufbewahrte Zahl gelöschter Überleitungen je Sozialraum, Bereich, Monat, Status."
)
class ReferralCount:
    area_id: str
    category_id: str
    month: str = strawberry.field(description="Monat der Überleitung, `JJJJ-MM`.")
    status: str
    referrals: int | None = strawberry.field(description="Anzahl (unter 5: nicht ausgewiesen).")


@strawberry.type(description="Die Einwilligung ist widerrufen; die Weitergabe endet sofort.")
class ConsentRevoked:
    consent: Consent
    revoked_at: dt.datetime
    already_revoked: bool = strawberry.field(description="War sie schon vorher widerrufen?")


RevokeConsentResult = Annotated[ConsentRevoked | NotFound, strawberry.union("RevokeConsentResult")]


async def _consent_of_own_case(
    principal: Principal, source: Any, args: Mapping[str, Any], info: Info
) -> None:
    if principal.role == "admin":
        return
    consent_id = str(args["id"])
    if consent_id not in (await visibility(info)).consents:
        raise not_visible(
            principal, f"Consent:{consent_id}", "Einwilligung nicht gefunden oder nicht erlaubt."
        )


@strawberry.type
class PrivacyQuery:
    @strawberry.field(
        description="Zugriffsprotokoll, neueste zuerst (nur Administration).",
        extensions=[admin_only(purpose="Datenschutzkontrolle")],
    )
    async def audit_events(
        self,
        info: Info,
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        subject: str | None = None,
        record: Annotated[
            str | None,
            strawberry.argument(description="Datensatz als `Typ:ID`, z. B. `Household:hh-1`."),
        ] = None,
        first: int = 100,
    ) -> list[AuditEventType]:
        limit = max(1, min(first, MAX_AUDIT_EVENTS))
        found = await info.context.run(
            audit.query_events,
            info.context.graph,
            since=since,
            until=until,
            subject=subject,
            record=record,
            limit=limit,
        )
        return [AuditEventType.of(e) for e in found]

    @strawberry.field(
        description="Aufbewahrte Überleitungszahlen aus gelöschten Fällen (Löschfristen).",
        extensions=[aggregate(purpose="Sozialplanung", not_counts=())],
    )
    async def retained_referral_counts(self, info: Info) -> list[ReferralCount]:
        rows = await info.context.run(referral_aggregates, info.context.graph)
        return [ReferralCount(**row) for row in rows]


@strawberry.type
class PrivacyMutation:
    @strawberry.mutation(
        description="Einwilligung widerrufen: Partner sehen ab sofort nichts mehr davon.",
        extensions=[
            Policy(
                {"admin", "caseworker"},
                guard=_consent_of_own_case,
                write=True,
                purpose="Widerruf einer Einwilligung",
            )
        ],
    )
    async def revoke_consent(self, info: Info, id: strawberry.ID) -> RevokeConsentResult:
        # Named before the write: its audit entry commits with it (schema/policy_audit.py);
        # a NotFound answer takes it back (schema/policy.py).
        info.context.access.records.add(f"Consent:{id}")
        revoked = await info.context.run(
            revoke_consent, info.context.graph, str(id), dt.datetime.now(dt.UTC)
        )
        if revoked is None:
            return NotFound(message="Einwilligung nicht gefunden.", kind="Consent", id=id)
        found = await info.context.loaders.node("Consent", str(id))
        if found is None:
            return NotFound(message="Einwilligung nicht gefunden.", kind="Consent", id=id)
        return ConsentRevoked(
            consent=Consent.of(found),
            revoked_at=revoked.revoked_at,
            already_revoked=revoked.already_revoked,
        )
