"""The Open Referral API's list endpoints against the equivalent GraphQL query, same run.

    .venv/bin/python bench/hsds_api.py --load    # loads the city demo first (clears the database!)
    .venv/bin/python bench/hsds_api.py           # the city demo is already loaded

Starts the app with uvicorn on 127.0.0.1 (a free port, ``VERBUND_HSDS_API=token``),
authenticates both sides with the same temporary admin API token (revoked at the end) and
takes turns in rounds (bench/graphql.py's ``_measure``): ``GET /hsds/services`` against a
``POST /graphql`` asking for the same services with the fields the HSDS answer carries.
Both must return the same ids, or the script stops. Target (issue 15): p50 ≤ 1.5×.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# As bench/graphql.py: this folder must not shadow the graphql package.
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != HERE]

from api.auth.api_tokens import create_token  # noqa: E402
from api.localneo4j import ensure_started  # noqa: E402
from api.settings import get_settings  # noqa: E402
from bench.graphql import _connect, _measure, _start  # noqa: E402
from graph import Graph  # noqa: E402
from graph.admin import clear  # noqa: E402
from graph.tokens import revoke_token  # noqa: E402
from graph.write import write_bundle  # noqa: E402

ORG = "id name sector description website email phone"
LOCATION = (
    "id name street postalCode city position { latitude longitude } phone openingHours "
    "organization { id } area { id }"
)
FULL = f"""id name description targetGroups languages legalBasis capacity capacityUnit
  capacityUsed status validFrom validTo email url requiredDocuments assuredDate
  organization {{ {ORG} }} categories {{ id name broader {{ id }} }} areas {{ id name }}
  locations {{ {LOCATION} }}"""
ONE_TO_ONE = f"id name description email url status assuredDate organization {{ {ORG} }}"

PAGE_AFTER = (
    "query($after: String) { services(first: 20, after: $after) "
    f"{{ totalCount nodes {{ {ONE_TO_ONE} }} }} }}"
)


@dataclass(frozen=True)
class Case:
    name: str
    path: str
    document: str
    # GraphQL's client keeps the cursor (taken once, before measuring); the HSDS client
    # asks by page number.
    after: int = 0


CASES = [
    Case(
        "Angebote, Seite 1 (20, einfache Felder)",
        "/hsds/services?per_page=20",
        f"{{ services(first: 20) {{ totalCount nodes {{ {ONE_TO_ONE} }} }} }}",
    ),
    Case(
        "Angebote, Seite 3 (20, einfache Felder)",
        "/hsds/services?per_page=20&page=3",
        PAGE_AFTER,
        after=40,
    ),
    Case(
        "Angebote, Seite 8 (20, einfache Felder; hinter der größten Schema-Seite)",
        "/hsds/services?per_page=20&page=8",
        PAGE_AFTER,
        after=140,
    ),
    Case(
        "Angebote, Seite 1 (20, voll verschachtelt)",
        "/hsds/services?per_page=20&full=true",
        f"{{ services(first: 20) {{ totalCount nodes {{ {FULL} }} }} }}",
    ),
    Case(
        "Volltextsuche „Beratung“ (20)",
        "/hsds/services?per_page=20&search=Beratung",
        '{ services(filter: {text: "Beratung"}, first: 20) '
        f"{{ totalCount nodes {{ {ONE_TO_ONE} }} }} }}",
    ),
]


def _get(
    client: http.client.HTTPConnection, headers: dict[str, str], path: str
) -> Callable[[], list[str]]:
    def call() -> list[str]:
        client.request("GET", path, headers=headers)
        response = client.getresponse()
        answer = json.loads(response.read())
        if response.status != 200:
            sys.exit(f"{path}: {answer}")
        return [item["id"] for item in answer["contents"]]

    return call


def _post(
    client: http.client.HTTPConnection, headers: dict[str, str], document: str, after: str | None
) -> Callable[[], list[str]]:
    body = json.dumps({"query": document, "variables": {"after": after} if after else {}})

    def call() -> list[str]:
        client.request("POST", "/graphql", body=body, headers=headers)
        response = client.getresponse()
        answer = json.loads(response.read())
        if response.status != 200 or "errors" in answer:
            sys.exit(f"GraphQL: {answer}")
        return [node["id"] for node in answer["data"]["services"]["nodes"]]

    return call


def _cursor_after(client: http.client.HTTPConnection, headers: dict[str, str], n: int) -> str:
    """The cursor after the first ``n`` services (in steps of the schema's largest page)."""
    cursor: str | None = None
    while n > 0:
        step = min(n, 100)
        variables = {"after": cursor} if cursor else {}
        body = json.dumps(
            {
                "query": "query($after: String) { services(first: "
                f"{step}, after: $after) {{ pageInfo {{ endCursor }} }} }}",
                "variables": variables,
            }
        )
        client.request("POST", "/graphql", body=body, headers=headers)
        cursor = json.loads(client.getresponse().read())["data"]["services"]["pageInfo"][
            "endCursor"
        ]
        n -= step
    assert cursor is not None
    return cursor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--load", action="store_true", help="city-Demo vorher laden (leert!)")
    parser.add_argument("--iterations", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=10)
    args = parser.parse_args()
    load_before = os.getloadavg()
    os.environ["VERBUND_HSDS_API"] = "token"
    settings = get_settings()
    with Graph(ensure_started(settings)) as graph:
        if args.load:
            from loaders.demo import generate

            clear(graph)
            write_bundle(graph, generate("city").bundle)
        (row,) = graph.query("MATCH (s:Service) RETURN count(s) AS n")
        record, token = create_token(graph, role="admin", organization_id=None, name="bench")
        server, port = _start(ROOT, settings.state_dir)
        rows = []
        try:
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            client = _connect(port)
            for case in CASES:
                after = _cursor_after(client, headers, case.after) if case.after else None
                gql = _post(client, headers, case.document, after)
                hsds = _get(client, headers, case.path)
                if hsds() != gql():
                    sys.exit(f"{case.name}: HSDS und GraphQL liefern andere Angebote.")
                (h50, h99, _), (g50, g99, _) = _measure([hsds, gql], args.warmup, args.iterations)
                rows.append((case.name, h50, h99, g50, g99))
        finally:
            server.terminate()
            server.wait(10)
            revoke_token(graph, record.id)
    load_after = os.getloadavg()
    print(f"{row['n']} Angebote; Last vorher {load_before[0]:.1f}, nachher {load_after[0]:.1f}\n")
    print("| Abfrage | HSDS p50 | p99 | GraphQL p50 | p99 | Verhältnis p50 |")
    print("|---|---|---|---|---|---|")
    for name, h50, h99, g50, g99 in rows:
        print(
            f"| {name} | {h50:.1f} ms | {h99:.1f} ms | {g50:.1f} ms | {g99:.1f} ms "
            f"| {h50 / g50:.2f} |"
        )


if __name__ == "__main__":
    main()
