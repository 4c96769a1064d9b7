"""The JSON POST path of /graphql (api/graphql_post.py) answers exactly as strawberry's view.

Each request goes once through the app as served (a JSON POST takes the direct path) and
once through the same app with the view alone behind ``/graphql``; status, JSON answer and
the headers the execution sets must be equal. Real app, real tokens, real Neo4j.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from api.app import VerbundGraphQL, create_app
from api.auth.api_tokens import create_token
from api.graphql_post import JsonPost
from graph import Graph
from schema.principal import Role
from tests.privacy_world import load
from tests.test_audit_gate import audit_fails_for

ORGS = "query($f: Int) { organizations(first: $f) { totalCount nodes { id name } } }"
REFERRALS = "{ referrals(first: 100) { totalCount edges { node { id } } } }"
CREATE_ORG = "mutation($i: OrganizationInput!) { createOrganization(input: $i) { __typename } }"
TWO_OPERATIONS = "query A { __typename } query B { __typename }"

# (name, role, body as JSON text)
CASES: list[tuple[str, Role, str]] = [
    ("typename", "coordinator", json.dumps({"query": "{ __typename }"})),
    ("read with variables", "coordinator", json.dumps({"query": ORGS, "variables": {"f": 2}})),
    ("variables null", "coordinator", json.dumps({"query": ORGS, "variables": None})),
    (
        "operation name",
        "coordinator",
        json.dumps({"query": TWO_OPERATIONS, "operationName": "B"}),
    ),
    ("extensions", "coordinator", json.dumps({"query": "{ __typename }", "extensions": {}})),
    ("syntax error", "coordinator", json.dumps({"query": "{ organizations( }"})),
    ("validation error", "coordinator", json.dumps({"query": "{ nope }"})),
    (
        "variable of the wrong type",
        "coordinator",
        json.dumps({"query": ORGS, "variables": {"f": "abc"}}),
    ),
    ("missing variable", "coordinator", json.dumps({"query": "query($f: Int!) { __typename }"})),
    ("policy refusal", "coordinator", json.dumps({"query": REFERRALS})),
    (
        "cost limit",
        "admin",
        json.dumps(
            {
                "query": "{ organizations(first: 100) { nodes { services(first: 100) "
                "{ nodes { name } } } } }"
            }
        ),
    ),
    (
        "refused mutation",
        "planner",
        json.dumps({"query": CREATE_ORG, "variables": {"i": {"name": "Neu"}}}),
    ),
    (
        "invalid mutation input",
        "admin",
        json.dumps({"query": CREATE_ORG, "variables": {"i": {"nme": "Neu"}}}),
    ),
    ("mutation", "admin", json.dumps({"query": CREATE_ORG, "variables": {"i": {"name": "Neu"}}})),
    ("unknown operation name", "coordinator", json.dumps({"query": ORGS, "operationName": "X"})),
    ("unclear operation", "coordinator", json.dumps({"query": TWO_OPERATIONS})),
    ("empty query", "coordinator", json.dumps({"query": ""})),
    ("no query", "coordinator", json.dumps({"variables": {}})),
    ("query not a string", "coordinator", json.dumps({"query": 5})),
    ("variables not an object", "coordinator", json.dumps({"query": ORGS, "variables": "x"})),
    ("operationName not a string", "coordinator", json.dumps({"query": ORGS, "operationName": 5})),
    ("extensions not an object", "coordinator", json.dumps({"query": ORGS, "extensions": [1]})),
    ("array", "coordinator", "[1]"),
    ("batch", "coordinator", json.dumps([{"query": "{ __typename }"}])),
    ("string", "coordinator", '"{ __typename }"'),
    ("not JSON", "coordinator", "{"),
    ("NaN (Python's JSON reads it, orjson does not)", "coordinator", '{"query": NaN}'),
]

# Headers the execution sets (the middleware adds the same to both paths).
EXECUTION_HEADERS = ("content-type", "retry-after", "idempotent-replayed")


def view_only(app: Starlette) -> Starlette:
    """The same app with strawberry's view alone behind /graphql (as before the direct path)."""
    for route in app.routes:
        if isinstance(route, Route) and route.path == "/graphql":
            assert isinstance(route.app, JsonPost)
            route.app = route.app.view
            return app
    raise AssertionError("keine Route /graphql")


@pytest.fixture
def world(db: Graph) -> Graph:
    load(db)
    return db


@pytest.fixture
def view_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every request strawberry's view answers (to see which path answered)."""
    calls: list[str] = []
    original = VerbundGraphQL.run

    async def counted(self: VerbundGraphQL, *args: Any, **kwargs: Any) -> Any:
        calls.append("view")
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(VerbundGraphQL, "run", counted)
    return calls


class Pair:
    """Two clients with the same token: the app as served, and the view alone."""

    def __init__(self, graph: Graph, role: Role) -> None:
        organization = "jobcenter-stuttgart" if role == "caseworker" else None
        record, secret = create_token(graph, role=role, organization_id=organization, name="p")
        self.subject = f"token:{record.id}"
        headers = {"Authorization": f"Bearer {secret}"}
        self.direct = TestClient(create_app(), headers=headers)
        self.view = TestClient(view_only(create_app()), headers=headers)

    def __enter__(self) -> Pair:
        self.direct.__enter__()
        self.view.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.view.__exit__(*exc)
        self.direct.__exit__(*exc)


