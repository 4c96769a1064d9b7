"""Caseworkers record households, needs and consents of their own cases through GraphQL: who may,
what the new case is visible to (only its organization until a referral under consent), what
is checked, and that every write is audited."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from graph import Graph
from graph.audit import query_events
from graph.records import CONSENT_DATA_CATEGORIES
from schema import Context, schema
from schema.principal import Principal, Role
from tests.privacy_world import SUB, load

WHO: dict[str, tuple[Role, str | None]] = {
    "admin": ("admin", None),
    "coordinator": ("coordinator", None),
    "planner": ("planner", None),
    "cw-jobcenter": ("caseworker", "jobcenter-stuttgart"),
    "cw-jugendamt": ("caseworker", "jugendamt-stuttgart"),
    "partner-caritas": ("partner", "caritas-stuttgart"),
}

PROBLEMS = """
  ... on InvalidInput { message fields { path message } }
  ... on NotFound { kind id }
  ... on Conflict { message }"""

CREATE_HOUSEHOLD = (
    "mutation($input: CreateHouseholdInput!) { createHousehold(input: $input) { __typename "
    "... on Household { id householdType ageBands version area { id } }" + PROBLEMS + " } }"
)
CREATE_NEED = (
    "mutation($input: CreateNeedInput!) { createNeed(input: $input) { __typename "
    "... on Need { id status identifiedOn category { id } household { id } }" + PROBLEMS + " } }"
)
CREATE_CONSENT = (
    "mutation($input: CreateConsentInput!) { createConsent(input: $input) { __typename "
    "... on Consent { id purpose dataCategories members validTo organizations { id } }"
    + PROBLEMS
    + " } }"
)


def run(
    graph: Graph, who: str, document: str, variables: dict[str, Any] | None = None
) -> tuple[Any, set[str]]:
    role, org = WHO[who]
    context = Context(graph=graph, principal=Principal(f"t-{who}", role, org, "token"))
    result = asyncio.run(schema.execute(document, variable_values=variables, context_value=context))
    return result.data, {(e.extensions or {}).get("code", "?") for e in result.errors or []}


def new_household(graph: Graph, who: str = "cw-jobcenter") -> str:
    data, codes = run(
        graph,
        who,
        CREATE_HOUSEHOLD,
        {"input": {"area": SUB, "householdType": "alleinerziehend", "ageBands": ["25-34", "3-5"]}},
    )
    assert codes == set()
    created = data["createHousehold"]
    assert created["__typename"] == "Household", created
    return str(created["id"])


def test_a_caseworker_records_a_case_that_only_its_organization_sees(db: Graph) -> None:
    load(db)
    household = new_household(db)
    assert household.startswith("hh-")
    assert len(household) == 27
    owner = db.query(
        "MATCH (:Household {id: $id})-[:CASE_OF]->(o:Organization) RETURN o.id AS id",
        {"id": household},
    )
    assert owner == [{"id": "jobcenter-stuttgart"}]
    query = f'{{ household(id: "{household}") {{ id ageBands needs {{ id }} }} }}'
    data, codes = run(db, "cw-jobcenter", query)
    assert codes == set()
    assert data["household"]["ageBands"] == ["25-34", "3-5"]
    # Another office, a partner and a planner see nothing of it.
    for who in ("cw-jugendamt", "partner-caritas", "planner"):
        data, _ = run(db, who, query)
        assert data is None or data["household"] is None, who
    area = f'{{ area(id: "{SUB}") {{ households {{ id }} }} }}'
    assert household in str(run(db, "cw-jobcenter", area)[0])
    assert household not in str(run(db, "cw-jugendamt", area)[0])
    assert household not in str(run(db, "partner-caritas", area)[0])


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", "Household"),
        ("cw-jobcenter", "Household"),
        ("coordinator", "FORBIDDEN"),
        ("planner", "FORBIDDEN"),
        ("partner-caritas", "FORBIDDEN"),
    ],
)
def test_only_caseworkers_and_admins_record_households(db: Graph, who: str, expected: str) -> None:
    load(db)
    before = db.query("MATCH (h:Household) RETURN count(h) AS n")[0]["n"]
    data, codes = run(db, who, CREATE_HOUSEHOLD, {"input": {"area": SUB}})
    after = db.query("MATCH (h:Household) RETURN count(h) AS n")[0]["n"]
    if expected == "FORBIDDEN":
        assert codes == {"FORBIDDEN"}
        assert after == before
    else:
        assert codes == set()
        assert data["createHousehold"]["__typename"] == expected
        assert data["createHousehold"]["householdType"] == "unbekannt"
        assert after == before + 1


def test_a_caseworker_records_households_only_for_its_own_organization(db: Graph) -> None:
    load(db)
    data, codes = run(
        db,
        "cw-jobcenter",
        CREATE_HOUSEHOLD,
        {"input": {"area": SUB, "organization": "jugendamt-stuttgart"}},
    )
    assert codes == {"FORBIDDEN"}
    assert data is None


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ({"householdType": "Familie Müller"}, ["input", "householdType"]),
        ({"ageBands": ["Anna, 34"]}, ["input", "ageBands"]),
        ({"area": "nirgendwo"}, ["input", "area"]),
    ],
)
def test_household_input_takes_codes_not_names(
    db: Graph, fields: dict[str, Any], path: list[str]
) -> None:
    load(db)
    data, codes = run(db, "cw-jobcenter", CREATE_HOUSEHOLD, {"input": {"area": SUB, **fields}})
    assert codes == set()
    result = data["createHousehold"]
    assert result["__typename"] == "InvalidInput"
    assert [f["path"] for f in result["fields"]] == [path]


def test_needs_and_consents_of_the_new_case(db: Graph) -> None:
    load(db)
    household = new_household(db)
    need, codes = run(
        db,
        "cw-jobcenter",
        CREATE_NEED,
        {"input": {"household": household, "category": "schuldnerberatung"}},
    )
    assert codes == set()
    assert need["createNeed"]["status"] == "OPEN"
    assert need["createNeed"]["identifiedOn"] is not None
    assert need["createNeed"]["household"] == {"id": household}
    consent_input = {
        "household": household,
        "organizations": ["caritas-stuttgart"],
        "purpose": "Schuldnerberatung",
        "dataCategories": ["stammdaten", "bedarfslage"],
        "members": ["antragstellerin"],
        "validTo": "2027-12-31",
        "evidence": "Einwilligung liegt schriftlich vor (03.12.2026)",
    }
    consent, codes = run(db, "cw-jobcenter", CREATE_CONSENT, {"input": consent_input})
    assert codes == set()
    created = consent["createConsent"]
    assert created["__typename"] == "Consent"
    assert created["dataCategories"] == ["stammdaten", "bedarfslage"]
    assert created["organizations"] == [{"id": "caritas-stuttgart"}]
    stored = db.query("MATCH (c:Consent {id: $id}) RETURN c.evidence AS e", {"id": created["id"]})
    assert stored == [{"e": "Einwilligung liegt schriftlich vor (03.12.2026)"}]
    mine = f'{{ household(id: "{household}") {{ needs {{ id }} consents {{ id }} }} }}'
    data, _ = run(db, "cw-jobcenter", mine)
    assert data["household"]["needs"] == [{"id": need["createNeed"]["id"]}]
    assert data["household"]["consents"] == [{"id": created["id"]}]
    # The other office cannot add to the case, read its records or refer the household.
    for document, variables in (
        (CREATE_NEED, {"input": {"household": household, "category": "suchtberatung"}}),
        (CREATE_CONSENT, {"input": consent_input}),
    ):
        data, codes = run(db, "cw-jugendamt", document, variables)
        assert codes == {"FORBIDDEN"}
    for who in ("cw-jugendamt", "partner-caritas"):
        data, _ = run(db, who, f'{{ consent(id: "{created["id"]}") {{ id }} }}')
        assert data is None or data["consent"] is None
        data, _ = run(db, who, f'{{ need(id: "{need["createNeed"]["id"]}") {{ id }} }}')
        assert data is None or data["need"] is None
    refer = (
        "mutation($h: ID!, $c: ID!, $o: ID!) { createReferral(input: {household: $h, "
        'fromOrganization: $o, toService: "svc-caritas-sb", consent: $c}) { __typename } }'
    )
    data, codes = run(
        db, "cw-jugendamt", refer, {"h": household, "c": created["id"], "o": "jugendamt-stuttgart"}
    )
    assert codes == {"FORBIDDEN"}


def test_the_partner_sees_the_case_once_referred_under_consent(db: Graph) -> None:
    load(db)
    household = new_household(db)
    consent, _ = run(
        db,
        "cw-jobcenter",
        CREATE_CONSENT,
        {
            "input": {
                "household": household,
                "organizations": ["caritas-stuttgart"],
                "purpose": "Schuldnerberatung",
                "dataCategories": ["stammdaten"],
            }
        },
    )
    consent_id = consent["createConsent"]["id"]
    query = f'{{ household(id: "{household}") {{ id householdType }} }}'
    data, _ = run(db, "partner-caritas", query)
    assert data is None or data["household"] is None
    refer = (
        "mutation($h: ID!, $c: ID!) { createReferral(input: {household: $h, "
        'fromOrganization: "jobcenter-stuttgart", toService: "svc-caritas-sb", consent: $c}) '
        "{ __typename } }"
    )
    data, codes = run(db, "cw-jobcenter", refer, {"h": household, "c": consent_id})
    assert codes == set()
    assert data["createReferral"]["__typename"] == "Referral"
    data, codes = run(db, "partner-caritas", query)
    assert codes == set()
    assert data["household"] == {"id": household, "householdType": "alleinerziehend"}
    # Still nobody else's.
    data, _ = run(db, "cw-jugendamt", query)
    assert data is None or data["household"] is None


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"dataCategories": ["gesundheit"]}, ["input", "dataCategories"]),
        ({"dataCategories": []}, ["input", "dataCategories"]),
        ({"organizations": []}, ["input", "organizations"]),
        ({"organizations": ["gibt-es-nicht"]}, ["input", "organizations"]),
        ({"purpose": " "}, ["input", "purpose"]),
        ({"validFrom": "2027-01-01", "validTo": "2026-01-01"}, ["input", "validTo"]),
    ],
)
def test_consent_input_is_checked_against_the_vocabulary(
    db: Graph, change: dict[str, Any], path: list[str]
) -> None:
    load(db)
    consent = {
        "household": "hh-a",
        "organizations": ["caritas-stuttgart"],
        "purpose": "Schuldnerberatung",
        "dataCategories": ["stammdaten"],
        **change,
    }
    data, codes = run(db, "cw-jobcenter", CREATE_CONSENT, {"input": consent})
    assert codes == set()
    result = data["createConsent"]
    assert result["__typename"] == "InvalidInput"
    assert path in [f["path"] for f in result["fields"]]


def test_the_vocabulary_of_data_categories_is_readable_for_forms(db: Graph) -> None:
    data, codes = run(db, "cw-jobcenter", "{ consentDataCategories { code label description } }")
    assert codes == set()
    entries = data["consentDataCategories"]
    assert [e["code"] for e in entries] == [t.code for t in CONSENT_DATA_CATEGORIES]
    assert [e["code"] for e in entries] == ["stammdaten", "bedarfslage", "hilfeverlauf"]
    assert all(e["label"] and e["description"] for e in entries)


def test_casework_writes_are_audited(db: Graph) -> None:
    load(db)
    household = new_household(db)
    events = query_events(db, subject="t-cw-jobcenter", record=f"Household:{household}")
    assert [(e.action, e.operation) for e in events] == [("write", "createHousehold")]
    assert events[0].organization_id == "jobcenter-stuttgart"
    data, _ = run(
        db,
        "cw-jobcenter",
        CREATE_NEED,
        {"input": {"household": household, "category": "suchtberatung"}},
    )
    need = data["createNeed"]["id"]
    events = query_events(db, subject="t-cw-jobcenter", record=f"Need:{need}")
    assert [(e.action, e.operation) for e in events] == [("write", "createNeed")]
    assert f"Household:{household}" in events[0].records
