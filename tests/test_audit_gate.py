"""The audit as a gate on every path: GraphQL over HTTP (POST and GET, a single record and a
list), a web page, the CLI export and the CLI import. When the audit entry cannot be
written, no household data leaves (or is written) and the caller gets a German error.
Refused attempts are ``denied`` entries with their reason; a refused or invalid mutation is
no ``write``; purposes are purposes, never field names.

How the audit failure is injected: a real Neo4j uniqueness constraint on ``AuditEvent``
over (subject, role) and one earlier entry of the same caller. Every further entry of that
caller is then refused by Neo4j itself (``ConstraintValidationFailed`` through the real
driver and ``graph.connection``), exactly as a failing write would be; the code under test
is not patched, and other callers (the fixtures' own writes) are unaffected.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from click.testing import CliRunner
from graphql import ExecutionResult as CoreResult
from starlette.testclient import TestClient
from strawberry.types import ExecutionResult as StrawberryResult

from api.app import create_app
from api.auth.api_tokens import create_token
from api.cli import main
from api.cli._common import operator
from graph import Graph
from graph.admin import clear
from graph.audit import NO_PURPOSE, AuditEvent, AuditFailed, append, new_event, query_events
from schema.policy_audit import withhold
from schema.principal import Role
from tests.privacy_world import load
from tests.webkit import load_web_world, sign_in, web_client

BLOCKER = "audit-gate-blocker"
AUDIT_FAILED = "AUDIT_FAILED"
REFERRAL = '{ referral(id: "%s") { id household { id } } }'
LIST = "{ referrals(first: 10) { nodes { id household { id } } } }"
CREATE = """
mutation($input: CreateReferralInput!) {
  createReferral(input: $input) {
    __typename
    ... on Referral { id }
    ... on NotAllowed { reason message }
    ... on InvalidInput { message }
  }
}"""


@contextmanager
def audit_fails_for(graph: Graph, subject: str, role: str) -> Iterator[None]:
    """Every further audit entry of ``subject`` in ``role`` fails in Neo4j (see the module's
    doc). The caller may have one entry already (it then blocks the next), not more."""
    graph.query(
        "CREATE CONSTRAINT audit_gate_test IF NOT EXISTS "
        "FOR (a:AuditEvent) REQUIRE (a.subject, a.role) IS UNIQUE",
        write=True,
    )
    try:
        blocker = new_event(
            subject=subject,
            role=role,
            organization_id=None,
            auth_method="token",
            action="read",
            operation="earlier",
            purpose="Test",
            records=[],
        )
        earlier = graph.query(
            "MATCH (a:AuditEvent {subject: $subject, role: $role}) RETURN count(a) AS n",
            {"subject": subject, "role": role},
        )
        if earlier == [{"n": 0}]:
            append(graph, [dataclasses.replace(blocker, id=BLOCKER)])
        yield
    finally:
        graph.query("DROP CONSTRAINT audit_gate_test IF EXISTS", write=True)
        graph.query(
            "MATCH (a:AuditEvent {id: $id}) DELETE a", {"id": BLOCKER}, write=True, revise=False
        )


def entries(graph: Graph, subject: str | None = None) -> list[AuditEvent]:
    return [e for e in query_events(graph, subject=subject, limit=500) if e.id != BLOCKER]


def token_client(graph: Graph, role: Role, org: str | None = None) -> tuple[TestClient, str]:
    """A client of the real app with a real API token, and the token's audit subject."""
    record, secret = create_token(graph, role=role, organization_id=org, name=f"gate-{role}")
    client = TestClient(create_app(), headers={"Authorization": f"Bearer {secret}"})
    return client, f"token:{record.id}"


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors") or []]


@pytest.fixture
def world(db: Graph) -> Graph:
    load(db)
    return db


