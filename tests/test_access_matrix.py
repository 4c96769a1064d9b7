"""Each role against each operation, on an exact world (tests/privacy_world.py), including
attempts to reach another organization's households through nested fields and filters."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from graph import Bundle, Graph
from graph.audit import query_events
from graph.records import Consent, Household, Need
from graph.write import write_bundle
from schema import Context, schema
from schema.principal import Principal, Role
from tests.privacy_world import SUB, load

PRINCIPALS: dict[str, tuple[Role, str | None]] = {
    "admin": ("admin", None),
    "coordinator": ("coordinator", None),
    "planner": ("planner", None),
    "cw-jobcenter": ("caseworker", "jobcenter-stuttgart"),
    "cw-jugendamt": ("caseworker", "jugendamt-stuttgart"),
    "partner-caritas": ("partner", "caritas-stuttgart"),
    "partner-eva": ("partner", "eva-stuttgart"),
}
NO_HOUSEHOLD_ROLES = ("coordinator", "planner")
FORBIDDEN = "FORBIDDEN"


# A case the Jobcenter recorded itself (CASE_OF) and has not referred: its own, nobody else's.
NEW_CASE = {"hh-new", "need-new", "cs-new"}


@pytest.fixture(scope="module")
def world(graph: Graph) -> Iterator[Graph]:
    from graph.admin import clear

    clear(graph)
    load(graph)
    write_bundle(
        graph,
        Bundle(
            households=[
                Household(
                    id="hh-new",
                    area_id=SUB,
                    household_type="alleinstehend",
                    organization_id="jobcenter-stuttgart",
                )
            ],
            needs=[Need(id="need-new", household_id="hh-new", category_id="suchtberatung")],
            consents=[
                Consent(
                    id="cs-new",
                    household_id="hh-new",
                    organization_ids=("caritas-stuttgart", "eva-stuttgart"),
                    purpose="Suchtberatung",
                    data_categories=("stammdaten", "bedarfslage"),
                )
            ],
        ),
    )
    yield graph
    clear(graph)


def ask(graph: Graph, who: str, query: str) -> tuple[Any, set[str]]:
    role, org = PRINCIPALS[who]
    context = Context(graph=graph, principal=Principal(f"t-{who}", role, org, "token"))
    result = asyncio.run(schema.execute(query, context_value=context))
    codes = {(e.extensions or {}).get("code", "?") for e in result.errors or []}
    return result.data, codes


def ids(value: Any) -> set[str]:
    """Every ``id`` anywhere in a response."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "id" and isinstance(item, str):
                found.add(item)
            else:
                found |= ids(item)
    elif isinstance(value, list):
        for item in value:
            found |= ids(item)
    return found


REFERRALS = "{ referrals(first: 100) { totalCount edges { node { id } } } }"
AREA_HOUSEHOLDS = '{ area(id: "stuttgart-mitte-1") { households { id } } }'

VISIBLE_REFERRALS = {
    "admin": {"ref-a", "ref-b", "ref-c", "ref-old"},
    "cw-jobcenter": {"ref-a", "ref-c", "ref-old"},
    "cw-jugendamt": {"ref-b"},
    # ref-c stands under a revoked consent: caritas sees nothing of it.
    "partner-caritas": {"ref-a", "ref-old"},
    "partner-eva": {"ref-b"},
}
VISIBLE_HOUSEHOLDS = {
    "admin": {"hh-a", "hh-b", "hh-c", "hh-old", "hh-new"},
    "cw-jobcenter": {"hh-a", "hh-c", "hh-old", "hh-new"},
    "cw-jugendamt": {"hh-b"},
    "partner-caritas": {"hh-a", "hh-old"},
    "partner-eva": {"hh-b"},
}


@pytest.mark.parametrize("who", list(PRINCIPALS))
def test_directory_is_readable_by_every_role(world: Graph, who: str) -> None:
    data, codes = ask(world, who, "{ organizations(first: 10) { totalCount } }")
    assert codes == set()
    assert data == {"organizations": {"totalCount": 4}}


