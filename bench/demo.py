"""Benchmark: generate and write the demo city in each size (clears the configured database!).

    .venv/bin/python bench/demo.py [--sizes small,city,large] [--seed N]

For each size: generation time, first write (everything created), re-write (everything
unchanged), records per second; ratios against the ``small`` write of the same run, so
numbers from different machines compare.
"""

from __future__ import annotations

import argparse
import time

from api.localneo4j import ensure_started
from api.settings import get_settings
from graph import Graph
from graph.admin import clear
from graph.write import write_bundle
from loaders.demo import SIZES, generate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="small,city,large")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    sizes = [s for s in args.sizes.split(",") if s]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown sizes: {', '.join(unknown)}")
    rows: list[tuple[str, int, float, float, float]] = []
    with Graph(ensure_started(get_settings())) as graph:
        for size in sizes:
            clear(graph)
            t0 = time.perf_counter()
            demo = generate(size, args.seed)  # type: ignore[arg-type]
            t1 = time.perf_counter()
            write_bundle(graph, demo.bundle)
            t2 = time.perf_counter()
            again = write_bundle(graph, demo.bundle)
            t3 = time.perf_counter()
            if sum(again.created.values()) or sum(again.changed.values()):
                raise SystemExit(f"{size}: re-write was not a no-op")
            records = sum(demo.bundle.counts().values()) + sum(
                len(r.history) for r in demo.bundle.referrals
            )
            rows.append((size, records, t1 - t0, t2 - t1, t3 - t2))
    base = rows[0][3]
    print(f"{'size':<6} {'records':>8} {'generate s':>11} {'write s':>8} {'rewrite s':>10} "
          f"{'rec/s':>8} {'write x ' + rows[0][0]:>14}")  # fmt: skip
    for size, records, gen, write, rewrite in rows:
        print(f"{size:<6} {records:>8} {gen:>11.2f} {write:>8.2f} {rewrite:>10.2f} "
              f"{records / write:>8.0f} {write / base:>14.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