# -- the gate: data withheld on every path --------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "GET"])
@pytest.mark.parametrize("query", [REFERRAL % "ref-a", LIST], ids=["record", "list"])
def test_graphql_over_http_withholds_household_data_when_the_audit_fails(
    world: Graph, method: str, query: str
) -> None:
    client, subject = token_client(world, "caseworker", "jobcenter-stuttgart")

    def ask() -> tuple[int, str, dict[str, Any]]:
        if method == "GET":
            answer = client.get("/graphql", params={"query": query})
        else:
            answer = client.post("/graphql", json={"query": query})
        return answer.status_code, answer.text, answer.json()

    with client:
        status, text, body = ask()
        assert status == 200
        assert "hh-a" in text
        (read,) = entries(world, subject)
        with audit_fails_for(world, subject, "caseworker"):
            status, text, body = ask()
    assert "hh-a" not in text
    assert body["data"] is None
    assert codes(body) == [AUDIT_FAILED]
    assert "nicht protokolliert" in body["errors"][0]["message"]
    assert entries(world, subject) == [read]


@pytest.mark.parametrize("result_class", [CoreResult, StrawberryResult])
def test_withholding_replaces_the_data_of_either_result_class(result_class: type) -> None:
    """graphql-core's class comes out of execution; strawberry's from its other paths."""
    result = result_class(data={"referral": {"household": {"id": "hh-a"}}}, errors=None)
    withhold(result, AuditFailed())
    assert result.data is None
    assert [e.extensions for e in result.errors] == [{"code": AUDIT_FAILED}]


def test_a_web_page_shows_a_german_error_and_no_household_data_when_the_audit_fails(
    db: Graph,
) -> None:
    load_web_world(db)
    with web_client() as client:
        sign_in(client, "fallmanagement")
        page = client.get("/ueberleitungen/r-new")
        assert page.status_code == 200
        assert "hh-1" in page.text
        with audit_fails_for(db, "demo:fallmanagement", "caseworker"):
            page = client.get("/ueberleitungen/r-new")
    assert page.status_code == 503
    assert "hh-1" not in page.text
    assert "Bitte versuchen Sie es in einigen Minuten erneut" in page.text


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_cli_export_writes_nothing_when_the_audit_fails(
    world: Graph, tmp_path: Path, fmt: str
) -> None:
    target = tmp_path / f"export.{fmt}"
    runner = CliRunner()
    who = operator()
    with audit_fails_for(world, who.subject, who.role):
        failed = runner.invoke(main, ["export", "--format", fmt, str(target)])
    assert failed.exit_code == 1
    assert "nicht protokolliert werden; deshalb wurde keine Datei geschrieben" in failed.output
    assert "Traceback" not in failed.output
    assert not target.exists()
    assert entries(world, who.subject) == []
    done = runner.invoke(
        main, ["export", "--format", fmt, "--purpose", "Prüfung durch den DSB", str(target)]
    )
    assert done.exit_code == 0, done.output
    assert target.exists()
    (event,) = entries(world, who.subject)
    assert (event.action, event.operation, event.purpose) == (
        "read",
        f"export {fmt}",
        "Prüfung durch den DSB",
    )
    assert {"Household:hh-a", "Consent:cs-c", "Referral:ref-b", "Need:need-a"} <= set(event.records)


def test_cli_import_writes_nothing_when_the_audit_fails(world: Graph, tmp_path: Path) -> None:
    folder = tmp_path / "bundle"
    runner = CliRunner()
    exported = runner.invoke(main, ["export", "--format", "csv", str(folder)])
    assert exported.exit_code == 0, exported.output
    clear(world)
    who = operator()
    with audit_fails_for(world, who.subject, who.role):
        failed = runner.invoke(main, ["import", str(folder), "--source", "gate"])
    assert failed.exit_code == 1
    assert "nicht protokolliert werden; deshalb wurde nichts importiert" in failed.output
    assert "Traceback" not in failed.output
    assert world.query("MATCH (n) WHERE NOT n:AuditEvent RETURN count(n) AS n") == [{"n": 0}]
    done = runner.invoke(main, ["import", str(folder), "--source", "gate"])
    assert done.exit_code == 0, done.output
    (event,) = entries(world, who.subject)
    assert (event.action, event.operation, event.purpose) == ("write", "import gate", NO_PURPOSE)
    assert {"Household:hh-a", "Household:hh-b", "Referral:ref-a"} <= set(event.records)
    assert world.query("MATCH (h:Household) RETURN count(h) AS n") == [{"n": 4}]


