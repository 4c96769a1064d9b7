"""GraphQL against hand-written Cypher on the ``city`` demo: p50/p99 latency, throughput, ratio.

    .venv/bin/python bench/graphql.py --load      # loads the city demo first (clears the database!)
    .venv/bin/python bench/graphql.py             # the city demo is already loaded
    .venv/bin/python bench/graphql.py --compare /tmp/old   # also an older checkout of the app

Starts the app with uvicorn on 127.0.0.1 (a free port), authenticates with a temporary admin
API token (revoked at the end), and runs each typical query over HTTP (one kept-alive
connection, the standard library's client: its own cost is not the app's); in the same
run, the equivalent hand-written Cypher goes through the Python driver (``Graph.rows``,
one ``execute_query`` per request, rows taken without ``Record.data()``'s per-value walk,
as the app takes its own) in this process. The three measurements of each query
take turns in rounds, so a change in the machine's load hits all of them alike. Both sides
must return the same ids, or the script stops. It also reports the Cypher round trips each
GraphQL request costs in the schema (the HTTP path adds the token lookup, and an audit
event for household data) and the time of the same request in-process (``schema.execute``,
no HTTP, no authentication). ``--compare DIR`` starts a second app from another checkout
(e.g. ``git archive <commit> | tar -x -C DIR``) on the same database and measures it in the
same rounds, for before/after numbers under the same load.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Run as a script, this file's folder comes first on sys.path, and this file would shadow the
# graphql package (graphql-core) it is named after.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != HERE]

from api.auth.api_tokens import create_token  # noqa: E402
from api.localneo4j import ensure_started  # noqa: E402
from api.settings import get_settings  # noqa: E402
from graph import Graph  # noqa: E402
from graph.admin import clear  # noqa: E402
from graph.tokens import revoke_token  # noqa: E402
from graph.write import write_bundle  # noqa: E402
from schema import Context, schema  # noqa: E402
from schema.principal import SYSTEM  # noqa: E402


@dataclass(frozen=True)
class Case:
    name: str
    document: str
    variables: dict[str, Any]
    cypher: str
    params: dict[str, Any]
    graphql_ids: Callable[[dict[str, Any]], list[str]]
    cypher_ids: Callable[[list[dict[str, Any]]], list[str]]


ACTIVE = ["created", "waitlisted", "accepted", "started"]

CASES = [
    Case(
        "Angebote im Bezirk (samt stadtweiter)",
        """query($area: ID!) { services(filter: {area: $area, includeBroaderAreas: true,
             statuses: [ACTIVE]}, first: 20) {
           totalCount nodes { id name languages capacity capacityUsed
             organization { id name } categories { id name } } } }""",
        {"area": "stuttgart-bad-cannstatt"},
        """MATCH (s:Service) WHERE s.status = 'active' AND (
             EXISTS { (s)-[:SERVES]->(:Area)-[:PART_OF*0..]->(:Area {id: $area}) }
             OR EXISTS { (:Area {id: $area})-[:PART_OF*1..]->(:Area)<-[:SERVES]-(s) })
           WITH s ORDER BY toLower(s.name), s.id
           WITH collect(s) AS found
           UNWIND found[0..20] AS s
           RETURN size(found) AS total, s {.id, .name, .languages, .capacity, .capacity_used,
             organization: head([(o:Organization)-[:PROVIDES]->(s) | o {.id, .name}]),
             categories: [(s)-[:IN_CATEGORY]->(c:Category) | c {.id, .name}]} AS s""",
        {"area": "stuttgart-bad-cannstatt"},
        lambda d: [n["id"] for n in d["services"]["nodes"]],
        lambda rows: [r["s"]["id"] for r in rows],
    ),
    Case(
        "Volltextsuche",
        """query($text: String!) { services(filter: {text: $text}, first: 10) {
           totalCount nodes { id name organization { id name } } } }""",
        {"text": "Beratung"},
        """CALL db.index.fulltext.queryNodes('directory_text', $q) YIELD node
           WITH node AS s WHERE s:Service
           WITH s ORDER BY toLower(s.name), s.id
           WITH collect(s) AS found
           UNWIND found[0..10] AS s
           RETURN size(found) AS total, s {.id, .name,
             organization: head([(o:Organization)-[:PROVIDES]->(s) | o {.id, .name}])} AS s""",
        {"q": "Beratung*"},
        lambda d: [n["id"] for n in d["services"]["nodes"]],
        lambda rows: [r["s"]["id"] for r in rows],
    ),
    Case(
        "Bezirke > Angebote > Träger > Vereinbarungen",
        """{ areas(filter: {levels: [DISTRICT]}, first: 23) { nodes { id name
             services(first: 10) { nodes { id name
               organization { id name agreements { id title priorityAccess } } } } } } }""",
        {},
        """MATCH (a:Area {level: 'district'})
           WITH a ORDER BY toLower(a.name), a.id LIMIT 23
           CALL (a) {
             MATCH (a)<-[:PART_OF*0..]-(:Area)<-[:SERVES]-(s:Service)
             WITH DISTINCT s ORDER BY toLower(s.name), s.id LIMIT 10
             RETURN collect(s {.id, .name,
               organization: head([(o:Organization)-[:PROVIDES]->(s) | o {.id, .name,
                 agreements: [(o)-[:PARTY_TO]->(g:Agreement) | g {.id, .title,
                                                                   .priority_access}]}])})
               AS services
           }
           RETURN a.id AS id, a.name AS name, services""",
        {},
        lambda d: [s["id"] for a in d["areas"]["nodes"] for s in a["services"]["nodes"]],
        lambda rows: [s["id"] for r in rows for s in r["services"]],
    ),
    Case(
        "Träger mit Partnern, Verbünden, Standorten",
        """query($id: ID!) { organization(id: $id) { id name
             partners { id name } memberships { role network { id name } }
             locations { id name } agreements { id title } } }""",
        {"id": "caritas-stuttgart"},
        """MATCH (o:Organization {id: $id})
           RETURN o {.id, .name,
             partners: [(o)-[:PARTY_TO]->(:Agreement)<-[:PARTY_TO]-(p:Organization)
                        WHERE p <> o | p {.id, .name}],
             memberships: [(o)-[m:MEMBER_OF]->(w:Network) | {role: m.role,
                                                             network: w {.id, .name}}],
             locations: [(o)-[:HAS_LOCATION]->(l:Location) | l {.id, .name}],
             agreements: [(o)-[:PARTY_TO]->(g:Agreement) | g {.id, .title}]} AS o""",
        {"id": "caritas-stuttgart"},
        lambda d: sorted(x["id"] for x in d["organization"]["locations"]),
        lambda rows: sorted(x["id"] for x in rows[0]["o"]["locations"]),
    ),
    Case(
        "Laufende Überleitungen (Verwaltung)",
        """{ referrals(filter: {statuses: [CREATED, WAITLISTED, ACCEPTED, STARTED]}, first: 20) {
             totalCount nodes { id status createdAt toService { id name } household { id } } } }""",
        {},
        """MATCH (r:Referral) WHERE r.status IN $statuses
           WITH r ORDER BY r.created_at DESC, r.id
           WITH collect(r) AS found
           UNWIND found[0..20] AS r
           RETURN size(found) AS total, r {.id, .status, .created_at,
             service: head([(r)-[:TO_SERVICE]->(s:Service) | s {.id, .name}]),
             household: head([(r)-[:FOR_HOUSEHOLD]->(h:Household) | h.id])} AS r""",
        {"statuses": ACTIVE},
        lambda d: [n["id"] for n in d["referrals"]["nodes"]],
        lambda rows: [r["r"]["id"] for r in rows],
    ),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _measure(
    runs: list[Callable[[], Any]], warmup: int, iterations: int, rounds: int = 10
) -> list[tuple[float, float, float]]:
    """p50 and p99 in ms and sequential requests per second of each run; the runs take
    turns in ``rounds`` so that they share the machine's ups and downs."""
    for run in runs:
        for _ in range(warmup):
            run()
    times: list[list[float]] = [[] for _ in runs]
    spent = [0.0 for _ in runs]
    per_round = max(1, iterations // rounds)
    for _ in range(rounds):
        for i, run in enumerate(runs):
            for _ in range(per_round):
                t = time.perf_counter()
                run()
                elapsed = time.perf_counter() - t
                times[i].append(elapsed)
                spent[i] += elapsed
    return [
        (statistics.median(ts) * 1000, _percentile(ts, 0.99) * 1000, len(ts) / total)
        for ts, total in zip(times, spent, strict=True)
    ]


_LOOP = asyncio.new_event_loop()


def _in_process(graph: Graph, case: Case) -> dict[str, Any]:
    result = _LOOP.run_until_complete(
        schema.execute(
            case.document,
            variable_values=case.variables,
            context_value=Context(graph, principal=SYSTEM),
        )
    )
    assert result.errors is None, result.errors
    data: dict[str, Any] = result.data or {}
    return data


def _roundtrips(graph: Graph, case: Case) -> int:
    before = graph.roundtrips
    _in_process(graph, case)
    return graph.roundtrips - before


def _start(directory: Path, state_dir: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = _free_port()
    env = {**os.environ, "VERBUND_STATE_DIR": str(state_dir)}
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.app:create_served_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
         # The connection idles while the other runs of a round are measured.
         "--timeout-keep-alive", "600"],
        cwd=directory, env=env,
    )  # fmt: skip
    return server, port


