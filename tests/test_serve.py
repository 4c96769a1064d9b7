"""``verbund serve``: uvicorn's C loop and parser, no access log by default, several workers."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.auth.api_tokens import create_token
from api.cli import main
from api.cli.serve import serve_options
from graph import Graph
from graph.tokens import revoke_token


def test_serve_uses_uvloop_and_httptools_and_no_access_log() -> None:
    """Both are declared dependencies; without them uvicorn's pure-Python ones would serve
    (a third of a small request's cost, bench/README.md)."""
    assert serve_options() == {
        "loop": "uvloop",
        "http": "httptools",
        "log_level": "info",
        "access_log": False,
    }
    assert serve_options(access_log=True)["access_log"] is True
    usage = CliRunner().invoke(main, ["serve", "--help"]).output
    assert "--workers" in usage
    assert "--access-log / --no-access-log" in usage


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def _ask(port: int, token: str) -> tuple[int, object]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    body = json.dumps({"query": "{ __typename }"})
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    connection.request("POST", "/graphql", body=body, headers=headers)
    response = connection.getresponse()
    answer = json.loads(response.read())
    connection.close()
    return response.status, answer


@pytest.mark.slow
def test_serve_with_two_workers_answers_from_two_processes(graph: Graph) -> None:
    """Each worker is its own process with its own app (token cache, limits, pool): both
    start, both answer with the same token, and both stop with the server."""
    record, token = create_token(graph, role="coordinator", name="workers")
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "api", "serve", "--port", str(port), "--workers", "2"],
        env={**os.environ, "WEB_CONCURRENCY": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        answered: set[int] = set()
        while time.monotonic() < deadline and (len(_children(server.pid)) < 2 or not answered):
            try:
                status, answer = _ask(port, token)
            except OSError:
                time.sleep(0.3)
                continue
            assert (status, answer) == (200, {"data": {"__typename": "Query"}})
            answered.add(status)
        assert answered, "der Server hat nicht geantwortet"
        workers = _children(server.pid)
        # uvicorn's supervisor keeps one process per worker (multiprocessing may add its
        # resource tracker, which is not a Python worker of the app).
        serving = [pid for pid in workers if "--multiprocessing-fork" in _cmdline(pid)]
        assert len(serving) == 2, [_cmdline(pid) for pid in workers]
        for _ in range(20):
            assert _ask(port, token)[0] == 200
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
        revoke_token(graph, record.id)


def _cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
