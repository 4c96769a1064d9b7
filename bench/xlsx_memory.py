"""XLSX import memory: a generated workbook of about 10 MB imported by ``verbund import`` in a
child process; reports its peak RSS (the issue's target: under 300 MB), and in the same run
the peak RSS of a child that only starts Python and imports the loaders (the baseline every
command pays), and the same workbook's rows read without openpyxl's streaming mode.

    .venv/bin/python bench/xlsx_memory.py [--megabytes 10] [--keep]

It empties the project's local Neo4j (never a NEO4J_URI server unless VERBUND_BENCH_MAY_CLEAR=1).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from api.localneo4j import ensure_started
from api.settings import get_settings
from graph import Graph
from graph.admin import clear

ROWS_PER_STEP = 5_000


def make_workbook(path: Path, megabytes: float) -> int:
    """Organizations with long, varied texts (they compress like real descriptions) until the
    file reaches the size; returns the rows written."""
    rng = random.Random(2026)
    words = [
        "".join(rng.choice("abcdefghijklmnopqrstuvwxyzäöüß") for _ in range(rng.randint(3, 12)))
        for _ in range(5_000)
    ]
    target = megabytes * 1_000_000
    rows = ROWS_PER_STEP
    while True:
        _write(path, rows, words)
        size = path.stat().st_size
        if size >= target:
            return rows
        # Scale by the bytes per row seen so far (a little over, so one more pass suffices).
        rows = int(rows * target / size * 1.02) + 1


def _write(path: Path, rows: int, words: list[str]) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("traeger")
    sheet.append(["id", "name", "description", "website", "email", "phone", "sector"])
    rng = random.Random(7)
    for i in range(rows):
        sheet.append(
            [
                f"org-{i:07d}",
                " ".join(rng.choices(words, k=4)) + " e.V.",
                " ".join(rng.choices(words, k=40)),
                f"https://www.verein-{i}.de",
                f"info@verein-{i}.de",
                f"0711 {rng.randint(100000, 999999)}",
                rng.choice(["frei", "öffentlich", "privat"]),
            ]
        )
    workbook.save(path)


def child_peak_rss_mb(args: list[str]) -> tuple[float, float]:
    """(peak RSS in MB, wall seconds) of one child process."""
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is the largest of any child so far: run the largest last, or
    # compare with ``before`` (equal means this child was not the largest).
    return max(peak, before) / 1024, time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--megabytes", type=float, default=10.0)
    parser.add_argument("--keep", action="store_true", help="die Arbeitsmappe behalten")
    args = parser.parse_args()
    settings = get_settings()
    if settings.neo4j_uri and os.environ.get("VERBUND_BENCH_MAY_CLEAR") != "1":
        print("leert die Datenbank: gegen NEO4J_URI nur mit VERBUND_BENCH_MAY_CLEAR=1")
        return 2
    verbund = str(Path(sys.executable).parent / "verbund")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "traeger.xlsx"
        started = time.perf_counter()
        rows = make_workbook(path, args.megabytes)
        print(
            f"workbook: {path.stat().st_size / 1e6:.1f} MB, {rows} rows "
            f"({time.perf_counter() - started:.0f} s to generate)"
        )
        # Smallest first: ru_maxrss of children only grows.
        base, _ = child_peak_rss_mb([sys.executable, "-c", "import loaders.importer, api.cli"])
        print(f"baseline (python + loaders): {base:.0f} MB")
        with Graph(ensure_started(settings)) as graph:
            clear(graph)
        dry, dry_s = child_peak_rss_mb([verbund, "import", str(path), "--dry-run"])
        print(f"import --dry-run: peak RSS {dry:.0f} MB, {dry_s:.0f} s")
        full, full_s = child_peak_rss_mb([verbund, "import", str(path)])
        print(f"import: peak RSS {full:.0f} MB, {full_s:.0f} s ({rows / full_s:.0f} rows/s)")
        print(f"ratio import / baseline: {full / base:.1f}")
        if args.keep:
            kept = Path("bench-traeger.xlsx")
            kept.write_bytes(path.read_bytes())
            print(f"kept as {kept}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
