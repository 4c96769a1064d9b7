"""The referral lifecycle as mutations: create (only under a valid consent), put on the waiting
list, accept, decline (with reason), start, complete (with outcome), cancel, not taken up. Who
and when come from the request's principal and the clock, and every step is kept as a
ReferralEvent."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

import strawberry

from graph import clock
from graph.errors import ConflictError
from graph.repo import referrals
from graph.repo.referrals import NewReferral, RefusedError
from graph.repo.writes import NotFoundError, StaleVersion
from schema.casework import Referral
from schema.context import Info
from schema.idempotency import client_mutation_id_field
from schema.policy import referral_create, referral_update
from schema.problems import Conflict, FieldError, InvalidInput, NotAllowed, NotFound

ReferralResult = Annotated[
    Referral | NotFound | InvalidInput | Conflict | NotAllowed, strawberry.union("ReferralResult")
]


@strawberry.input(description="Eine neue Überleitung.")
class CreateReferralInput:
    household: strawberry.ID = strawberry.field(description="Haushalt (Pseudonym).")
    from_organization: strawberry.ID = strawberry.field(
        description="Überleitende Stelle (die eigene Organisation)."
    )
    to_service: strawberry.ID = strawberry.field(description="Aufnehmendes Angebot.")
    consent: strawberry.ID = strawberry.field(
        description="Einwilligung: gültig, nicht widerrufen, nennt den aufnehmenden Träger."
    )
    need: strawberry.ID | None = strawberry.field(default=None, description="Handlungsbedarf.")
    purpose: str | None = strawberry.field(
        default=None,
        description="Zweck; muss dem Zweck der Einwilligung entsprechen (Standard: dieser).",
    )
    note: str = strawberry.field(default="", description="Notiz zum Statuswechsel (ohne Namen).")

    client_mutation_id: str | None = client_mutation_id_field()


def _who(info: Info) -> str:
    return info.context.principal.subject


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _failure(error: Exception, referral_id: str) -> Any:
    if isinstance(error, NotFoundError):
        return NotFound(message=str(error) + ".", kind=error.label, id=strawberry.ID(error.ident))
    if isinstance(error, RefusedError):
        return NotAllowed(message=str(error), reason=error.reason)
    if isinstance(error, StaleVersion):
        return Conflict(message=str(error), current_version=error.current)
    if isinstance(error, ConflictError):
        return Conflict(message=str(error), current_version=None)
    raise error


async def _step(
    info: Info,
    referral_id: str,
    action: str,
    *,
    note: str = "",
    version: int | None = None,
    extra: dict[str, Any] | None = None,
) -> ReferralResult:
    try:
        stored = await info.context.run(
            referrals.step,
            info.context.graph,
            referral_id,
            action,
            by=_who(info),
            now=_now(),
            note=note,
            expected_version=version,
            extra=extra,
        )
    except (NotFoundError, RefusedError, ConflictError) as error:
        failed: ReferralResult = _failure(error, referral_id)
        return failed
    return Referral.of(stored)


def _required(value: str | None, path: str, message: str) -> InvalidInput | None:
    if value is None or not value.strip():
        return InvalidInput(message=message, fields=[FieldError(path=[path], message=message)])
    return None


VERSION = "Optional: die zuletzt gelesene Version (Conflict, wenn sie abweicht)."
NOTE = "Notiz zum Statuswechsel (ohne personenbezogene Angaben)."


def status_step(action: str, description: str, **sides: bool) -> Any:
    """A status change that takes only a note (accept, start, cancel); ``sides`` says which
    side of the referral may not make it (``referring=False``, ``receiving=False``)."""

    async def resolve(
        self: Any,
        info: Info,
        id: strawberry.ID,
        note: Annotated[str, strawberry.argument(description=NOTE)] = "",
        version: Annotated[int | None, strawberry.argument(description=VERSION)] = None,
    ) -> ReferralResult:
        return await _step(info, id, action, note=note, version=version)

    return strawberry.mutation(
        resolver=resolve,
        description=description,
        extensions=[referral_update(lambda a: str(a["id"]), **sides)],
    )


@strawberry.type
class ReferralMutation:
    @strawberry.mutation(
        description="Überleitung anlegen: nur mit gültiger, nicht widerrufener Einwilligung, "
        "die den aufnehmenden Träger und den Zweck nennt.",
        extensions=[referral_create(lambda a: str(a["input"].from_organization))],
    )
    async def create_referral(self, info: Info, input: CreateReferralInput) -> ReferralResult:
        new = NewReferral(
            id=f"ref-{uuid.uuid4().hex[:16]}",
            household_id=input.household,
            from_organization_id=input.from_organization,
            to_service_id=input.to_service,
            consent_id=input.consent,
            purpose=input.purpose,
            need_id=input.need,
            note=input.note,
        )
        # Named before the write: its audit entry commits with it (schema/policy_audit.py).
        records = info.context.access.records
        records.add(f"Referral:{new.id}")
        try:
            stored = await info.context.run(
                referrals.create_referral,
                info.context.graph,
                new,
                by=_who(info),
                now=_now(),
                today=clock.today(),
            )
        except (NotFoundError, RefusedError, ConflictError) as error:
            records.discard(f"Referral:{new.id}")  # never created: a refusal names the case
            failed: ReferralResult = _failure(error, new.id)
            return failed
        # The stored id, not ``new.id``: a retry under an idempotency key gets the referral
        # its first attempt created (schema/idempotency.py).
        if stored.record.id != new.id:
            records.discard(f"Referral:{new.id}")
            records.add(f"Referral:{stored.record.id}")
        return Referral.of(stored)

    waitlist_referral = status_step(
        "waitlist",
        "Überleitung auf die Warteliste setzen (aufnehmender Träger); danach annehmen, "
        "ablehnen oder zurückziehen.",
        referring=False,
    )

    accept_referral = status_step(
        "accept", "Überleitung annehmen (aufnehmender Träger).", referring=False
    )

    @strawberry.mutation(
        description="Überleitung ablehnen (aufnehmender Träger; Grund erforderlich).",
        extensions=[referral_update(lambda a: str(a["id"]), referring=False)],
    )
    async def decline_referral(
        self,
        info: Info,
        id: strawberry.ID,
        reason: Annotated[str, strawberry.argument(description="Ablehnungsgrund.")],
        version: Annotated[int | None, strawberry.argument(description=VERSION)] = None,
    ) -> ReferralResult:
        problem = _required(reason, "reason", "Ein Ablehnungsgrund ist erforderlich.")
        if problem is not None:
            return problem
        return await _step(
            info, id, "decline", note=reason, version=version, extra={"decline_reason": reason}
        )

    start_referral = status_step("start", "Hilfe begonnen (aufnehmender Träger).", referring=False)

    @strawberry.mutation(
        description="Hilfe abgeschlossen, mit Ergebnis (aufnehmender Träger).",
        extensions=[referral_update(lambda a: str(a["id"]), referring=False)],
    )
    async def complete_referral(
        self,
        info: Info,
        id: strawberry.ID,
        outcome: Annotated[str, strawberry.argument(description="Ergebnis.")],
        version: Annotated[int | None, strawberry.argument(description=VERSION)] = None,
    ) -> ReferralResult:
        problem = _required(outcome, "outcome", "Ein Ergebnis ist erforderlich.")
        if problem is not None:
            return problem
        return await _step(
            info, id, "complete", note=outcome, version=version, extra={"outcome": outcome}
        )

    cancel_referral = status_step(
        "cancel", "Überleitung zurückziehen (überleitende Stelle).", receiving=False
    )

    mark_referral_not_taken_up = status_step(
        "not_taken_up",
        "Hilfe nicht wahrgenommen: die Familie ist nicht gekommen oder hat nicht begonnen "
        "(aufnehmender Träger; aus Warteliste, angenommen oder begonnen).",
        referring=False,
    )
