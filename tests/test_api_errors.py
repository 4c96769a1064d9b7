"""Errors a client causes are typed and German (issue 14, item 11): variables of the wrong
type, missing variables, unknown enum values and input fields, invalid IDs and dates, syntax
and validation errors and the document limits. None of them is "Interner Fehler", and none
leaves a traceback in the log. Over HTTP against the real app and Neo4j."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

ORGS = "query($f: Int) { organizations(first: $f) { totalCount } }"
CREATE_ORG = "mutation($i: OrganizationInput!) { createOrganization(input: $i) { __typename } }"

CASES: list[tuple[str, str, Any, str, str]] = [
    ("wrong variable type", ORGS, {"f": "abc"}, "BAD_USER_INPUT", "erwartet wird eine ganze Zahl"),
    (
        "missing required variable",
        "query($f: Int!) { organizations(first: $f) { totalCount } }",
        {},
        "BAD_USER_INPUT",
        "Die Variable „$f“",
    ),
    ("number too large", ORGS, {"f": 10**12}, "BAD_USER_INPUT", "außerhalb des erlaubten"),
    (
        "unknown enum value in a variable",
        CREATE_ORG,
        {"i": {"name": "X", "sector": "KAPUTT"}},
        "BAD_USER_INPUT",
        "Den Wert „KAPUTT“ gibt es bei „Sector“ nicht",
    ),
    (
        "unknown enum value in the document",
        'mutation { createOrganization(input: {name: "X", sector: KAPUTT}) { __typename } }',
        None,
        "BAD_USER_INPUT",
        "„KAPUTT“",
    ),
    (
        "invalid ID",
        "query($id: ID!) { service(id: $id) { id } }",
        {"id": {"a": 1}},
        "BAD_USER_INPUT",
        "erwartet wird eine Kennung",
    ),
    (
        "unknown input field in a variable",
        CREATE_ORG,
        {"i": {"nme": "X"}},
        "BAD_USER_INPUT",
        "Das Eingabefeld „nme“ gibt es bei „OrganizationInput“ nicht. Meinten Sie „name“?",
    ),
    (
        "unknown input field in the document",
        'mutation { createOrganization(input: {nme: "X"}) { __typename } }',
        None,
        "BAD_USER_INPUT",
        "Das Eingabefeld „nme“",
    ),
    (
        "invalid date",
        'query($d: Date!) { household(id: "x") { consents { validOn(date: $d) } } }',
        {"d": "morgen"},
        "BAD_USER_INPUT",
        "für „Date“, erwartet z. B. 2026-12-03",
    ),
    (
        "syntax error",
        "{ organizations { ",
        None,
        "GRAPHQL_PARSE_FAILED",
        "Syntaxfehler",
    ),
    (
        "unknown field",
        "{ organizations { nodes { foo } } }",
        None,
        "GRAPHQL_VALIDATION_FAILED",
        "Das Feld „foo“ gibt es beim Typ „Organization“ nicht",
    ),
    (
        "undeclared variable",
        "{ organizations(first: $f) { totalCount } }",
        None,
        "GRAPHQL_VALIDATION_FAILED",
        "nicht deklariert",
    ),
    (
        "variable of the wrong type for its position",
        "query($f: String) { organizations(first: $f) { totalCount } }",
        {"f": "1"},
        "GRAPHQL_VALIDATION_FAILED",
        "hier wird „Int“ erwartet",
    ),
    (
        "too costly",
        "{ organizations(first: 100) { nodes { services(first: 100) { nodes { name } } } } }",
        None,
        "QUERY_TOO_COSTLY",
        "zu aufwendig",
    ),
]


@pytest.fixture
def admin(graph: Any, client_as: Callable[..., TestClient]) -> Iterator[TestClient]:
    with client_as("admin") as client:
        yield client


@pytest.mark.parametrize(
    ("document", "variables", "code", "german"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_client_errors_are_typed_and_german_without_a_traceback(
    admin: TestClient,
    caplog: pytest.LogCaptureFixture,
    document: str,
    variables: Any,
    code: str,
    german: str,
) -> None:
    with caplog.at_level(logging.WARNING):
        answer = admin.post("/graphql", json={"query": document, "variables": variables})
    assert answer.status_code == 200
    body = answer.json()
    assert body["data"] is None
    (error,) = body["errors"]
    assert error["extensions"]["code"] == code
    assert german in error["message"]
    assert "Interner Fehler" not in error["message"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


@pytest.mark.parametrize(
    ("body", "german"),
    [
        ({"variables": {}}, "kein GraphQL-Dokument"),
        ({"query": ORGS, "variables": "x"}, "„variables“ muss ein JSON-Objekt sein"),
    ],
    ids=["no query", "variables not an object"],
)
def test_malformed_requests_are_refused_in_german(
    admin: TestClient, body: dict[str, Any], german: str
) -> None:
    answer = admin.post("/graphql", json=body)
    assert answer.status_code == 400
    assert german in answer.text


def test_a_mutation_over_get_is_refused_in_german(admin: TestClient) -> None:
    answer = admin.get(
        "/graphql",
        params={"query": 'mutation { createOrganization(input: {name: "X"}) { __typename } }'},
        headers={"Accept": "application/json"},
    )
    assert answer.status_code == 400
    assert "Mutationen sind mit GET nicht erlaubt" in answer.text


@pytest.mark.parametrize(
    ("english", "code", "german"),
    [
        (
            "Variable '$x' of required type 'ID!' was not provided.",
            "BAD_USER_INPUT",
            "Die Variable „$x“ (ID!) fehlt",
        ),
        (
            "Field 'CreateReferralInput.household' of required type 'ID!' was not provided.",
            "BAD_USER_INPUT",
            "Das Pflichtfeld „CreateReferralInput.household“ (ID!) fehlt.",
        ),
        (
            "Unknown argument 'frist' on field 'Query.organizations'. Did you mean 'first'?",
            "GRAPHQL_VALIDATION_FAILED",
            "Das Argument „frist“ gibt es beim Feld „Query.organizations“ nicht. "
            "Meinten Sie „first“?",
        ),
        (
            "Field 'organizations' of type 'OrganizationConnection!' must have a selection of "
            "subfields. Did you mean 'organizations { ... }'?",
            "GRAPHQL_VALIDATION_FAILED",
            "fehlt die Auswahl der Unterfelder",
        ),
        (
            "Syntax Error: Unexpected Name 'quer'.",
            "GRAPHQL_PARSE_FAILED",
            "Syntaxfehler: „quer“ ist hier nicht erwartet.",
        ),
        (
            "Something graphql-core may say one day.",
            "GRAPHQL_VALIDATION_FAILED",
            "Das GraphQL-Dokument passt nicht zum Schema",
        ),
    ],
)
def test_messages_are_translated_in_one_place(english: str, code: str, german: str) -> None:
    from schema.messages import translate

    found = translate(english)
    assert found.code == code
    assert german in found.message


def test_http_reasons_are_german_and_ours_stay_as_they_are() -> None:
    from schema.messages import http_reason

    assert http_reason("Unable to parse request body as JSON") == (
        "Der Inhalt der Anfrage ist kein gültiges JSON."
    )
    assert http_reason("Die Anfrage muss ein JSON-Objekt sein.") == (
        "Die Anfrage muss ein JSON-Objekt sein."
    )
