"""Reads are cancelled by the server after VERBUND_QUERY_TIMEOUT_SECONDS and become a typed
error (graph/connection.py), against the real Neo4j."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from api.localneo4j import resolve_config
from api.settings import Settings
from graph import Graph, GraphError, QueryTimeout
from graph.connection import DEFAULT_QUERY_TIMEOUT

SLOW = "UNWIND range(1, 100000000) AS i RETURN sum(i) AS total"


@pytest.fixture
def impatient(graph: Graph) -> Iterator[Graph]:
    with Graph(dataclasses.replace(graph.config, query_timeout=0.2)) as handle:
        yield handle


@pytest.mark.parametrize(
    "read",
    [
        lambda g: g.rows(SLOW),
        lambda g: g.query(SLOW),
        lambda g: g.read(lambda tx: tx.run(SLOW).single()),
    ],
    ids=["rows", "query", "read"],
)
def test_a_slow_read_times_out(impatient: Graph, read: Callable[[Graph], Any]) -> None:
    with pytest.raises(QueryTimeout) as caught:
        read(impatient)
    assert isinstance(caught.value, GraphError)
    assert caught.value.code == "QUERY_TIMEOUT"
    assert str(caught.value).startswith("Die Abfrage hat zu lange gedauert")


def test_fast_reads_are_unaffected(impatient: Graph) -> None:
    assert impatient.rows("RETURN 1 AS one") == [{"one": 1}]


def test_the_timeout_is_a_setting(local_server: object) -> None:
    if local_server is None:
        pytest.skip("NEO4J_URI: the local server's config is not used")
    assert Settings().query_timeout_seconds == DEFAULT_QUERY_TIMEOUT
    configured = Settings(VERBUND_QUERY_TIMEOUT_SECONDS=3)  # type: ignore[call-arg]
    assert resolve_config(configured).query_timeout == 3


def test_the_api_reads_with_it_commands_without(graph: Graph, local_server: object) -> None:
    if local_server is None:
        pytest.skip("NEO4J_URI: the local server's config is not used")
    from starlette.testclient import TestClient

    from api.app import create_app
    from api.cli._common import open_graph

    app = create_app(Settings(VERBUND_QUERY_TIMEOUT_SECONDS=3))  # type: ignore[call-arg]
    with TestClient(app):
        assert app.state.graph.config.query_timeout == 3
    with open_graph() as handle:  # imports, analyses, exports: batch work, not requests
        assert handle.config.query_timeout is None