def answer(client: TestClient, body: str, **headers: str) -> tuple[int, Any, dict[str, str]]:
    sent = client.post(
        "/graphql", content=body, headers={"Content-Type": "application/json", **headers}
    )
    try:
        parsed: Any = sent.json()
    except json.JSONDecodeError:
        parsed = sent.text
    kept = {name: sent.headers[name] for name in EXECUTION_HEADERS if name in sent.headers}
    return sent.status_code, parsed, kept


@pytest.fixture
def pairs(world: Graph) -> Iterator[dict[Role, Pair]]:
    made = {role: Pair(world, role) for role in ("admin", "coordinator", "planner")}
    for pair in made.values():
        pair.__enter__()
    yield made
    for pair in made.values():
        pair.__exit__(None, None, None)


@pytest.mark.parametrize(("role", "body"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_the_direct_path_answers_as_the_view(
    pairs: dict[Role, Pair], view_calls: list[str], role: Role, body: str
) -> None:
    pair = pairs[role]
    direct = answer(pair.direct, body)
    direct_calls = len(view_calls)
    view = answer(pair.view, body)
    assert len(view_calls) == direct_calls + 1  # the second one went through the view
    assert direct == view


def test_a_plain_request_does_not_touch_the_view(
    pairs: dict[Role, Pair], view_calls: list[str]
) -> None:
    status, body, _ = answer(pairs["coordinator"].direct, json.dumps({"query": ORGS}))
    assert status == 200
    assert body["data"]["organizations"]["totalCount"] == 4
    assert view_calls == []
    # What the direct path does not judge itself goes to the view, body and all.
    status, body, _ = answer(pairs["coordinator"].direct, "[1]")
    assert (status, view_calls) == (400, ["view"])
    assert "JSON-Objekt" in body


@pytest.mark.parametrize(
    "content_type",
    ["application/json; charset=utf-8", "application/json;charset=UTF-8", " application/json "],
)
def test_json_with_parameters_takes_the_direct_path(
    pairs: dict[Role, Pair], view_calls: list[str], content_type: str
) -> None:
    sent = pairs["coordinator"].direct.post(
        "/graphql",
        content=json.dumps({"query": "{ __typename }"}),
        headers={"Content-Type": content_type},
    )
    assert sent.json() == {"data": {"__typename": "Query"}}
    assert view_calls == []


@pytest.mark.parametrize(
    "content_type", ["text/plain", "Application/JSON", "application/graphql+json"]
)
def test_other_content_types_are_the_views(
    pairs: dict[Role, Pair], view_calls: list[str], content_type: str
) -> None:
    pair = pairs["coordinator"]
    body = json.dumps({"query": "{ __typename }"})
    direct = answer(pair.direct, body, **{"Content-Type": content_type})
    view = answer(pair.view, body, **{"Content-Type": content_type})
    assert direct == view
    assert direct[0] == 400
    assert view_calls == ["view", "view"]


def test_get_stays_with_the_view_and_refuses_mutations(
    pairs: dict[Role, Pair], view_calls: list[str]
) -> None:
    client = pairs["admin"].direct
    read = client.get("/graphql", params={"query": "{ __typename }"})
    assert read.json() == {"data": {"__typename": "Query"}}
    refused = client.get(
        "/graphql",
        params={"query": 'mutation { createOrganization(input: {name: "X"}) { __typename } }'},
        headers={"Accept": "application/json"},
    )
    assert refused.status_code == 400
    assert "Mutationen sind mit GET nicht erlaubt" in refused.text
    assert view_calls == ["view", "view"]


def test_an_idempotency_key_replays_on_both_paths(pairs: dict[Role, Pair], world: Graph) -> None:
    pair = pairs["admin"]
    body = json.dumps({"query": CREATE_ORG, "variables": {"i": {"name": "Einmal"}}})
    first = answer(pair.direct, body, **{"Idempotency-Key": "k-1"})
    assert first[0] == 200
    assert "idempotent-replayed" not in first[2]
    again_view = answer(pair.view, body, **{"Idempotency-Key": "k-1"})
    again_direct = answer(pair.direct, body, **{"Idempotency-Key": "k-1"})
    assert again_direct == again_view
    assert again_direct[2]["idempotent-replayed"] == "true"
    assert again_direct[1] == first[1]
    (row,) = world.query("MATCH (o:Organization {name: 'Einmal'}) RETURN count(o) AS n")
    assert row["n"] == 1
    other = json.dumps({"query": CREATE_ORG, "variables": {"i": {"name": "Anders"}}})
    reused = answer(pair.direct, other, **{"Idempotency-Key": "k-1"})
    assert reused == answer(pair.view, other, **{"Idempotency-Key": "k-1"})
    assert reused[0] == 409


def test_an_audit_failure_withholds_the_answer_on_both_paths(
    pairs: dict[Role, Pair], world: Graph
) -> None:
    pair = pairs["admin"]
    body = json.dumps({"query": '{ referral(id: "ref-a") { id household { id } } }'})
    assert answer(pair.direct, body)[0] == 200  # the caller's one earlier entry
    with audit_fails_for(world, pair.subject, "admin"):
        direct = answer(pair.direct, body)
        view = answer(pair.view, body)
    assert direct == view
    assert direct[1]["data"] is None
    assert [e["extensions"]["code"] for e in direct[1]["errors"]] == ["AUDIT_FAILED"]