@pytest.mark.parametrize("who", list(PRINCIPALS))
def test_referral_list_and_count_follow_the_scope(world: Graph, who: str) -> None:
    data, codes = ask(world, who, REFERRALS)
    if who in NO_HOUSEHOLD_ROLES:
        assert data is None
        assert codes == {FORBIDDEN}
        return
    assert codes == set()
    assert ids(data) == VISIBLE_REFERRALS[who]
    assert data["referrals"]["totalCount"] == len(VISIBLE_REFERRALS[who])


@pytest.mark.parametrize("who", list(PRINCIPALS))
def test_households_of_an_area_follow_the_scope(world: Graph, who: str) -> None:
    data, codes = ask(world, who, AREA_HOUSEHOLDS)
    if who in NO_HOUSEHOLD_ROLES:
        assert codes == {FORBIDDEN}
        assert ids(data) == set()
        return
    assert codes == set()
    assert ids(data) == VISIBLE_HOUSEHOLDS[who]


@pytest.mark.parametrize("who", list(PRINCIPALS))
@pytest.mark.parametrize(
    ("query", "record"),
    [
        ('{ referral(id: "ref-b") { id status } }', "ref-b"),
        ('{ household(id: "hh-b") { id householdType } }', "hh-b"),
        ('{ consent(id: "cs-b") { id purpose } }', "cs-b"),
        ('{ need(id: "need-b") { id status } }', "need-b"),
        ('{ referral(id: "ref-c") { id status } }', "ref-c"),
        ('{ household(id: "hh-c") { id } }', "hh-c"),
        ('{ household(id: "hh-new") { id needs { id } consents { id } } }', "hh-new"),
        ('{ need(id: "need-new") { id status } }', "need-new"),
        ('{ consent(id: "cs-new") { id purpose } }', "cs-new"),
    ],
)
def test_single_records_only_within_the_scope(
    world: Graph, who: str, query: str, record: str
) -> None:
    data, codes = ask(world, who, query)
    allowed = {
        "ref-b": {"admin", "cw-jugendamt", "partner-eva"},
        "hh-b": {"admin", "cw-jugendamt", "partner-eva"},
        "cs-b": {"admin", "cw-jugendamt", "partner-eva"},
        "need-b": {"admin", "cw-jugendamt", "partner-eva"},
        "ref-c": {"admin", "cw-jobcenter"},
        "hh-c": {"admin", "cw-jobcenter"},
        # Recorded by the Jobcenter, not referred: the consent names caritas and eva, but
        # without a referral under it they see nothing.
        "hh-new": {"admin", "cw-jobcenter"},
        "need-new": {"admin", "cw-jobcenter"},
        "cs-new": {"admin", "cw-jobcenter"},
    }[record]
    if who in allowed:
        assert codes == set()
        assert record in ids(data)
    else:
        assert record not in ids(data)
        assert data is None or all(v is None for v in data.values())


