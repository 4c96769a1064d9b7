"""Every Neo4j fault becomes one typed answer (graph/errors.py classifies, api/faults.py
translates): real driver errors from a closed port, real constraint and value errors from
the test's Neo4j. No traceback reaches a client, and each fault is logged once with the
request id."""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from api import faults
from graph import ConflictError, Graph
from graph.errors import InvalidValue
from tests.browser.helpers import load_demo
from tests.webclient import sign_in, web_client

SERVICES = "{ services(first: 1) { totalCount } }"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port  # closed again when the socket is: connections are refused


@pytest.fixture(scope="module")
def demo_graph(graph: Graph) -> Graph:
    load_demo(graph, "small")
    return graph


@pytest.fixture
def unreachable(graph: Graph) -> Iterator[Graph]:
    """A handle whose server is gone: the driver's own errors, quickly."""
    config = dataclasses.replace(
        graph.config,
        uri=f"bolt://127.0.0.1:{_closed_port()}",
        connection_timeout=1.0,
        max_transaction_retry_time=0.5,
    )
    with Graph(config) as handle:
        yield handle


@pytest.fixture
def signed_in(demo_graph: Graph) -> Iterator[TestClient]:
    with web_client(demo_graph) as client:
        assert sign_in(client, "fallmanagement").status_code == 303
        yield client


def _fault_lines(caplog: pytest.LogCaptureFixture, request_id: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if request_id in r.getMessage()]


def test_an_unreachable_database_is_503_with_one_log_line_on_graphql_and_pages(
    signed_in: TestClient, unreachable: Graph, caplog: pytest.LogCaptureFixture
) -> None:
    signed_in.app.state.graph = unreachable  # type: ignore[attr-defined]
    with caplog.at_level(logging.INFO):
        answer = signed_in.get(
            "/graphql", params={"query": SERVICES}, headers={"Accept": "application/json"}
        )
        page = signed_in.get("/angebote", params={"q": "Beratung"})
    # GraphQL: the status too, not 200 with an error inside.
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "30"
    (error,) = answer.json()["errors"]
    assert error["extensions"]["code"] == "GRAPH_UNAVAILABLE"
    assert error["message"].startswith("Die Datenbank ist gerade nicht erreichbar.")
    assert "Traceback" not in answer.text
    assert "neo4j" not in answer.text.lower()
    (line,) = _fault_lines(caplog, answer.headers["x-request-id"])
    assert "GRAPH_UNAVAILABLE" in line
    assert "ServiceUnavailable" in line
    # A page: the German error page with the request id.
    assert page.status_code == 503
    assert page.headers["retry-after"] == "30"
    assert "Dienst vorübergehend nicht erreichbar" in page.text
    assert page.headers["x-request-id"] in page.text
    assert "Traceback" not in page.text
    assert len(_fault_lines(caplog, page.headers["x-request-id"])) == 1


def test_a_too_long_value_in_a_mutation_is_never_an_internal_error(
    db: Graph, client_as: Callable[..., TestClient]
) -> None:
    mutation = """mutation($name: String) { createOrganization(input: {name: $name,
        sector: PUBLIC}) { __typename ... on InvalidInput { message } } }"""
    with client_as("admin") as client:
        answer = client.post(
            "/graphql", json={"query": mutation, "variables": {"name": "x" * 40_000}}
        )
    assert "Traceback" not in answer.text
    body = answer.json()
    if answer.status_code == 200:  # refused by the input validation before Neo4j
        assert body["data"]["createOrganization"]["__typename"] == "InvalidInput"
    else:  # refused by Neo4j (property too large for its index): typed, nothing written
        assert answer.status_code == 422
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "INVALID_VALUE"
        assert "zu lang" in error["message"]
    assert db.query("MATCH (o:Organization) WHERE size(o.name) > 10000 RETURN o") == []


def test_a_constraint_violation_is_a_german_conflict_without_the_value(db: Graph) -> None:
    db.query("CREATE (:Organization {id: 'doppelt', name: 'Erster Träger'})", write=True)
    with pytest.raises(ConflictError) as caught:
        db.query("CREATE (:Organization {id: 'doppelt', name: 'Zweiter'})", write=True)
    message = str(caught.value)
    assert message.startswith("Ein Eintrag mit diesem Schlüssel existiert bereits")
    assert "doppelt" not in message  # the driver's text names the value: log only its code
    assert caught.value.neo4j_code == "Neo.ClientError.Schema.ConstraintValidationFailed"
    assert faults.status_of(caught.value.code) == 409
    assert db.query("MATCH (o:Organization {id: 'doppelt'}) RETURN o.name AS name") == [
        {"name": "Erster Träger"}
    ]


def test_a_value_too_large_for_the_index_is_invalid_input_and_nothing_is_written(
    db: Graph,
) -> None:
    with pytest.raises(InvalidValue) as caught:
        db.query(
            "CREATE (:Organization {id: 'lang', name: $name})", {"name": "x" * 40_000}, write=True
        )
    assert "zu lang" in str(caught.value)
    assert caught.value.neo4j_code == "Neo.DatabaseError.Statement.ExecutionFailed"
    assert faults.status_of(caught.value.code) == 422
    assert db.query("MATCH (o:Organization {id: 'lang'}) RETURN o") == []


def test_a_wrong_argument_is_invalid_input(db: Graph) -> None:
    with pytest.raises(InvalidValue):
        db.rows("RETURN range(1, 10, $step) AS r", {"step": 0})


# The driver retries the closed port for its full retry time (5 s and more): `make test` only.
@pytest.mark.slow
def test_the_cli_says_one_german_line_and_exits_75_when_the_database_is_gone() -> None:
    env = {
        **os.environ,
        "NEO4J_URI": f"bolt://127.0.0.1:{_closed_port()}",
        "NEO4J_PASSWORD": "egal",
    }
    done = subprocess.run(
        [str(Path(sys.executable).parent / "verbund"), "status"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 75  # EX_TEMPFAIL: try again later
    assert done.stdout == ""
    assert done.stderr.strip().splitlines() == [
        "Fehler: Die Datenbank ist gerade nicht erreichbar. "
        "Bitte in einigen Minuten erneut versuchen."
    ]
