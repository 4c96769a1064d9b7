"""Costly documents are refused before they run (schema/cost.py, schema/limits.py), over
HTTP with a real API token; every documented example and every page's document passes."""

from __future__ import annotations

import importlib
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from graphql import OperationDefinitionNode, parse
from starlette.testclient import TestClient

from api.app import create_app
from api.settings import PROJECT_ROOT, Settings
from graph import Graph
from schema import schema
from schema.cost import operation_cost
from schema.limits import MAX_QUERY_COST
from tests.apikit import execute

Client = Callable[..., TestClient]


def nested_partners(depth: int) -> str:
    return "{ organizations { nodes { " + "partners { " * depth + "id" + " }" * depth + " } } }"


def post(client: TestClient, query: str, variables: dict[str, Any] | None = None) -> Any:
    response = client.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    return response.json()


def refusal(body: Any) -> dict[str, Any]:
    assert body.get("data") is None, body
    (error,) = body["errors"]
    extensions: dict[str, Any] = error["extensions"]
    assert extensions["code"] == "QUERY_TOO_COSTLY"
    assert error["message"] == (
        f"Die Abfrage ist zu aufwendig (geschätzt {extensions['cost']}, erlaubt "
        f"{extensions['budget']}). Bitte weniger Ebenen oder kleinere Seiten (first) abfragen."
    )
    return extensions


def test_nested_partners_are_refused_from_depth_three(graph: Graph, client_as: Client) -> None:
    with client_as("admin") as client:
        assert "errors" not in post(client, nested_partners(2))
        costs = []
        for depth in (3, 5, 8, 10):
            started = time.perf_counter()
            extensions = refusal(post(client, nested_partners(depth)))
            assert time.perf_counter() - started < 1.0
            assert extensions["budget"] == MAX_QUERY_COST < extensions["cost"]
            costs.append(extensions["cost"])
        assert costs == sorted(costs)
        assert costs[2] > 10**8  # depth 8: 20 organizations times 10 partners per level


def test_refused_without_touching_the_database(graph: Graph) -> None:
    before = graph.roundtrips
    result = execute(graph, nested_partners(8))
    assert result.data is None
    assert result.errors[0].extensions["code"] == "QUERY_TOO_COSTLY"
    assert graph.roundtrips == before


TWO_PAGES = """query Seiten($n: Int) {
  organizations(first: $n) { nodes { id services(first: $n) { nodes { id name } } } }
}"""


def test_first_on_nested_connections(graph: Graph, client_as: Client) -> None:
    with client_as("admin") as client:
        assert "errors" not in post(client, TWO_PAGES, {"n": 5})
        extensions = refusal(post(client, TWO_PAGES, {"n": 100}))
        assert extensions["cost"] == 1 + 1 + 100 + 100 + 100 + 2 * 100 * 100
        literal = TWO_PAGES.replace("($n: Int)", "").replace("$n", "100")
        assert refusal(post(client, literal))["cost"] == extensions["cost"]


def test_fragments_cost_the_same_over_http(graph: Graph, client_as: Client) -> None:
    inline = nested_partners(3)
    spread = (
        "query { organizations { nodes { ...P } } } "
        "fragment P on Organization { partners { partners { partners { id } } } }"
    )
    with client_as("admin") as client:
        assert refusal(post(client, spread))["cost"] == refusal(post(client, inline))["cost"]


def test_the_budget_is_a_setting(graph: Graph, client_as: Client) -> None:
    assert Settings().max_query_cost == MAX_QUERY_COST
    app = create_app(Settings(VERBUND_MAX_QUERY_COST=10))  # type: ignore[call-arg]
    with client_as("admin", app=app) as client:
        assert "errors" not in post(client, '{ organization(id: "x") { id } }')
        assert refusal(post(client, TWO_PAGES, {"n": 2})) == {
            "code": "QUERY_TOO_COSTLY",
            "cost": 1 + 1 + 2 + 2 + 2 + 2 * 2 * 2,
            "budget": 10,
        }


# -- every documented example and every page's document stays within the budget ---------

PAGE_MODULES = ["api.web.directory"] + [
    f"api.web.pages.{p.stem}"
    for p in sorted((PROJECT_ROOT / "api/web/pages").glob("*.py"))
    if p.stem != "__init__"
]
OPERATION = re.compile(r"\s*(query|mutation)\b|\s*\{")


