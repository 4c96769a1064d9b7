"""Malformed and hostile GraphQL documents and variables: never HTTP 500, never data from
outside the caller's scope (a partner of caritas-stuttgart on tests/privacy_world.py)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from api.app import create_app
from graph import Graph
from graph.admin import clear
from tests.privacy_world import load

# Records caritas-stuttgart must never see: the youth office's case, and the case whose
# consent was revoked.
FOREIGN = {"ref-b", "hh-b", "cs-b", "need-b", "ref-c", "hh-c", "cs-c", "need-c"}


@pytest.fixture(scope="module")
def partner(graph: Graph) -> Iterator[TestClient]:
    from api.auth.api_tokens import create_token

    clear(graph)
    load(graph)
    _, token = create_token(graph, role="partner", organization_id="caritas-stuttgart")
    with TestClient(
        create_app(), headers={"Authorization": f"Bearer {token}"}, raise_server_exceptions=False
    ) as client:
        yield client
    # Whatever was sent, the foreign records are as they were.
    foreign = graph.query(
        "MATCH (r:Referral) WHERE r.id IN ['ref-b', 'ref-c'] "
        "MATCH (r)-[:UNDER_CONSENT]->(c:Consent) "
        "RETURN r.id AS id, r.status AS status, c.revoked_at IS NULL AS consent_open "
        "ORDER BY id"
    )
    count = graph.query("MATCH (r:Referral) RETURN count(r) AS n")[0]["n"]
    clear(graph)
    assert foreign == [
        {"id": "ref-b", "status": "created", "consent_open": True},
        {"id": "ref-c", "status": "created", "consent_open": False},
    ]
    assert count == 4


def ids_in(value: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(value, dict):
        for item in value.values():
            found |= ids_in(item)
    elif isinstance(value, list):
        for item in value:
            found |= ids_in(item)
    elif isinstance(value, str):
        found.add(value)
    return found


def check(answer: Any) -> None:
    assert answer.status_code != 500, answer.text[:500]
    assert answer.status_code < 500 or answer.status_code == 503, answer.text[:500]
    try:
        body = answer.json()
    except ValueError:
        return
    if isinstance(body, dict):
        assert "Traceback" not in answer.text
        # Error messages may repeat the caller's own input; data must not hold foreign records.
        assert ids_in(body.get("data")) & FOREIGN == set()


ROOTS = [
    "referral(id: {v})",
    "household(id: {v})",
    "consent(id: {v})",
    "need(id: {v})",
    "referrals(filter: {{household: {v}}})",
    "referrals(filter: {{fromOrganization: {v}}}, first: 100)",
    'area(id: "stuttgart-mitte-1")',
    "organization(id: {v})",
    "organizations(first: {n})",
    "coverageGaps",
    "serverInfo",
    "__schema",
    "__type(name: {v})",
]
# Writes on foreign records (tried inside "mutation" documents).
MUTATIONS = [
    "revokeConsent(id: {v})",
    "acceptReferral(id: {v})",
    "startReferral(id: {v})",
    'declineReferral(id: {v}, reason: "x")',
    "cancelReferral(id: {v})",
    'completeReferral(id: {v}, outcome: "x")',
    "waitlistReferral(id: {v})",
    "markReferralNotTakenUp(id: {v})",
    'createNeed(input: {{household: {v}, category: "suchtberatung"}})',
    'createConsent(input: {{household: {v}, organizations: ["caritas-stuttgart"], purpose: "x", '
    'dataCategories: ["stammdaten"]}})',
    'createReferral(input: {{household: {v}, fromOrganization: {v}, toService: "svc-eva-sucht", '
    'consent: "cs-b"}})',
]
SUBFIELDS = [
    "id",
    "status",
    "__typename",
    "household",
    "households",
    "referrals",
    "referralsSent",
    "referralsReceived",
    "needs",
    "consents",
    "consent",
    "need",
    "edges",
    "node",
    "totalCount",
    "history",
    "householdType",
    "types",
    "name",
    "fields",
]
VALUES = [
    '"ref-b"',
    '"hh-b"',
    '"ref-c"',
    '"hh-c"',
    '"ref-a"',
    '"cs-b"',
    '"cs-c"',
    '"jugendamt-stuttgart"',
    '"eva-stuttgart"',
    "$v",
    "null",
    "123",
    '"\\u0000"',
    '"' + "x" * 300 + '"',
    '["hh-b"]',
    "{a: 1}",
]

selection: st.SearchStrategy[str] = st.recursive(
    st.sampled_from(SUBFIELDS),
    lambda inner: st.builds(
        lambda name, alias, children: f"{alias}{name} {{ {' '.join(children)} }}",
        st.sampled_from(SUBFIELDS),
        st.sampled_from(["", "a: ", "b: ", "hh: "]),
        st.lists(inner, min_size=1, max_size=4),
    ),
    max_leaves=25,
)


@st.composite
def documents(draw: Callable[..., Any]) -> str:
    roots = []
    kind = draw(st.sampled_from(["query", "query Q($v: ID)", "mutation", "subscription", ""]))
    fields = MUTATIONS if kind == "mutation" else ROOTS
    for _ in range(draw(st.integers(1, 3))):
        root = draw(st.sampled_from(fields)).format(
            v=draw(st.sampled_from(VALUES)), n=draw(st.integers(-5, 10_000))
        )
        children = draw(st.lists(selection, min_size=0, max_size=3))
        body = f" {{ {' '.join(children)} }}" if children else ""
        roots.append(f"{draw(st.sampled_from(['', 'x: ', 'y: ']))}{root}{body}")
    doc = f"{kind} {{ {' '.join(roots)} }}"
    mangle = draw(st.sampled_from(["none", "cut", "braces", "fragment", "junk"]))
    if mangle == "cut":
        doc = doc[: draw(st.integers(0, len(doc)))]
    elif mangle == "braces":
        doc = doc + "}" * draw(st.integers(1, 5))
    elif mangle == "fragment":
        doc += " fragment F on Referral { ...F household { ...F } }"
    elif mangle == "junk":
        doc += draw(st.text(max_size=30))
    return doc


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)

FUZZ = settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(
    doc=documents(),
    variables=st.none() | st.dictionaries(st.sampled_from(["v", "x", ""]), json_values, max_size=3),
)
def test_hostile_documents(partner: TestClient, doc: str, variables: Any) -> None:
    check(partner.post("/graphql", json={"query": doc, "variables": variables}))


@FUZZ
@given(text=st.text(max_size=200))
def test_arbitrary_text_documents(partner: TestClient, text: str) -> None:
    check(partner.post("/graphql", json={"query": text}))
    check(partner.get("/graphql", params={"query": text}))


@FUZZ
@given(body=json_values)
def test_malformed_request_bodies(partner: TestClient, body: Any) -> None:
    check(partner.post("/graphql", json=body))
    check(
        partner.post(
            "/graphql",
            content=json.dumps(body)[:-1].encode(),
            headers={"Content-Type": "application/json"},
        )
    )


def test_the_fuzzed_client_does_see_its_own_case(partner: TestClient) -> None:
    """The scope check above is not vacuous: this caller does get data within its scope."""
    answer = partner.post("/graphql", json={"query": '{ referral(id: "ref-a") { id } }'})
    assert answer.json() == {"data": {"referral": {"id": "ref-a"}}}