NESTED = [
    # Another organization's referrals through the organization type.
    '{ organization(id: "jugendamt-stuttgart") { referralsSent(first: 50) '
    "{ totalCount edges { node { id household { id } } } } } }",
    '{ organization(id: "eva-stuttgart") { referralsReceived(first: 50) '
    "{ totalCount edges { node { id household { id } } } } } }",
    # Filters naming another organization's household.
    '{ referrals(filter: {household: "hh-b"}) { totalCount edges { node { id } } } }',
    '{ referrals(filter: {fromOrganization: "jugendamt-stuttgart"}) '
    "{ totalCount edges { node { id } } } }",
    # Through the directory: services and areas.
    '{ area(id: "stuttgart-mitte-1") { households { id referrals { id } consents { id } } } }',
    # Through one's own record to the shared need and back to other households.
    '{ referral(id: "ref-a") { household { referrals { id } needs { id referrals { id } } } } }',
    # Through another organization's service and the directory's own lists.
    '{ service(id: "svc-eva-sucht") { referrals(first: 50) '
    "{ totalCount edges { node { id household { id } } } } } }",
    "{ services(first: 20) { edges { node { id referrals(first: 50) "
    "{ totalCount edges { node { id household { id } consent { id } } } } } } } }",
    "{ organizations(first: 20) { edges { node { id referralsReceived(first: 50) "
    "{ edges { node { id } } } referralsSent(first: 50) { edges { node { id } } } } } } }",
    # Filters naming the other side, a service or a category.
    '{ referrals(filter: {toOrganization: "eva-stuttgart"}) { totalCount edges { node { id } } } }',
    '{ referrals(filter: {service: "svc-eva-sucht"}) { totalCount edges { node { id } } } }',
    '{ referrals(filter: {categories: ["suchtberatung"]}) { totalCount edges { node { id } } } }',
    # Through a consent and a need of one's own case back to other referrals.
    '{ consent(id: "cs-a") { household { referrals { id } } referrals { id } } }',
    '{ need(id: "need-a2") { household { id } referrals { id } } }',
    # Aliases asking for the foreign record next to one's own.
    '{ mine: referral(id: "ref-a") { id } theirs: referral(id: "ref-b") { id household { id } } }',
]


@pytest.mark.parametrize("query", NESTED)
def test_jobcenter_caseworker_never_reaches_the_youth_office_household(
    world: Graph, query: str
) -> None:
    data, _ = ask(world, "cw-jobcenter", query)
    assert ids(data) & {"ref-b", "hh-b", "cs-b", "need-b"} == set()
    if "totalCount" in query and data and "referrals" in data:
        assert data["referrals"]["totalCount"] == len(ids(data["referrals"]))


@pytest.mark.parametrize("query", NESTED)
def test_partner_never_reaches_revoked_or_foreign_referrals(world: Graph, query: str) -> None:
    data, _ = ask(world, "partner-caritas", query)
    assert ids(data) & {"ref-b", "hh-b", "cs-b", "need-b", "ref-c", "hh-c", "cs-c"} == set()
    assert ids(data) & NEW_CASE == set()


NEW_CASE_PATHS = [
    *NESTED,
    '{ area(id: "stuttgart-mitte-1") { households { id needs { id } consents { id } } } }',
    '{ organization(id: "caritas-stuttgart") { referralsReceived(first: 50) '
    "{ edges { node { household { id consents { id } } } } } } }",
]


@pytest.mark.parametrize("who", ["cw-jugendamt", "partner-caritas", "partner-eva"])
@pytest.mark.parametrize("query", NEW_CASE_PATHS)
def test_a_recorded_case_stays_with_its_organization_until_referred(
    world: Graph, who: str, query: str
) -> None:
    data, _ = ask(world, who, query)
    assert ids(data) & NEW_CASE == set()


def test_jobcenter_sent_referrals_as_seen_by_the_partner(world: Graph) -> None:
    query = (
        '{ organization(id: "jobcenter-stuttgart") { referralsSent(first: 50) '
        "{ totalCount edges { node { id } } } } }"
    )
    data, codes = ask(world, "partner-caritas", query)
    assert codes == set()
    assert ids(data) == {"ref-a", "ref-old"}
    assert data["organization"]["referralsSent"]["totalCount"] == 2


def test_partner_sees_only_the_consented_data_categories(world: Graph) -> None:
    query = (
        '{ referral(id: "ref-a") { id status household { id householdType ageBands } '
        "history { status } need { id } } }"
    )
    data, codes = ask(world, "partner-caritas", query)
    # cs-a shares stammdaten only: no history (hilfeverlauf), no need (bedarfslage); those
    # fields are withheld (empty, null), the rest of the referral stays readable.
    assert codes == set()
    referral = data["referral"]
    assert referral["id"] == "ref-a"
    assert referral["household"]["householdType"] == "alleinerziehend"
    assert referral["history"] == []
    assert referral["need"] is None
    data, codes = ask(world, "partner-caritas", '{ referral(id: "ref-a") { outcome } }')
    assert data == {"referral": {"outcome": None}}
    # A field that cannot be withheld softly is refused.
    data, codes = ask(world, "partner-caritas", '{ need(id: "need-a") { status } }')
    assert codes == {FORBIDDEN}
    assert data == {"need": None}
    data, codes = ask(world, "partner-eva", query.replace("ref-a", "ref-b"))
    assert codes == set()
    assert data["referral"]["history"] == [{"status": "CREATED"}]
    assert data["referral"]["need"] == {"id": "need-b"}


