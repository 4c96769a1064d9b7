"""Each role against the mutations: directory upkeep, the referral lifecycle from both sides."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from graph import Graph
from schema import Context, schema
from schema.principal import Principal, Role
from tests.privacy_world import load

WHO: dict[str, tuple[Role, str | None]] = {
    "admin": ("admin", None),
    "coordinator": ("coordinator", None),
    "planner": ("planner", None),
    "cw-jobcenter": ("caseworker", "jobcenter-stuttgart"),
    "cw-jugendamt": ("caseworker", "jugendamt-stuttgart"),
    "partner-caritas": ("partner", "caritas-stuttgart"),
    "partner-eva": ("partner", "eva-stuttgart"),
}


def run(graph: Graph, who: str, query: str) -> tuple[Any, set[str]]:
    role, org = WHO[who]
    context = Context(graph=graph, principal=Principal(f"t-{who}", role, org, "token"))
    result = asyncio.run(schema.execute(query, context_value=context))
    return result.data, {(e.extensions or {}).get("code", "?") for e in result.errors or []}


def outcome(data: Any, codes: set[str], field: str) -> str:
    """The result's type name, or the error code when the policy refused."""
    if codes:
        return "/".join(sorted(codes))
    return str(data[field]["__typename"])


CREATE_ORG = 'mutation { createOrganization(input: {name: "Neuer Träger"}) { __typename } }'


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", "Organization"),
        ("coordinator", "Organization"),
        ("planner", "FORBIDDEN"),
        ("cw-jobcenter", "FORBIDDEN"),
        ("partner-caritas", "FORBIDDEN"),
    ],
)
def test_directory_upkeep_is_for_coordinators(db: Graph, who: str, expected: str) -> None:
    load(db)
    assert outcome(*run(db, who, CREATE_ORG), "createOrganization") == expected


def create(household: str, source: str, service: str, consent: str) -> str:
    return (
        "mutation { createReferral(input: {"
        f'household: "{household}", fromOrganization: "{source}", toService: "{service}", '
        f'consent: "{consent}", purpose: "Schuldnerberatung"'
        "}) { __typename } }"
    )


@pytest.mark.parametrize(
    ("who", "mutation", "refused"),
    [
        # In the name of another office.
        ("cw-jugendamt", create("hh-a", "jobcenter-stuttgart", "svc-caritas-sb", "cs-a"), True),
        # For the youth office's household, in one's own name.
        ("cw-jobcenter", create("hh-b", "jobcenter-stuttgart", "svc-eva-sucht", "cs-b"), True),
        ("partner-caritas", create("hh-a", "caritas-stuttgart", "svc-caritas-sb", "cs-a"), True),
        ("planner", create("hh-a", "jobcenter-stuttgart", "svc-caritas-sb", "cs-a"), True),
        ("coordinator", create("hh-a", "jobcenter-stuttgart", "svc-caritas-sb", "cs-a"), True),
        # One's own case.
        ("cw-jobcenter", create("hh-a", "jobcenter-stuttgart", "svc-caritas-sb", "cs-a"), False),
    ],
)
def test_referrals_are_created_only_for_own_cases(
    db: Graph, who: str, mutation: str, refused: bool
) -> None:
    load(db)
    before = db.query("MATCH (r:Referral) RETURN count(r) AS n")[0]["n"]
    data, codes = run(db, who, mutation)
    after = db.query("MATCH (r:Referral) RETURN count(r) AS n")[0]["n"]
    if refused:
        assert codes == {"FORBIDDEN"}
        assert after == before
    else:
        assert codes == set()
        assert data["createReferral"]["__typename"] == "Referral"
        assert after == before + 1


def step(name: str, referral: str, extra: str = "") -> str:
    return f'mutation {{ {name}(id: "{referral}"{extra}) {{ __typename }} }}'


@pytest.mark.parametrize(
    ("who", "mutation", "expected"),
    [
        ("partner-caritas", step("startReferral", "ref-a"), "Referral"),
        ("partner-eva", step("startReferral", "ref-a"), "FORBIDDEN"),
        ("cw-jobcenter", step("startReferral", "ref-a"), "FORBIDDEN"),
        # The consent of ref-c was revoked: the partner can no longer act on it.
        ("partner-caritas", step("acceptReferral", "ref-c"), "FORBIDDEN"),
        ("partner-eva", step("acceptReferral", "ref-b"), "Referral"),
        ("cw-jobcenter", step("cancelReferral", "ref-a"), "Referral"),
        ("cw-jugendamt", step("cancelReferral", "ref-a"), "FORBIDDEN"),
        ("partner-caritas", step("cancelReferral", "ref-a"), "FORBIDDEN"),
        ("planner", step("declineReferral", "ref-b", ', reason: "voll"'), "FORBIDDEN"),
        ("coordinator", step("completeReferral", "ref-a", ', outcome: "x"'), "FORBIDDEN"),
        # The receiving Träger's waiting list and "not taken up".
        ("partner-eva", step("waitlistReferral", "ref-b"), "Referral"),
        ("cw-jugendamt", step("waitlistReferral", "ref-b"), "FORBIDDEN"),
        ("partner-caritas", step("waitlistReferral", "ref-b"), "FORBIDDEN"),
        ("coordinator", step("waitlistReferral", "ref-b"), "FORBIDDEN"),
        ("partner-caritas", step("markReferralNotTakenUp", "ref-a"), "Referral"),
        ("cw-jobcenter", step("markReferralNotTakenUp", "ref-a"), "FORBIDDEN"),
        ("planner", step("markReferralNotTakenUp", "ref-a"), "FORBIDDEN"),
        # ref-c's consent was revoked.
        ("partner-caritas", step("markReferralNotTakenUp", "ref-c"), "FORBIDDEN"),
    ],
)
def test_referral_steps_by_side(db: Graph, who: str, mutation: str, expected: str) -> None:
    load(db)
    data, codes = run(db, who, mutation)
    name = mutation.split("{", 2)[1].split("(")[0].strip()
    assert outcome(data, codes, name) == expected
