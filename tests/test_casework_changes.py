"""Caseworkers change and end their cases through GraphQL: update and close households (the
case ends, its history stays) and needs, households by case number, consent evidence; only for
cases of their own organization, audited, replayed under an idempotency key."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from graph import Graph
from graph.audit import query_events
from graph.pseudonym import pseudonym
from loaders.tabular.reader import read_bundle
from schema import Context, schema
from schema.principal import Principal
from tests.apikit import load_network
from tests.privacy_world import SUB, load
from tests.test_casework_mutations import (
    CREATE_CONSENT,
    CREATE_HOUSEHOLD,
    CREATE_NEED,
    PROBLEMS,
    WHO,
    new_household,
    run,
)

SECRET = "ein-langer-test-schluessel-0123456789"

UPDATE_HOUSEHOLD = (
    "mutation($id: ID!, $v: Int!, $input: UpdateHouseholdInput!) { "
    "updateHousehold(id: $id, version: $v, input: $input) { __typename "
    "... on Household { id householdType ageBands version closedOn area { id } }"
    + PROBLEMS
    + " } }"
)
CLOSE_HOUSEHOLD = (
    "mutation($id: ID!, $v: Int!, $on: Date) { closeHousehold(id: $id, version: $v, "
    "closedOn: $on) { __typename ... on Household { id closedOn version "
    "needs { id status } }" + PROBLEMS + " } }"
)
UPDATE_NEED = (
    "mutation($id: ID!, $v: Int!, $input: UpdateNeedInput!) { "
    "updateNeed(id: $id, version: $v, input: $input) { __typename "
    "... on Need { id status identifiedOn category { id } version }" + PROBLEMS + " } }"
)
CLOSE_NEED = (
    "mutation($id: ID!, $v: Int!, $outcome: NeedOutcome!) { "
    "closeNeed(id: $id, version: $v, outcome: $outcome) { __typename "
    "... on Need { id status version }" + PROBLEMS + " } }"
)


def run_with(
    graph: Graph, who: str, document: str, variables: dict[str, Any], **context: Any
) -> tuple[Any, set[str]]:
    role, org = WHO[who]
    ctx = Context(graph=graph, principal=Principal(f"t-{who}", role, org, "token"), **context)
    result = asyncio.run(schema.execute(document, variable_values=variables, context_value=ctx))
    return result.data, {(e.extensions or {}).get("code", "?") for e in result.errors or []}


def _need(graph: Graph, household: str, category: str = "schuldnerberatung") -> str:
    data, codes = run(
        graph,
        "cw-jobcenter",
        CREATE_NEED,
        {"input": {"household": household, "category": category}},
    )
    assert codes == set(), data
    return str(data["createNeed"]["id"])


def _version(graph: Graph, label: str, ident: str) -> int:
    rows = graph.query(
        "MATCH (n {id: $id}) WHERE $label IN labels(n) RETURN coalesce(n.version, 1) AS v",
        {"id": ident, "label": label},
    )
    return int(rows[0]["v"])


def test_a_caseworker_updates_its_household_with_version(db: Graph) -> None:
    load(db)
    household = new_household(db)
    version = _version(db, "Household", household)
    changes = {"householdType": "paar-mit-kindern", "ageBands": ["25-34", "0-2"]}
    data, codes = run(
        db, "cw-jobcenter", UPDATE_HOUSEHOLD, {"id": household, "v": version, "input": changes}
    )
    assert codes == set()
    updated = data["updateHousehold"]
    assert updated["householdType"] == "paar-mit-kindern"
    assert updated["ageBands"] == ["25-34", "0-2"]
    assert updated["version"] == version + 1
    # The old version is stale: Conflict, nothing changed.
    data, _ = run(
        db,
        "cw-jobcenter",
        UPDATE_HOUSEHOLD,
        {"id": household, "v": version, "input": {"householdType": "alleinstehend"}},
    )
    assert data["updateHousehold"]["__typename"] == "Conflict"
    # Codes, not names.
    data, _ = run(
        db,
        "cw-jobcenter",
        UPDATE_HOUSEHOLD,
        {"id": household, "v": version + 1, "input": {"householdType": "Familie Müller"}},
    )
    assert data["updateHousehold"]["__typename"] == "InvalidInput"
    assert data["updateHousehold"]["fields"][0]["path"] == ["input", "householdType"]
    stored = db.query(
        "MATCH (h:Household {id: $id}) RETURN h.household_type AS t", {"id": household}
    )
    assert stored == [{"t": "paar-mit-kindern"}]


@pytest.mark.parametrize("who", ["partner-caritas", "planner", "coordinator", "cw-jugendamt"])
def test_only_the_own_organization_changes_or_closes_a_case(db: Graph, who: str) -> None:
    load(db)
    household = new_household(db)
    need = _need(db, household)
    version = _version(db, "Household", household)
    attempts = [
        (UPDATE_HOUSEHOLD, {"id": household, "v": version, "input": {"ageBands": ["65+"]}}),
        (CLOSE_HOUSEHOLD, {"id": household, "v": version}),
        (UPDATE_NEED, {"id": need, "v": 1, "input": {"category": "suchtberatung"}}),
        (CLOSE_NEED, {"id": need, "v": 1, "outcome": "MET"}),
    ]
    for document, variables in attempts:
        data, codes = run(db, who, document, variables)
        assert codes == {"FORBIDDEN"}, (who, document, data)
    rows = db.query(
        "MATCH (h:Household {id: $id})-[:HAS_NEED]->(n:Need) "
        "RETURN h.closed_on AS closed, h.age_bands AS bands, n.status AS status, "
        "coalesce(h.version, 1) AS v",
        {"id": household},
    )
    assert rows == [{"closed": None, "bands": ["25-34", "3-5"], "status": "open", "v": version}]
    # The refusals are audited as attempts, none as a write.
    events = query_events(db, subject=f"t-{who}")
    assert events
    assert all(e.action != "write" for e in events)


def test_closing_a_case_keeps_its_history_and_ends_its_open_needs(db: Graph) -> None:
    load(db)
    household = new_household(db)
    open_need = _need(db, household)
    met_need = _need(db, household, "suchtberatung")
    data, codes = run(db, "cw-jobcenter", CLOSE_NEED, {"id": met_need, "v": 1, "outcome": "MET"})
    assert codes == set()
    assert data["closeNeed"]["status"] == "MET"
    version = _version(db, "Household", household)
    data, codes = run(
        db, "cw-jobcenter", CLOSE_HOUSEHOLD, {"id": household, "v": version, "on": "2026-11-30"}
    )
    assert codes == set()
    closed = data["closeHousehold"]
    assert closed["__typename"] == "Household"
    assert closed["closedOn"] == "2026-11-30"
    statuses = {n["id"]: n["status"] for n in closed["needs"]}
    assert statuses == {open_need: "CLOSED", met_need: "MET"}
    # Still there for its own organization, with its history.
    data, _ = run(db, "cw-jobcenter", f'{{ household(id: "{household}") {{ id closedOn }} }}')
    assert data["household"] == {"id": household, "closedOn": "2026-11-30"}
    # A closed case takes no new needs, changes or second closing.
    data, _ = run(
        db,
        "cw-jobcenter",
        CREATE_NEED,
        {"input": {"household": household, "category": "schuldnerberatung"}},
    )
    assert data["createNeed"]["__typename"] == "InvalidInput"
    assert "seit 30.11.2026 abgeschlossen" in data["createNeed"]["message"]
    for document, variables in (
        (CLOSE_HOUSEHOLD, {"id": household, "v": version + 1}),
        (UPDATE_HOUSEHOLD, {"id": household, "v": version + 1, "input": {"ageBands": ["65+"]}}),
    ):
        data, _ = run(db, "cw-jobcenter", document, variables)
        (answer,) = data.values()
        assert answer["__typename"] == "InvalidInput"
    count = db.query(
        "MATCH (:Household {id: $id})-[:HAS_NEED]->(n) RETURN count(n) AS n", {"id": household}
    )
    assert count == [{"n": 2}]
    events = query_events(db, subject="t-cw-jobcenter", record=f"Household:{household}")
    assert ("write", "closeHousehold") in [(e.action, e.operation) for e in events]
    assert [(e.action, e.operation) for e in events].count(("write", "closeHousehold")) == 1


def test_a_caseworker_updates_and_closes_a_need(db: Graph) -> None:
    load(db)
    household = new_household(db)
    need = _need(db, household)
    data, codes = run(
        db,
        "cw-jobcenter",
        UPDATE_NEED,
        {"id": need, "v": 1, "input": {"category": "suchtberatung", "identifiedOn": "2026-11-02"}},
    )
    assert codes == set()
    assert data["updateNeed"]["category"] == {"id": "suchtberatung"}
    assert data["updateNeed"]["identifiedOn"] == "2026-11-02"
    data, _ = run(
        db,
        "cw-jobcenter",
        UPDATE_NEED,
        {"id": need, "v": 2, "input": {"category": "gibt-es-nicht"}},
    )
    assert data["updateNeed"]["__typename"] == "InvalidInput"
    data, codes = run(db, "cw-jobcenter", CLOSE_NEED, {"id": need, "v": 2, "outcome": "CLOSED"})
    assert data["closeNeed"]["status"] == "CLOSED"
    data, _ = run(db, "cw-jobcenter", CLOSE_NEED, {"id": need, "v": 3, "outcome": "MET"})
    assert data["closeNeed"]["__typename"] == "InvalidInput"
    events = query_events(db, subject="t-cw-jobcenter", record=f"Need:{need}")
    operations = [(e.action, e.operation) for e in events]
    assert ("write", "updateNeed") in operations
    assert ("write", "closeNeed") in operations


def test_household_pseudonym_from_the_case_number_with_the_secret(db: Graph) -> None:
    load(db)
    variables = {"input": {"area": SUB, "caseNumber": " 123 45b "}}
    data, codes = run_with(db, "cw-jobcenter", CREATE_HOUSEHOLD, variables, pseudonym_secret=SECRET)
    assert codes == set()
    created = data["createHousehold"]["id"]
    assert created == pseudonym("123 45B", SECRET, "jobcenter-stuttgart")
    # The case number itself is stored nowhere.
    leaked = db.query(
        "MATCH (n) WHERE any(k IN keys(n) WHERE n[k] IS :: STRING AND n[k] CONTAINS '123 45') "
        "RETURN count(n) AS n"
    )
    assert leaked == [{"n": 0}]
    # The same case number again is the same household: a conflict, not a second case.
    data, _ = run_with(db, "cw-jobcenter", CREATE_HOUSEHOLD, variables, pseudonym_secret=SECRET)
    assert data["createHousehold"]["__typename"] == "Conflict"
    # Without the secret no pseudonym can be made from a case number.
    data, _ = run_with(db, "cw-jobcenter", CREATE_HOUSEHOLD, variables)
    problem = data["createHousehold"]
    assert problem["__typename"] == "InvalidInput"
    assert problem["fields"][0]["path"] == ["input", "caseNumber"]
    assert "VERBUND_PSEUDONYM_SECRET" in problem["message"]


def test_consent_evidence_in_words_and_data_categories_from_the_one_vocabulary(
    db: Graph, tmp_path: Path
) -> None:
    load(db)
    household = new_household(db)
    consent = {
        "household": household,
        "organizations": ["caritas-stuttgart"],
        "purpose": "Schuldnerberatung",
        "dataCategories": ["stammdaten"],
        "validFrom": "2026-12-01",
        "validTo": "2027-11-30",
        "evidenceForm": "WRITTEN",
        "evidenceOn": "2026-12-03",
    }
    data, codes = run(db, "cw-jobcenter", CREATE_CONSENT, {"input": consent})
    assert codes == set()
    ident = data["createConsent"]["id"]
    stored = db.query("MATCH (c:Consent {id: $id}) RETURN c.evidence AS e", {"id": ident})
    assert stored == [{"e": "schriftlich am 03.12.2026"}]
    oral = {**consent, "evidenceForm": "ORAL", "evidence": "Dolmetscherin anwesend"}
    data, _ = run(db, "cw-jobcenter", CREATE_CONSENT, {"input": oral})
    ident = data["createConsent"]["id"]
    stored = db.query("MATCH (c:Consent {id: $id}) RETURN c.evidence AS e", {"id": ident})
    assert stored == [{"e": "im Gespräch erteilt am 03.12.2026: Dolmetscherin anwesend"}]
    # The importer checks the same vocabulary: file, row and column named, row refused.
    (tmp_path / "einwilligungen.csv").write_text(
        "id;Haushalt;Empfänger;Zweck;Datenkategorien\nc1;hh-1;caritas;Beratung;gesundheitsdaten\n",
        encoding="utf-8",
    )
    parsed = read_bundle(tmp_path, "test")
    assert parsed.bundle.consents == []
    (issue,) = parsed.issues
    assert (issue.row, issue.column) == (2, "Datenkategorien")
    assert "einwilligungen" in issue.file
    data, _ = run(
        db,
        "cw-jobcenter",
        CREATE_CONSENT,
        {"input": {**consent, "dataCategories": ["gesundheitsdaten"]}},
    )
    assert data["createConsent"]["__typename"] == "InvalidInput"
    assert "gesundheitsdaten" in data["createConsent"]["message"]


def test_closing_a_case_is_replayed_under_an_idempotency_key(
    db: Graph, client_as: Callable[..., TestClient]
) -> None:
    load_network(db)
    with client_as("caseworker", "jobcenter", app=create_app(graph=db)) as client:
        created = client.post(
            "/graphql",
            json={"query": CREATE_HOUSEHOLD, "variables": {"input": {"area": "st-d0-1"}}},
        ).json()
        household = created["data"]["createHousehold"]["id"]
        body = {"query": CLOSE_HOUSEHOLD, "variables": {"id": household, "v": 1}}
        first = client.post("/graphql", json=body, headers={"Idempotency-Key": "close-1"}).json()
        again = client.post("/graphql", json=body, headers={"Idempotency-Key": "close-1"}).json()
        assert first["data"]["closeHousehold"]["__typename"] == "Household"
        assert again == first
        # Without the key a second closing is refused: the case is already closed.
        other = client.post("/graphql", json=body).json()
        assert other["data"]["closeHousehold"]["__typename"] == "InvalidInput"
    rows = db.query(
        "MATCH (h:Household {id: $id}) RETURN h.version AS v, h.closed_on IS NOT NULL AS closed",
        {"id": household},
    )
    assert rows == [{"v": 2, "closed": True}]