def documented() -> Iterator[tuple[str, str]]:
    text = Path(PROJECT_ROOT / "docs/graphql.md").read_text("utf-8")
    for i, block in enumerate(re.findall(r"```graphql\n(.*?)```", text, re.S)):
        yield f"docs/graphql.md#{i}", block
    for name in PAGE_MODULES:
        for attr, value in vars(importlib.import_module(name)).items():
            if isinstance(value, str) and OPERATION.match(value):
                yield f"{name}.{attr}", value


def operations() -> list[tuple[str, str, str | None]]:
    found = []
    for where, text in documented():
        for definition in parse(text).definitions:
            if isinstance(definition, OperationDefinitionNode):
                name = definition.name.value if definition.name else None
                found.append((where, text, name))
    return found


def test_documents_are_found() -> None:
    places = {where.split("#")[0] for where, _, _ in operations()}
    assert "docs/graphql.md" in places
    assert {"api.web.pages.search._OPTIONS", "api.web.pages.our_services.OWN"} <= places
    assert len(operations()) > 40


@pytest.mark.parametrize(("where", "text", "name"), operations(), ids=lambda v: str(v)[:40])
def test_documented_and_page_documents_pass(where: str, text: str, name: str | None) -> None:
    document = parse(text)
    (operation,) = [
        d
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode) and (d.name.value if d.name else None) == name
    ]
    # Unknown variables at their worst: every page size at the API's maximum.
    worst = {d.variable.name.value: 100 for d in operation.variable_definitions or ()}
    cost = operation_cost(schema._schema, document, name, worst)
    assert cost <= MAX_QUERY_COST, (where, name, cost)


def test_one_document_is_estimated_once_per_page_size(graph: Graph, client_as: Client) -> None:
    from schema.limits import DocumentRules

    # A text of its own, so no other test's requests have estimated it before.
    document = TWO_PAGES.replace("query Seiten", "query SeitenEinmal")
    small = 1 + 1 + 5 + 5 + 5 + 2 * 5 * 5
    with client_as("admin") as client:
        hits = DocumentRules.cost_hits
        assert "errors" not in post(client, document, {"n": 5})
        assert refusal(post(client, document, {"n": 100}))["cost"] == 20_302
        assert DocumentRules.cost_hits == hits  # two page sizes: two estimates
        # Repeated: answered from the cache, still the right answer for each page size.
        assert refusal(post(client, document, {"n": 100}))["cost"] == 20_302
        assert "errors" not in post(client, document, {"n": 5})
        assert refusal(post(client, document, {"n": 1_000}))["cost"] == 20_302  # page of 100
        assert DocumentRules.cost_hits == hits + 3
    # The cost is kept, the budget compared on every request: the same document and page
    # size is refused under a smaller budget.
    app = create_app(Settings(VERBUND_MAX_QUERY_COST=small - 1))  # type: ignore[call-arg]
    with client_as("admin", app=app) as client:
        assert refusal(post(client, document, {"n": 5})) == {
            "code": "QUERY_TOO_COSTLY",
            "cost": small,
            "budget": small - 1,
        }
        assert DocumentRules.cost_hits == hits + 4


def test_a_default_page_and_an_explicit_null_are_estimated_apart(
    graph: Graph, client_as: Client
) -> None:
    document = TWO_PAGES.replace("($n: Int)", "($n: Int = 100)").replace(
        "query Seiten", "query SeitenVorgabe"
    )
    with client_as("admin") as client:
        assert refusal(post(client, document))["cost"] == 20_302  # the document's default
        # null: the API's default page (20), not the document's default.
        assert "errors" not in post(client, document, {"n": None})
        assert refusal(post(client, document))["cost"] == 20_302
        assert "errors" not in post(client, document, {"n": None})


def test_a_refused_document_is_refused_every_time(graph: Graph) -> None:
    before = graph.roundtrips
    for _ in range(3):
        result = execute(graph, nested_partners(9))
        assert result.data is None
        assert result.errors[0].extensions["code"] == "QUERY_TOO_COSTLY"
    assert graph.roundtrips == before
