"""Backpressure (api/backpressure.py) on the real app, served by uvicorn, against the real Neo4j.

A request holds its slot from its first byte until its answer, so a client that sends its
body slowly is a genuinely slow request: while it is under way, the slot is taken. The
excess is refused with 503, ``Retry-After`` and a German message; the accepted requests
are answered in full. (Latencies are measured in bench/overload.py, not asserted here.)
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import pytest

from api.app import create_app
from api.settings import Settings
from graph import Graph
from tests.browser.helpers import serve_in_thread

QUERY = json.dumps({"query": "{ serverInfo { edition } }"}).encode()


def _settings(running: int, waiting: int, wait: float = 30.0) -> Settings:
    return Settings(
        VERBUND_MAX_CONCURRENT=running,  # type: ignore[call-arg]
        VERBUND_MAX_QUEUE=waiting,
        VERBUND_MAX_QUEUE_WAIT=wait,
    )


@contextmanager
def _server(graph: Graph, running: int, waiting: int, wait: float = 30.0) -> Iterator[str]:
    with serve_in_thread(create_app(_settings(running, waiting, wait), graph)) as base:
        yield base


def _connection(base: str) -> http.client.HTTPConnection:
    parts = urlsplit(base)
    return http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)


class SlowPost:
    """A GraphQL POST whose body arrives in two parts: the request is under way in between."""

    def __init__(self, base: str, headers: dict[str, str]) -> None:
        self.conn = _connection(base)
        self.conn.putrequest("POST", "/graphql")
        for name, value in {**headers, "Content-Type": "application/json"}.items():
            self.conn.putheader(name, value)
        self.conn.putheader("Content-Length", str(len(QUERY)))
        self.conn.endheaders()
        self.conn.send(QUERY[:10])

    def finish(self) -> tuple[int, dict[str, Any]]:
        self.conn.send(QUERY[10:])
        answer = self.conn.getresponse()
        body = json.loads(answer.read())
        self.conn.close()
        return answer.status, body


def _get(base: str, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], str]:
    conn = _connection(base)
    try:
        conn.request("GET", path, headers=headers)
        answer = conn.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read().decode()
    finally:
        conn.close()


def _post(base: str, headers: dict[str, str]) -> tuple[int, dict[str, str], dict[str, Any]]:
    conn = _connection(base)
    try:
        conn.request("POST", "/graphql", body=QUERY, headers=headers)
        answer = conn.getresponse()
        status, found = answer.status, {k.lower(): v for k, v in answer.getheaders()}
        return status, found, json.loads(answer.read())
    finally:
        conn.close()


def _refused_while(base: str, headers: dict[str, str]) -> tuple[dict[str, str], dict[str, Any]]:
    """Post until the server refuses (the slow request must have been admitted by then)."""
    deadline = time.monotonic() + 10
    while True:
        status, found, body = _post(base, headers)
        if status == 503:
            return found, body
        assert status == 200, body
        assert time.monotonic() < deadline, "nie abgewiesen: keine Begrenzung wirksam"
        time.sleep(0.05)


@pytest.fixture
def token(auth_headers: Callable[..., dict[str, str]]) -> dict[str, str]:
    return {**auth_headers("admin"), "Content-Type": "application/json"}


def test_the_excess_gets_503_with_retry_after_and_the_accepted_one_completes(
    graph: Graph, token: dict[str, str]
) -> None:
    with _server(graph, running=1, waiting=0) as base:
        slow = SlowPost(base, token)
        headers, body = _refused_while(base, token)
        assert headers["retry-after"].isdigit()
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "OVERLOADED"
        assert "ausgelastet" in error["message"]
        assert "erneut versuchen" in error["message"]
        # A browser asking for a page gets the German page with its request id.
        status, page_headers, page = _get(base, "/", {"Accept": "text/html"})
        assert status == 503
        assert page_headers["retry-after"].isdigit()
        assert "Dienst ausgelastet" in page
        assert page_headers["x-request-id"] in page
        assert "Traceback" not in page
        # Health and assets never wait: a load balancer must see the service alive.
        assert _get(base, "/health", {})[0] == 200
        # The slow one was admitted and gets its full answer.
        status, answer = slow.finish()
        assert status == 200
        assert answer["data"]["serverInfo"]["edition"] == "community"
        # Its slot is free again.
        assert _post(base, token)[0] == 200


def test_a_queued_request_waits_for_the_slot_and_beyond_the_queue_is_refused(
    graph: Graph, token: dict[str, str]
) -> None:
    with _server(graph, running=1, waiting=1) as base:
        slow = SlowPost(base, token)
        queued: list[tuple[int, dict[str, str], dict[str, Any]]] = []
        # Admitted requests may slip through until the slow one holds the slot; then one
        # more waits in the queue and the next is refused.
        deadline = time.monotonic() + 10
        while True:
            waiter = threading.Thread(target=lambda: queued.append(_post(base, token)))
            waiter.start()
            waiter.join(timeout=0.5)
            if waiter.is_alive():
                break  # it is waiting for the slot
            assert queued.pop()[0] == 200
            assert time.monotonic() < deadline, "keine Anfrage hat je gewartet"
        status, headers, body = _post(base, token)
        assert status == 503
        assert headers["retry-after"].isdigit()
        assert body["errors"][0]["extensions"]["code"] == "OVERLOADED"
        assert slow.finish()[0] == 200
        waiter.join(timeout=30)
        ((status, _, answer),) = queued
        assert status == 200
        assert answer["data"]["serverInfo"]["edition"] == "community"


def test_a_request_that_waited_too_long_for_a_slot_is_refused(
    graph: Graph, token: dict[str, str]
) -> None:
    with _server(graph, running=1, waiting=4, wait=0.3) as base:
        slow = SlowPost(base, token)
        # Until the slow one holds the slot, posts are answered; then one waits 0.3 s in
        # the queue and is refused instead of waiting for as long as the slow one takes.
        headers, body = _refused_while(base, token)
        assert headers["retry-after"].isdigit()
        assert body["errors"][0]["extensions"]["code"] == "OVERLOADED"
        assert slow.finish()[0] == 200


def test_the_defaults_follow_the_pool(local_server: object) -> None:
    if local_server is None:
        pytest.skip("NEO4J_URI: the local server's config is not used")
    from starlette.testclient import TestClient

    assert _settings(3, 0).concurrency == (3, 0)
    pooled = Settings(VERBUND_NEO4J_POOL_SIZE=20)  # type: ignore[call-arg]
    assert pooled.concurrency == (10, 10)
    app = create_app(pooled)
    with TestClient(app):
        assert app.state.graph.config.pool_size == 20
