"""The import's progress bookkeeping: N Träger rows imported into an empty graph three ways, in
the same run, alternating: as the import page does it (batches of 1 000 rows, the ImportRun's
progress written after each batch), the same without the progress writes, and as the CLI
does it (batches of 10 000, progress written). Reports the medians and their ratios: the cost
of the progress writes and of the page's smaller batches.

    .venv/bin/python -P bench/import_progress.py [--rows 20000] [--rounds 3]

It empties the project's local Neo4j (never a NEO4J_URI server unless VERBUND_BENCH_MAY_CLEAR=1).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from unittest import mock

from api.localneo4j import ensure_started
from api.settings import get_settings
from graph import Graph
from graph.admin import clear
from loaders import importer
from loaders.formats import parse_input


def one(graph: Graph, path: Path, batch: int, record: bool) -> float:
    clear(graph)
    parsed, used = parse_input(path, "auto", "bench")
    skip = mock.patch.object(importer, "record_progress", return_value=None)
    started = time.perf_counter()
    if record:
        importer.run_import(graph, parsed, source="bench", format=used, batch_size=batch)
    else:
        with skip:
            importer.run_import(graph, parsed, source="bench", format=used, batch_size=batch)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    settings = get_settings()
    if settings.neo4j_uri and os.environ.get("VERBUND_BENCH_MAY_CLEAR") != "1":
        print("leert die Datenbank: gegen NEO4J_URI nur mit VERBUND_BENCH_MAY_CLEAR=1")
        return 2
    cases = {
        "Seite (1 000, Fortschritt)": (1_000, True),
        "ohne Fortschritt (1 000)": (1_000, False),
        "CLI (10 000, Fortschritt)": (10_000, True),
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    with tempfile.TemporaryDirectory() as folder, Graph(ensure_started(settings)) as graph:
        path = Path(folder) / "traeger.csv"
        lines = ["ID;Träger;Trägerart;Beschreibung"]
        lines += [f"t-{i};Träger {i};frei;Beratung {i}" for i in range(args.rows)]
        path.write_text("\n".join(lines) + "\n", "utf-8")
        for _ in range(args.rounds):
            for name, (batch, record) in cases.items():
                times[name].append(one(graph, path, batch, record))
        clear(graph)
    page = statistics.median(times["Seite (1 000, Fortschritt)"])
    for name, measured in times.items():
        median = statistics.median(measured)
        print(f"{name:28} Median {median:.2f} s, Seite / dies {page / median:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
