"""Fixed cost per HTTP request: ``{ __typename }`` with an API token against the HTTP floor.

    .venv/bin/python -m bench.fixed_cost                     # this checkout, the floor
    .venv/bin/python -m bench.fixed_cost --baseline ../old   # plus another checkout ("vorher")
    .venv/bin/python -m bench.fixed_cost --workers 1,2 --query directory

Each variant is a server process started the way ``verbund serve`` starts it (uvicorn with
the app factory) on a free port: verbund of this checkout; optionally verbund of another
checkout of the repository (``--baseline``: its code first on the import path, the same
virtualenv and the same Neo4j), which gives before and after in one run; and the floor, a
bare starlette endpoint that returns the same JSON under the same uvicorn settings (no
middleware, no GraphQL, no token). Variants take turns in rounds at each number of
connections, so a change in the machine's load hits all alike.

The load generator is this process: asyncio, kept-alive HTTP/1.1 connections sending the
same prepared request bytes, each the next as soon as its answer came. It counts answers by
HTTP status (verbund's backpressure answers 503 ``OVERLOADED`` when more requests come at
once than it lets work or wait, api/backpressure.py); only 200s count as served. On this
2-core machine the generator needs CPU too: reported are its own CPU share and the server
processes' CPU time per answered request (user + system of the server and its workers),
which depends less on the machine's load than requests per second do.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.proc import cpu_seconds

ROOT = Path(__file__).resolve().parent.parent

QUERIES = {
    "typename": ("{ __typename }", {}),
    # One directory read: the area's active services with their Träger (bench/overload.py).
    "directory": (
        """query($area: ID!) { services(filter: {area: $area, includeBroaderAreas: true,
             statuses: [ACTIVE]}, first: 20) { totalCount nodes { id name
             organization { id name } categories { id name } } } }""",
        {"area": "stuttgart-bad-cannstatt"},
    ),
}


@dataclass
class Variant:
    name: str
    port: int
    path: str
    body: bytes
    headers: dict[str, str]
    process: subprocess.Popen[bytes]

    def request_bytes(self) -> bytes:
        head = [f"POST {self.path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        head += [f"{k}: {v}" for k, v in self.headers.items()]
        head.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(head) + "\r\n\r\n").encode() + self.body

    def cpu_by_process(self) -> dict[int, float]:
        """User + system time of the server process and each of its children (the workers)."""
        return {pid: _cpu_seconds(pid) for pid in _tree(self.process.pid)}


@dataclass
class Tally:
    seconds: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    # Seconds of each answered exchange (send to last byte), for p50/p99.
    latencies: list[float] = field(default_factory=list)
    # CPU seconds per server process: with several workers, whether both had work.
    by_process: Counter[int] = field(default_factory=Counter)

    @property
    def ok(self) -> int:
        return self.statuses[200]


def _cpu_seconds(pid: int) -> float:
    try:
        return cpu_seconds(pid)
    except FileNotFoundError:
        return 0.0


def _tree(pid: int) -> list[int]:
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = task / "children"
        if children.exists():
            for child in children.read_text().split():
                found += _tree(int(child))
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> int:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    await reader.readexactly(length)
    return status


async def _load(variant: Variant, connections: int, seconds: float) -> Tally:
    request = variant.request_bytes()
    tally = Tally()
    opened = [await asyncio.open_connection("127.0.0.1", variant.port) for _ in range(connections)]
    # One exchange per connection first: connection set-up is not part of the window.
    for reader, writer in opened:
        await _exchange(reader, writer, request)
    stop = time.perf_counter() + seconds

    async def client(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        clock = time.perf_counter
        while (sent := clock()) < stop:
            tally.statuses[await _exchange(reader, writer, request)] += 1
            tally.latencies.append(clock() - sent)

    cpu_before, own_before = variant.cpu_by_process(), _own_cpu()
    started = time.perf_counter()
    await asyncio.gather(*(client(r, w) for r, w in opened))
    tally.seconds = time.perf_counter() - started
    for pid, seconds_used in variant.cpu_by_process().items():
        tally.by_process[pid] += seconds_used - cpu_before.get(pid, 0.0)
    tally.server_cpu = sum(tally.by_process.values())
    tally.client_cpu = _own_cpu() - own_before
    for _, writer in opened:
        writer.close()
    return tally


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# Each server in a session of its own: with Linux's autogroup scheduling (on here) the CPU is
# shared fairly between sessions, so a server in the load generator's session would share
# one share with it, and two workers would get no more CPU than one.
_OWN_GROUP: dict[str, Any] = {"start_new_session": True}


def _uvicorn(
    factory: str, port: int, env: dict[str, str], workers: int, old: Path | None = None
) -> subprocess.Popen[bytes]:
    """The server as ``verbund serve`` starts it (api/cli/serve.py), on ``port``; ``old``: a
    checkout of the repository, started with the same options if it has ``serve_options``,
    else as its ``verbund serve`` did (uvicorn's pure-Python loop and parser, access log on)."""
    command = [sys.executable, "-m", "uvicorn", factory, "--factory", "--host", "127.0.0.1",
               "--port", str(port), "--timeout-keep-alive", "600",
               "--workers", str(workers)]  # fmt: skip
    cwd = ROOT
    if old is not None:
        command += ["--app-dir", str(old)]
        cwd = old
        if "def serve_options" not in _text(old / "api" / "cli" / "serve.py"):
            command += ["--loop", "asyncio", "--http", "h11", "--log-level", "info"]
            return subprocess.Popen(
                command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, **_OWN_GROUP
            )
    from api.cli.serve import serve_options

    options = serve_options()
    command += ["--loop", str(options["loop"]), "--http", str(options["http"])]
    command += ["--log-level", str(options["log_level"])]
    if not options["access_log"]:
        command.append("--no-access-log")
    return subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, **_OWN_GROUP)


