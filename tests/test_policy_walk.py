"""Every root field and every path to household-level data declares a Policy."""

from __future__ import annotations

import strawberry

from schema import schema
from schema.policy import anyone, household_level, household_read
from schema.policy_walk import fields_without_policy


def test_every_field_that_needs_a_policy_has_one() -> None:
    missing = fields_without_policy(schema)
    assert missing == [], f"Felder ohne Policy (schema/policy.py): {missing}"


# A small schema with the typical mistakes, to show the walk catches them.
@household_level("Referral")
@strawberry.type(name="Referral")
class WalkReferral:
    id: str
    status: str


@strawberry.type(name="ReferralEdge")
class WalkReferralEdge:
    node: WalkReferral


@strawberry.type(name="ReferralConnection")
class WalkReferralConnection:
    edges: list[WalkReferralEdge]
    total_count: int


@strawberry.type(name="Organization")
class WalkOrganization:
    name: str

    @strawberry.field
    def referrals(self) -> WalkReferralConnection:
        return WalkReferralConnection(edges=[], total_count=0)

    @strawberry.field(extensions=[household_read()])
    def guarded_referrals(self) -> WalkReferralConnection:
        return WalkReferralConnection(edges=[], total_count=0)

    @strawberry.field(extensions=[anyone()])
    def weakly_guarded_referrals(self) -> WalkReferralConnection:
        return WalkReferralConnection(edges=[], total_count=0)


@strawberry.type(name="Query")
class WalkQuery:
    @strawberry.field(extensions=[anyone()])
    def organization(self) -> WalkOrganization:
        return WalkOrganization(name="x")

    @strawberry.field
    def unguarded(self) -> str:
        return "x"


def test_the_walk_finds_unguarded_root_nested_and_household_fields() -> None:
    missing = fields_without_policy(strawberry.Schema(query=WalkQuery))
    # Referral.id/status carry the household_level guard. The connection types count as a
    # path to household data because the unguarded Organization.referrals reaches them; a
    # policy open to every role (anyone) does not protect a household path either.
    assert missing == [
        "Organization.referrals",
        "Organization.weaklyGuardedReferrals",
        "Query.unguarded",
        "ReferralConnection.edges",
        "ReferralEdge.node",
    ]


@strawberry.type(name="Organization")
class SafeOrganization:
    @strawberry.field(extensions=[household_read()])
    def referrals(self) -> WalkReferralConnection:
        return WalkReferralConnection(edges=[], total_count=0)


@strawberry.type(name="Query")
class SafeQuery:
    @strawberry.field(extensions=[anyone()])
    def organization(self) -> SafeOrganization:
        return SafeOrganization()


def test_types_reached_only_through_protecting_policies_need_nothing_more() -> None:
    assert fields_without_policy(strawberry.Schema(query=SafeQuery)) == []
