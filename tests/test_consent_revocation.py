"""Revoking a consent ends the sharing at once and is recorded; only the referring side may."""

from __future__ import annotations

from collections.abc import Callable

from starlette.testclient import TestClient

from api.app import create_app
from graph import Graph
from graph.audit import query_events
from tests.privacy_world import load

REVOKE = """mutation($id: ID!) { revokeConsent(id: $id) {
  __typename
  ... on ConsentRevoked { alreadyRevoked consent { id revokedAt } }
  ... on NotFound { kind id }
} }"""
PARTNER_VIEW = '{ referral(id: "ref-a") { id household { id } } referrals { totalCount } }'


def post(client: TestClient, query: str, variables: dict[str, str] | None = None) -> dict:  # type: ignore[type-arg]
    answer = client.post("/graphql", json={"query": query, "variables": variables})
    assert answer.status_code == 200, answer.text
    body: dict = answer.json()  # type: ignore[type-arg]
    return body


def test_revocation_ends_partner_access_at_once_and_is_audited(
    db: Graph, auth_headers: Callable[..., dict[str, str]]
) -> None:
    load(db)
    app = create_app()
    partner = auth_headers("partner", "caritas-stuttgart")
    caseworker = auth_headers("caseworker", "jobcenter-stuttgart")
    other_caseworker = auth_headers("caseworker", "jugendamt-stuttgart")
    with TestClient(app) as client:
        client.headers.update(partner)
        before = post(client, PARTNER_VIEW)
        assert before["data"]["referral"] == {"id": "ref-a", "household": {"id": "hh-a"}}
        assert before["data"]["referrals"]["totalCount"] == 2  # ref-a, ref-old
        # Neither the partner nor another office may revoke it.
        for headers in (partner, other_caseworker):
            client.headers.update(headers)
            refused = post(client, REVOKE, {"id": "cs-a"})
            assert refused["data"] is None
            assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        client.headers.update(caseworker)
        done = post(client, REVOKE, {"id": "cs-a"})["data"]["revokeConsent"]
        assert done["__typename"] == "ConsentRevoked"
        assert done["alreadyRevoked"] is False
        assert done["consent"]["id"] == "cs-a"
        assert done["consent"]["revokedAt"] is not None
        again = post(client, REVOKE, {"id": "cs-a"})["data"]["revokeConsent"]
        assert again["alreadyRevoked"] is True
        assert again["consent"]["revokedAt"] == done["consent"]["revokedAt"]
        client.headers.update(partner)
        after = post(client, PARTNER_VIEW)
        assert after["data"]["referral"] is None
        assert after["data"]["referrals"]["totalCount"] == 1  # only ref-old
        assert "hh-a" not in str(after)
        # The referring office still sees its own case.
        client.headers.update(caseworker)
        own = post(client, '{ referral(id: "ref-a") { id } }')
        assert own["data"]["referral"] == {"id": "ref-a"}
    (event,) = [
        e for e in query_events(db, record="Consent:cs-a") if e.operation == "revokeConsent"
    ][:1]
    assert event.action == "write"
    assert event.role == "caseworker"
    assert event.organization_id == "jobcenter-stuttgart"
    assert event.purpose == "Widerruf einer Einwilligung"


def test_revoking_an_unknown_consent_is_not_found_for_admins(
    db: Graph, client_as: Callable[..., TestClient]
) -> None:
    load(db)
    with client_as("admin") as client:
        answer = post(client, REVOKE, {"id": "cs-nope"})
    assert answer["data"]["revokeConsent"] == {
        "__typename": "NotFound",
        "kind": "Consent",
        "id": "cs-nope",
    }


def test_audit_trail_is_admin_only_and_has_no_mutation(
    db: Graph, client_as: Callable[..., TestClient]
) -> None:
    load(db)
    query = '{ auditEvents(record: "Referral:ref-a") { subject action records } }'
    with client_as("caseworker", "jobcenter-stuttgart") as caseworker:
        post(caseworker, '{ referral(id: "ref-a") { id } }')
        refused = post(caseworker, query)
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    with client_as("admin") as admin:
        events = post(admin, query)["data"]["auditEvents"]
        assert any(e["action"] == "read" and "Referral:ref-a" in e["records"] for e in events)
        mutations = post(admin, "{ __schema { mutationType { fields { name } } } }")
    names = {f["name"] for f in mutations["data"]["__schema"]["mutationType"]["fields"]}
    assert not {n for n in names if "audit" in n.lower()}
