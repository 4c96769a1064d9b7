"""The web pages against the GraphQL requests that carry the same data, on the ``city`` demo.

    .venv/bin/python bench/web.py --load    # loads the city demo first (clears the database!)
    .venv/bin/python bench/web.py           # the city demo is already loaded

Starts the app with uvicorn on 127.0.0.1 (a free port, demo logins on), signs in through the
login form as the demo caseworker and the demo partner (session cookies), and measures, over
HTTP on one kept-alive connection each, every page and the GraphQL request(s) the page sends
in-process, posted to ``/graphql`` with the same session (and CSRF header). Page and GraphQL
take turns in rounds, so the machine's load hits both alike. Reported: p50/p99 of each, and
page p50 ÷ GraphQL p50 (target ≤ 1.5; the search page also p50 < 100 ms).

It then opens the search page with a query in Debian's Chromium (Playwright) with an empty
cache and adds up what went over the wire (compressed bodies and headers; target < 300 KB).
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Run as a script, this folder would come first on sys.path, and bench/graphql.py would
# shadow the graphql package (graphql-core).
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != HERE]

from api.app import create_app  # noqa: E402
from api.localneo4j import ensure_started  # noqa: E402
from api.settings import Settings  # noqa: E402
from api.web.casework import ACTIVE, PAGE_SIZE  # noqa: E402
from api.web.pages import inbox, referrals, search, service, start  # noqa: E402
from graph import Graph  # noqa: E402
from tests.browser.helpers import load_demo, serve_in_thread  # noqa: E402

ROUNDS = 40
AREA, AREA_NAME, NEED = "stuttgart-bad-cannstatt", "Bad Cannstatt", "schuldnerberatung"


class Session:
    """One kept-alive connection with the cookies of a signed-in person."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port)
        self.cookie = ""
        self.csrf = ""

    def request(self, method: str, path: str, body: bytes | None = None, **headers: str) -> str:
        if self.cookie:
            headers["Cookie"] = self.cookie
        self.conn.request(method, path, body=body, headers=headers)
        answer = self.conn.getresponse()
        data = answer.read().decode("utf-8")
        found = answer.getheader("set-cookie")
        if found:
            self.cookie = found.split(";", 1)[0]
        if answer.status >= 400:
            raise RuntimeError(f"{method} {path}: {answer.status}\n{data[:500]}")
        token = re.search(r'name="csrf-token" content="([^"]+)"', data)
        if token:
            self.csrf = token.group(1)
        return data

    def sign_in(self, user: str) -> None:
        self.request("GET", "/anmelden")
        form = urlencode(
            {"csrf_token": self.csrf, "benutzername": user, "passwort": "demo", "weiter": "/"}
        )
        self.request(
            "POST",
            "/anmelden",
            form.encode(),
            **{"Content-Type": "application/x-www-form-urlencoded"},
        )
        self.request("GET", "/")

    def graphql(self, document: str, variables: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps({"query": document, "variables": variables}).encode()
        data = json.loads(
            self.request(
                "POST",
                "/graphql",
                body,
                **{"Content-Type": "application/json", "X-CSRF-Token": self.csrf},
            )
        )
        if data.get("errors"):
            raise RuntimeError(data["errors"])
        return dict(data["data"])


@dataclass
class Case:
    name: str
    session: Session
    path: str
    requests: list[tuple[str, dict[str, Any]]]  # what the page asks GraphQL
    page_ms: list[float]
    graphql_ms: list[float]


def _timed(fn: Any) -> float:
    began = time.perf_counter()
    fn()
    return (time.perf_counter() - began) * 1000


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1] if len(values) > 2 else values[0]


