"""The planner's Versorgungskarte: time per page against the GraphQL requests it sends, and
bytes on the wire, on the loaded demo (``--load SIZE`` loads it first: clears the database!).

    .venv/bin/python bench/planning_map.py --load large
    .venv/bin/python bench/planning_map.py          # whatever demo is loaded

In-process (starlette TestClient, signed in as the demo planner), in rounds so the machine's
load hits all alike: the map page of all Stadtbezirke and of all Stadtteile, the coverage
request alone (the analysis) and the areas with simplified outlines alone. Reported: p50 per
request, the page ÷ (coverage + areas) ratio and the page's bytes (HTML with the embedded
outlines; gzip size as the static assets are served) plus Leaflet's and map.js' gzip size.

The analysis cache (graph/analysis/cache.py): each round first requests the map page and the
coordinator's network page (/netzwerk) "kalt" (the cache emptied just before, so the
request runs the analyses as it does after a write), then every request "warm" (the data
unchanged since). Reported: p50 cold and warm, their ratio, and the memory one cached result
holds (tracemalloc, measured once at the end).
"""

from __future__ import annotations

import argparse
import gzip
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != HERE]

from starlette.testclient import TestClient  # noqa: E402

from api.localneo4j import ensure_started  # noqa: E402
from api.settings import Settings  # noqa: E402
from api.web.pages.planning_map import AREAS, COVERAGE, TOLERANCE  # noqa: E402
from graph import Graph  # noqa: E402
from graph.analysis.cache import AnalysisCache, cache_of  # noqa: E402
from tests.browser.helpers import load_demo  # noqa: E402
from tests.webclient import sign_in, web_client  # noqa: E402

CATEGORY = "schuldnerberatung"
STATIC = ROOT / "api" / "web" / "static"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--load", choices=["small", "city", "large"])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    settings = Settings()
    with Graph(ensure_started(settings)) as graph:
        if args.load:
            load_demo(graph, args.load)
        cache = cache_of(graph)
        with web_client(graph) as client, web_client(graph) as coordinator:
            assert sign_in(client, "planung").status_code == 303
            assert sign_in(coordinator, "koordination").status_code == 303
            token = client.get("/").text.split('name="csrf-token" content="', 1)[1].split('"')[0]

            def graphql(document: str, **variables: object) -> int:
                answer = client.post(
                    "/graphql",
                    json={"query": document, "variables": variables},
                    headers={"x-csrf-token": token},
                )
                if "errors" in answer.json():
                    raise RuntimeError(answer.json()["errors"][0]["extensions"].get("code"))
                return len(answer.content)

            def page(path: str, who: TestClient = client) -> int:
                answer = who.get(path)
                if answer.status_code != 200:
                    raise RuntimeError(f"HTTP {answer.status_code}")
                return len(answer.content)

            map_page = f"/planung/karte?leistungsbereich={CATEGORY}"
            requests = {
                # " kalt": the cache is emptied just before, outside the timing.
                "Karte Stadtbezirke kalt": lambda: page(map_page),
                "Netzwerk kalt": lambda: page("/netzwerk", coordinator),
                "Netzwerk warm": lambda: page("/netzwerk", coordinator),
                "Karte Stadtbezirke": lambda: page(f"/planung/karte?leistungsbereich={CATEGORY}"),
                "Karte Stadtteile": lambda: page(
                    f"/planung/karte?leistungsbereich={CATEGORY}&ebene=stadtteile"
                ),
                "GraphQL coverage": lambda: graphql(COVERAGE, category=CATEGORY),
                "GraphQL areas (Bezirke)": lambda: graphql(
                    AREAS, levels=["DISTRICT"], tolerance=TOLERANCE
                ),
            }
            times: dict[str, list[float]] = {name: [] for name in requests}
            failed: dict[str, str] = {}
            size: dict[str, int] = {}
            for _ in range(args.rounds):
                for name, call in requests.items():
                    if name.endswith(" kalt"):
                        cache.clear()
                    start = time.perf_counter()
                    try:
                        size[name] = call()
                    except RuntimeError as exc:  # e.g. QUERY_TIMEOUT under load
                        failed[name] = str(exc)
                    times[name].append(time.perf_counter() - start)
            p50 = {name: statistics.median(t) * 1000 for name, t in times.items()}
            for name, value in p50.items():
                note = f"  FEHLER {failed[name]}" if name in failed else ""
                print(f"{name:26} p50 {value:8.1f} ms  {size.get(name, 0) / 1024:6.0f} KB{note}")
            parts = p50["GraphQL coverage"] + p50["GraphQL areas (Bezirke)"]
            print(f"Karte ÷ (coverage + areas): {p50['Karte Stadtbezirke'] / parts:.2f}")
            warm_map = p50["Karte Stadtbezirke"]
            print(
                f"Cache: Karte kalt ÷ warm {p50['Karte Stadtbezirke kalt'] / warm_map:.1f}, "
                f"Netzwerk kalt ÷ warm {p50['Netzwerk kalt'] / p50['Netzwerk warm']:.1f}, "
                f"Analysen gerechnet: {cache.computations}"
            )
            print(f"Gehaltenes Ergebnis: {held_megabytes(graph):.0f} MB (tracemalloc)")
            for level in ("", "&ebene=stadtteile"):
                body = client.get(f"/planung/karte?leistungsbereich={CATEGORY}{level}").content
                print(
                    f"Seite{level or ' (Bezirke)'}: {len(body) / 1024:.0f} KB, "
                    f"gzip {len(gzip.compress(body)) / 1024:.0f} KB"
                )
    assets = [
        STATIC / "vendor" / "leaflet" / "leaflet.js",
        STATIC / "vendor" / "leaflet" / "leaflet.css",
        STATIC / "js" / "map.js",
    ]
    size = sum(len(gzip.compress(p.read_bytes())) for p in assets)
    print(f"Leaflet + map.js (gzip): {size / 1024:.0f} KB")


def held_megabytes(graph: Graph) -> float:
    """Memory one cached report keeps alive: traced allocations still held after computing."""
    fresh = AnalysisCache()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        report = fresh.report(graph)
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert report is fresh.report(graph)
    return held / 2**20


if __name__ == "__main__":
    main()
