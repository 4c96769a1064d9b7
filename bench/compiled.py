"""The compiled read path against the normal execution, in one process, same queries, same run.

    .venv/bin/python -m bench.compiled [--rounds 5] [--per-round 30]

For each query of ``bench/peer_cases.py`` (the city demo must be loaded: ``verbund demo load
--size city``), ``schema.execute`` runs as the API runs it (compiled where the operation
compiles, schema/compiled_run.py) and with the compiled path switched off (resolvers,
look-ahead, graphql-core), in alternating rounds so a change of the machine's load hits both
alike. Reported per request: the median wall time, the process's CPU time (all threads,
including the driver's) and the statements sent; and the ratios. No HTTP, no authentication:
this is the cost of executing the operation only.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import time
from typing import Any

from api.localneo4j import ensure_started
from api.settings import get_settings
from bench.peer_cases import PeerCase, cases
from graph import Graph
from schema import Context, schema
from schema.compiled_run import CompiledReads
from schema.principal import Principal

PRINCIPAL = Principal(subject="bench", role="coordinator", auth_method="token")


def _run(
    graph: Graph, case: PeerCase, compiled: bool, count: int
) -> tuple[list[float], float, int]:
    CompiledReads.enabled = compiled
    walls: list[float] = []
    statements = graph.roundtrips
    cpu = time.process_time()

    async def many() -> None:
        for _ in range(count):
            context = Context(graph, principal=PRINCIPAL)
            start = time.perf_counter()
            result = await schema.execute(
                case.verbund, variable_values=case.variables, context_value=context
            )
            walls.append((time.perf_counter() - start) * 1000)
            assert not result.errors, result.errors
            assert context.compiled == compiled

    asyncio.run(many())
    return (
        walls,
        (time.process_time() - cpu) * 1000 / count,
        (graph.roundtrips - statements) // count,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--per-round", type=int, default=30)
    args = parser.parse_args()
    load = os.getloadavg()
    rows: list[tuple[Any, ...]] = []
    with Graph(ensure_started(get_settings())) as graph:
        for case in cases(graph):
            walls: dict[bool, list[float]] = {True: [], False: []}
            cpus: dict[bool, list[float]] = {True: [], False: []}
            statements: dict[bool, int] = {}
            _run(graph, case, True, 3)
            _run(graph, case, False, 3)
            for _ in range(args.rounds):
                for compiled in (True, False):
                    w, c, s = _run(graph, case, compiled, args.per_round)
                    walls[compiled] += w
                    cpus[compiled].append(c)
                    statements[compiled] = s
            rows.append((case.name, walls, cpus, statements))
    CompiledReads.enabled = True
    print("| Abfrage | Anweisungen kompiliert / normal | p50 kompiliert | p50 normal "
          "| p50 ÷ | CPU kompiliert | CPU normal | CPU ÷ |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for name, walls, cpus, statements in rows:
        p50 = {k: statistics.median(v) for k, v in walls.items()}
        cpu = {k: statistics.median(v) for k, v in cpus.items()}
        print(f"| {name} | {statements[True]} / {statements[False]} | {p50[True]:.1f} ms "
              f"| {p50[False]:.1f} ms | {p50[True] / p50[False]:.2f} | {cpu[True]:.2f} ms "
              f"| {cpu[False]:.2f} ms | {cpu[True] / cpu[False]:.2f} |")  # fmt: skip
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    after = os.getloadavg()
    print(
        f"\nload average {load[0]:.1f} before, {after[0]:.1f} after "
        f"({stamp}, {os.cpu_count()} Kerne)"
    )


if __name__ == "__main__":
    main()
