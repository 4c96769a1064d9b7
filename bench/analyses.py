"""Benchmark of the analysis suite on the demo sizes, with peak memory and a faster betweenness.

    .venv/bin/python bench/analyses.py                 # city and large
    .venv/bin/python bench/analyses.py --sizes city    # one size

For each size the demo is generated and written to the local Neo4j (timed apart), then a fresh
process projects the graph and runs every analysis, reporting wall times and its peak resident
memory (so the generator's memory does not count). Betweenness, the heaviest graph algorithm,
is timed with networkx and with igraph on the same graphs, as a ratio:

- the cooperation network the suite uses (Träger), exact;
- the referral network (households and Träger linked by referrals), a much larger graph:
  exact on ``city``; on ``large`` networkx runs with a sample of pivots (timed, then scaled to
  all nodes, marked as an estimate) while igraph computes it exactly.

Needs ``pip install igraph`` for the comparison (it is skipped without).
WARNING: clears the configured database.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import networkx as nx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.localneo4j import ensure_started  # noqa: E402
from api.settings import get_settings  # noqa: E402
from graph import Graph  # noqa: E402
from graph.admin import clear  # noqa: E402
from graph.analysis import run_analyses  # noqa: E402
from graph.analysis.centrality import igraph_betweenness  # noqa: E402
from graph.analysis.config import DROPPED_REFERRAL_STATUSES  # noqa: E402
from graph.analysis.projection import load_snapshot  # noqa: E402
from graph.analysis.snapshot import Snapshot  # noqa: E402
from graph.write import write_bundle  # noqa: E402


def write_demo(size: str, seed: int) -> dict[str, Any]:
    from loaders.demo import generate

    start = time.perf_counter()
    demo = generate(size, seed)  # type: ignore[arg-type]
    generated = time.perf_counter() - start
    with Graph(ensure_started(get_settings())) as graph:
        clear(graph)
        start = time.perf_counter()
        write_bundle(graph, demo.bundle)
        written = time.perf_counter() - start
    TRUTH_FILE.write_text(demo.truth.to_json(), "utf-8")
    return {"generate_s": generated, "write_s": written, "records": demo.bundle.counts()}


TRUTH_FILE = Path("/tmp/verbund-bench-truth.json")


def against_truth(report: Any) -> dict[str, list[float]]:
    """Precision and recall of every planted kind (the demo written just before)."""
    from loaders.demo import PlantedTruth

    truth = PlantedTruth.from_json(TRUTH_FILE.read_text("utf-8"))
    cases = report.double_support_cases
    pairs: dict[str, tuple[set[Any], frozenset[Any]]] = {
        "gaps": ({(g.area_ids[0], g.category_id) for g in report.gaps}, truth.gaps),
        "duplicate_structures": (
            {frozenset(f.service_ids) for f in report.duplicate_structures},
            truth.duplicate_structures,
        ),
        "double_support": ({(c.household_id, c.category_id) for c in cases}, truth.double_support),
        "uncoordinated_double_support": (
            {(c.household_id, c.category_id) for c in cases if c.uncoordinated},
            truth.uncoordinated_double_support,
        ),
        "duplicate_organizations": (
            {frozenset(f.organization_ids) for f in report.duplicate_records},
            truth.duplicate_organizations,
        ),
        "duplicate_services": (
            {frozenset(f.service_ids) for f in report.duplicate_services},
            truth.duplicate_services,
        ),
        "missing_cooperation": (
            {frozenset(f.organization_ids) for f in report.missing_cooperation},
            truth.missing_cooperation,
        ),
    }
    out: dict[str, list[float]] = {}
    for name, (found, planted) in pairs.items():
        hits = len(found & planted)
        out[name] = [
            hits / len(found) if found else 1.0,
            hits / len(planted) if planted else 1.0,
        ]
    return out


def referral_graph(snapshot: Snapshot) -> nx.Graph:
    """Households and Träger, linked when a household was referred to the Träger's service."""
    org_of = {s.id: s.organization_id for s in snapshot.services}
    g = nx.Graph()
    for r in snapshot.referrals:
        org = org_of.get(r.service_id)
        if org is not None and r.status not in DROPPED_REFERRAL_STATUSES:
            g.add_edge(f"h:{r.household_id}", f"o:{org}")
    return g


def _igraph_betweenness(g: nx.Graph) -> tuple[float, dict[str, float]]:
    start = time.perf_counter()
    values = igraph_betweenness(g)
    if values is None:
        raise ImportError("igraph")
    return time.perf_counter() - start, values


