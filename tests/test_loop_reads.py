"""graph/loop_reads.py: the compiled reads' statement on the served app's event loop answers
exactly as ``Graph.rows`` in a worker thread does, and is used only on its own loop."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from api.auth.api_tokens import create_token
from graph import Graph, GraphError
from graph.loop_reads import LoopReads
from schema import Context, schema
from schema.principal import Principal
from tests.apikit import load_small_demo

COORDINATOR = Principal(subject="test-coordinator", role="coordinator", auth_method="token")
DOCUMENT = """{ organizations(first: 5) { totalCount nodes { id name
    services(first: 3) { nodes { id name categories { id name } } } } } }"""


@pytest.fixture(scope="module")
def demo(graph: Graph) -> Graph:
    load_small_demo(graph)
    return graph


def _in_thread(graph: Graph) -> dict[str, Any]:
    context = Context(graph, principal=COORDINATOR)
    result = asyncio.run(schema.execute(DOCUMENT, context_value=context))
    assert result.errors is None
    assert context.compiled
    assert result.data is not None
    return result.data


def test_the_served_app_reads_on_its_loop_and_answers_the_same(
    demo: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    used: list[str] = []
    original = LoopReads.rows

    async def spy(self: LoopReads, cypher: Any, params: Any = None) -> Any:
        used.append(cypher)
        return await original(self, cypher, params)

    monkeypatch.setattr(LoopReads, "rows", spy)
    expected = _in_thread(demo)
    assert used == []  # no app running: the worker thread answered
    _, token = create_token(demo, role="coordinator", name="test-loop-reads")
    with TestClient(create_app(graph=demo)) as client:
        assert demo.loop_reads is not None
        before = demo.roundtrips
        answer = client.post(
            "/graphql", json={"query": DOCUMENT}, headers={"Authorization": f"Bearer {token}"}
        )
        assert answer.status_code == 200
        assert answer.json() == {"data": expected}
        assert len(used) == 1
        assert demo.roundtrips > before
    # Closed with the app: a later caller gets the thread path again (or the reads of an app
    # that ran before, e.g. the browser tests' live server).
    assert demo.loop_reads is None or not demo.loop_reads.here()


def test_an_app_started_later_uses_its_own_loop_reads_and_gives_back(demo: Graph) -> None:
    async def open_reads() -> LoopReads:
        return LoopReads(demo)

    other = asyncio.run(open_reads())  # e.g. a live server's, on another loop
    demo.loop_reads = other
    try:
        with TestClient(create_app(graph=demo)):
            assert demo.loop_reads is not other
            assert demo.loop_reads is not None
        assert demo.loop_reads is other
    finally:
        demo.loop_reads = None


def test_closed_reads_are_not_used(demo: Graph) -> None:
    async def main() -> bool:
        reads = LoopReads(demo)
        await reads.close()
        return reads.here()

    assert asyncio.run(main()) is False


def test_same_rows_and_errors_as_graph_rows(demo: Graph) -> None:
    good = "UNWIND range(1, 3) AS i RETURN {i: i, name: 'x' + toString(i)} AS r"
    wrong = "RETURN 1 / 0 AS r"

    async def main() -> tuple[Any, GraphError]:
        reads = LoopReads(demo)
        try:
            rows = await reads.rows(good)
            with pytest.raises(GraphError) as raised:
                await reads.rows(wrong)
            return rows, raised.value
        finally:
            await reads.close()

    rows, error = asyncio.run(main())
    assert rows == demo.rows(good)
    with pytest.raises(GraphError) as raised:
        demo.rows(wrong)
    assert (type(error), error.code, str(error)) == (
        type(raised.value),
        raised.value.code,
        str(raised.value),
    )


def test_a_write_through_the_other_driver_is_seen(demo: Graph) -> None:
    async def main() -> list[dict[str, Any]]:
        reads = LoopReads(demo)
        try:
            demo.query("CREATE (:LoopReadsProbe {id: 'probe'})", write=True)
            return await reads.rows("MATCH (p:LoopReadsProbe) RETURN p.id AS id")
        finally:
            demo.query("MATCH (p:LoopReadsProbe) DELETE p", write=True)
            await reads.close()

    assert asyncio.run(main()) == [{"id": "probe"}]


def test_reads_of_another_loop_are_not_used(demo: Graph) -> None:
    async def open_reads() -> LoopReads:
        return LoopReads(demo)

    reads = asyncio.run(open_reads())  # its loop is gone now
    demo.loop_reads = reads
    try:
        assert not reads.here()
        _in_thread(demo)  # answered through the worker thread, not the dead loop
    finally:
        demo.loop_reads = None


def test_an_unreachable_server_is_a_graph_error(demo: Graph) -> None:
    from dataclasses import replace

    gone = Graph(replace(demo.config, uri="bolt://127.0.0.1:1", connection_timeout=1.0))

    async def main() -> None:
        reads = LoopReads(gone)
        try:
            await reads.rows("RETURN 1 AS x")
        finally:
            await reads.close()

    try:
        with pytest.raises(GraphError):
            asyncio.run(main())
    finally:
        gone.close()