@pytest.mark.parametrize(
    "query",
    [
        '{ household(id: "hh-a") { id } }',
        AREA_HOUSEHOLDS,
        REFERRALS,
        '{ organization(id: "jobcenter-stuttgart") { referralsSent { totalCount } } }',
        '{ consent(id: "cs-a") { purpose } }',
    ],
)
def test_planner_gets_no_household_level_value(world: Graph, query: str) -> None:
    data, codes = ask(world, "planner", query)
    assert codes == {FORBIDDEN}
    assert ids(data) == set()
    assert "totalCount" not in str(data)


PEOPLE_COUNTS = {
    "households",
    "householdsInNeed",
    "referrals",
    "uncoordinatedHouseholds",
    "sharedHouseholds",
}


def small_counts(value: Any, key: str = "") -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    if isinstance(value, dict):
        for k, v in value.items():
            found += small_counts(v, k)
    elif isinstance(value, list):
        for item in value:
            found += small_counts(item, key)
    elif (
        isinstance(value, int)
        and not isinstance(value, bool)
        and key in PEOPLE_COUNTS
        and 0 < value < 5
    ):
        found.append((key, value))
    return found


@pytest.mark.parametrize(
    "query",
    [
        "{ coverage { householdsInNeed } }",
        "{ coverageGaps { householdsInNeed } }",
        "{ doubleSupport { households uncoordinatedHouseholds } }",
        "{ missingCooperation { sharedHouseholds } }",
    ],
)
def test_planner_never_sees_a_count_below_five(world: Graph, query: str) -> None:
    data, codes = ask(world, "planner", query)
    assert codes == set(), codes
    assert small_counts(data) == []


def test_household_reads_are_audited(world: Graph) -> None:
    ask(world, "cw-jobcenter", '{ referral(id: "ref-a") { id household { id } } }')
    events = query_events(world, subject="t-cw-jobcenter", record="Referral:ref-a")
    assert events
    assert "Household:hh-a" in events[0].records
    assert events[0].action == "read"
    assert events[0].organization_id == "jobcenter-stuttgart"
    # Directory reads are not household-level data and leave no trace.
    before = len(query_events(world, subject="t-coordinator"))
    ask(world, "coordinator", "{ organizations(first: 3) { totalCount } }")
    assert len(query_events(world, subject="t-coordinator")) == before


def test_planner_sees_the_coverage_rows_with_small_counts_hidden(world: Graph) -> None:
    data, codes = ask(world, "planner", "{ coverage { category { id } householdsInNeed } }")
    assert codes == set()
    rows = {row["category"]["id"]: row["householdsInNeed"] for row in data["coverage"]}
    # 3 households need Schuldnerberatung, 3 Suchtberatung (hh-new too): both hidden.
    assert rows == {"schuldnerberatung": None, "suchtberatung": None}


def test_referral_options_for_another_office_household_are_not_found(world: Graph) -> None:
    query = '{ householdReferralOptions(household: "%s") { __typename } }'
    data, codes = ask(world, "cw-jobcenter", query % "hh-b")
    assert codes == set()
    assert data["householdReferralOptions"]["__typename"] == "NotFound"
    data, codes = ask(world, "cw-jobcenter", query % "hh-a")
    assert data["householdReferralOptions"]["__typename"] != "NotFound"
    data, codes = ask(world, "planner", query % "hh-a")
    assert codes == {FORBIDDEN}
