"""The referral lists at three demo sizes: db hits and p50 per list, as the web pages ask.

    .venv/bin/python bench/referrals.py                 # small, city, large (clears the database!)
    .venv/bin/python bench/referrals.py --loaded large  # large is loaded: measured first, then
                                                        # small and city are loaded
    .venv/bin/python bench/referrals.py --sizes city --loaded city --rounds 20

For each size the demo is written (as ``verbund demo load --size X --reset`` does), then each
list runs the GraphQL document its web page sends (``api/web/pages/referrals.py``,
``inbox.py``), in-process through ``schema.execute`` as the signed-in caseworker
(``jobcenter-stuttgart``) or partner (``caritas-stuttgart``), with the page's filters: the
caseworker's first page ("alle"), the same with the overdue filter, the second page (cursor),
the partner's first page (default "Neu und Warteliste"), the partner's overdue list; and the
planner's ``retainedReferralCounts``. Reported per list: rows shown, the organization's
matching referrals (``totalCount``), the db hits of every read of the request summed from
Neo4j's PROFILE (``graph/profiling.py``), and p50/p99 over the rounds (without PROFILE).

The claim the numbers have to show (issue #14): db hits grow with the rows shown (20 per page),
not with the referrals in the database: the ratio "db hits × small" stays near 1 while
"referrals × small" grows about 15×.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Run as a script, this folder would come first on sys.path, and bench/graphql.py would
# shadow the graphql package (graphql-core).
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != HERE]

from api.localneo4j import ensure_started  # noqa: E402
from api.settings import Settings  # noqa: E402
from api.web.casework import ACTIVE, PAGE_SIZE  # noqa: E402
from api.web.pages import inbox, referrals  # noqa: E402
from graph import Graph  # noqa: E402
from graph.profiling import ProfilingGraph  # noqa: E402
from schema import Context, schema  # noqa: E402
from schema.principal import Principal, Role  # noqa: E402
from tests.browser.helpers import load_demo  # noqa: E402

CASEWORKER = ("caseworker", "jobcenter-stuttgart")
PARTNER = ("partner", "caritas-stuttgart")
PLANNER = ("planner", None)

RETAINED = "query { retainedReferralCounts { month status referrals } }"


@dataclass(frozen=True, slots=True)
class Case:
    name: str
    who: tuple[str, str | None]
    document: str
    variables: dict[str, Any]
    # Read the end cursor of the first page and ask for the page after it.
    second_page: bool = False


CASES = (
    Case(
        "Meine Überleitungen, Seite 1",
        CASEWORKER,
        referrals.LIST,
        {"filter": None, "first": PAGE_SIZE, "after": None},
    ),
    Case(
        "Meine Überleitungen, Seite 2",
        CASEWORKER,
        referrals.LIST,
        {"filter": None, "first": PAGE_SIZE, "after": None},
        second_page=True,
    ),
    Case(
        "Meine Überleitungen, offen + überfällig",
        CASEWORKER,
        referrals.LIST,
        {"filter": {"statuses": list(ACTIVE), "overdue": True}, "first": PAGE_SIZE, "after": None},
    ),
    Case(
        "Eingang, Seite 1 (neu und Warteliste)",
        PARTNER,
        inbox.LIST,
        {"filter": {"statuses": ["CREATED", "WAITLISTED"]}, "first": PAGE_SIZE, "after": None},
    ),
    Case(
        "Eingang, alle",
        PARTNER,
        inbox.LIST,
        {"filter": None, "first": PAGE_SIZE, "after": None},
    ),
    Case(
        "Eingang, überfällig",
        PARTNER,
        inbox.LIST,
        {"filter": {"overdue": True}, "first": PAGE_SIZE, "after": None},
    ),
    Case("Aufbewahrte Überleitungszahlen (Planung)", PLANNER, RETAINED, {}),
)


def execute(graph: Graph, who: tuple[str, str | None], document: str, variables: Any) -> Any:
    role, org = who
    principal = Principal(f"bench-{role}", role_of(role), org, "token")
    result = asyncio.run(
        schema.execute(
            document,
            variable_values=variables,
            context_value=Context(graph, principal=principal),
        )
    )
    if result.errors:
        raise RuntimeError(str(result.errors))
    return result.data


def role_of(name: str) -> Role:
    roles: dict[str, Role] = {
        "caseworker": "caseworker",
        "partner": "partner",
        "planner": "planner",
    }
    return roles[name]


def variables_of(graph: Graph, case: Case) -> dict[str, Any]:
    if not case.second_page:
        return case.variables
    first = execute(graph, case.who, case.document, case.variables)["referrals"]
    return {**case.variables, "after": first["pageInfo"]["endCursor"]}


@dataclass(frozen=True, slots=True)
class Measured:
    size: str
    case: str
    referrals: int
    shown: int
    total: int | None
    db_hits: int
    statements: int
    p50: float
    p99: float


def measure(size: str, graph: Graph, profiling: ProfilingGraph, rounds: int) -> list[Measured]:
    (row,) = graph.query("MATCH (r:Referral) RETURN count(r) AS n")
    everything = int(row["n"])
    found: list[Measured] = []
    for case in CASES:
        variables = variables_of(graph, case)
        # Warm-up: query planning happens once per statement and server start.
        for _ in range(3):
            execute(graph, case.who, case.document, variables)
        profiling.reset()
        data = execute(profiling, case.who, case.document, variables)
        hits, statements = profiling.db_hits, len(profiling.profiled)
        times: list[float] = []
        for _ in range(rounds):
            start = time.perf_counter()
            execute(graph, case.who, case.document, variables)
            times.append((time.perf_counter() - start) * 1000)
        listed = data.get("referrals")
        shown = len(listed["nodes"]) if listed else len(data["retainedReferralCounts"])
        total = listed["totalCount"] if listed else None
        times.sort()
        found.append(
            Measured(
                size,
                case.name,
                everything,
                shown,
                total,
                hits,
                statements,
                statistics.median(times),
                times[min(len(times) - 1, round(0.99 * (len(times) - 1)))],
            )
        )
        print(
            f"{size:6} {case.name:44} rows {shown:3} total {total!s:>6} "
            f"db hits {hits:>9,} in {statements} statements  p50 {found[-1].p50:7.1f} ms",
            flush=True,
        )
    return found


def table(results: list[Measured]) -> str:
    base = {r.case: r for r in results if r.size == results[0].size}
    lines = [
        "| list | size | referrals | rows shown | totalCount | db hits | p50 | p99 "
        "| referrals × first | db hits × first |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in sorted(results, key=lambda r: [c.name for c in CASES].index(r.case)):
        b = base[r.case]
        lines.append(
            f"| {r.case} | {r.size} | {r.referrals:,} | {r.shown} | "
            f"{'' if r.total is None else f'{r.total:,}'} | {r.db_hits:,} | {r.p50:.1f} ms | "
            f"{r.p99:.1f} ms | {r.referrals / b.referrals:.1f} | "
            f"{r.db_hits / max(1, b.db_hits):.2f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="small,city,large")
    parser.add_argument(
        "--loaded", default=None, help="this size is already loaded: measured first, not loaded"
    )
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    if args.loaded in sizes:
        sizes.remove(args.loaded)
        sizes.insert(0, args.loaded)
    config = ensure_started(Settings())
    results: list[Measured] = []
    with Graph(config) as graph, ProfilingGraph(config) as profiling:
        for size in sizes:
            if size != args.loaded:
                start = time.perf_counter()
                load_demo(graph, size)  # type: ignore[arg-type]
                print(f"{size}: demo geladen in {time.perf_counter() - start:.1f} s", flush=True)
            results += measure(size, graph, profiling, args.rounds)
    order = {s: i for i, s in enumerate(["small", "city", "large"])}
    results.sort(key=lambda r: order.get(r.size, 9))
    print()
    print(table(results))
    print(f"\nload average {os.getloadavg()[0]:.1f}, {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
