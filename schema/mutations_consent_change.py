"""Changing an active consent through GraphQL: only what narrows it or documents it better.

Which changes a consent allows without the family consenting again is a rule of the domain
(graph/consents.py, ``change_problems``): fewer recipients or data categories, an earlier end,
and the evidence; everything that widens it is refused with what to do instead (a new consent,
and withdrawing this one with ``revokeConsent``). Same policy, audit, version check and
idempotency as the other casework changes (schema/mutations_casework_changes.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated, Any

import strawberry
from strawberry import UNSET

from graph.consents import change_problems, same_purpose
from schema.context import Info
from schema.idempotency import client_mutation_id_field
from schema.mutations_casework import (
    CASEWORK,
    CONSENT,
    ConsentForm,
    ConsentResult,
    evidence_in_words,
)
from schema.mutations_directory import VERSION, _changes, _invalid, _not_found, update
from schema.policy import case_record_write


@strawberry.input(
    description="Änderungen einer Einwilligung; nur die zu ändernden Felder. Erlaubt ist, was "
    "sie einschränkt (weniger Träger oder Datenkategorien, früheres Ende) oder ihren Nachweis "
    "ergänzt; was sie erweitert (anderer Zweck, neue Träger oder Datenkategorien, längere "
    "Gültigkeit), braucht eine neue Einwilligung der Familie."
)
class UpdateConsentInput:
    organizations: list[strawberry.ID] | None = strawberry.field(
        default=UNSET, description="Träger, an die weitergegeben werden darf (nur weniger)."
    )
    purpose: str | None = strawberry.field(
        default=UNSET, description="Zweck (nur unverändert; ein anderer Zweck ist neu)."
    )
    data_categories: list[str] | None = strawberry.field(
        default=UNSET, description="Freigegebene Datenkategorien (nur weniger)."
    )
    valid_to: dt.date | None = strawberry.field(
        default=UNSET, description="Gültig bis (nur früher, frühestens heute)."
    )
    evidence: str | None = strawberry.field(
        default=UNSET, description="Nachweis als Text; mit `evidenceForm` eine Ergänzung dazu."
    )
    evidence_form: ConsentForm | None = strawberry.field(
        default=UNSET, description="Wie die Einwilligung erteilt wurde."
    )
    evidence_on: dt.date | None = strawberry.field(
        default=UNSET, description="Erteilt am (mit `evidenceForm`; Standard: heute)."
    )

    client_mutation_id: str | None = client_mutation_id_field()


CONSENT_CHANGE = dataclasses.replace(
    CONSENT,
    fields={
        "organizations": "organization_ids",
        "purpose": "purpose",
        "data_categories": "data_categories",
        "valid_to": "valid_to",
        "evidence": "evidence",
    },
    required=("organizations", "purpose", "data_categories"),
    refs={"Organization": "organizations"},
)


def _id(args: Any) -> str:
    return str(args["id"])


@strawberry.type
class ConsentChangeMutation:
    @strawberry.mutation(
        description="Einwilligung ändern (mit Version): einschränken (weniger Träger oder "
        "Datenkategorien, früheres Ende) oder den Nachweis ergänzen, z. B. „schriftlich am "
        "03.12.2026“. Was sie erweitert, lehnt die Mutation mit dem Hinweis ab, eine neue "
        "Einwilligung zu erfassen und diese zu widerrufen (`revokeConsent`).",
        extensions=[case_record_write("Consent", _id, purpose=CASEWORK)],
    )
    async def update_consent(
        self,
        info: Info,
        id: strawberry.ID,
        version: Annotated[int, strawberry.argument(description=VERSION)],
        input: UpdateConsentInput,
    ) -> ConsentResult:
        current = await info.context.loaders.node("Consent", str(id))
        if current is None:
            return _not_found(CONSENT_CHANGE, str(id))
        problem = evidence_in_words(input)
        if problem is not None:
            return problem
        if isinstance(input.purpose, str) and same_purpose(input.purpose, current.record.purpose):
            input.purpose = UNSET  # the same purpose, spelled with other spaces: kept as it is
        wanted = dataclasses.replace(current.record, **_changes(CONSENT_CHANGE, input))
        problems = change_problems(current.record, wanted, info.context.now.date())
        if problems:
            return _invalid(CONSENT_CHANGE, problems)
        result: ConsentResult = await update(info, CONSENT_CHANGE, id, version, input)
        return result
