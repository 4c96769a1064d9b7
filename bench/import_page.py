"""Import page: the review of an upload of N Träger rows through ``POST /import/pruefen`` (the
real app in process, signed in as the demo coordinator), and in the same run the same file's
dry run straight through the loaders (what ``verbund import --dry-run`` does); reports both
times, their ratio (the page's own cost: upload, staging, template), the page's size and the
growth of this process's peak RSS (app and loaders run here). Three cases: every row new,
then (after the import) every row changed, then every row unchanged.

    .venv/bin/python -P bench/import_page.py [--rows 10000]

(``-P``: without it bench/graphql.py would shadow the graphql package.)

The issue's target: a review of 10 000 rows in under 10 s and 300 MB extra memory.
It empties the project's local Neo4j (never a NEO4J_URI server unless VERBUND_BENCH_MAY_CLEAR=1).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from starlette.testclient import TestClient

from api.app import create_app
from api.localneo4j import ensure_started
from api.settings import Settings, get_settings
from api.web.import_jobs import JOBS
from graph import Graph
from graph.admin import clear
from loaders.formats import parse_input
from loaders.importer import run_import


def csv_text(rows: int, word: str) -> str:
    lines = ["ID;Träger;Trägerart;Beschreibung"]
    lines += [f"t-{i};Träger Nummer {i};frei;{word} für Familien {i}" for i in range(rows)]
    return "\n".join(lines) + "\n"


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def review_by_page(client: TestClient, text: str) -> tuple[float, int, str]:
    page = client.get("/import").text
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    started = time.perf_counter()
    answer = client.post(
        "/import/pruefen",
        data={"csrf_token": token, "quelle": "bench"},
        files=[("datei", ("traeger.csv", text.encode(), "text/csv"))],
    )
    took = time.perf_counter() - started
    assert answer.status_code == 200, answer.text[:2000]
    return took, len(answer.content), answer.text


def review_by_loaders(graph: Graph, text: str) -> float:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "traeger.csv"
        path.write_text(text, "utf-8")
        started = time.perf_counter()
        parsed, used = parse_input(path, "auto", "bench")
        run_import(graph, parsed, source="bench", format=used, dry_run=True)
        return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    settings = get_settings()
    if settings.neo4j_uri and os.environ.get("VERBUND_BENCH_MAY_CLEAR") != "1":
        print("leert die Datenbank: gegen NEO4J_URI nur mit VERBUND_BENCH_MAY_CLEAR=1")
        return 2
    web = Settings(VERBUND_DEMO_LOGINS=True)  # type: ignore[call-arg]
    with Graph(ensure_started(settings)) as graph:
        clear(graph)
        app = create_app(web, graph)
        with TestClient(app, base_url="http://127.0.0.1", follow_redirects=False) as client:
            login = client.get("/anmelden").text
            csrf = login.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
            client.post(
                "/anmelden",
                data={"csrf_token": csrf, "benutzername": "koordination", "passwort": "demo"},
            )
            cases = [("neu", "Beratung"), ("geändert", "Hilfe"), ("unverändert", "Hilfe")]
            for index, (case, word) in enumerate(cases):
                text = csv_text(args.rows, word)
                before = peak_mb()
                page_s, size, html = review_by_page(client, text)
                grown = peak_mb() - before
                loaders_s = review_by_loaders(graph, text)
                print(
                    f"{case:12} {args.rows} Zeilen: Seite {page_s:.2f} s, Loader allein "
                    f"{loaders_s:.2f} s, Verhältnis {page_s / loaders_s:.2f}, Seite "
                    f"{size / 1024:.0f} KB, Spitzen-RSS +{grown:.0f} MB",
                    flush=True,
                )
                if index < 2:
                    # The next case needs this file in the graph.
                    token = html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
                    done = client.post("/import/ausfuehren", data={"csrf_token": token})
                    assert done.status_code == 303, done.text[:2000]
                    # The import runs in the background; the next case needs it finished.
                    assert JOBS.wait(done.headers["location"].rsplit("/", 1)[1], 600)
        clear(graph)
    return 0


if __name__ == "__main__":
    sys.exit(main())