def _text(path: Path) -> str:
    return path.read_text() if path.exists() else ""


def _wait_until_up(variant: Variant) -> None:
    async def probe() -> int:
        reader, writer = await asyncio.open_connection("127.0.0.1", variant.port)
        try:
            return await _exchange(reader, writer, variant.request_bytes())
        finally:
            writer.close()

    for _ in range(300):
        try:
            status = asyncio.run(probe())
        except OSError:
            time.sleep(0.2)
            continue
        if status != 200:
            sys.exit(f"{variant.name}: HTTP {status} beim Start")
        return
    sys.exit(f"{variant.name} antwortet nicht auf Port {variant.port}.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--baseline", type=Path, help="weiterer Checkout als Variante „vorher“")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=2.0, help="je Messung")
    parser.add_argument("--connections", default="1,8,32")
    parser.add_argument("--workers", default="1", help="z. B. 1,2: je Anzahl eine Variante")
    parser.add_argument("--query", choices=sorted(QUERIES), default="typename")
    parser.add_argument("--no-floor", action="store_true")
    parser.add_argument(
        "--gc", action="store_true", help="auch verbund ohne die GC-Abstimmung (api/heap.py)"
    )
    parser.add_argument("--nice", type=int, default=0, help="Lastgenerator mit os.nice(n)")
    args = parser.parse_args()

    from api.auth.api_tokens import create_token
    from api.localneo4j import ensure_started
    from api.settings import get_settings
    from graph import Graph
    from graph.tokens import revoke_token

    settings = get_settings()
    config = ensure_started(settings)
    load_before = os.getloadavg()
    document, variables = QUERIES[args.query]
    body = json.dumps({"query": document, "variables": variables}).encode()
    env = {**os.environ, "VERBUND_STATE_DIR": str(settings.state_dir)}
    with Graph(config) as graph:
        record, token = create_token(graph, role="coordinator", name="bench-fixed-cost")
        headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        variants: list[Variant] = []
        try:
            for workers in [int(w) for w in args.workers.split(",")]:
                suffix = f", {workers} Worker" if workers > 1 or "," in args.workers else ""
                port = _free_port()
                variants.append(Variant(
                    f"verbund{suffix}", port, "/graphql", body, headers,
                    _uvicorn("api.app:create_served_app", port, env, workers)))  # fmt: skip
                if args.baseline is not None:
                    port = _free_port()
                    old = {**env, "PYTHONPATH": str(args.baseline.resolve())}
                    variants.append(Variant(
                        f"vorher{suffix}", port, "/graphql", body, headers,
                        _uvicorn("api.app:create_served_app", port, old, workers,
                                 args.baseline.resolve())))  # fmt: skip
            if args.gc:
                port = _free_port()
                variants.append(Variant(
                    "verbund, GC unverändert", port, "/graphql", body, headers,
                    _uvicorn("bench.fixed_cost:create_untuned_app", port, env, 1)))  # fmt: skip
            if not args.no_floor and args.query == "typename":
                port = _free_port()
                variants.append(Variant(
                    "Untergrenze (starlette)", port, "/floor", body,
                    {"Content-Type": "application/json"},
                    _uvicorn("bench.fixed_cost:create_floor_app", port, env, 1)))  # fmt: skip
            for variant in variants:
                _wait_until_up(variant)
            if args.nice:
                os.nice(args.nice)
            levels = [int(c) for c in args.connections.split(",")]
            tallies = {(v.name, c): Tally() for v in variants for c in levels}
            for _ in range(args.rounds):
                for connections in levels:
                    for variant in variants:
                        measured = asyncio.run(_load(variant, connections, args.seconds))
                        total = tallies[(variant.name, connections)]
                        total.seconds += measured.seconds
                        total.statuses.update(measured.statuses)
                        total.server_cpu += measured.server_cpu
                        total.client_cpu += measured.client_cpu
                        total.latencies += measured.latencies
                        total.by_process.update(measured.by_process)
        finally:
            for variant in variants:
                variant.process.terminate()
                variant.process.wait(20)
            revoke_token(graph, record.id)
    _report(args, variants, levels, tallies, load_before, os.getloadavg())


