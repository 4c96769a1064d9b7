"""Changing and ending casework through GraphQL: update and close a household (the case
ended; it and its history stay), update and close a need.

Same route as the create mutations (schema/mutations_casework.py): the generic update with
version (schema/mutations_directory.py), the policies decide who may (only caseworkers of the
case's own organization, and administrators), every write is audited by the policy and
replayed under an idempotency key like every mutation.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry import UNSET

from graph import records as rec
from graph.repo.casework import close_household
from graph.repo.writes import NotFoundError, StaleVersion
from schema.casework import Household
from schema.context import Info
from schema.idempotency import client_mutation_id_field
from schema.mutations_casework import (
    CASEWORK,
    HOUSEHOLD,
    NEED,
    HouseholdResult,
    NeedResult,
)
from schema.mutations_directory import VERSION, _conflict, _not_found, _now, _who, update
from schema.policy import case_record_write
from schema.problems import InvalidInput, invalid


@strawberry.input(description="Änderungen eines Haushalts; nur die zu ändernden Felder.")
class UpdateHouseholdInput:
    area: strawberry.ID | None = strawberry.field(
        default=UNSET, description="Sozialraum, in dem der Haushalt jetzt wohnt."
    )
    household_type: str | None = strawberry.field(
        default=UNSET, description="Haushaltstyp als Kennwort, z. B. `alleinerziehend`."
    )
    age_bands: list[str] | None = strawberry.field(
        default=UNSET, description="Altersgruppen der Mitglieder, z. B. `0-2`, `25-34`, `65+`."
    )

    client_mutation_id: str | None = client_mutation_id_field()


@strawberry.input(description="Änderungen eines Handlungsbedarfs; nur die zu ändernden Felder.")
class UpdateNeedInput:
    category: strawberry.ID | None = strawberry.field(
        default=UNSET, description="Leistungsbereich."
    )
    identified_on: dt.date | None = strawberry.field(default=UNSET, description="Festgestellt am.")

    client_mutation_id: str | None = client_mutation_id_field()


@strawberry.enum(
    description="Wie ein Handlungsbedarf endet: `MET` erfüllt (der Bedarf ist gedeckt), "
    "`CLOSED` ohne Ergebnis beendet (z. B. kein Kontakt mehr)."
)
class NeedOutcome(Enum):
    MET = "met"
    CLOSED = "closed"


HOUSEHOLD_CHANGE = dataclasses.replace(
    HOUSEHOLD,
    fields={"area": "area_id", "household_type": "household_type", "age_bands": "age_bands"},
    required=("area",),
    refs={"Area": "area"},
)
NEED_CHANGE = dataclasses.replace(
    NEED,
    fields={"category": "category_id", "identified_on": "identified_on"},
    required=("category",),
    refs={"Category": "category"},
)
NEED_STATUS = dataclasses.replace(
    NEED, fields={"status": "status"}, required=(), refs={}, path=("outcome",)
)


@dataclass
class _Status:
    status: str


def _closed_case(household: rec.Household) -> InvalidInput:
    assert household.closed_on is not None
    return invalid(
        "id",
        f"Der Fall ist seit {household.closed_on:%d.%m.%Y} abgeschlossen: bitte bei Bedarf "
        "einen neuen Fall anlegen.",
    )


def _id(args: Any) -> str:
    return str(args["id"])


Version = Annotated[int, strawberry.argument(description=VERSION)]
"""The ``version`` argument every change of a case record takes."""


def _case_change(label: str, description: str) -> Any:
    """A mutation on one case record (``id``): only caseworkers of the case's own
    organization and administrators (``case_record_write``), for casework."""
    return strawberry.mutation(
        description=description, extensions=[case_record_write(label, _id, purpose=CASEWORK)]
    )


@strawberry.type
class CaseworkChangeMutation:
    @_case_change(
        "Household",
        "Haushalt ändern (Sozialraum, Haushaltstyp, Altersgruppen; mit Version). "
        "Nur Fälle der eigenen Organisation; ein abgeschlossener Fall bleibt unverändert.",
    )
    async def update_household(
        self,
        info: Info,
        id: strawberry.ID,
        version: Version,
        input: UpdateHouseholdInput,
    ) -> HouseholdResult:
        current = await info.context.loaders.node("Household", str(id))
        if current is not None and current.record.closed_on is not None:
            return _closed_case(current.record)
        result: HouseholdResult = await update(info, HOUSEHOLD_CHANGE, id, version, input)
        return result

    @_case_change(
        "Household",
        "Fall abschließen: der Haushalt bleibt mit seinem Verlauf erhalten "
        "(Bedarfe, Einwilligungen, Überleitungen), offene Handlungsbedarfe werden beendet; "
        "neue Bedarfe und Einwilligungen nimmt er nicht mehr an.",
    )
    async def close_household(
        self,
        info: Info,
        id: strawberry.ID,
        version: Version,
        closed_on: Annotated[
            dt.date | None, strawberry.argument(description="Abgeschlossen am (Standard: heute).")
        ] = None,
    ) -> HouseholdResult:
        current = await info.context.loaders.node("Household", str(id))
        if current is None:
            return _not_found(HOUSEHOLD, str(id))
        if current.record.closed_on is not None:
            return _closed_case(current.record)
        on = closed_on or info.context.now.date()
        if on > info.context.now.date():
            return invalid("closedOn", "Das Datum liegt in der Zukunft.")
        try:
            stored, _ = await info.context.run(
                close_household,
                info.context.graph,
                current.record,
                version,
                on,
                _now(),
                _who(info),
            )
        except StaleVersion as error:
            return _conflict(error)
        except NotFoundError:
            return _not_found(HOUSEHOLD, str(id))
        return Household.of(stored)

    @_case_change(
        "Need",
        "Handlungsbedarf ändern (Leistungsbereich, festgestellt am; mit Version).",
    )
    async def update_need(
        self,
        info: Info,
        id: strawberry.ID,
        version: Version,
        input: UpdateNeedInput,
    ) -> NeedResult:
        result: NeedResult = await update(info, NEED_CHANGE, id, version, input)
        return result

    @_case_change(
        "Need",
        "Handlungsbedarf beenden: erfüllt (`MET`) oder ohne Ergebnis (`CLOSED`); "
        "er bleibt im Verlauf des Haushalts.",
    )
    async def close_need(
        self,
        info: Info,
        id: strawberry.ID,
        version: Version,
        outcome: Annotated[
            NeedOutcome, strawberry.argument(description="Wie der Bedarf endet.")
        ] = NeedOutcome.CLOSED,
    ) -> NeedResult:
        current = await info.context.loaders.node("Need", str(id))
        if current is not None and current.record.status != "open":
            return invalid("id", "Der Handlungsbedarf ist schon beendet.")
        result: NeedResult = await update(info, NEED_STATUS, id, version, _Status(outcome.value))
        return result