def _connect(port: int) -> http.client.HTTPConnection:
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for _ in range(150):
        try:
            client.request("GET", "/health")
            response = client.getresponse()
            response.read()
            if response.status == 200:
                return client
        except OSError:
            client.close()
        time.sleep(0.2)
    sys.exit(f"Die App auf Port {port} antwortet nicht.")


def _poster(
    client: http.client.HTTPConnection, headers: dict[str, str], case: Case
) -> Callable[[], dict[str, Any]]:
    body = json.dumps({"query": case.document, "variables": case.variables})

    def over_http() -> dict[str, Any]:
        client.request("POST", "/graphql", body=body, headers=headers)
        response = client.getresponse()
        answer = json.loads(response.read())
        if response.status != 200 or "errors" in answer:
            sys.exit(f"{case.name}: {answer}")
        data: dict[str, Any] = answer["data"]
        return data

    return over_http


def _fixed_costs(
    client: http.client.HTTPConnection, headers: dict[str, str], graph: Graph, args: Any
) -> list[tuple[str, float]]:
    """p50 of what every GraphQL request pays before its own statement: the HTTP round trip,
    the API-token lookup, GraphQL without data; and one Cypher round trip's floor."""

    def call(method: str, path: str, body: str | None, with_headers: dict[str, str]) -> None:
        client.request(method, path, body=body, headers=with_headers)
        response = client.getresponse()
        response.read()
        if response.status != 200:
            sys.exit(f"{method} {path}: HTTP {response.status}")

    typename = json.dumps({"query": "{ __typename }"})
    runs: dict[str, Callable[[], Any]] = {
        "HTTP: GET / (ohne Token, ohne Datenbank)": lambda: call("GET", "/", None, {}),
        "HTTP + Token-Prüfung: GET / mit API-Token": lambda: call("GET", "/", None, headers),
        "GraphQL ohne Daten: { __typename } mit API-Token": lambda: call(
            "POST", "/graphql", typename, headers
        ),
        "ein Cypher-Round-Trip: RETURN 1 über den Treiber": lambda: graph.query("RETURN 1 AS x"),
    }
    measured = _measure(list(runs.values()), args.warmup, args.iterations)
    return [(name, p50) for name, (p50, _, _) in zip(runs, measured, strict=True)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--load", action="store_true", help="city-Demo vorher laden (leert!)")
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--only", type=int, nargs="*", help="nur diese Abfragen (0-4)")
    parser.add_argument("--compare", type=Path, help="zweite App aus diesem Verzeichnis messen")
    args = parser.parse_args()
    cases = [CASES[i] for i in args.only] if args.only else CASES
    load_before = os.getloadavg()

    settings = get_settings()
    config = ensure_started(settings)
    with Graph(config) as graph:
        if args.load:
            from loaders.demo import generate

            clear(graph)
            write_bundle(graph, generate("city").bundle)
        (row,) = graph.query("MATCH (h:Household) RETURN count(h) AS n")
        if row["n"] < 3000:
            sys.exit("Die city-Demo ist nicht geladen: mit --load starten.")
        record, token = create_token(graph, role="admin", organization_id=None, name="bench")
        servers = [_start(ROOT, settings.state_dir)]
        if args.compare:
            servers.append(_start(args.compare.resolve(), settings.state_dir))
        try:
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            clients = [_connect(port) for _, port in servers]
            rows = []
            for case in cases:
                over_http, *older = [_poster(client, headers, case) for client in clients]

                def in_process(case: Case = case) -> dict[str, Any]:
                    return _in_process(graph, case)

                def by_hand(case: Case = case) -> list[dict[str, Any]]:
                    return graph.rows(case.cypher, case.params)

                expected = case.cypher_ids(by_hand())
                for run in [over_http, in_process, *older]:
                    if case.graphql_ids(run()) != expected:
                        sys.exit(f"{case.name}: GraphQL und Cypher liefern verschiedene Ergebnisse")
                trips = _roundtrips(graph, case)
                measured = _measure(
                    [over_http, in_process, by_hand, *older], args.warmup, args.iterations
                )
                (g50, g99, gtp), (i50, _, _), (c50, c99, ctp), *before = measured
                rows.append((case.name, trips, g50, g99, gtp, i50, c50, c99, ctp, before))
            fixed = _fixed_costs(clients[0], headers, graph, args)
        finally:
            for server, _ in servers:
                server.terminate()
                server.wait(10)
            revoke_token(graph, record.id)

    load_after = os.getloadavg()
    print(
        "| Abfrage | Round Trips | GraphQL p50 | p99 | req/s | in-process p50 "
        "| Cypher p50 | p99 | req/s | p50-Verhältnis (HTTP) | in-process |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, trips, g50, g99, gtp, i50, c50, c99, ctp, _ in rows:
        print(
            f"| {name} | {trips} | {g50:.1f} ms | {g99:.1f} ms | {gtp:.0f} | {i50:.1f} ms | "
            f"{c50:.1f} ms | {c99:.1f} ms | {ctp:.0f} | {g50 / c50:.2f} | {i50 / c50:.2f} |"
        )
    print("\nFeste Kosten je Anfrage (p50, gleicher Lauf):\n")
    print("| Messung | p50 |")
    print("|---|---|")
    for name, p50 in fixed:
        print(f"| {name} | {p50:.2f} ms |")
    floor = fixed[2][1]
    print(
        "\nUntergrenze des Verhältnisses mit exakter Token-Prüfung: (Cypher p50 + "
        "GraphQL ohne Daten) / Cypher p50, auch wenn die GraphQL-Anweisung selbst nichts "
        "mehr kostete als die handgeschriebene:\n"
    )
    print("| Abfrage | Cypher p50 | Untergrenze | gemessen |")
    print("|---|---|---|---|")
    for name, _, g50, _, _, _, c50, _, _, _ in rows:
        print(f"| {name} | {c50:.1f} ms | {(c50 + floor) / c50:.2f} | {g50 / c50:.2f} |")
    if args.compare:
        print(f"\nVergleich mit {args.compare} (gleiche Runden):\n")
        print("| Abfrage | vorher p50 | p99 | Verhältnis zu Cypher | jetzt p50 | Verhältnis |")
        print("|---|---|---|---|---|---|")
        for name, _, g50, _, _, _, c50, _, _, before in rows:
            ((b50, b99, _),) = before
            print(
                f"| {name} | {b50:.1f} ms | {b99:.1f} ms | {b50 / c50:.2f} | "
                f"{g50:.1f} ms | {g50 / c50:.2f} |"
            )
    print(
        f"\nload average {load_before[0]:.1f} before, {load_after[0]:.1f} after "
        f"({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})"
    )


if __name__ == "__main__":
    main()
