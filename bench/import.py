"""Import benchmark: the ``large`` demo through the batched path, and in the same run a naive
row-by-row MERGE baseline on a sample; reports rows per second and their ratio.

    .venv/bin/python bench/import.py [--size large] [--sample-households 1500] [--parallel 2]

It empties the project's local Neo4j (never a NEO4J_URI server unless VERBUND_BENCH_MAY_CLEAR=1).
Rows are nodes written (records plus referral status events); relationships come on top.
Besides wall time each run reports the CPU seconds of this client and of the local Neo4j
server: on a shared machine wall time follows the load, CPU time much less. Also in the same
run, the machine's ceiling: plain CREATEs of the same nodes (ids only, then with their
properties) without relationships, state reads or bookkeeping (graph/bare.py).
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from api.localneo4j import LocalNeo4j, ensure_started
from api.settings import get_settings
from graph import Bundle, Graph
from graph.admin import clear
from graph.bare import Shape, create_bare
from graph.migrations import migrate
from graph.naive import write_row_by_row
from graph.write import DEFAULT_BATCH_SIZE, DEFAULT_PARALLEL, write_bundle
from loaders.bulk import BulkTimes, run_bulk_import
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
    client_cpu: float | None = None
    server_cpu: float | None = None

    @property
    def rate(self) -> float:
        return self.rows / self.seconds


class CpuClock:
    """CPU seconds of this process and, for the project's local server, of Neo4j."""

    def __init__(self, server_pid: int | None) -> None:
        self.server_pid = server_pid
        self.ticks = os.sysconf("SC_CLK_TCK")

    def server(self) -> float | None:
        if self.server_pid is None:
            return None
        try:
            stat = Path(f"/proc/{self.server_pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(stat[11]) + int(stat[12])) / self.ticks

    def timed(self, name: str, rows: int, work: Callable[[], Any]) -> Timing:
        client, server = time.process_time(), self.server()
        start = time.perf_counter()
        work()
        seconds = time.perf_counter() - start
        after = self.server()
        used = after - server if after is not None and server is not None else None
        return Timing(name, rows, seconds, time.process_time() - client, used)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class ImportProcess:
    seconds: float
    parse_seconds: float
    client_cpu: float
    peak_rss_mb: float


def _csv_import_process(folder: Path, clock: CpuClock) -> tuple[ImportProcess, float | None]:
    """Importing ``folder`` in a fresh Python process (so its peak memory is the import's
    alone), and the server's CPU seconds meanwhile."""
    server = clock.server()
    out = subprocess.run(
        [sys.executable, __file__, "--csv-import", str(folder)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    after = clock.server()
    used = after - server if after is not None and server is not None else None
    return ImportProcess(*(float(x) for x in out[-4:])), used


def csv_import_only(folder: Path) -> int:
    with Graph(ensure_started(get_settings())) as graph:
        cpu = time.process_time()
        start = time.perf_counter()
        parsed, fmt = parse_input(folder, "auto", "bench")
        parsed_at = time.perf_counter()
        run_import(graph, parsed, source="bench", format=fmt)
        seconds = time.perf_counter() - start
        cpu = time.process_time() - cpu
    print(f"{seconds:.3f} {parsed_at - start:.3f} {cpu:.3f} {peak_rss_mb():.1f}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="large", choices=["small", "city", "large"])
    parser.add_argument("--sample-households", type=int, default=1500)
    parser.add_argument("--parallel", type=int, default=DEFAULT_PARALLEL)
    parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
    parser.add_argument("--skip-baseline", action="store_true", help="only the batched runs")
    parser.add_argument(
        "--skip-csv", action="store_true", help="no re-write and no CSV import processes"
    )
    parser.add_argument(
        "--skip-bulk", action="store_true", help="no bulk load (neo4j-admin database import)"
    )
    parser.add_argument(
        "--no-warmup", action="store_true", help="time the first statements' planning too"
    )
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
    load_before = os.getloadavg()
    options = {"parallel": args.parallel, "batch_size": args.batch_size}
    with Graph(ensure_started(settings)) as graph:
        clock = CpuClock(None if settings.neo4j_uri else LocalNeo4j(settings).pid())
        migrate(graph)
        demo = generate(args.size)
        bundle = demo.bundle
        rows = node_rows(bundle)
        print(f"{args.size}: {rows} node rows ({bundle.counts()})", flush=True)
        rss_generated = peak_rss_mb()

        warmup = None
        if not args.no_warmup:
            # Query planning happens once per statement and server start, and the JVM compiles
            # its hot paths only after many thousand calls; a server that has run a while has
            # done both. The city demo written (and removed) first keeps them out of the
            # numbers below (the small demo, used before, left the JIT's share in them).
            clear(graph)
            warm_demo = generate("city").bundle
            warmup = clock.timed(
                "warm-up: city demo (query planning, JIT)",
                node_rows(warm_demo),
                lambda: write_bundle(graph, warm_demo, **options),
            )
            print(f"  {warmup.name}: {warmup.seconds:.1f} s", flush=True)

        clear(graph)
        batched = clock.timed(
            "batched write_bundle (empty db)", rows, lambda: write_bundle(graph, bundle, **options)
        )
        print(f"  {batched.name}: {batched.seconds:.1f} s", flush=True)
        runs = ([warmup] if warmup else []) + [batched]
        first = again = None
        if not args.skip_csv:
            first, again = _csv_runs(graph, bundle, clock, rows, runs, options)
        # The ceiling in the same run: what plain CREATEs of the same nodes reach here, with
        # no state reads or bookkeeping (graph/bare.py); the last one with the relationships.
        ceilings = []
        shapes: tuple[tuple[Shape, str], ...] = (
            ("ids", "ids only, no relationships"),
            ("properties", "with their properties, no relationships"),
            ("relationships", "with their properties and relationships"),
        )
        for shape, what in shapes:
            clear(graph)
            ceilings.append(
                clock.timed(
                    f"ceiling: bare CREATE of the same nodes, {what}",
                    rows,
                    partial(create_bare, graph, bundle, shape, **options),
                )
            )
            print(f"  {ceilings[-1].name}: {ceilings[-1].seconds:.1f} s", flush=True)
        runs += ceilings
        bulk = None
        if not args.skip_bulk and not settings.neo4j_uri:
            clear(graph)
            bulk = _bulk_run(graph, bundle, settings, rows)
            runs.append(bulk[0])
            print(f"  {bulk[0].name}: {bulk[0].seconds:.1f} s", flush=True)
    with Graph(ensure_started(settings)) as graph:
        clock.server_pid = LocalNeo4j(settings).pid() if not settings.neo4j_uri else None
        baseline = batched_sample = None
        if not args.skip_baseline:
            small = sample(generate(args.size).bundle, args.sample_households)
            small_rows = node_rows(small)
            clear(graph)
            baseline = clock.timed(
                f"naive row-by-row MERGE (sample: {args.sample_households} households)",
                small_rows,
                lambda: write_row_by_row(graph, small),
            )
            clear(graph)
            batched_sample = clock.timed(
                "batched write_bundle, same sample",
                small_rows,
                lambda: write_bundle(graph, small, **options),
            )
            runs += [baseline, batched_sample]
        clear(graph)
    _print_summary(args, settings, load_before, runs, batched, ceilings, first, again, rows)
    if bulk is not None:
        print(
            f"bulk load: files {bulk[1].files:.1f} s, neo4j-admin {bulk[1].tool:.1f} s, "
            f"rest (stop, start, schema, run record) "
            f"{bulk[1].total - bulk[1].files - bulk[1].tool:.1f} s; "
            f"bulk / batched write: {bulk[0].rate / batched.rate:.2f}"
        )
    print(f"peak RSS: {rss_generated:.0f} MB for generating the demo in this process")
    return 0


def _bulk_run(graph: Graph, bundle: Bundle, settings: Any, rows: int) -> tuple[Timing, BulkTimes]:
    """The bulk first load of the same bundle, end to end (checks, files, server stopped,
    neo4j-admin, started, schema, run recorded); the bundle's CSV folder parsed first,
    untimed, as ``verbund import --bulk`` would."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "bundle"
        write_csv_folder(bundle, folder)
        parsed, fmt = parse_input(folder, "auto", "bench")
        client = time.process_time()
        start = time.perf_counter()
        _, times = run_bulk_import(
            graph,
            parsed,
            source="bench",
            format=fmt,
            load=LocalNeo4j(settings).offline_import,
            workdir=Path(tmp),
        )
        seconds = time.perf_counter() - start
    timing = Timing(
        "bulk load: neo4j-admin database import incl. stop/start/schema (empty db)",
        rows,
        seconds,
        time.process_time() - client,
        None,
    )
    return timing, times


def _csv_runs(
    graph: Graph,
    bundle: Bundle,
    clock: CpuClock,
    rows: int,
    runs: list[Timing],
    options: dict[str, Any],
) -> tuple[ImportProcess, ImportProcess]:
    noop = clock.timed(
        "batched re-write (no-op)", rows, lambda: write_bundle(graph, bundle, **options)
    )
    print(f"  {noop.name}: {noop.seconds:.1f} s", flush=True)
    runs.append(noop)
    if True:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "large"
            write_csv_folder(bundle, folder)
            size_mb = sum(p.stat().st_size for p in folder.iterdir()) / 2**20
            clear(graph)
            first, first_server = _csv_import_process(folder, clock)
            again, again_server = _csv_import_process(folder, clock)
    full = Timing(
        f"CSV import: parse+validate+plan+write ({size_mb:.0f} MB)",
        rows,
        first.seconds,
        first.client_cpu,
        first_server,
    )
    reimport = Timing("CSV re-import (no-op)", rows, again.seconds, again.client_cpu, again_server)
    print(f"  {full.name}: {full.seconds:.1f} s", flush=True)
    runs += [full, reimport]
    return first, again


def _print_summary(
    args: argparse.Namespace,
    settings: Any,
    load_before: tuple[float, float, float],
    runs: list[Timing],
    batched: Timing,
    ceilings: list[Timing],
    first: ImportProcess | None,
    again: ImportProcess | None,
    rows: int,
) -> None:
    print()
    print(
        f"{socket.gethostname()}, {os.cpu_count()} cores, load average before "
        f"{load_before[0]:.1f}, after {os.getloadavg()[0]:.1f}; Neo4j heap "
        f"{settings.neo4j_heap}, page cache {settings.neo4j_pagecache}; "
        f"parallel {args.parallel}, batch size {args.batch_size}"
    )
    print()
    print("| run | rows | seconds | rows/s | client CPU s | server CPU s |")
    print("|---|---:|---:|---:|---:|---:|")
    for t in runs:
        print(
            f"| {t.name} | {t.rows:,} | {t.seconds:.1f} | {t.rate:,.0f} "
            f"| {_cpu(t.client_cpu)} | {_cpu(t.server_cpu)} |"
        )
    print()
    if first is not None and again is not None:
        print(
            f"CSV import: parse + validate {first.parse_seconds:.1f} s "
            f"({rows / first.parse_seconds:,.0f} rows/s), the rest plan + write; peak RSS "
            f"{first.peak_rss_mb:.0f} MB for the CSV import process, "
            f"{again.peak_rss_mb:.0f} MB for the re-import"
        )
    names = {t.name: t for t in runs}
    baseline = next((t for n, t in names.items() if n.startswith("naive")), None)
    same = names.get("batched write_bundle, same sample")
    if baseline is not None and same is not None:
        ratio = batched.rate / baseline.rate
        print(f"ratio batched/baseline (full write vs sample baseline): {ratio:.1f}x")
        print(f"ratio batched/baseline (same sample): {same.rate / baseline.rate:.1f}x")
    for ceiling in ceilings:
        print(
            f"batched write / {ceiling.name.removeprefix('ceiling: ')}: "
            f"{batched.rate / ceiling.rate:.2f} ({ceiling.rate:,.0f} rows/s)"
        )


def _cpu(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds:.1f}"


if __name__ == "__main__":
    sys.exit(main())