def referrals_of(graph: Graph, household: str) -> int:
    (row,) = graph.query(
        "MATCH (:Household {id: $h})<-[:FOR_HOUSEHOLD]-(r:Referral) RETURN count(r) AS n",
        {"h": household},
    )
    return int(row["n"])


NEW_REFERRAL = {
    "household": "hh-a",
    "fromOrganization": "jobcenter-stuttgart",
    "toService": "svc-caritas-sb",
    "consent": "cs-a",
}


def test_a_mutation_whose_entry_fails_writes_nothing(world: Graph) -> None:
    """The write's entry is part of the write's transaction (issue #16): when Neo4j refuses
    the entry, the referral is rolled back with it and the caller is told nothing was saved
    (a retry is safe)."""
    client, subject = token_client(world, "caseworker", "jobcenter-stuttgart")
    before = referrals_of(world, "hh-a")
    with client, audit_fails_for(world, subject, "caseworker"):
        body = run(client, CREATE, input=NEW_REFERRAL)
    assert body["data"] is None
    assert codes(body) == [AUDIT_FAILED]
    assert "nichts gespeichert" in body["errors"][0]["message"]
    assert referrals_of(world, "hh-a") == before
    assert entries(world, subject) == []


def test_a_mutation_has_exactly_one_entry_naming_what_it_wrote(world: Graph) -> None:
    client, subject = token_client(world, "caseworker", "jobcenter-stuttgart")
    before = referrals_of(world, "hh-a")
    with client:
        body = run(client, CREATE, input=NEW_REFERRAL)
    created = body["data"]["createReferral"]["id"]
    assert referrals_of(world, "hh-a") == before + 1
    (event,) = entries(world, subject)
    assert event.action == "write"
    assert event.operation == "createReferral"
    assert event.records == ("Household:hh-a", f"Referral:{created}")


def replay(client: TestClient, query: str, key: str, **variables: Any) -> Any:
    return client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Idempotency-Key": key},
    )


def test_a_retried_mutation_is_one_write_with_one_entry_and_the_replay_is_a_read(
    world: Graph,
) -> None:
    """A retry under the same Idempotency-Key writes nothing: the first attempt committed the
    write with its entry, the retry gets the stored answer (graph/idempotency.py). That answer
    discloses the records again: one ``read`` entry names them (schema/replay_audit.py)."""
    client, subject = token_client(world, "caseworker", "jobcenter-stuttgart")
    before = referrals_of(world, "hh-a")
    with client:
        first = replay(client, CREATE, "audit-replay-1", input=NEW_REFERRAL)
        assert "Idempotent-Replayed" not in first.headers
        written = entries(world, subject)
        again = replay(client, CREATE, "audit-replay-1", input=NEW_REFERRAL)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.json()["data"] == again.json()["data"]
    assert referrals_of(world, "hh-a") == before + 1
    created = first.json()["data"]["createReferral"]["id"]
    (write,) = written
    assert write.action == "write"
    assert write.records == ("Household:hh-a", f"Referral:{created}")
    (read,) = [e for e in entries(world, subject) if e.id != write.id]
    assert (read.action, read.operation, read.purpose) == (
        "read",
        "replay createReferral",
        write.purpose,
    )
    assert read.records == write.records
    assert (read.subject, read.role, read.organization_id) == (
        subject,
        "caseworker",
        "jobcenter-stuttgart",
    )


def test_a_replay_whose_entry_fails_withholds_the_answer(world: Graph) -> None:
    """No disclosure unrecorded: when the replay's entry is refused, the stored answer stays
    back (AUDIT_FAILED), and nothing is written again."""
    client, subject = token_client(world, "caseworker", "jobcenter-stuttgart")
    before = referrals_of(world, "hh-a")
    with client:
        first = replay(client, CREATE, "audit-replay-2", input=NEW_REFERRAL).json()
        assert first["data"]["createReferral"]["__typename"] == "Referral"
        with audit_fails_for(world, subject, "caseworker"):
            body = replay(client, CREATE, "audit-replay-2", input=NEW_REFERRAL).json()
    assert body["data"] is None
    assert codes(body) == [AUDIT_FAILED]
    assert referrals_of(world, "hh-a") == before + 1
    assert [e.action for e in entries(world, subject)] == ["write"]


