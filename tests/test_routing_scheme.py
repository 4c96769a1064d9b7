"""Scale-out path: the routing scheme (``neo4j://``) against the local server, and every read in
a read transaction, so that a cluster or Aura can send reads to its readers (docs/operations.md).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator

import neo4j
import pytest
from starlette.testclient import TestClient

from api.app import create_app
from graph import Graph
from graph.admin import clear
from graph.errors import GraphError
from tests.apikit import load_network

QUERY = "{ organizations(first: 5) { edges { node { id name } } } }"


@pytest.fixture
def routed(graph: Graph) -> Iterator[Graph]:
    clear(graph)
    uri = graph.config.uri
    assert uri.startswith("bolt://"), "the local server is reached by bolt:// by default"
    config = dataclasses.replace(graph.config, uri="neo4j://" + uri.removeprefix("bolt://"))
    with Graph(config) as handle:
        yield handle


def test_the_app_works_over_the_routing_scheme(
    routed: Graph, auth_headers: Callable[..., dict[str, str]]
) -> None:
    load_network(routed)
    headers = auth_headers("coordinator")
    with TestClient(create_app(graph=routed)) as client:
        answer = client.post("/graphql", json={"query": QUERY}, headers=headers).json()
    assert "errors" not in answer
    assert answer["data"]["organizations"]["edges"]


def test_reads_run_in_read_transactions(routed: Graph) -> None:
    """The server refuses a write in a read transaction: proof that ``read`` asks for one
    (a cluster routes those to its readers)."""

    def sneaky_write(tx: neo4j.ManagedTransaction) -> None:
        tx.run("CREATE (:RoutingProbe)").consume()

    with pytest.raises((GraphError, neo4j.exceptions.ClientError)):
        routed.read(sneaky_write)

    def probes(tx: neo4j.ManagedTransaction) -> int:
        return int(tx.run("MATCH (n:RoutingProbe) RETURN count(n) AS n").single(strict=True)["n"])

    assert routed.read(probes) == 0
