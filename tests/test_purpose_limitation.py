"""Purpose limitation (Zweckbindung, § 78 SGB X): a partner uses shared data only for the
purpose of the consent that shares it. A request declares its purpose in ``X-Verbund-Zweck``;
one the consent does not cover is refused (``PURPOSE_NOT_COVERED``) and audited as "denied".
Without a declaration the read counts as one under the consent's purpose, and is audited so."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from graph import Graph
from graph.audit import query_events
from tests.privacy_world import load

HOUSING = "Überleitung Wohnungsnotfallhilfe"
REFERRAL = '{ referral(id: "%s") { id status household { id } } }'


@pytest.fixture
def world(db: Graph) -> Graph:
    load(db)
    # caritas holds two consents in force: cs-a for debt counselling, cs-old for housing.
    db.query("MATCH (c:Consent {id: 'cs-old'}) SET c.purpose = $p", {"p": HOUSING}, write=True)
    return db


@pytest.fixture
def caritas(world: Graph, client_as: Callable[..., TestClient]) -> Iterator[TestClient]:
    with client_as("partner", "caritas-stuttgart") as client:
        yield client


def ask(client: TestClient, query: str, purpose: str | bytes | None = None) -> dict[str, Any]:
    headers: dict[str, Any] = {} if purpose is None else {"X-Verbund-Zweck": purpose}
    answer = client.post("/graphql", json={"query": query}, headers=headers)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def codes(body: dict[str, Any]) -> set[str]:
    return {e["extensions"]["code"] for e in body.get("errors") or []}


def events(graph: Graph, action: str) -> list[Any]:
    return [e for e in query_events(graph, subject=None, limit=50) if e.action == action]


def test_without_a_declaration_the_read_is_under_the_consents_purpose(
    caritas: TestClient, world: Graph
) -> None:
    body = ask(caritas, REFERRAL % "ref-a")
    assert body["data"]["referral"]["household"] == {"id": "hh-a"}
    (read,) = events(world, "read")
    assert read.purpose == "Einwilligung: Schuldnerberatung"
    assert "Referral:ref-a" in read.records


@pytest.mark.parametrize(
    "declared",
    ["Schuldnerberatung", "  schuldnerberatung ", "SCHULDNERBERATUNG"],
)
def test_a_covered_purpose_reads_and_is_audited_as_declared(
    caritas: TestClient, world: Graph, declared: str
) -> None:
    body = ask(caritas, REFERRAL % "ref-a", declared)
    assert "errors" not in body
    assert body["data"]["referral"]["id"] == "ref-a"
    (read,) = events(world, "read")
    assert read.purpose == declared.strip()
    assert events(world, "denied") == []


def test_non_ascii_purposes_arrive_as_utf8_or_percent_encoded(
    caritas: TestClient, world: Graph
) -> None:
    for declared in (HOUSING.encode("utf-8"), quote(HOUSING)):
        body = ask(caritas, REFERRAL % "ref-old", declared)
        assert "errors" not in body, body
        assert body["data"]["referral"]["id"] == "ref-old"
    assert {e.purpose for e in events(world, "read")} == {HOUSING}


def test_a_record_shared_for_another_purpose_is_refused_and_audited(
    caritas: TestClient, world: Graph
) -> None:
    # The housing purpose is covered by cs-old, but not by cs-a behind ref-a.
    body = ask(caritas, REFERRAL % "ref-a", quote(HOUSING))
    assert codes(body) == {"PURPOSE_NOT_COVERED"}
    assert body["data"] == {"referral": None}
    assert "hh-a" not in str(body)
    (denied,) = events(world, "denied")
    assert denied.purpose == HOUSING
    assert denied.records == ("Referral:ref-a",)
    assert denied.organization_id == "caritas-stuttgart"
    # The household of ref-a cannot be reached through another field either.
    body = ask(caritas, '{ household(id: "hh-a") { id } }', quote(HOUSING))
    assert codes(body) == {"PURPOSE_NOT_COVERED"}
    assert "hh-a" not in str(body["data"])


def test_a_purpose_no_consent_covers_refuses_the_whole_field(
    caritas: TestClient, world: Graph
) -> None:
    for query in (
        "{ referrals(first: 10) { totalCount edges { node { id } } } }",
        '{ organization(id: "caritas-stuttgart") { referralsReceived { totalCount } } }',
    ):
        body = ask(caritas, query, "Werbung")
        assert codes(body) == {"PURPOSE_NOT_COVERED"}, body
        assert "ref-" not in str(body["data"])
        assert "totalCount" not in str(body["data"])
    denied = events(world, "denied")
    assert len(denied) == 2
    assert {e.purpose for e in denied} == {"Werbung"}


def test_a_partners_status_change_under_another_purpose_is_refused(
    caritas: TestClient, world: Graph
) -> None:
    # ref-old is closed; ask for ref-a under the housing purpose.
    mutation = 'mutation { startReferral(id: "ref-a") { __typename } }'
    body = ask(caritas, mutation, quote(HOUSING))
    assert codes(body) == {"PURPOSE_NOT_COVERED"}
    (row,) = world.query("MATCH (r:Referral {id: 'ref-a'}) RETURN r.status AS s")
    assert row["s"] == "accepted"
    (denied,) = events(world, "denied")
    assert denied.records == ("Referral:ref-a",)
    body = ask(caritas, mutation, "Schuldnerberatung")
    assert "errors" not in body, body
    (row,) = world.query("MATCH (r:Referral {id: 'ref-a'}) RETURN r.status AS s")
    assert row["s"] == "started"


def test_the_referring_office_is_not_bound_to_the_partners_consent_purpose(
    world: Graph, client_as: Callable[..., TestClient]
) -> None:
    with client_as("caseworker", "jobcenter-stuttgart") as client:
        body = ask(client, REFERRAL % "ref-a", "Fallsteuerung SGB II")
    assert body["data"]["referral"]["id"] == "ref-a"
    (read,) = events(world, "read")
    assert read.purpose == "Fallsteuerung SGB II"


def test_lists_keep_only_the_records_the_declared_purpose_covers(
    caritas: TestClient, world: Graph
) -> None:
    query = "{ referrals(first: 10) { totalCount edges { node { id household { id } } } } }"
    body = ask(caritas, query, quote(HOUSING))
    assert "errors" not in body, body
    edges = body["data"]["referrals"]["edges"]
    assert [e["node"]["id"] for e in edges] == ["ref-old"]
    assert "hh-a" not in str(body)
    # The count is of the partner's scope (both referrals it may see under some purpose).
    assert body["data"]["referrals"]["totalCount"] == 2
    (denied,) = events(world, "denied")
    assert denied.records == ("Referral:ref-a",)
    (read,) = events(world, "read")
    assert "Referral:ref-old" in read.records
    assert "Referral:ref-a" not in read.records
    # Without a declaration both are listed, each under its own consent's purpose.
    body = ask(caritas, query)
    assert {e["node"]["id"] for e in body["data"]["referrals"]["edges"]} == {"ref-a", "ref-old"}


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    declared=st.binary(min_size=1, max_size=300).map(
        lambda b: bytes(c for c in b if c >= 0x20 and c != 0x7F) or b"x"
    )
)
def test_any_declared_purpose_gives_no_500_and_nothing_foreign(
    caritas: TestClient, declared: bytes
) -> None:
    answer = caritas.post(
        "/graphql",
        json={"query": "{ referrals(first: 10) { edges { node { id household { id } } } } }"},
        headers={"X-Verbund-Zweck": declared},
    )
    assert answer.status_code == 200, answer.text
    text = answer.text
    for foreign in ("ref-b", "hh-b", "ref-c", "hh-c"):
        assert foreign not in text
    assert "Traceback" not in text