def test_a_replayed_directory_change_names_no_household_data_and_has_no_entry(
    world: Graph,
) -> None:
    """The rule of the reads: an answer without household-level records is no disclosure to
    record (the directory change itself has its write entry)."""
    client, subject = token_client(world, "coordinator")
    create = 'mutation { createOrganization(input: {name: "Neuer Träger"}) { __typename } }'
    with client:
        answers = [replay(client, create, "audit-replay-3") for _ in range(2)]
    assert answers[1].headers["Idempotent-Replayed"] == "true"
    assert answers[0].json() == answers[1].json()
    assert answers[0].json()["data"]["createOrganization"]["__typename"] == "Organization"
    assert [(e.action, e.records) for e in entries(world, subject)] == [("write", ())]


def test_an_answer_stored_without_its_records_replays_as_a_recorded_read() -> None:
    """Answers stored before the records were kept with them (at most the key's lifetime
    ago) are recorded as a replay without records, not passed over."""
    from schema import Context
    from schema.principal import Principal
    from schema.replay_audit import replay_events

    principal = Principal("caseworker-1", "caseworker", "jobcenter-stuttgart", "token")
    context = Context(graph=None, principal=principal)  # type: ignore[arg-type]
    (event,) = replay_events(context, {"data": {"createReferral": {"id": "r-1"}}})
    assert (event.action, event.operation, event.purpose, event.records) == (
        "read",
        "replay",
        NO_PURPOSE,
        (),
    )
    assert event.subject == "caseworker-1"


def test_an_administrators_change_names_its_record_in_the_write_entry(world: Graph) -> None:
    """Administrators pass the case guards without a visibility check; the record they
    change is still named in the entry committed with the change."""
    client, subject = token_client(world, "admin")
    (row,) = world.query("MATCH (h:Household {id: 'hh-a'}) RETURN h.version AS v")
    with client:
        body = run(
            client,
            'mutation($v: Int!) { updateHousehold(id: "hh-a", version: $v, '
            'input: {householdType: "paar-mit-kindern"}) { __typename } }',
            v=row["v"],
        )
    assert body["data"]["updateHousehold"]["__typename"] == "Household", body
    (event,) = [e for e in entries(world, subject) if e.action == "write"]
    assert event.records == ("Household:hh-a",)


# -- refusals are "denied" entries with the reason -------------------------------------------


def run(client: TestClient, query: str, **variables: Any) -> dict[str, Any]:
    answer = client.post("/graphql", json={"query": query, "variables": variables})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def denied(graph: Graph, subject: str) -> list[AuditEvent]:
    return [e for e in entries(graph, subject) if e.action == "denied"]


def test_a_cross_organization_read_is_denied_with_the_reason(world: Graph) -> None:
    client, subject = token_client(world, "caseworker", "jobcenter-stuttgart")
    with client:
        body = run(client, REFERRAL % "ref-b")  # the Jugendamt's case
    # The answer never says whether the record exists: null, as for an unknown id.
    assert body == {"data": {"referral": None}}
    (event,) = entries(world, subject)
    assert event.action == "denied"
    assert event.records == ("Referral:ref-b",)
    assert event.reason is not None
    assert event.reason.startswith("NOT_OWN_CASE (Query.referral): ")
    assert event.organization_id == "jobcenter-stuttgart"


def test_a_referral_in_another_organizations_name_is_denied_and_not_a_write(
    world: Graph,
) -> None:
    client, subject = token_client(world, "caseworker", "jobcenter-stuttgart")
    new = {
        "household": "hh-b",
        "fromOrganization": "jugendamt-stuttgart",
        "toService": "svc-eva-sucht",
        "consent": "cs-b",
    }
    with client:
        body = run(client, CREATE, input=new)
    assert codes(body) == ["FORBIDDEN"]
    (event,) = entries(world, subject)
    assert event.action == "denied"
    assert event.records == ("Organization:jugendamt-stuttgart",)
    assert event.reason is not None
    assert event.reason.startswith("OTHER_ORGANIZATION")
    assert world.query("MATCH (r:Referral) RETURN count(r) AS n") == [{"n": 4}]


