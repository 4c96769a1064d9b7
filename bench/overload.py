"""Overload: 128 connections against ``verbund serve`` on the ``city`` demo, with and without
backpressure (api/backpressure.py), in the same run.

    .venv/bin/python bench/overload.py --load     # loads the city demo first (clears the database!)
    .venv/bin/python bench/overload.py            # the city demo is already loaded
    # options: --connections 128, --seconds 20, --limits off,default,4:2:0.5, --hammer

Each limit starts its own ``verbund serve`` (the real command, one uvicorn process) with
VERBUND_MAX_CONCURRENT / VERBUND_MAX_QUEUE set, authenticates with a temporary admin API
token (revoked at the end) and keeps ``--connections`` kept-alive HTTP/1.1 connections busy
for ``--seconds`` (after a short warm-up), each sending the next of a mix of directory
queries as soon as its last answer came; after a 503 it waits ``Retry-After`` seconds as a
well-behaved client does (``--hammer``: 50 ms, a client that ignores the header).

``off`` = no limit in practice (10,000 at work), the state before backpressure: every
request is accepted and waits for a thread and a connection. Reported per limit: accepted
requests/s, their p50/p99/max, the share of 503s, their p50/p99 latency and the share
answered within 50 ms (the others waited VERBUND_MAX_QUEUE_WAIT in the queue before they
were refused), and the CPU seconds the serving process and the local Neo4j used in the
measured window (on a shared machine they vary less than the times), and how late the load
generator's own event loop wakes up (that delay is part of every latency it measures). The
load generator (asyncio, one process) runs on the same machine and takes CPU from the
server; its cost is the same for every limit.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != HERE]

from api.auth.api_tokens import create_token  # noqa: E402
from api.localneo4j import LocalNeo4j, ensure_started  # noqa: E402
from api.settings import get_settings  # noqa: E402
from bench.proc import cpu_seconds  # noqa: E402
from graph import Graph  # noqa: E402
from graph.admin import clear  # noqa: E402
from graph.tokens import revoke_token  # noqa: E402
from graph.write import write_bundle  # noqa: E402

# The mix: the directory's typical reads (bench/graphql.py), from cheap to nested.
QUERIES = [
    (
        """query($area: ID!) { services(filter: {area: $area, includeBroaderAreas: true,
             statuses: [ACTIVE]}, first: 20) { totalCount nodes { id name
             organization { id name } categories { id name } } } }""",
        {"area": "stuttgart-bad-cannstatt"},
    ),
    (
        """query($text: String!) { services(filter: {text: $text}, first: 10) {
             totalCount nodes { id name organization { id name } } } }""",
        {"text": "Beratung"},
    ),
    (
        """query($id: ID!) { organization(id: $id) { id name partners { id name }
             memberships { role network { id name } } locations { id name } } }""",
        {"id": "caritas-stuttgart"},
    ),
    (
        """{ areas(filter: {levels: [DISTRICT]}, first: 23) { nodes { id name
             services(first: 10) { nodes { id name organization { id name } } } } } }""",
        {},
    ),
]


@dataclass
class Tally:
    accepted: list[float] = field(default_factory=list)
    refused: list[float] = field(default_factory=list)
    retry_after: set[str] = field(default_factory=set)
    other: dict[int, int] = field(default_factory=dict)
    failed: int = 0
    # CPU seconds in the measured window: the serving process and the local Neo4j.
    app_cpu: float = float("nan")
    neo4j_cpu: float = float("nan")
    # How late the load generator's own event loop wakes up (it is in every latency).
    lag: list[float] = field(default_factory=list)


def _cpu(pid: int | None) -> float:
    """CPU seconds (user + system) of a process so far; nan when it cannot be read."""
    if pid is None:
        return float("nan")
    try:
        return cpu_seconds(pid)
    except OSError:
        return float("nan")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _serve(port: int, running: int, waiting: int, wait: float) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "VERBUND_MAX_CONCURRENT": str(running),
        "VERBUND_MAX_QUEUE": str(waiting),
        "VERBUND_MAX_QUEUE_WAIT": str(wait),
    }
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "verbund"), "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def _request(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, body: bytes, token: str
) -> tuple[int, dict[str, str]]:
    writer.write(
        b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + f"Authorization: Bearer {token}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    await reader.readexactly(int(headers.get("content-length", "0")))
    return status, headers


async def _connection(
    port: int, token: str, measure_from: float, until: float, tally: Tally, n: int, hammer: bool
) -> None:
    bodies = [json.dumps({"query": q, "variables": v}).encode() for q, v in QUERIES]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i = n
    try:
        while time.monotonic() < until:
            body = bodies[i % len(bodies)]
            i += 1
            sent = time.monotonic()
            try:
                status, headers = await _request(reader, writer, body, token)
            except (OSError, asyncio.IncompleteReadError):
                tally.failed += 1
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                continue
            took = time.monotonic() - sent
            if sent < measure_from:
                continue
            if status == 200:
                tally.accepted.append(took)
            elif status == 503:
                tally.refused.append(took)
                retry_after = headers.get("retry-after", "")
                tally.retry_after.add(retry_after or "fehlt")
                # A well-behaved client waits as told; --hammer: only 50 ms (a client that
                # ignores the header, the worst case for the server).
                await asyncio.sleep(
                    0.05 if hammer or not retry_after.isdigit() else int(retry_after)
                )
            else:
                tally.other[status] = tally.other.get(status, 0) + 1
    finally:
        writer.close()


async def _run(
    port: int,
    token: str,
    connections: int,
    seconds: float,
    warmup: float,
    hammer: bool,
    pids: tuple[int, int | None],
) -> Tally:
    tally = Tally()
    start = time.monotonic()
    measure_from = start + warmup
    until = measure_from + seconds

    async def clock() -> None:
        await asyncio.sleep(warmup)
        app, neo4j = _cpu(pids[0]), _cpu(pids[1])
        while time.monotonic() < until:
            before = time.monotonic()
            await asyncio.sleep(0.01)
            tally.lag.append(time.monotonic() - before - 0.01)
        tally.app_cpu, tally.neo4j_cpu = _cpu(pids[0]) - app, _cpu(pids[1]) - neo4j

    await asyncio.gather(
        clock(),
        *(
            _connection(port, token, measure_from, until, tally, n, hammer)
            for n in range(connections)
        ),
    )
    return tally


def _wait_ready(port: int) -> None:
    import http.client

    for _ in range(300):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit(f"verbund serve auf Port {port} antwortet nicht.")


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0] * 1000
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--load", action="store_true", help="city-Demo vorher laden (leert!)")
    parser.add_argument("--connections", type=int, default=128)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument(
        "--limits",
        default="off,default",
        help="Komma-getrennt: off | default | LAUFEND:WARTEND[:SEKUNDEN] (z. B. 4:4, 4:2:0.5)",
    )
    parser.add_argument(
        "--hammer", action="store_true", help="Retry-After missachten: nach 503 nur 50 ms warten"
    )
    args = parser.parse_args()
    settings = get_settings()
    default = settings.concurrency
    limits: list[tuple[str, int, int, float]] = []
    wait = settings.max_queue_wait_seconds
    for spec in args.limits.split(","):
        if spec == "off":
            limits.append(("aus (10.000 laufend)", 10_000, 0, wait))
        elif spec == "default":
            limits.append((f"Vorgabe {default[0]}:{default[1]}:{wait:g}", *default, wait))
        else:
            running, waiting, *waited = spec.split(":")
            seconds = float(waited[0]) if waited else wait
            limits.append((f"{spec}", int(running), int(waiting), seconds))

    load_before = os.getloadavg()
    with Graph(ensure_started(settings)) as graph:
        if args.load:
            from loaders.demo import generate

            clear(graph)
            write_bundle(graph, generate("city").bundle)
        (row,) = graph.query("MATCH (h:Household) RETURN count(h) AS n")
        if row["n"] < 3000:
            sys.exit("Die city-Demo ist nicht geladen: mit --load starten.")
        record, token = create_token(graph, role="admin", organization_id=None, name="bench")
        neo4j_pid = LocalNeo4j(settings).pid() if settings.uses_local_server else None
        results = []
        try:
            for name, running, waiting, waited in limits:
                port = _free_port()
                server = _serve(port, running, waiting, waited)
                try:
                    _wait_ready(port)
                    tally = asyncio.run(
                        _run(
                            port,
                            token,
                            args.connections,
                            args.seconds,
                            args.warmup,
                            args.hammer,
                            (server.pid, neo4j_pid),
                        )
                    )
                finally:
                    server.terminate()
                    server.wait(15)
                results.append((name, tally))
                print(f"{name}: {len(tally.accepted)} angenommen, {len(tally.refused)} mit 503")
        finally:
            revoke_token(graph, record.id)
    load_after = os.getloadavg()

    print()
    print(
        f"{args.connections} Verbindungen, {args.seconds:.0f} s je Lauf, {os.cpu_count()} Kerne "
        f"({platform.machine()}), Load {load_before[0]:.1f} → {load_after[0]:.1f}, "
        f"Pool {settings.neo4j_pool_size}"
        + (", Retry-After missachtet (--hammer)" if args.hammer else "")
    )
    print(
        "| Grenze (laufend:wartend:Sekunden) | angenommen/s | p50 | p99 | max | 503-Anteil "
        "| 503 p50 | 503 p99 | 503 ≤ 50 ms | Retry-After | CPU App | CPU Neo4j "
        "| Verzug Lastgenerator p50/p99 | andere |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, t in results:
        total = len(t.accepted) + len(t.refused) + sum(t.other.values())
        share = len(t.refused) / total if total else 0.0
        others = ", ".join(f"{k}: {v}" for k, v in sorted(t.other.items())) or "–"
        quick = sum(1 for took in t.refused if took <= 0.05)
        fast = f"{quick / len(t.refused):.0%}" if t.refused else "–"
        if t.failed:
            others += f", {t.failed} Verbindungsfehler"
        print(
            f"| {name} | {len(t.accepted) / args.seconds:.1f} | "
            f"{_pct(t.accepted, 50):.0f} ms | {_pct(t.accepted, 99):.0f} ms | "
            f"{max(t.accepted, default=0) * 1000:.0f} ms | {share:.0%} | "
            f"{_pct(t.refused, 50):.1f} ms | {_pct(t.refused, 99):.1f} ms | {fast} | "
            f"{', '.join(sorted(t.retry_after)) or '–'} | {t.app_cpu:.1f} s | "
            f"{t.neo4j_cpu:.1f} s | {_pct(t.lag, 50):.0f}/{_pct(t.lag, 99):.0f} ms | {others} |"
        )


if __name__ == "__main__":
    main()
