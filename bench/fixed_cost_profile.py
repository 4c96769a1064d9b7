"""Where a small request's time goes inside the app: ``{ __typename }`` with an API token,
sent straight to the ASGI app (no socket, no uvicorn), under cProfile.

    .venv/bin/python -m bench.fixed_cost_profile [--requests 5000] [--top 40] [--sort tottime]

Prints the app's own CPU time per request (without the profiler, best of three) and the
profile's top entries. The HTTP server's share is what bench/fixed_cost.py measures on top.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import pstats
import time
from typing import Any

from api.app import create_app
from api.auth.api_tokens import create_token
from api.localneo4j import ensure_started
from api.settings import get_settings
from graph import Graph
from graph.tokens import revoke_token


async def _drive(app: Any, token: str, requests: int, query: str) -> float:
    body = json.dumps({"query": query}).encode()
    headers = [
        (b"host", b"127.0.0.1:8000"),
        (b"content-type", b"application/json"),
        (b"authorization", f"Bearer {token}".encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    # CPU time, not wall time: on a shared machine the wall clock mostly measures the others.
    started = time.process_time()
    for _ in range(requests):
        await app(dict(scope), receive, send)
    elapsed = time.process_time() - started
    if set(statuses) != {200}:
        raise SystemExit(f"Antworten: {sorted(set(statuses))}")
    return elapsed / requests


async def _lifespan(app: Any, body: Any) -> Any:
    """Run ``body`` inside the app's lifespan (the graph lives there)."""
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    started = asyncio.Event()
    await queue.put({"type": "lifespan.startup"})

    async def receive() -> dict[str, Any]:
        return await queue.get()

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "lifespan.startup.complete":
            started.set()

    task = asyncio.create_task(app({"type": "lifespan", "state": {}}, receive, send))
    await started.wait()
    try:
        return await body()
    finally:
        await queue.put({"type": "lifespan.shutdown"})
        await task


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument("--query", default="{ __typename }")
    args = parser.parse_args()
    settings = get_settings()
    with Graph(ensure_started(settings)) as graph:
        record, token = create_token(graph, role="coordinator", name="bench-profile")
        try:
            app = create_app(settings, tune_gc=True)

            async def measure() -> None:
                await _drive(app, token, 200, args.query)  # warm: caches, token
                best = min([await _drive(app, token, args.requests, args.query) for _ in range(3)])
                rate = f"{1 / best:,.0f}/s auf einem Kern"
                print(f"App allein: {best * 1e6:.0f} µs CPU je Anfrage ({rate})")
                profile = cProfile.Profile()
                profile.enable()
                await _drive(app, token, args.requests, args.query)
                profile.disable()
                stats = pstats.Stats(profile)
                stats.sort_stats(args.sort).print_stats(args.top)

            asyncio.run(_lifespan(app, measure))
        finally:
            revoke_token(graph, record.id)


if __name__ == "__main__":
    main()
