"""Revoking a consent ends the sharing at once and is recorded; only the referring side may."""

from __future__ import annotations

from collections.abc import Callable

import pytest
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


def test_audit_export_writes_every_event_as_jsonl_and_csv(db: Graph) -> None:
    import json

    from click.testing import CliRunner

    from api.cli import main
    from graph.audit import append, new_event

    events = [
        new_event(
            subject=f"s{n}",
            role="caseworker",
            organization_id="jobcenter-stuttgart",
            auth_method="token",
            action="read",
            operation="referral",
            purpose="Test",
            records=[f"Referral:ref-{n}"],
        )
        for n in range(3)
    ]
    append(db, events)
    runner = CliRunner()
    lines = runner.invoke(main, ["audit", "export"]).stdout.strip().splitlines()
    rows = [json.loads(line) for line in lines]
    assert sorted(r["subject"] for r in rows) == ["s0", "s1", "s2"]
    assert {r["subject"]: r["records"] for r in rows}["s1"] == ["Referral:ref-1"]
    table = runner.invoke(main, ["audit", "export", "--format", "csv"]).stdout.splitlines()
    assert table[0].startswith("id,at,subject,role")
    assert len(table) == 4


def test_pseudonym_command_needs_the_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from api.cli import main
    from api.settings import get_settings
    from graph.pseudonym import pseudonym

    runner = CliRunner()
    monkeypatch.delenv("VERBUND_PSEUDONYM_SECRET", raising=False)
    get_settings.cache_clear()
    try:
        refused = runner.invoke(main, ["pseudonym", "4711"])
        assert refused.exit_code != 0
        assert "VERBUND_PSEUDONYM_SECRET" in refused.output
        monkeypatch.setenv("VERBUND_PSEUDONYM_SECRET", "geheimnis-mit-genug-laenge")
        get_settings.cache_clear()
        done = runner.invoke(main, ["pseudonym", "4711", "--office", "jobcenter-stuttgart"])
        assert done.stdout.strip() == pseudonym(
            "4711", "geheimnis-mit-genug-laenge", "jobcenter-stuttgart"
        )
    finally:
        get_settings.cache_clear()


def test_a_reimport_cannot_undo_a_revocation(db: Graph) -> None:
    from datetime import UTC, datetime

    from graph.consents import revoke_consent
    from graph.write import write_bundle
    from tests.privacy_world import world

    load(db)
    assert revoke_consent(db, "cs-a", datetime.now(UTC)) is not None
    write_bundle(db, world())
    (row,) = db.query("MATCH (c:Consent {id: 'cs-a'}) RETURN c.revoked_at IS NULL AS open")
    assert row["open"] is False
    # Consents never revoked stay open after the same re-import.
    (row,) = db.query("MATCH (c:Consent {id: 'cs-b'}) RETURN c.revoked_at IS NULL AS open")
    assert row["open"] is True


AFTER_REVOCATION = [
    '{ referral(id: "ref-a") { id status } }',
    '{ household(id: "hh-a") { id householdType } }',
    '{ consent(id: "cs-a") { id purpose } }',
    '{ need(id: "need-a") { id } }',
    "{ referrals(first: 50) { edges { node { id household { id } consent { id } } } } }",
    '{ area(id: "stuttgart-mitte-1") { households { id referrals { id } } } }',
    '{ organization(id: "caritas-stuttgart") { referralsReceived(first: 50) '
    "{ edges { node { id } } } } }",
    '{ organization(id: "jobcenter-stuttgart") { referralsSent(first: 50) '
    "{ edges { node { id } } } } }",
    '{ service(id: "svc-caritas-sb") { referrals(first: 50) { edges { node { id } } } } }',
    '{ referral(id: "ref-old") { household { referrals { id } needs { id } } } }',
]


def test_after_revocation_the_partner_reaches_nothing_of_the_case_by_any_path(
    db: Graph, auth_headers: Callable[..., dict[str, str]]
) -> None:
    load(db)
    with TestClient(create_app(), headers=auth_headers("caseworker", "jobcenter-stuttgart")) as c:
        assert post(c, REVOKE, {"id": "cs-a"})["data"]["revokeConsent"]["__typename"] == (
            "ConsentRevoked"
        )
    with TestClient(create_app(), headers=auth_headers("partner", "caritas-stuttgart")) as c:
        for query in AFTER_REVOCATION:
            body = post(c, query)
            text = str(body.get("data"))
            for record in ("ref-a", "hh-a", "cs-a", "need-a"):
                assert f"'{record}'" not in text, (query, body)
        # Nor can it still act on the referral.
        moved = post(c, 'mutation { startReferral(id: "ref-a") { __typename } }')
        assert moved["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    (row,) = db.query("MATCH (r:Referral {id: 'ref-a'}) RETURN r.status AS s")
    assert row["s"] == "accepted"