def _report(
    args: argparse.Namespace,
    variants: list[Variant],
    levels: list[int],
    tallies: dict[tuple[str, int], Tally],
    before: tuple[float, float, float],
    after: tuple[float, float, float],
) -> None:
    reference = variants[-1].name
    print(f"Abfrage: {args.query}; {args.rounds} Runden × {args.seconds:g} s je Messung\n")
    print("| Variante | Verbindungen | Anfragen/s (200) | andere Antworten | ÷ "
          f"{reference} | CPU Server je Anfrage | p50 | p99 | CPU Lastgenerator "
          "| CPU-Anteile der Prozesse |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|")
    for connections in levels:
        base = tallies[(reference, connections)]
        base_rate = base.ok / base.seconds if base.seconds else 0.0
        for variant in variants:
            tally = tallies[(variant.name, connections)]
            rate = tally.ok / tally.seconds
            other = ", ".join(f"{n}× {s}" for s, n in sorted(tally.statuses.items()) if s != 200)
            per_request = tally.server_cpu * 1e6 / max(tally.ok, 1)
            share = tally.client_cpu / tally.seconds
            busy = [v for v in tally.by_process.values() if v > 0.01 * tally.server_cpu]
            shares = " / ".join(f"{v / tally.server_cpu:.0%}" for v in busy) or "–"
            p50, p99 = _percentile(tally.latencies, 0.5), _percentile(tally.latencies, 0.99)
            print(f"| {variant.name} | {connections} | {rate:,.0f} | {other or '–'} "
                  f"| {rate / base_rate if base_rate else 0:.2f} | {per_request:,.0f} µs "
                  f"| {p50 * 1e6:,.0f} µs | {p99 * 1e6:,.0f} µs "
                  f"| {share:.0%} eines Kerns | {shares} |")  # fmt: skip
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"\nload average {before[0]:.1f} before, {after[0]:.1f} after ({stamp}, "
          f"{os.cpu_count()} cores; sums over the rounds)")  # fmt: skip


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def create_untuned_app() -> object:
    """verbund as served, but the garbage collector left as CPython sets it (``--gc``)."""
    from api.app import create_app

    return create_app(tune_gc=False, precompute=True)


def create_floor_app() -> object:
    """The floor: what verbund answers to ``{ __typename }``, from a bare starlette route."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    answer = b'{"data":{"__typename":"Query"}}'

    async def floor(request: Request) -> Response:
        await request.body()
        return Response(answer, media_type="application/json")

    return Starlette(routes=[Route("/floor", floor, methods=["POST"])])


if __name__ == "__main__":
    main()
