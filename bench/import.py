"""Import benchmark: the ``large`` demo through the batched path, and in the same run a naive
row-by-row MERGE baseline on a sample; reports rows per second and their ratio.

    .venv/bin/python bench/import.py [--size large] [--sample-households 1500]

It empties the project's local Neo4j (never a NEO4J_URI server unless VERBUND_BENCH_MAY_CLEAR=1).
Rows are nodes written (records plus referral status events); relationships come on top.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from api.localneo4j import ensure_started
from api.settings import get_settings
from graph import Bundle, Graph
from graph.admin import clear
from graph.migrations import migrate
from graph.naive import write_row_by_row
from graph.write import write_bundle
from loaders.demo import generate
from loaders.formats import parse_input
from loaders.importer import run_import
from loaders.tabular.writer import write_csv_folder


def node_rows(bundle: Bundle) -> int:
    events = sum(len(r.history) for r in bundle.referrals)
    counts = bundle.counts()
    return sum(counts.values()) - counts["memberships"] - counts["adjacencies"] + events


def sample(bundle: Bundle, households: int) -> Bundle:
    """The landscape plus the first households and everything that hangs on them."""
    keep = {h.id for h in bundle.households[:households]}
    return Bundle(
        areas=bundle.areas,
        adjacencies=bundle.adjacencies,
        categories=bundle.categories,
        organizations=bundle.organizations,
        locations=bundle.locations,
        services=bundle.services,
        agreements=bundle.agreements,
        networks=bundle.networks,
        memberships=bundle.memberships,
        households=bundle.households[:households],
        needs=[n for n in bundle.needs if n.household_id in keep],
        consents=[c for c in bundle.consents if c.household_id in keep],
        referrals=[r for r in bundle.referrals if r.household_id in keep],
    )


@dataclass
class Timing:
    name: str
    rows: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.rows / self.seconds


def timed(name: str, rows: int, work: Callable[[], Any]) -> Timing:
    start = time.perf_counter()
    work()
    return Timing(name, rows, time.perf_counter() - start)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _csv_import_process(folder: Path) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of importing ``folder`` in a fresh Python process."""
    out = subprocess.run(
        [sys.executable, __file__, "--csv-import", str(folder)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return float(out[-2]), float(out[-1])


def csv_import_only(folder: Path) -> int:
    with Graph(ensure_started(get_settings())) as graph:
        start = time.perf_counter()
        parsed, fmt = parse_input(folder, "auto", "bench")
        run_import(graph, parsed, source="bench", format=fmt)
        seconds = time.perf_counter() - start
    print(f"{seconds:.3f} {peak_rss_mb():.1f}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="large", choices=["small", "city", "large"])
    parser.add_argument("--sample-households", type=int, default=1500)
    parser.add_argument("--csv-import", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.csv_import:
        return csv_import_only(args.csv_import)
    settings = get_settings()
    if settings.neo4j_uri and os.environ.get("VERBUND_BENCH_MAY_CLEAR") != "1":
        print(
            "Der Benchmark leert die Datenbank: gegen NEO4J_URI nur mit VERBUND_BENCH_MAY_CLEAR=1"
        )
        return 2
    with Graph(ensure_started(settings)) as graph:
        migrate(graph)
        demo = generate(args.size)
        bundle = demo.bundle
        rows = node_rows(bundle)
        print(f"{args.size}: {rows} node rows ({bundle.counts()})", flush=True)
        rss_generated = peak_rss_mb()

        clear(graph)
        batched = timed(
            "batched write_bundle (empty db)", rows, lambda: write_bundle(graph, bundle)
        )
        noop = timed("batched re-write (no-op)", rows, lambda: write_bundle(graph, bundle))

        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "large"
            write_csv_folder(bundle, folder)
            size_mb = sum(p.stat().st_size for p in folder.iterdir()) / 2**20
            clear(graph)
            # A fresh process, so its peak memory is the import's alone.
            first = _csv_import_process(folder)
            again = _csv_import_process(folder)
        full = Timing(f"CSV import: parse+validate+plan+write ({size_mb:.0f} MB)", rows, first[0])
        reimport = Timing("CSV re-import (no-op)", rows, again[0])

        small = sample(generate(args.size).bundle, args.sample_households)
        small_rows = node_rows(small)
        clear(graph)
        baseline = timed(
            f"naive row-by-row MERGE (sample: {args.sample_households} households)",
            small_rows,
            lambda: write_row_by_row(graph, small),
        )
        clear(graph)
        batched_sample = timed(
            "batched write_bundle, same sample", small_rows, lambda: write_bundle(graph, small)
        )
        clear(graph)

    print()
    print("| run | rows | seconds | rows/s |")
    print("|---|---:|---:|---:|")
    for t in (batched, noop, full, reimport, baseline, batched_sample):
        print(f"| {t.name} | {t.rows} | {t.seconds:.1f} | {t.rate:,.0f} |")
    print()
    ratio = batched.rate / baseline.rate
    print(f"ratio batched/baseline (full large write vs sample baseline): {ratio:.1f}x")
    print(f"ratio batched/baseline (same sample): {batched_sample.rate / baseline.rate:.1f}x")
    print(f"ratio CSV import/baseline: {full.rate / baseline.rate:.1f}x")
    print(
        f"peak RSS: {rss_generated:.0f} MB for generating the demo in this process; "
        f"{first[1]:.0f} MB for the CSV import process, {again[1]:.0f} MB for the re-import"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
