"""What the background precompute (graph/analysis/precompute.py) saves the first planner
request after a write.

    .venv/bin/python bench/precompute.py      # loads the city demo (clears the database!)

Interleaved rounds on the ``city`` demo, each after a write (one Träger renamed, a new data
revision): "cold", the request computes the analyses itself, as without the precompute;
"warm", the precompute ran after the write (its worker finished) and the request finds the
result; "in flight", the request arrives just after the precompute started and waits on it.
Reported: p50 per variant, the computations counted, and the ratios to "cold".
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != HERE]

from api.localneo4j import ensure_started  # noqa: E402
from api.settings import Settings  # noqa: E402
from graph import Graph  # noqa: E402
from graph.admin import clear  # noqa: E402
from graph.analysis.cache import AnalysisCache  # noqa: E402
from graph.analysis.precompute import Precompute  # noqa: E402
from graph.write import write_bundle  # noqa: E402
from loaders.demo import generate  # noqa: E402


def rename(graph: Graph, n: int) -> None:
    graph.query(
        "MATCH (o:Organization) WITH o ORDER BY o.id LIMIT 1 SET o.bench = $n",
        {"n": n},
        write=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with Graph(ensure_started(Settings())) as graph:
        clear(graph)
        write_bundle(graph, generate("city").bundle)
        cache = AnalysisCache()
        precompute = Precompute(graph, cache=cache, interval=3600)
        times: dict[str, list[float]] = {"cold": [], "warm": [], "in flight": []}
        step = 0
        print(f"load average before: {os.getloadavg()[0]:.1f}")
        for _ in range(args.rounds):
            for variant in times:
                step += 1
                rename(graph, step)
                if variant == "warm":
                    precompute.check(settled=True)
                    precompute.join()
                elif variant == "in flight":
                    precompute.check(settled=True)
                start = time.perf_counter()
                cache.report(graph)
                times[variant].append(time.perf_counter() - start)
                precompute.join()
        cold = statistics.median(times["cold"])
        for variant, values in times.items():
            p50 = statistics.median(values)
            print(f"{variant:10} p50 {p50 * 1000:9.1f} ms  ratio to cold {p50 / cold:.3f}")
        print(f"computations: {cache.computations} for {step} writes")
        print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
