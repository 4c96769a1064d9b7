"""verbund against @neo4j/graphql and against the HTTP floor, same database, same queries, one run.

    (cd bench/peer && npm ci)                    # once: the peer, pinned by package-lock.json
    .venv/bin/python -m bench.peer --load        # loads the city demo first (clears the database!)
    .venv/bin/python -m bench.peer               # the city demo is already loaded

Three servers read the same Neo4j: verbund (``verbund serve``'s app under uvicorn, with an
API token as every client has one), the peer (Neo4j's own GraphQL library 7.6.3 on Apollo
Server 5, ``bench/peer/server.mjs``, no authentication) and the floor (a bare starlette
endpoint under the same uvicorn running the hand-written statement, ``bench/peer_floor.py``).
For each query of ``bench/peer_cases.py`` the three answers are first checked to hold the
same records; then the sides take turns in rounds (a change in the machine's load hits all
alike): p50/p99 with one connection, throughput with 8 and 32, and the server process's CPU
time per request (throughput in rounds too, the sides taking turns). Statements per request:
verbund's counted by its Graph, the peer's is one by design (it compiles each root field into
one Cypher statement).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from api.auth.api_tokens import create_token
from api.localneo4j import ensure_started
from api.settings import get_settings
from bench.peer_cases import PeerCase, cases
from bench.proc import cpu_seconds
from graph import Graph
from graph.admin import clear
from graph.migrations import migrate
from graph.tokens import revoke_token
from graph.write import write_bundle
from schema import Context, schema
from schema.principal import SYSTEM

ROOT = Path(__file__).resolve().parent.parent
PEER = ROOT / "bench" / "peer"


@dataclass
class Side:
    name: str
    port: int
    path: Callable[[PeerCase], str]
    body: Callable[[PeerCase], bytes]
    headers: dict[str, str]
    process: subprocess.Popen[bytes]

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def ask(self, client: http.client.HTTPConnection, case: PeerCase) -> Any:
        status, answer = self.send(client, case)
        if status != 200 or answer.get("errors"):
            sys.exit(f"{self.name}, {case.name}: HTTP {status} {answer}")
        return answer["data"]

    def send(self, client: http.client.HTTPConnection, case: PeerCase) -> tuple[int, Any]:
        """The HTTP status and the answer; under load verbund may refuse with 503
        ``OVERLOADED`` (api/backpressure.py): counted by the throughput, not fatal."""
        status, answer, _ = self.exchange(client, case)
        return status, answer

    def exchange(
        self, client: http.client.HTTPConnection, case: PeerCase
    ) -> tuple[int, Any, float | None]:
        """As ``send``, with the seconds a refusal asks to wait (``Retry-After``), if any."""
        client.request("POST", self.path(case), body=self.body(case), headers=self.headers)
        response = client.getresponse()
        return response.status, json.loads(response.read()), _retry_after(response)

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.process.pid)


def _retry_after(response: http.client.HTTPResponse) -> float | None:
    value = response.getheader("Retry-After")
    try:
        return None if value is None else max(0.0, float(value))
    except ValueError:
        return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(side: Side, case: PeerCase) -> None:
    for _ in range(300):
        try:
            side.ask(side.connect(), case)
            return
        except (OSError, http.client.HTTPException):
            time.sleep(0.2)
    sys.exit(f"{side.name} antwortet nicht auf Port {side.port}.")


def _uvicorn(factory: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """uvicorn as ``verbund serve`` runs it (loop, parser, no access log; api/cli/serve.py)."""
    from api.cli.serve import serve_options

    options = serve_options()
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", factory, "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "warning", "--timeout-keep-alive", "600",
         "--loop", str(options["loop"]), "--http", str(options["http"]), "--no-access-log"],
        cwd=ROOT, env=env,
    )  # fmt: skip


def _graphql_body(document: Callable[[PeerCase], str]) -> Callable[[PeerCase], bytes]:
    return lambda case: json.dumps({"query": document(case), "variables": case.variables}).encode()


def _latency(sides: list[Side], case: PeerCase, rounds: int, per_round: int) -> list[list[float]]:
    clients = [side.connect() for side in sides]
    times: list[list[float]] = [[] for _ in sides]
    for _ in range(rounds):
        for index, (side, client) in enumerate(zip(sides, clients, strict=True)):
            for _ in range(per_round):
                start = time.perf_counter()
                side.ask(client, case)
                times[index].append((time.perf_counter() - start) * 1000)
    for client in clients:
        client.close()
    return times


@dataclass
class Rate:
    per_second: float  # answered with 200 and without errors
    cpu_ms: float  # server CPU per such answer
    other: Counter[int]  # every other answer by HTTP status (503: refused under load)

    def others(self) -> str:
        return ", ".join(f"{n}× {status}" for status, n in sorted(self.other.items())) or "–"


def _combined(rates: list[Rate]) -> Rate:
    """Rounds of equal length as one measurement: mean rate, CPU weighted by answers."""
    answered = sum(r.per_second for r in rates)
    cpu = sum(r.cpu_ms * r.per_second for r in rates) / answered if answered else 0.0
    return Rate(answered / len(rates), cpu, sum((r.other for r in rates), Counter()))


def _throughput(side: Side, case: PeerCase, connections: int, seconds: float) -> Rate:
    """Answers per second with ``connections`` kept-alive clients, CPU ms per answer, and
    the refusals: a client that gets a 503 (or any other non-200) counts it, waits as its
    ``Retry-After`` asks, and goes on."""
    stop = time.perf_counter() + seconds
    counts = [0] * connections
    others: list[Counter[int]] = [Counter() for _ in range(connections)]

    def client(slot: int) -> None:
        connection = side.connect()
        while time.perf_counter() < stop:
            status, answer, wait = side.exchange(connection, case)
            if status == 200 and not answer.get("errors"):
                counts[slot] += 1
                continue
            others[slot][status] += 1
            if wait is not None:
                # As a well-behaved client does: a refusal's Retry-After is honoured (up to
                # the end of the measurement), not answered by sending again at once.
                time.sleep(max(0.0, min(wait, stop - time.perf_counter())))
        connection.close()

    cpu_before, started = side.cpu_seconds(), time.perf_counter()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed, cpu = time.perf_counter() - started, side.cpu_seconds() - cpu_before
    done = sum(counts)
    return Rate(done / elapsed, cpu * 1000 / max(done, 1), sum(others, Counter()))


def _statements(graph: Graph, case: PeerCase) -> int:
    import asyncio

    context = Context(graph, principal=SYSTEM)
    before = graph.roundtrips
    result = asyncio.run(
        schema.execute(case.verbund, variable_values=case.variables, context_value=context)
    )
    assert not result.errors, result.errors
    return graph.roundtrips - before


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--load", action="store_true", help="city-Demo vorher laden (leert!)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--per-round", type=int, default=40)
    parser.add_argument("--seconds", type=float, default=3.0, help="je Durchsatzmessung")
    parser.add_argument(
        "--throughput-rounds",
        type=int,
        default=3,
        help="Runden je Durchsatzmessung (Seiten im Wechsel)",
    )
    parser.add_argument("--only", nargs="*", help="nur diese Fälle (service, organization, …)")
    args = parser.parse_args()
    if not (PEER / "node_modules" / "@neo4j" / "graphql").is_dir():
        sys.exit("Der Vergleich fehlt: (cd bench/peer && npm ci)")

    settings = get_settings()
    config = ensure_started(settings)
    load_before = os.getloadavg()
    with Graph(config) as graph:
        if args.load:
            from loaders.demo import generate

            clear(graph)
            migrate(graph)  # a fresh state directory has no constraints and indexes yet
            write_bundle(graph, generate("city").bundle)
        all_cases = [c for c in cases(graph) if not args.only or c.key in args.only]
        record, token = create_token(graph, role="coordinator", organization_id=None, name="bench")
        env = {**os.environ, "VERBUND_STATE_DIR": str(settings.state_dir)}
        peer_env = {**env, "NEO4J_URI": config.uri, "NEO4J_USER": config.user,
                    "NEO4J_PASSWORD": config.password}  # fmt: skip
        json_headers = {"Content-Type": "application/json"}
        ports = [_free_port() for _ in range(3)]
        sides = [
            Side("verbund", ports[0], lambda c: "/graphql", _graphql_body(lambda c: c.verbund),
                 {**json_headers, "Authorization": f"Bearer {token}"},
                 _uvicorn("api.app:create_served_app", ports[0], env)),
            Side("@neo4j/graphql", ports[1], lambda c: "/", _graphql_body(lambda c: c.peer),
                 json_headers,
                 subprocess.Popen(["node", "server.mjs", str(ports[1])], cwd=PEER, env=peer_env,
                                  stdout=subprocess.DEVNULL)),
            Side("Untergrenze (HTTP + Cypher)", ports[2], lambda c: f"/floor/{c.key}",
                 lambda c: b"{}", json_headers,
                 _uvicorn("bench.peer_floor:create_floor_app", ports[2], env)),
        ]  # fmt: skip
        try:
            for side in sides:
                _wait_until_up(side, all_cases[0])
            results = []
            for case in all_cases:
                client = [side.connect() for side in sides]
                answers = [side.ask(c, case) for side, c in zip(sides, client, strict=True)]
                ids = [case.verbund_ids(answers[0]), case.peer_ids(answers[1]),
                       case.floor_ids(answers[2])]  # fmt: skip
                if not ids[0] or ids[0] != ids[1] or ids[0] != ids[2]:
                    sys.exit(f"{case.name}: die Antworten enthalten verschiedene Datensätze: {ids}")
                statements = _statements(graph, case)
                times = _latency(sides, case, args.rounds, args.per_round)
                rates: dict[int, list[Rate]] = {}
                for connections in (8, 32):
                    # Rounds, the sides taking turns in each: a slow spell of the machine
                    # (Neo4j's collector, the page cache) falls on all sides alike.
                    rounds = [
                        [_throughput(side, case, connections, args.seconds) for side in sides]
                        for _ in range(args.throughput_rounds)
                    ]
                    rates[connections] = [_combined([r[i] for r in rounds]) for i in range(3)]
                results.append((case, len(ids[0]), statements, times, rates))
            typename = _typename_rates(sides[0], args.seconds)
        finally:
            for side in sides:
                side.process.terminate()
                side.process.wait(10)
            revoke_token(graph, record.id)
    _report(results, typename, load_before, os.getloadavg())


def _typename_rates(verbund: Side, seconds: float) -> list[tuple[int, Rate]]:
    probe = PeerCase("typename", "{ __typename }", "{ __typename }", "", {}, "RETURN 1", {},
                     list, list, list)  # fmt: skip
    return [(c, _throughput(verbund, probe, c, seconds)) for c in (1, 8, 32)]


def _report(results: list[Any], typename: list[tuple[int, Rate]], before: Any, after: Any) -> None:
    print(
        "| Abfrage | Datensätze | Anweisungen verbund / Vergleich | p50 verbund | p50 Vergleich "
        "| p50 Untergrenze | p50 ÷ Vergleich | p50 ÷ Untergrenze "
        "| p99 ÷ p50 verbund / Vergleich / Untergrenze |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for case, records, statements, times, _ in results:
        p50 = [statistics.median(t) for t in times]
        # The tail of every side: whether a long p99 is verbund's or the machine's.
        tails = " / ".join(f"{_pct(t, 0.99) / m:.1f}" for t, m in zip(times, p50, strict=True))
        print(f"| {case.name} | {records} | {statements} / 1 | {p50[0]:.1f} ms | {p50[1]:.1f} ms "
              f"| {p50[2]:.1f} ms | {p50[0] / p50[1]:.2f} | {p50[0] / p50[2]:.2f} "
              f"| {tails} |")  # fmt: skip
    print("\nDurchsatz (Anfragen/s) und CPU des Serverprozesses je Anfrage:\n")
    print("| Abfrage | Verbindungen | verbund | Vergleich | Untergrenze | verbund ÷ Vergleich "
          "| CPU verbund | CPU Vergleich "
          "| andere Antworten verbund / Vergleich / Untergrenze |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for case, _, _, _, rates in results:
        for connections, (v, p, f) in rates.items():
            print(f"| {case.name} | {connections} | {v.per_second:.0f} | {p.per_second:.0f} "
                  f"| {f.per_second:.0f} | {v.per_second / p.per_second:.2f} "
                  f"| {v.cpu_ms:.2f} ms | {p.cpu_ms:.2f} ms "
                  f"| {v.others()} / {p.others()} / {f.others()} |")  # fmt: skip
    print("\n`{ __typename }` mit API-Token (verbund, ein Prozess):\n")
    print("| Verbindungen | Anfragen/s | CPU je Anfrage | andere Antworten |")
    print("|---|---|---|---|")
    for connections, rate in typename:
        print(f"| {connections} | {rate.per_second:.0f} | {rate.cpu_ms:.2f} ms | {rate.others()} |")
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(
        f"\nload average {before[0]:.1f} before, {after[0]:.1f} after "
        f"({stamp}, {os.cpu_count()} Kerne)"
    )


if __name__ == "__main__":
    main()