def compare_betweenness(name: str, g: nx.Graph, sample: int | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "graph": name,
        "nodes": g.number_of_nodes(),
        "edges": g.number_of_edges(),
    }
    start = time.perf_counter()
    if sample is None or sample >= g.number_of_nodes():
        reference = nx.betweenness_centrality(g)
        out["networkx_s"] = time.perf_counter() - start
        out["networkx_exact"] = True
    else:
        reference = nx.betweenness_centrality(g, k=sample, seed=7)
        sampled = time.perf_counter() - start
        out["networkx_sample_pivots"] = sample
        out["networkx_sample_s"] = sampled
        out["networkx_s"] = sampled * g.number_of_nodes() / sample  # estimate for exact
        out["networkx_exact"] = False
    try:
        seconds, values = _igraph_betweenness(g)
    except ImportError:
        out["igraph"] = "nicht installiert"
        return out
    out["igraph_s"] = seconds
    out["ratio"] = out["networkx_s"] / seconds if seconds else None
    top_nx = sorted(reference, key=lambda n: -reference[n])[:5]
    top_ig = sorted(values, key=lambda n: -values[n])[:5]
    out["same_top5"] = top_nx == top_ig
    if out["networkx_exact"]:
        out["max_abs_diff"] = max(abs(reference[n] - values[n]) for n in g.nodes)
    return out


def measure(size: str) -> dict[str, Any]:
    """Runs in a fresh process: projection plus the whole suite, then betweenness engines."""
    with Graph(ensure_started(get_settings())) as graph:
        start = time.perf_counter()
        snapshot = load_snapshot(graph)
        projected = time.perf_counter() - start
    start = time.perf_counter()
    report = run_analyses(snapshot)
    analysed = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result: dict[str, Any] = {
        "size": size,
        "projection_s": projected,
        "analyses_s": analysed,
        "suite_s": projected + analysed,
        "per_analysis_s": report.seconds,
        "peak_rss_mib": peak_kib / 1024,
        "snapshot": {
            "areas": len(snapshot.areas),
            "organizations": len(snapshot.organizations),
            "services": len(snapshot.services),
            "needs": len(snapshot.needs),
            "referrals": len(snapshot.referrals),
        },
        "findings": {
            "gaps": len(report.gaps),
            "duplicate_structures": len(report.duplicate_structures),
            "duplicate_records": len(report.duplicate_records),
            "duplicate_services": len(report.duplicate_services),
            "double_support_cases": len(report.double_support_cases),
            "missing_cooperation": len(report.missing_cooperation),
            "weak_spots": len(report.network.findings),
        },
    }
    result["precision_recall"] = against_truth(report)
    referrals = referral_graph(snapshot)
    result["betweenness"] = [
        compare_betweenness("Kooperationsnetz", report.cooperation, None),
        compare_betweenness("Überleitungsnetz", referrals, None if size != "large" else 300),
    ]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["city", "large"])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--output", type=Path, help="Ergebnisse als JSON hierhin schreiben.")
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    results = []
    for size in args.sizes:
        written = write_demo(size, args.seed)
        print(
            f"{size}: generiert {written['generate_s']:.1f} s, geschrieben "
            f"{written['write_s']:.1f} s",
            flush=True,
        )
        proc = subprocess.run(
            [sys.executable, __file__, "--measure", size],
            check=True,
            capture_output=True,
            text=True,
        )
        measured = json.loads(proc.stdout.strip().splitlines()[-1])
        measured.update(written)
        results.append(measured)
        print(
            f"{size}: Projektion {measured['projection_s']:.2f} s, Analysen "
            f"{measured['analyses_s']:.2f} s, zusammen {measured['suite_s']:.2f} s, "
            f"Spitze {measured['peak_rss_mib']:.0f} MiB",
            flush=True,
        )
        pr = measured["precision_recall"]
        exact = all(v == [1.0, 1.0] for v in pr.values())
        print(f"  gegen die gepflanzte Wahrheit: {'exakt' if exact else pr}", flush=True)
        for b in measured["betweenness"]:
            print(
                f"  Betweenness {b['graph']} ({b['nodes']} Knoten, {b['edges']} Kanten): "
                f"networkx {b['networkx_s']:.3f} s"
                + ("" if b.get("networkx_exact") else " (geschätzt aus Stichprobe)")
                + (
                    f", igraph {b['igraph_s']:.3f} s, Faktor {b['ratio']:.0f}"
                    if "igraph_s" in b
                    else ""
                ),
                flush=True,
            )
    if args.output:
        args.output.write_text(json.dumps(results, indent=2, ensure_ascii=False), "utf-8")


if __name__ == "__main__":
    main()
