"""Benchmark: the whole analysis suite on a generated Land (many Gebiete), with igraph ratios.

    .venv/bin/python bench/land.py                  # writes the Land (clears the database!)
    .venv/bin/python bench/land.py --no-load        # the Land written before
    .venv/bin/pip install igraph                    # optional: the igraph side of the ratios

The Land (loaders/demo/land.py: the demo city, the Landkreis Lindenau and ten generated
Gebiete) is written to the configured Neo4j, then a fresh process does what ``verbund
analyse`` does (one projection, every analysis per Gebiet) and reports wall time, CPU
seconds (own and Neo4j's), peak resident memory and the time of every step and kernel.
Peak memory is taken right after the suite, before the comparisons below allocate more.

Then, in the same process and on the same graphs, the heavy kernels are timed with networkx
and igraph: betweenness (exact and with a seeded sample of pivots; the sample's error is
measured against the exact values), Burt's constraint (all nodes, and only the ego networks
of the brokers the report names), connected components and articulation points.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.localneo4j import LocalNeo4j, ensure_started  # noqa: E402
from api.settings import get_settings  # noqa: E402
from bench.proc import cpu_seconds  # noqa: E402
from graph import Graph  # noqa: E402
from graph.admin import clear  # noqa: E402
from graph.analysis.centrality import as_igraph, betweenness_scale, igraph_module  # noqa: E402
from graph.analysis.config import DEFAULT_CONFIG  # noqa: E402
from graph.analysis.parallel import processes_for  # noqa: E402
from graph.analysis.projection import load_snapshot  # noqa: E402
from graph.analysis.scopes import split_snapshot  # noqa: E402
from graph.analysis.suite import AnalysisReport, run_analyses  # noqa: E402
from graph.analysis.weak_spots import cut_sizes  # noqa: E402
from graph.migrations import migrate  # noqa: E402
from graph.write import bundle_rows, write_bundle  # noqa: E402

T = TypeVar("T")

# Brokers above this degree are left out of networkx's constraint (see ``kernels``).
CONSTRAINT_MAX_DEGREE = 300
TRUTH_FILE = Path("/tmp/verbund-bench-land-truth.json")
CITY_SCOPE = "stuttgart"


def _neo4j_cpu() -> float | None:
    """CPU seconds (user + system) the local Neo4j process has used so far."""
    pid = LocalNeo4j(get_settings()).pid()
    if pid is None:
        return None
    return cpu_seconds(pid)


def _own_cpu() -> float:
    """CPU seconds of this process and its ended children (the analyses' worker processes)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def write_land(seed: int, gebiete: int) -> dict[str, Any]:
    from loaders.demo.land import generate_land

    generated_s, land = timed(lambda: generate_land(seed, gebiete=gebiete))
    rows = bundle_rows(land.bundle)
    with Graph(ensure_started(get_settings())) as graph:
        clear(graph)
        # A state directory of its own starts without constraints and indexes: without them
        # every write looks its references up by scanning (minutes per batch on the Land).
        migrate(graph)
        written_s, _ = timed(lambda: write_bundle(graph, land.bundle))
    TRUTH_FILE.write_text(land.truth.to_json(), "utf-8")
    return {
        "generate_s": generated_s,
        "write_s": written_s,
        "rows": rows,
        "records": land.bundle.counts(),
    }


def against_truth(report: AnalysisReport) -> dict[str, list[float]] | None:
    """Precision and recall of the demo city's planted findings, on its Gebiet's report."""
    if not TRUTH_FILE.exists():
        return None
    sys.path.insert(0, str(ROOT / "bench"))
    from analyses import TRUTH_FILE as CITY_TRUTH
    from analyses import against_truth as city_truth

    CITY_TRUTH.write_text(TRUTH_FILE.read_text("utf-8"), "utf-8")
    return city_truth(report.part(CITY_SCOPE))


def kernels(
    name: str, g: nx.Graph, *, exact: bool, sample: int, brokers: Iterable[str]
) -> dict[str, Any]:
    """networkx against igraph on one graph. networkx's betweenness is exact only if ``exact``
    (else sampled, its exact time estimated from the sample); the sample's error is measured
    against the exact values (networkx's, else igraph's, which equal them: first graph)."""
    g = g.subgraph(n for n in g if g.degree(n) > 0).copy()  # as network_structure does
    n = g.number_of_nodes()
    out: dict[str, Any] = {"graph": name, "nodes": n, "edges": g.number_of_edges()}
    ig = igraph_module()
    if ig is not None:
        out["igraph_build_s"], (h, nodes) = timed(lambda: as_igraph(ig, g))
    out["nx_components_s"], parts = timed(lambda: list(nx.connected_components(g)))
    out["components"] = len(parts)
    out["nx_cut_sizes_s"], _ = timed(lambda: cut_sizes(g))
    out["nx_articulation_s"], _ = timed(lambda: list(nx.articulation_points(g)))
    k = min(sample, n)
    out["sample_pivots"] = k
    out["nx_betweenness_sampled_s"], sampled = timed(
        lambda: nx.betweenness_centrality(g, k=k, seed=DEFAULT_CONFIG.weak_spots.seed)
    )
    out["nx_betweenness_estimate_s"] = out["nx_betweenness_sampled_s"] * n / k
    exact_values: dict[str, float] | None = None
    if exact:
        out["nx_betweenness_exact_s"], exact_values = timed(lambda: nx.betweenness_centrality(g))
    if ig is not None:
        out["ig_components_s"], _ = timed(lambda: h.connected_components())
        out["ig_articulation_s"], _ = timed(lambda: h.articulation_points())
        out["ig_betweenness_s"], raw = timed(lambda: h.betweenness(directed=False))
        scale = betweenness_scale(n)
        ig_values = {node: v * scale for node, v in zip(nodes, raw, strict=True)}
        if exact_values is None:
            exact_values = ig_values
        else:
            out["ig_vs_nx_max_abs_diff"] = max(abs(exact_values[x] - ig_values[x]) for x in g)
        out["ig_constraint_s"], ig_constraint = timed(lambda: h.constraint())
    if exact_values is not None:
        top = max(exact_values.values()) or 1.0
        diffs = [abs(sampled[x] - exact_values[x]) for x in g]
        out["sample_max_abs_error"] = max(diffs)
        out["sample_max_error_of_top"] = max(diffs) / top
        best = sorted(g, key=lambda x: (-exact_values[x], x))[:5]
        found = sorted(g, key=lambda x: (-sampled[x], x))[:5]
        out["sample_same_top5"] = best == found
        out["sample_top5_overlap"] = len(set(best) & set(found))
        threshold = DEFAULT_CONFIG.weak_spots.min_broker_betweenness
        out["sample_same_brokers"] = {x for x in best if exact_values[x] >= threshold} == {
            x for x in found if sampled[x] >= threshold
        }
    # networkx's constraint of one node walks its neighbours' neighbours for each neighbour:
    # cubic in its degree, hours for a referring office linked to 2,000 Träger. Compared on
    # the brokers of moderate degree only (their count and degrees are reported).
    egos = [b for b in brokers if b in g and g.degree(b) <= CONSTRAINT_MAX_DEGREE]
    out["constraint_brokers_skipped_degrees"] = sorted(
        g.degree(b) for b in brokers if b in g and g.degree(b) > CONSTRAINT_MAX_DEGREE
    )
    out["nx_constraint_brokers_s"], ego_constraint = timed(lambda: nx.constraint(g, nodes=egos))
    out["constraint_brokers"] = len(egos)
    if ig is not None and egos:
        by_node = dict(zip(nodes, ig_constraint, strict=True))
        out["ig_vs_nx_constraint_max_abs_diff"] = max(
            abs(ego_constraint[x] - by_node[x]) for x in egos
        )
    if n <= 500:  # networkx's constraint is quadratic in a hub's degree: minutes on 2,000
        out["nx_constraint_s"], _ = timed(lambda: nx.constraint(g))
    for kernel in ("components", "articulation", "betweenness", "constraint"):
        nx_key = {
            "betweenness": "nx_betweenness_exact_s" if exact else "nx_betweenness_estimate_s",
        }.get(kernel, f"nx_{kernel}_s")
        ig_key = f"ig_{kernel}_s"
        if kernel == "constraint" and nx_key not in out and egos:
            # networkx's full constraint not run (too slow): its time for the brokers alone
            # against igraph's for every node, a lower bound of the ratio.
            nx_key = "nx_constraint_brokers_s"
        if nx_key in out and ig_key in out and out[ig_key]:
            out[f"ratio_{kernel}"] = out[nx_key] / out[ig_key]
    return out


def measure() -> dict[str, Any]:
    """In a fresh process: what ``verbund analyse`` does, then the kernel comparisons."""
    cpu0, neo0, wall0 = _own_cpu(), _neo4j_cpu(), time.perf_counter()
    with Graph(ensure_started(get_settings())) as graph:
        read_s, snapshot = timed(lambda: load_snapshot(graph))
    neo1 = _neo4j_cpu()
    analyses_s, report = timed(lambda: run_analyses(snapshot))
    wall = time.perf_counter() - wall0
    cpu = _own_cpu() - cpu0
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # The same analyses in worker processes (VERBUND_ANALYSIS_PROCESSES=0), right after:
    # their gain (or loss) as a ratio, their CPU and peak RSS.
    processes = processes_for([p for _, p in split_snapshot(snapshot)], 0)
    cpu1 = _own_cpu()
    workers_s, _ = timed(lambda: run_analyses(snapshot, processes=0))
    workers_cpu = _own_cpu() - cpu1
    worker_peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    split_s, _ = timed(lambda: split_snapshot(snapshot))
    result: dict[str, Any] = {
        "load_average": os.getloadavg(),
        "read_s": read_s,
        "analyses_s": analyses_s,
        "worker_processes": processes,
        "analyses_workers_s": workers_s,
        "analyses_workers_cpu_s": workers_cpu,
        "workers_speedup": analyses_s / workers_s if workers_s else None,
        "worker_peak_rss_mib": worker_peak_mib,
        "total_s": wall,
        "cpu_s": cpu,
        "neo4j_read_cpu_s": None if neo0 is None or neo1 is None else neo1 - neo0,
        "peak_rss_mib": peak_mib,
        "split_s": split_s,
        "per_kernel_s": dict(sorted(report.seconds.items(), key=lambda x: -x[1])),
        "gebiete": len(report.parts) or 1,
        "snapshot": {
            "areas": len(snapshot.areas),
            "organizations": len(snapshot.organizations),
            "services": len(snapshot.services),
            "needs": len(snapshot.needs),
            "referrals": len(snapshot.referrals),
            "agreements": len(snapshot.agreements),
            "networks": len(snapshot.networks),
        },
        "findings": len(report.findings()),
        "precision_recall_city": against_truth(report),
    }
    per_scope = []
    for part in report.parts:
        per_scope.append(
            {
                "scope": part.scope_id,
                "organizations": len(part.snapshot.organizations),
                "referrals": len(part.snapshot.referrals),
                "seconds": round(sum(part.seconds.values()), 3),
                "slowest": max(part.seconds.items(), key=lambda x: x[1]),
            }
        )
    result["per_scope"] = per_scope
    print(json.dumps(result), file=sys.stderr, flush=True)  # the suite's figures first
    whole_land = os.environ.get("VERBUND_BENCH_LAND_KERNELS") != "gebiete"
    # Kernels: the largest Gebiet's cooperation network (exact betweenness with networkx too,
    # for the sample's error) and the whole Land's (networkx sampled and scaled).
    biggest = max(report.parts, key=lambda p: p.cooperation.number_of_nodes())
    sample = DEFAULT_CONFIG.weak_spots.betweenness_sample
    brokers = [f.organization_ids[0] for f in biggest.network.findings if f.spot == "broker"]
    city = report.part(CITY_SCOPE)
    result["kernels"] = [
        kernels(
            f"Kooperationsnetz {CITY_SCOPE}",
            city.cooperation,
            exact=True,
            sample=sample,
            brokers=[f.organization_ids[0] for f in city.network.findings if f.spot == "broker"],
        ),
        kernels(
            f"Kooperationsnetz {biggest.scope_id}",
            biggest.cooperation,
            exact=False,
            sample=sample,
            brokers=brokers,
        ),
    ]
    if whole_land:  # networkx on the 20,000 Träger of the whole Land: tens of minutes
        result["kernels"].append(
            kernels(
                "Kooperationsnetz des Landes (alle Gebiete)",
                report.cooperation,
                exact=False,
                sample=sample,
                brokers=[
                    f.organization_ids[0] for f in report.network.findings if f.spot == "broker"
                ],
            )
        )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--gebiete", type=int, default=10, help="generated Gebiete (plus 2)")
    parser.add_argument("--no-load", action="store_true", help="use the Land written before")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help="write the results as JSON here")
    parser.add_argument(
        "--gebiete-kernels-only",
        action="store_true",
        help="compare networkx and igraph on the city's and the largest Gebiet's network only "
        "(not on the whole Land's: tens of minutes with networkx)",
    )
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure()))
        return
    results: dict[str, Any] = {}
    if not args.no_load:
        results["load"] = write_land(args.seed, args.gebiete)
        load = results["load"]
        print(
            f"Land: {load['rows']} Zeilen, erzeugt in {load['generate_s']:.1f} s, "
            f"geschrieben in {load['write_s']:.1f} s",
            flush=True,
        )
    # The Land's read takes longer than the default limit for one request on a busy machine.
    env = {**os.environ, "VERBUND_ANALYSIS_TIMEOUT_SECONDS": "3600"}
    if args.gebiete_kernels_only:
        env["VERBUND_BENCH_LAND_KERNELS"] = "gebiete"
    # stderr passes through: the suite's figures show as soon as they are known.
    proc = subprocess.run(
        [sys.executable, __file__, "--measure"],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    measured = json.loads(proc.stdout.strip().splitlines()[-1])
    results["measure"] = measured
    print(json.dumps(measured, indent=2, ensure_ascii=False))
    if args.output:
        args.output.write_text(json.dumps(results, indent=2, ensure_ascii=False), "utf-8")


if __name__ == "__main__":
    main()
