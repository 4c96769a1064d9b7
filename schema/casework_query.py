"""Household-level queries (scoped by the request's organization, see graph/repo/households)."""

from __future__ import annotations

from typing import Annotated

import strawberry

from schema.casework import Consent, Household, Need, Referral
from schema.context import Info
from schema.directory import referral_connection
from schema.filters import ReferralFilterInput
from schema.pagination import AFTER_DESCRIPTION, FIRST_DESCRIPTION, Connection
from schema.policy import household_read
from schema.related import record_by_id

First = Annotated[int | None, strawberry.argument(description=FIRST_DESCRIPTION)]
After = Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)]


@strawberry.type
class CaseworkQuery:
    household = record_by_id(
        Household, "Ein Haushalt (Bedarfsgemeinschaft) nach Pseudonym.", household_read()
    )

    need = record_by_id(Need, "Ein Handlungsbedarf.", household_read())

    consent = record_by_id(Consent, "Eine Einwilligung.", household_read())

    referral = record_by_id(Referral, "Eine Überleitung.", household_read())

    @strawberry.field(
        description="Überleitungen, neueste zuerst, gefiltert und seitenweise.",
        extensions=[household_read()],
    )
    async def referrals(
        self,
        info: Info,
        filter: ReferralFilterInput | None = None,
        first: First = None,
        after: After = None,
    ) -> Connection[Referral]:
        return await referral_connection(info, filter, first, after)
