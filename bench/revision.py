"""What the data revision (graph/revision.py) costs writers: every write transaction the
analyses read ends with one MERGE on a singleton node, whose lock is held until the commit.

    .venv/bin/python bench/revision.py        # clears the configured database!

Interleaved rounds, with and without the bump (``revision.bump_in`` replaced by a no-op in the
same process): writing the ``city`` demo bundle into an empty database (batched, 2 batches in
flight, so the singleton's lock is contended) and 200 single directory writes (one Träger
created per transaction, the shape of a GraphQL mutation). Reported: p50 per variant and the
ratio with ÷ without.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != HERE]

import neo4j  # noqa: E402

from api.localneo4j import ensure_started  # noqa: E402
from api.settings import Settings  # noqa: E402
from graph import Graph, revision  # noqa: E402
from graph.admin import clear  # noqa: E402
from graph.records import Organization  # noqa: E402
from graph.repo.writes import create  # noqa: E402
from graph.write import write_bundle  # noqa: E402
from loaders.demo import generate  # noqa: E402

SINGLE_WRITES = 200


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    bump = revision.bump_in

    def skip(tx: neo4j.ManagedTransaction) -> None:
        return None

    bundle = generate("city").bundle
    with Graph(ensure_started(Settings())) as graph:

        def demo() -> None:
            clear(graph)
            write_bundle(graph, bundle, parallel=2)

        def singles() -> None:
            now = datetime.now(UTC)
            for i in range(SINGLE_WRITES):
                create(graph, Organization(id=f"bench-{time.time_ns()}-{i}", name="Bench"), now)

        runs: dict[str, Callable[[], None]] = {"city demo write": demo, "single writes": singles}
        times: dict[tuple[str, bool], list[float]] = {}
        for _ in range(args.rounds):
            for name, run in runs.items():
                for bumped in (True, False):
                    revision.bump_in = bump if bumped else skip
                    start = time.perf_counter()
                    run()
                    times.setdefault((name, bumped), []).append(time.perf_counter() - start)
        revision.bump_in = bump
        clear(graph)
    for name in runs:
        with_bump = statistics.median(times[(name, True)])
        without = statistics.median(times[(name, False)])
        print(
            f"{name:20} with {with_bump:7.2f} s  without {without:7.2f} s  "
            f"ratio {with_bump / without:.2f}"
        )


if __name__ == "__main__":
    main()
