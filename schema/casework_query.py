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
from schema.selection import shape

First = Annotated[int | None, strawberry.argument(description=FIRST_DESCRIPTION)]
After = Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)]


@strawberry.type
class CaseworkQuery:
    @strawberry.field(
        description="Ein Haushalt (Bedarfsgemeinschaft) nach Pseudonym.",
        extensions=[household_read()],
    )
    async def household(self, info: Info, id: strawberry.ID) -> Household | None:
        found = await info.context.loaders.node("Household", id, shape(info, "Household"))
        return Household.of(found) if found else None

    @strawberry.field(description="Ein Handlungsbedarf.", extensions=[household_read()])
    async def need(self, info: Info, id: strawberry.ID) -> Need | None:
        found = await info.context.loaders.node("Need", id, shape(info, "Need"))
        return Need.of(found) if found else None

    @strawberry.field(description="Eine Einwilligung.", extensions=[household_read()])
    async def consent(self, info: Info, id: strawberry.ID) -> Consent | None:
        found = await info.context.loaders.node("Consent", id, shape(info, "Consent"))
        return Consent.of(found) if found else None

    @strawberry.field(description="Eine Überleitung.", extensions=[household_read()])
    async def referral(self, info: Info, id: strawberry.ID) -> Referral | None:
        found = await info.context.loaders.node("Referral", id, shape(info, "Referral"))
        return Referral.of(found) if found else None

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
