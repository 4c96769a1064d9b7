"""Coordinator mutations (versions, typed errors) and the referral lifecycle."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from graph import Graph
from graph.records import Organization
from graph.repo import writes
from graph.repo.writes import StaleVersion
from schema.principal import Principal, Role
from tests.apikit import execute, load_network, run_query

ORG_FIELDS = """__typename
  ... on Organization { id name version archivedAt }
  ... on Conflict { message currentVersion }
  ... on InvalidInput { fields { path message } }
  ... on NotFound { kind id }"""


def as_role(role: Role, org: str | None = None) -> Principal:
    return Principal(subject=f"test-{role}", role=role, organization_id=org, auth_method="token")


def mutate(db: Graph, document: str, variables: dict[str, Any] | None = None, **ctx: Any) -> Any:
    data = run_query(db, document, variables, **ctx)
    (value,) = data.values()
    return value


def test_create_update_with_version_and_archive(db: Graph) -> None:
    load_network(db)
    create = 'mutation { createOrganization(input: {id: "neu", name: "Neuer Träger"}) { F } }'
    created = mutate(db, create.replace("F", ORG_FIELDS))
    assert created == {
        "__typename": "Organization", "id": "neu", "name": "Neuer Träger", "version": 1,
        "archivedAt": None,
    }  # fmt: skip
    again = mutate(
        db, f'mutation {{ createOrganization(input: {{id: "neu", name: "X"}}) {{ {ORG_FIELDS} }} }}'
    )
    assert again["__typename"] == "Conflict"
    update = f"""mutation($v: Int!, $name: String) {{
      updateOrganization(id: "neu", version: $v, input: {{name: $name}}) {{ {ORG_FIELDS} }} }}"""
    assert mutate(db, update, {"v": 1, "name": "Träger Neu"})["version"] == 2
    stale = mutate(db, update, {"v": 1, "name": "verloren"})
    assert stale["__typename"] == "Conflict"
    assert stale["currentVersion"] == 2
    assert mutate(db, update, {"v": 2, "name": " "})["fields"][0]["path"] == ["input", "name"]
    nowhere = 'mutation { updateOrganization(id: "nix", version: 1, input: {}) { F } }'
    missing = mutate(db, nowhere.replace("F", ORG_FIELDS))
    assert missing == {"__typename": "NotFound", "kind": "Organization", "id": "nix"}
    archived = mutate(
        db, f'mutation {{ archiveOrganization(id: "neu", version: 2) {{ {ORG_FIELDS} }} }}'
    )
    assert archived["version"] == 3
    assert archived["archivedAt"] is not None
    listed = run_query(db, "{ organizations(first: 100) { nodes { id } } }")["organizations"]
    assert "neu" not in {n["id"] for n in listed["nodes"]}


def test_service_input_errors_name_their_fields(db: Graph) -> None:
    load_network(db)
    document = """mutation($input: ServiceInput!) { createService(input: $input) {
      __typename ... on InvalidInput { fields { path } }
      ... on Service { id categories { id } } } }"""
    base = {"organization": "caritas", "name": "Neu", "categories": ["schuldnerberatung"]}
    assert mutate(db, document, {"input": {"name": "x"}})["fields"] == [
        {"path": ["input", "organization"]}
    ]
    dangling = mutate(db, document, {"input": {**base, "categories": ["gibtsnicht"]}})
    assert dangling["fields"] == [{"path": ["input", "categories"]}]
    over = mutate(db, document, {"input": {**base, "capacity": 2, "capacityUsed": 3}})
    assert over["fields"] == [{"path": ["input", "capacityUsed"]}]
    created = mutate(db, document, {"input": base})
    assert created["categories"] == [{"id": "schuldnerberatung"}]
    # nothing of the refused attempts was written
    count = run_query(db, '{ services(filter: {organization: "caritas"}) { totalCount } }')
    assert count["services"]["totalCount"] == 4


def test_concurrent_updates_lose_nothing(db: Graph) -> None:
    load_network(db)
    (current,) = db.query("MATCH (o:Organization {id: 'eva'}) RETURN o.version AS v")
    start = current["v"]
    base = Organization(id="eva", name="Evangelische Gesellschaft")
    for round_ in range(4):
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def change(
            name: str, version: int, barrier: threading.Barrier, outcomes: list[str]
        ) -> None:
            barrier.wait()
            try:
                writes.update(db, replace(base, name=name), version, datetime.now(UTC))
                outcomes.append(name)
            except StaleVersion:
                outcomes.append("conflict")

        version = start + round_
        threads = [
            threading.Thread(target=change, args=(f"{who}-{round_}", version, barrier, outcomes))
            for who in "ab"
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(outcomes) == 2
        assert outcomes.count("conflict") == 1, outcomes
        (row,) = db.query("MATCH (o:Organization {id: 'eva'}) RETURN o.name AS n, o.version AS v")
        winner = next(o for o in outcomes if o != "conflict")
        assert row == {"n": winner, "v": version + 1}


def test_coordinator_changes_record_who_with_version_and_time(db: Graph) -> None:
    load_network(db)
    fields = "... on Service { id version updatedAt updatedBy }"
    anna = Principal(subject="anna", role="coordinator", auth_method="oidc")
    ben = Principal(subject="token:b1", role="coordinator", auth_method="token")
    created = mutate(
        db,
        f'mutation {{ createService(input: {{id: "neu", organization: "caritas", name: "Neu"}})'
        f" {{ {fields} }} }}",
        principal=anna,
    )
    assert (created["version"], created["updatedBy"]) == (1, "anna")
    update = f"""mutation($v: Int!, $name: String) {{
      updateService(id: "neu", version: $v, input: {{name: $name}}) {{ {fields} }} }}"""
    updated = mutate(db, update, {"v": 1, "name": "Neuer Name"}, principal=ben)
    assert (updated["version"], updated["updatedBy"]) == (2, "token:b1")
    assert updated["updatedAt"] >= created["updatedAt"]
    # Nothing changed: no new version, and the last real change keeps its author.
    same = mutate(db, update, {"v": 2, "name": "Neuer Name"}, principal=anna)
    assert (same["version"], same["updatedBy"]) == (2, "token:b1")
    archived = mutate(
        db, f'mutation {{ archiveService(id: "neu", version: 2) {{ {fields} }} }}', principal=anna
    )
    assert (archived["version"], archived["updatedBy"]) == (3, "anna")
    mutate(
        db,
        'mutation { addMembership(network: "zsb", organization: "jobcenter") { __typename } }',
        principal=ben,
    )
    (edge,) = db.query(
        "MATCH (:Organization {id: 'jobcenter'})-[m:MEMBER_OF]->(:Network {id: 'zsb'}) "
        "RETURN m.updated_by AS by"
    )
    assert edge["by"] == "token:b1"


def test_memberships(db: Graph) -> None:
    load_network(db)
    fields = """__typename ... on Membership { role version organization { id } }
                ... on Conflict { currentVersion } ... on NotFound { kind }"""
    added = mutate(
        db,
        f'mutation {{ addMembership(network: "zsb", organization: "jobcenter") {{ {fields} }} }}',
    )
    assert added == {
        "__typename": "Membership", "role": "mitglied", "version": 1,
        "organization": {"id": "jobcenter"},
    }  # fmt: skip
    update = """mutation($v: Int!) { updateMembership(network: "zsb", organization: "jobcenter",
        version: $v, role: "gast") { F } }""".replace("F", fields)
    assert mutate(db, update, {"v": 1})["version"] == 2
    assert mutate(db, update, {"v": 1}) == {"__typename": "Conflict", "currentVersion": 2}
    removed = mutate(
        db,
        """mutation { removeMembership(network: "zsb", organization: "jobcenter", version: 2) {
             __typename } }""",
    )
    assert removed == {"__typename": "MembershipRemoved"}
    members = run_query(db, '{ network(id: "zsb") { memberships { organization { id } } } }')
    assert len(members["network"]["memberships"]) == 2


def test_directory_writes_need_a_coordinator(db: Graph) -> None:
    load_network(db)
    document = 'mutation { createOrganization(input: {name: "X"}) { __typename } }'
    refused = execute(db, document, principal=as_role("partner", "caritas"))
    assert refused.errors[0].extensions["code"] == "FORBIDDEN"
    allowed = run_query(db, document, principal=as_role("coordinator"))
    assert allowed["createOrganization"]["__typename"] == "Organization"


REFERRAL = """__typename
  ... on Referral { id status purpose outcome declineReason history { status by note } }
  ... on NotAllowed { reason message }
  ... on NotFound { kind id }
  ... on InvalidInput { fields { path } }
  ... on Conflict { currentVersion }"""

CREATE = "mutation($input: CreateReferralInput!) { createReferral(input: $input) { F } }"
CREATE = CREATE.replace("F", REFERRAL)


def _new(**overrides: Any) -> dict[str, Any]:
    values = {
        "household": "hh-1",
        "fromOrganization": "jobcenter",
        "toService": "sb-1-0",
        "consent": "c-1",
        "need": "n-1",
    }
    values.update(overrides)
    return {"input": values}


def test_referral_lifecycle_records_who_and_when(db: Graph) -> None:
    load_network(db)
    caseworker = as_role("caseworker", "jobcenter")
    partner = as_role("partner", "caritas")
    created = mutate(db, CREATE, _new(), principal=caseworker)
    assert created["status"] == "CREATED"
    assert created["purpose"] == "schuldnerberatung"
    assert created["history"] == [{"status": "CREATED", "by": "test-caseworker", "note": ""}]
    rid = created["id"]

    def step(document: str, who: Principal = partner) -> Any:
        return mutate(db, document.replace("RID", rid).replace("FIELDS", REFERRAL), principal=who)

    assert step('mutation { completeReferral(id: "RID", outcome: "x") { FIELDS } }') == {
        "__typename": "NotAllowed",
        "reason": "INVALID_TRANSITION",
        "message": "Die Überleitung ist im Status „created“; „complete“ ist nicht möglich.",
    }
    assert step('mutation { acceptReferral(id: "RID") { FIELDS } }')["status"] == "ACCEPTED"
    assert step('mutation { startReferral(id: "RID", version: 1) { FIELDS } }') == {
        "__typename": "Conflict",
        "currentVersion": 2,
    }
    assert step('mutation { startReferral(id: "RID", version: 2) { FIELDS } }')["status"] == (
        "STARTED"
    )
    blank = step('mutation { completeReferral(id: "RID", outcome: " ") { FIELDS } }')
    assert blank["fields"] == [{"path": ["outcome"]}]
    done = step('mutation { completeReferral(id: "RID", outcome: "Plan vereinbart") { FIELDS } }')
    assert done["status"] == "COMPLETED"
    assert done["outcome"] == "Plan vereinbart"
    assert [(e["status"], e["by"]) for e in done["history"]] == [
        ("CREATED", "test-caseworker"),
        ("ACCEPTED", "test-partner"),
        ("STARTED", "test-partner"),
        ("COMPLETED", "test-partner"),
    ]
    cancel = step('mutation { cancelReferral(id: "RID") { FIELDS } }', caseworker)
    assert cancel["reason"] == "INVALID_TRANSITION"


def test_decline_needs_a_reason(db: Graph) -> None:
    load_network(db)
    rid = mutate(db, CREATE, _new())["id"]
    document = 'mutation($r: String!) { declineReferral(id: "RID", reason: $r) { F } }'
    document = document.replace("RID", rid).replace("F", REFERRAL)
    assert mutate(db, document, {"r": ""})["fields"] == [{"path": ["reason"]}]
    declined = mutate(db, document, {"r": "keine Kapazität"})
    assert (declined["status"], declined["declineReason"]) == ("DECLINED", "keine Kapazität")


def test_referral_needs_a_valid_consent_for_the_receiver_and_purpose(db: Graph) -> None:
    load_network(db)
    # c-1 names caritas; sb-0-1 belongs to eva
    assert mutate(db, CREATE, _new(toService="sb-0-1"))["reason"] == "CONSENT_NOT_FOR_ORGANIZATION"
    assert mutate(db, CREATE, _new(purpose="etwas anderes"))["reason"] == "CONSENT_PURPOSE"
    assert mutate(db, CREATE, _new(consent="nix")) == {
        "__typename": "NotFound",
        "kind": "Consent",
        "id": "nix",
    }
    db.query("MATCH (c:Consent {id: 'c-1'}) SET c.revoked_at = datetime()", write=True)
    assert mutate(db, CREATE, _new())["reason"] == "CONSENT_REVOKED"
    count = db.query("MATCH (r:Referral) RETURN count(r) AS n")
    assert count == [{"n": 1}]  # only the bundle's own referral


def test_caseworkers_refer_only_from_their_own_organization(db: Graph) -> None:
    load_network(db)
    refused = execute(db, CREATE, _new(), principal=as_role("caseworker", "caritas"))
    assert refused.errors[0].extensions["code"] == "FORBIDDEN"