def test_a_read_without_a_consent_in_force_is_denied_with_the_reason(world: Graph) -> None:
    client, subject = token_client(world, "partner", "caritas-stuttgart")
    with client:
        body = run(client, REFERRAL % "ref-c")  # cs-c was revoked
    assert body == {"data": {"referral": None}}
    (event,) = denied(world, subject)
    assert event.records == ("Referral:ref-c",)
    assert event.reason is not None
    assert event.reason.startswith("NO_CONSENT (Query.referral)")


def test_a_referral_under_a_revoked_consent_is_denied_not_written(world: Graph) -> None:
    client, subject = token_client(world, "caseworker", "jobcenter-stuttgart")
    new = {
        "household": "hh-c",
        "fromOrganization": "jobcenter-stuttgart",
        "toService": "svc-caritas-sb",
        "consent": "cs-c",
    }
    with client:
        body = run(client, CREATE, input=new)
    assert body["data"]["createReferral"]["reason"] == "CONSENT_REVOKED"
    (event,) = entries(world, subject)
    assert event.action == "denied"
    assert event.records == ("Household:hh-c",)
    assert event.reason is not None
    assert event.reason.startswith("CONSENT_REVOKED (Mutation.createReferral): ")


def test_a_field_the_role_may_not_use_is_denied_with_the_reason(world: Graph) -> None:
    client, subject = token_client(world, "planner")
    with client:
        body = run(client, REFERRAL % "ref-a")
    assert codes(body) == ["FORBIDDEN"]
    (event,) = entries(world, subject)
    assert event.action == "denied"
    assert event.records == ("field:Query.referral",)
    assert event.reason == "ROLE (Query.referral): Für die Rolle planner nicht erlaubt."
    # The reason is part of the trail's export too.
    exported = CliRunner().invoke(main, ["audit", "export"])
    assert exported.exit_code == 0, exported.output
    rows = [json.loads(line) for line in exported.stdout.splitlines()]
    assert [r["reason"] for r in rows if r["id"] == event.id] == [event.reason]


def test_an_invalid_mutation_leaves_no_write_entry(world: Graph) -> None:
    """Invalid input is an answer to the input: nothing written, nothing released, no entry."""
    client, subject = token_client(world, "partner", "caritas-stuttgart")
    with client:
        body = run(
            client,
            'mutation { declineReferral(id: "ref-a", reason: " ") { __typename } }',
        )
    assert body["data"]["declineReferral"]["__typename"] == "InvalidInput"
    assert entries(world, subject) == []


# -- purposes --------------------------------------------------------------------------------


def test_the_purpose_is_recorded_as_a_purpose_never_a_field_name(world: Graph) -> None:
    client, subject = token_client(world, "caseworker", "jobcenter-stuttgart")
    new = {
        "household": "hh-a",
        "fromOrganization": "jobcenter-stuttgart",
        "toService": "svc-caritas-sb",
        "consent": "cs-a",
    }
    with client:
        run(client, REFERRAL % "ref-a")
        created = run(client, CREATE, input=new)["data"]["createReferral"]
        answer = client.post(
            "/graphql",
            json={"query": REFERRAL % "ref-a"},
            headers={"X-Verbund-Zweck": quote("Hilfeplangespräch")},
        )
        assert answer.status_code == 200
    assert created["__typename"] == "Referral"
    by_action = sorted((e.at, e.action, e.purpose) for e in entries(world, subject))
    assert [(action, purpose) for _, action, purpose in by_action] == [
        ("read", NO_PURPOSE),
        ("write", "Überleitung"),
        ("read", "Hilfeplangespräch"),
    ]
    write = next(e for e in entries(world, subject) if e.action == "write")
    assert f"Referral:{created['id']}" in write.records


def test_the_schema_itself_audits_in_process_callers(world: Graph) -> None:
    """The web pages call ``schema.execute`` in process: the same gate applies there."""
    from schema import Context, schema
    from schema.principal import Principal

    principal = Principal("in-process", "caseworker", "jobcenter-stuttgart", "token")
    context = Context(graph=world, principal=principal)
    with audit_fails_for(world, "in-process", "caseworker"):
        result = asyncio.run(schema.execute(REFERRAL % "ref-a", context_value=context))
    assert result.data is None
    assert [e.extensions for e in result.errors or []] == [{"code": AUDIT_FAILED}]