def cases(caseworker: Session, partner: Session, graph: Graph) -> list[Case]:
    (svc,) = graph.query(
        "MATCH (:Organization {id: 'caritas-stuttgart'})-[:PROVIDES]->(s:Service)-[:SERVES]->"
        "(:Area {id: $area}) RETURN s.id AS id LIMIT 1",
        {"area": AREA},
    )
    options = {
        "input": {
            "area": AREA,
            "categories": [NEED],
            "targetGroups": [],
            "languages": [],
            "first": search.MAX_OPTIONS,
        }
    }
    counts = {"open": list(ACTIVE), "fresh": ["CREATED"]}
    return [
        Case(
            "Angebot finden",
            caseworker,
            "/angebote?" + urlencode({"bedarf": NEED, "sozialraum": AREA_NAME}),
            [(search._OPTIONS, options)],
            [],
            [],
        ),
        Case(
            "Angebot",
            caseworker,
            f"/angebote/{svc['id']}",
            [(service._SERVICE, {"id": svc["id"]})],
            [],
            [],
        ),
        Case(
            "Meine Überleitungen",
            caseworker,
            "/ueberleitungen",
            [(referrals.LIST, {"filter": None, "after": None, "first": PAGE_SIZE})],
            [],
            [],
        ),
        Case(
            "Eingang",
            partner,
            "/eingang",
            [
                (
                    inbox.LIST,
                    {
                        "filter": {"statuses": ["CREATED", "WAITLISTED"]},
                        "after": None,
                        "first": PAGE_SIZE,
                    },
                )
            ],
            [],
            [],
        ),
        Case("Start (Fallmanagement)", caseworker, "/", [(start._COUNTS, counts)], [], []),
        Case("Start (Träger)", partner, "/", [(start._COUNTS, counts)], [], []),
    ]


def first_load(base: str) -> tuple[int, int]:
    """Bytes over the wire for the search page with a query, empty cache: (total, requests)."""
    from playwright.sync_api import sync_playwright

    total = 0
    count = 0
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(f"{base}/anmelden")
        page.get_by_label("Benutzername", exact=True).fill("fallmanagement")
        page.get_by_label("Passwort", exact=True).fill("demo")
        page.get_by_role("button", name="Anmelden", exact=True).click()
        page.wait_for_url(f"{base}/")
        context = browser.new_context(storage_state=page.context.storage_state())
        fresh = context.new_page()
        seen: list[Any] = []
        fresh.on("requestfinished", lambda request: seen.append(request))
        fresh.goto(
            f"{base}/angebote?" + urlencode({"bedarf": NEED, "sozialraum": AREA_NAME}),
            wait_until="networkidle",
        )
        for request in seen:
            sizes = request.sizes()
            total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
            count += 1
        browser.close()
    return total, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--load", action="store_true", help="load the city demo first")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args()
    settings = Settings(VERBUND_DEMO_LOGINS=True)  # type: ignore[call-arg]
    with Graph(ensure_started(settings)) as graph:
        if args.load:
            load_demo(graph, "city")
        with serve_in_thread(create_app(settings, graph)) as base:
            caseworker, partner = Session(base), Session(base)
            caseworker.sign_in("fallmanagement")
            partner.sign_in("traeger")
            measured = cases(caseworker, partner, graph)
            for case in measured:  # warm-up, and both sides must answer
                case.session.request("GET", case.path)
                for document, variables in case.requests:
                    case.session.graphql(document, variables)
            for _ in range(args.rounds):
                for case in measured:
                    s = case.session
                    case.page_ms.append(_timed(lambda c=case, s=s: s.request("GET", c.path)))
                    case.graphql_ms.append(
                        _timed(lambda c=case, s=s: [s.graphql(d, v) for d, v in c.requests])
                    )
            print(
                f"{'Seite':<26} {'p50 Seite':>10} {'p99':>8} {'p50 GraphQL':>12} {'p99':>8} "
                f"{'Verhältnis':>10}"
            )
            for case in measured:
                page50, gql50 = _p(case.page_ms, 50), _p(case.graphql_ms, 50)
                print(
                    f"{case.name:<26} {page50:>9.1f}ms {_p(case.page_ms, 99):>7.1f} "
                    f"{gql50:>11.1f}ms {_p(case.graphql_ms, 99):>7.1f} {page50 / gql50:>10.2f}"
                )
            total, count = first_load(base)
            print(f"Erster Aufruf der Suchseite: {total / 1000:.0f} KB in {count} Anfragen")


if __name__ == "__main__":
    main()
