"""HSDS import against the CSV bundle import of the same records (issue #15: HSDS ≥ 0.7× the
CSV throughput, memory flat in the file size).

    .venv/bin/python bench/hsds_import.py [--size city] [--copies 1] [--rounds 1]
        [--variants csv,hsds,streamed]

The demo's directory (Sozialräume, Leistungsbereiche, Träger, Standorte, Angebote) is written
once as a CSV bundle and once as HSDS service records (``verbund export --format hsds``);
``--copies N`` repeats the Träger, Standorte and Angebote N times under new ids (a bigger
directory). Each file is imported into an emptied database (Sozialräume loaded first) in a
fresh Python process, so its peak RSS is the import's alone. ``--rounds N`` takes turns
(CSV, HSDS, CSV, HSDS …) so a loaded machine slows both alike. ``--variants`` picks the
imports: the CSV bundle (always, the baseline), HSDS in one pass, HSDS streamed (read twice
and written in parts, loaders/stream_import.py, whatever the file size). Reported: records
per second of each (median over the rounds), the ratio to CSV of each round and of the
medians, and peak RSS (ru_maxrss of the importing process).
It empties the project's local Neo4j (never a NEO4J_URI server unless
VERBUND_BENCH_MAY_CLEAR=1).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from api.localneo4j import ensure_started
from api.settings import get_settings
from graph import Bundle, Graph
from graph.admin import clear
from graph.migrations import migrate
from loaders.demo import generate
from loaders.formats import graph_areas, graph_directory, parse_input
from loaders.hsds.writer import write_hsds
from loaders.importer import run_import
from loaders.stream_import import run_streamed_import
from loaders.tabular.writer import write_csv_folder


def directory(bundle: Bundle, copies: int) -> Bundle:
    """The directory part of the demo, its Träger, Standorte and Angebote ``copies`` times."""
    orgs, locs, services = [], [], []
    for n in range(copies):
        suffix = "" if n == 0 else f"-k{n}"
        orgs += [replace(o, id=o.id + suffix) for o in bundle.organizations]
        locs += [
            replace(
                loc,
                id=loc.id + suffix,
                organization_id=loc.organization_id + suffix if loc.organization_id else None,
            )
            for loc in bundle.locations
        ]
        services += [
            replace(
                s,
                id=s.id + suffix,
                organization_id=s.organization_id + suffix,
                location_ids=tuple(i + suffix for i in s.location_ids),
            )
            for s in bundle.services
        ]
    return Bundle(
        categories=bundle.categories, organizations=orgs, locations=locs, services=services
    )


def import_only(path: Path, streamed: bool) -> int:
    """One import in this process (``streamed``: in parts, loaders/stream_import.py, whatever
    the file size): prints seconds and peak RSS (MB)."""
    settings = get_settings()
    with Graph(ensure_started(settings)) as graph:
        start = time.perf_counter()
        if streamed:
            run_streamed_import(
                graph,
                path,
                source="bench",
                part_size=settings.import_part_size,
                directory=graph_directory(graph),
            )
        else:
            parsed, fmt = parse_input(
                path,
                "auto",
                "bench",
                lookup=graph_areas(graph),
                directory=graph_directory(graph),
            )
            run_import(graph, parsed, source="bench", format=fmt)
        seconds = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{seconds:.3f} {rss:.1f}")
    return 0


def _run(graph: Graph, areas: Path, path: Path, streamed: bool = False) -> tuple[float, float]:
    clear(graph)
    migrate(graph)
    subprocess.run([sys.executable, __file__, "--import-only", str(areas)], check=True)
    command = [sys.executable, __file__, "--import-only", str(path)]
    out = subprocess.run(
        [*command, "--streamed"] if streamed else command,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return float(out[-2]), float(out[-1])


VARIANTS = ("csv", "hsds", "streamed")


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--size", default="city", choices=["small", "city", "large"])
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument(
        "--variants",
        default=",".join(VARIANTS),
        help="csv (bundle), hsds (single pass), streamed (HSDS in parts); comma-separated",
    )
    parser.add_argument("--import-only", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--streamed", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.import_only:
        return import_only(args.import_only, args.streamed)
    variants = [v for v in args.variants.split(",") if v]
    if not variants or any(v not in VARIANTS for v in variants) or "csv" not in variants:
        parser.error(f"--variants: csv und eine Auswahl aus {', '.join(VARIANTS)}")
    settings = get_settings()
    if settings.neo4j_uri and os.environ.get("VERBUND_BENCH_MAY_CLEAR") != "1":
        print(
            "Der Benchmark leert die Datenbank: gegen NEO4J_URI nur mit VERBUND_BENCH_MAY_CLEAR=1"
        )
        return 2
    demo = generate(args.size).bundle
    part = directory(demo, args.copies)
    records = len(part.categories) + len(part.organizations) + len(part.locations)
    records += len(part.services)
    with tempfile.TemporaryDirectory() as tmp, Graph(ensure_started(settings)) as graph:
        root = Path(tmp)
        areas = root / "areas"
        write_csv_folder(Bundle(areas=demo.areas), areas)
        bundle_dir = root / "bundle"
        write_csv_folder(part, bundle_dir)
        hsds = root / "services.ndjson"
        write_hsds(replace(part, areas=demo.areas), hsds)
        sizes = {
            "csv": sum(p.stat().st_size for p in bundle_dir.iterdir()),
            "hsds": hsds.stat().st_size,
            "streamed": hsds.stat().st_size,
        }
        paths = {"csv": bundle_dir, "hsds": hsds, "streamed": hsds}
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in variants}
        for _ in range(args.rounds):
            for name in variants:
                runs[name].append(_run(graph, areas, paths[name], streamed=name == "streamed"))
    print(f"size={args.size} copies={args.copies} records={records} services={len(part.services)}")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    median = {}
    for name, found in runs.items():
        seconds = statistics.median(s for s, _ in found)
        rss = max(r for _, r in found)
        median[name] = seconds
        print(
            f"{name:5} {seconds:8.2f} s  {records / seconds:9.0f} records/s  "
            f"peak RSS {rss:7.1f} MB  file {sizes[name] / 1e6:7.1f} MB"
        )
    for name in variants[1:]:
        rounds = [c / h for (c, _), (h, _) in zip(runs["csv"], runs[name], strict=True)]
        print(f"{name} ratio per round: " + " ".join(f"{r:.2f}" for r in rounds))
        ratio = median["csv"] / median[name]
        print(f"{name} throughput / CSV throughput = {ratio:.2f} (target ≥ 0.7)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
