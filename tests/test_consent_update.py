"""updateConsent: a consent is narrowed (fewer Träger or data categories, an earlier end) or
its evidence recorded; what widens it is refused with what to do instead (a new consent, and
withdrawing this one). Only the case's own office, audited, versioned, replayed under a key."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from graph import Graph, clock
from graph.audit import query_events
from tests.privacy_world import load
from tests.test_casework_mutations import CREATE_CONSENT, PROBLEMS, new_household, run

UPDATE_CONSENT = (
    "mutation($id: ID!, $v: Int!, $input: UpdateConsentInput!) { "
    "updateConsent(id: $id, version: $v, input: $input) { __typename "
    "... on Consent { id purpose dataCategories validTo evidence version "
    "organizations { id } }" + PROBLEMS + " } }"
)
REVOKE = "mutation($id: ID!) { revokeConsent(id: $id) { __typename } }"

UNTIL = (clock.today() + dt.timedelta(days=365)).isoformat()


def _consent(graph: Graph) -> str:
    household = new_household(graph)
    data, codes = run(
        graph,
        "cw-jobcenter",
        CREATE_CONSENT,
        {
            "input": {
                "household": household,
                "organizations": ["caritas-stuttgart", "eva-stuttgart"],
                "purpose": "Schuldnerberatung",
                "dataCategories": ["stammdaten", "bedarfslage"],
                "validTo": UNTIL,
            }
        },
    )
    assert codes == set(), data
    return str(data["createConsent"]["id"])


def _stored(graph: Graph, ident: str) -> dict[str, Any]:
    (row,) = graph.query(
        "MATCH (c:Consent {id: $id}) OPTIONAL MATCH (c)-[:GRANTS_TO]->(o:Organization) "
        "WITH c, o ORDER BY o.id "
        "RETURN c.purpose AS purpose, c.data_categories AS data, c.valid_to AS until, "
        "c.evidence AS evidence, c.version AS version, collect(o.id) AS orgs",
        {"id": ident},
    )
    return dict(row)


def _update(
    graph: Graph, ident: str, version: int, changes: dict[str, Any], who: str = "cw-jobcenter"
) -> tuple[Any, set[str]]:
    data, codes = run(graph, who, UPDATE_CONSENT, {"id": ident, "v": version, "input": changes})
    return (data or {}).get("updateConsent"), codes


def test_a_consent_is_narrowed_and_its_evidence_recorded(db: Graph) -> None:
    load(db)
    consent = _consent(db)
    earlier = (clock.today() + dt.timedelta(days=100)).isoformat()
    result, codes = _update(
        db,
        consent,
        1,
        {
            "organizations": ["caritas-stuttgart"],
            "dataCategories": ["stammdaten"],
            "validTo": earlier,
            "evidenceForm": "WRITTEN",
            "evidenceOn": "2026-12-01",
        },
    )
    assert codes == set()
    assert result["__typename"] == "Consent", result
    assert result["evidence"] == "schriftlich am 01.12.2026"
    stored = _stored(db, consent)
    assert (stored["orgs"], list(stored["data"]), stored["until"].isoformat()) == (
        ["caritas-stuttgart"],
        ["stammdaten"],
        earlier,
    )
    assert (stored["evidence"], stored["version"]) == ("schriftlich am 01.12.2026", 2)
    # Audited as a write on the consent.
    events = query_events(db, record=f"Consent:{consent}", limit=5)
    assert any(e.operation == "updateConsent" and e.action == "write" for e in events), events
    # The old version is stale: Conflict, nothing changed.
    stale, _ = _update(db, consent, 1, {"evidence": "Kopie in der Akte"})
    assert stale["__typename"] == "Conflict"
    assert _stored(db, consent)["version"] == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"purpose": "Suchtberatung"}, "purpose"),
        ({"organizations": ["caritas-stuttgart", "jugendamt-stuttgart"]}, "organizations"),
        ({"dataCategories": ["stammdaten", "hilfeverlauf"]}, "dataCategories"),
        ({"validTo": None}, "validTo"),
        ({"validTo": "2099-12-31"}, "validTo"),
        ({"validTo": "2020-01-01"}, "validTo"),
    ],
)
def test_what_widens_a_consent_is_refused_with_what_to_do_instead(
    db: Graph, changes: dict[str, Any], field: str
) -> None:
    load(db)
    consent = _consent(db)
    before = _stored(db, consent)
    result, codes = _update(db, consent, 1, changes)
    assert codes == set()
    assert result["__typename"] == "InvalidInput", result
    assert result["fields"][0]["path"] == ["input", field]
    message = result["fields"][0]["message"]
    assert "neue Einwilligung" in message or "widerrufen" in message, message
    assert _stored(db, consent) == before


def test_purpose_with_other_spacing_is_the_same_purpose(db: Graph) -> None:
    load(db)
    consent = _consent(db)
    result, _ = _update(
        db,
        consent,
        1,
        {"purpose": " Schuldnerberatung ", "dataCategories": ["stammdaten", "bedarfslage"]},
    )
    assert result["__typename"] == "Consent", result
    assert _stored(db, consent)["purpose"] == "Schuldnerberatung"


def test_a_withdrawn_consent_stays_as_it_is(db: Graph) -> None:
    load(db)
    consent = _consent(db)
    data, codes = run(db, "cw-jobcenter", REVOKE, {"id": consent})
    assert codes == set()
    assert data["revokeConsent"]["__typename"] == "ConsentRevoked"
    version = _stored(db, consent)["version"]
    result, _ = _update(db, consent, version, {"dataCategories": ["stammdaten"]})
    assert result["__typename"] == "InvalidInput"
    assert "widerrufen" in result["message"]
    assert list(_stored(db, consent)["data"]) == ["stammdaten", "bedarfslage"]


@pytest.mark.parametrize("who", ["partner-caritas", "planner", "coordinator", "cw-jugendamt"])
def test_only_the_own_office_changes_a_consent(db: Graph, who: str) -> None:
    load(db)
    consent = _consent(db)
    before = _stored(db, consent)
    result, codes = _update(db, consent, 1, {"dataCategories": ["stammdaten"]}, who=who)
    assert result is None
    assert codes & {"FORBIDDEN", "NOT_FOUND"}, codes
    assert _stored(db, consent) == before


def test_a_consent_change_is_replayed_under_an_idempotency_key(
    db: Graph, client_as: Callable[..., TestClient]
) -> None:
    load(db)
    consent = _consent(db)
    body = {
        "query": UPDATE_CONSENT,
        "variables": {"id": consent, "v": 1, "input": {"dataCategories": ["stammdaten"]}},
    }
    with client_as("caseworker", "jobcenter-stuttgart", app=create_app(graph=db)) as client:
        first = client.post("/graphql", json=body, headers={"Idempotency-Key": "cs-1"}).json()
        again = client.post("/graphql", json=body, headers={"Idempotency-Key": "cs-1"}).json()
        assert first["data"]["updateConsent"]["__typename"] == "Consent", first
        assert again == first
        # Without the key the same version is stale now.
        other = client.post("/graphql", json=body).json()
        assert other["data"]["updateConsent"]["__typename"] == "Conflict"
    assert _stored(db, consent)["version"] == 2
