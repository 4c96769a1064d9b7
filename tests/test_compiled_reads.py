"""The compiled read path (schema/compiled.py, schema/compiled_run.py) answers exactly as the
normal execution does, with one statement, and only where it may.

Every document runs twice on the small demo: as the schema runs it (compiled where it
compiles) and with the compiled path switched off (resolvers, look-ahead, graphql-core). The
answers (data and errors, as JSON) must be equal; the test also states which documents take
the compiled path and that those sent exactly one statement.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import pytest

from bench.peer_cases import cases
from graph import Graph
from schema import Context, schema
from schema.compiled_run import CompiledReads
from schema.principal import ANONYMOUS, SYSTEM, Principal
from tests.apikit import load_small_demo, run_query


@dataclass
class Ids:
    service: str
    organization: str
    lonely: str  # an organization without agreements
    category: str
    broad: str  # the category with the most services
    area: str
    location: str
    network: str
    agreement: str


@pytest.fixture(scope="module")
def demo(graph: Graph) -> Graph:
    load_small_demo(graph)
    return graph


@pytest.fixture(scope="module")
def ids(demo: Graph) -> Ids:
    data = run_query(
        demo,
        """{ services(first: 100) { nodes { id } }
             organizations(first: 100) { nodes { id agreements { id } } }
             categories { id services { totalCount } } areas(first: 100) { nodes { id } }
             networks { id } agreements { id } }""",
        max_query_cost=10**9,
    )
    orgs = data["organizations"]["nodes"]
    located = run_query(demo, "{ organizations(first: 100) { nodes { locations { id } } } }")
    return Ids(
        service=data["services"]["nodes"][0]["id"],
        organization=next(o["id"] for o in orgs if o["agreements"]),
        lonely=next(o["id"] for o in orgs if not o["agreements"]),
        category=data["categories"][0]["id"],
        broad=max(data["categories"], key=lambda c: c["services"]["totalCount"])["id"],
        area=data["areas"]["nodes"][0]["id"],
        location=next(
            loc["id"] for o in located["organizations"]["nodes"] for loc in o["locations"]
        ),
        network=data["networks"][0]["id"],
        agreement=data["agreements"][0]["id"],
    )


def _principal(role: str | None, organization: str) -> Principal:
    if role is None:
        return ANONYMOUS
    if role == "admin":
        return SYSTEM
    org = organization if role in ("caseworker", "partner") else None
    return Principal(subject=f"test-{role}", role=role, organization_id=org, auth_method="token")  # type: ignore[arg-type]


def _execute(
    graph: Graph,
    document: str,
    variables: dict[str, Any] | None,
    principal: Principal,
    op: str | None,
) -> tuple[str, bool, int]:
    context = Context(graph, principal=principal)
    before = graph.roundtrips
    result = asyncio.run(
        schema.execute(
            document, variable_values=variables, context_value=context, operation_name=op
        )
    )
    errors = [e.formatted for e in result.errors or []]
    answer = json.dumps({"data": result.data, "errors": errors}, sort_keys=True, default=str)
    return answer, context.compiled, graph.roundtrips - before


def both(
    graph: Graph,
    monkeypatch: pytest.MonkeyPatch,
    document: str,
    variables: dict[str, Any] | None = None,
    principal: Principal = SYSTEM,
    op: str | None = None,
) -> tuple[bool, int, str]:
    """(compiled?, statements of the compiled run, answer); fails when the normal execution
    answers differently."""
    answer, compiled, statements = _execute(graph, document, variables, principal, op)

    with monkeypatch.context() as patch:
        patch.setattr(CompiledReads, "enabled", False)
        normal, was_compiled, _ = _execute(graph, document, variables, principal, op)
    assert not was_compiled
    assert answer == normal
    return compiled, statements, answer


def test_the_five_peer_queries_are_one_statement_each(
    demo: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    for case in cases(demo):
        compiled, statements, answer = both(demo, monkeypatch, case.verbund, case.variables)
        assert compiled, case.key
        assert statements == 1, case.key
        assert case.verbund_ids(json.loads(answer)["data"]), case.key


SERVICE_FIELDS = """id name description targetGroups languages legalBasis capacity capacityUnit
    capacityUsed status validFrom validTo email url requiredDocuments assuredDate
    version updatedAt archivedAt updatedBy __typename"""

# (name, document, variables with ids filled in from Ids by name) taking the compiled path.
COMPILED: list[tuple[str, str, dict[str, str]]] = [
    (
        "organizations page",
        """query($c: ID!, $a: ID!) { all: organizations(first: 12) { totalCount
          pageInfo { hasNextPage endCursor } nodes { id name sector
            locations { id name } memberships { role network { id name } } } }
          some: organizations(first: 5, filter: {categories: [$c], area: $a}) {
            totalCount edges { cursor node { id name } } } }""",
        {"c": "broad", "a": "area"},
    ),
    (
        "areas page",
        """query($a: ID!) { areas(first: 9) { totalCount pageInfo { hasNextPage endCursor }
          nodes { id name level parent { id name } } }
          inner: areas(filter: {within: $a, nameContains: "a"}) { totalCount nodes { id } } }""",
        {"a": "area"},
    ),
    (
        "every service field",
        f"query($id: ID!) {{ service(id: $id) {{ {SERVICE_FIELDS} }} }}",
        {"id": "service"},
    ),
    (
        "aliases",
        """query($id: ID!) { a: service(id: $id) { n: name i: id }
        b: service(id: $id) { name } }""",
        {"id": "service"},
    ),
    (
        "named fragment",
        """query($id: ID!) { service(id: $id) { ...S organization { ...O } } }
        fragment S on Service { id name categories { id } }
        fragment O on Organization { id sector legalStatus website }""",
        {"id": "service"},
    ),
    (
        "inline fragment",
        """query($id: ID!) { service(id: $id) { ... on Service { id status }
        ... { name } } }""",
        {"id": "service"},
    ),
    (
        "same field twice merged",
        """query($id: ID!) { service(id: $id) { organization { id }
        organization { name } } }""",
        {"id": "service"},
    ),
    ("unknown id", """{ service(id: "gibt-es-nicht") { id name } }""", {}),
    (
        "unknown organization",
        """{ organization(id: "nein") { id services { nodes { id } } } }""",
        {},
    ),
    (
        "organization without agreements",
        """query($id: ID!) { organization(id: $id) { id
        agreements { id } partners { id } memberships { role since version
        network { id name kind } } } }""",
        {"id": "lonely"},
    ),
    (
        "organization everything plain",
        """query($id: ID!) { organization(id: $id) { id name
        sector legalStatus description website email phone version updatedAt
        locations { id name street postalCode city phone openingHours }
        agreements { id title kind priorityAccess terms validFrom validTo documentRef
          parties { id } categories { name } }
        partners { id name } memberships { role since version network { id } } } }""",
        {"id": "organization"},
    ),
    (
        "services page with edges",
        """{ services(first: 3) { __typename totalCount
        pageInfo { hasNextPage endCursor __typename } edges { __typename cursor
        node { id name } } } }""",
        {},
    ),
    (
        "services page with nodes",
        """{ services(first: 3) { totalCount pageInfo { hasNextPage
        endCursor } nodes { id name } } }""",
        {},
    ),
    (
        "services first 0",
        """{ services(first: 0) { totalCount pageInfo { hasNextPage
        endCursor } nodes { id } } }""",
        {},
    ),
    (
        "services filtered by variables",
        """query($f: ServiceFilterInput, $n: Int) {
        services(filter: $f, first: $n) { totalCount nodes { id status languages } } }""",
        {},
    ),
    (
        "services by category and language",
        """{ services(filter: {languages: ["de"],
        statuses: [ACTIVE, INACTIVE]}, first: 50) { nodes { id categories { id } } } }""",
        {},
    ),
    (
        "services of an organization filter",
        """query($o: ID!) { services(filter:
        {organization: $o}) { totalCount nodes { id organization { id } } } }""",
        {"o": "organization"},
    ),
    (
        "services of an area filter",
        """query($a: ID!) { services(filter: {area: $a,
        includeBroaderAreas: true}) { nodes { id } } }""",
        {"a": "area"},
    ),
    (
        "services valid on a day",
        """{ services(filter: {validOn: "2026-06-01"}, first: 100)
        { nodes { id validFrom validTo } } }""",
        {},
    ),
    (
        "categories nested pages",
        """{ categories { id name version broader { id }
        narrower { id } services(first: 2) { totalCount pageInfo { hasNextPage endCursor }
        nodes { id organization { id name } } } } }""",
        {},
    ),
    (
        "nested page with filter",
        """query($c: ID!) { category(id: $c) { services(first: 5,
        filter: {statuses: [ACTIVE]}) { nodes { id status } } } }""",
        {"c": "broad"},
    ),
    (
        "agreements",
        """{ agreements { id title priorityAccess parties { id name }
        categories { id name } } }""",
        {},
    ),
    ("networks", """{ networks { id name kind description areas { id name level } } }""", {}),
    (
        "network by id",
        """query($id: ID!) { network(id: $id) { id name areas { id } } }""",
        {"id": "network"},
    ),
    (
        "area",
        """query($id: ID!) { area(id: $id) { id name level population
        parent { id } children { id } neighbours { id } locations { id } networks { id }
        services(first: 3) { nodes { id } } } }""",
        {"id": "area"},
    ),
    (
        "location",
        """query($id: ID!) { location(id: $id) { id name street postalCode city
        organization { id } area { id } services { nodes { id } } } }""",
        {"id": "location"},
    ),
    (
        "agreement by id",
        """query($id: ID!) { agreement(id: $id) { id title parties
        { id locations { id } } } }""",
        {"id": "agreement"},
    ),
    (
        "category by id with deep nesting",
        """query($id: ID!) { category(id: $id) { id
        services { nodes { id areas { id parent { id } } locations { id area { id } } } } } }""",
        {"id": "broad"},
    ),
    (
        # Deeper than the look-ahead reads (graph/repo/includes.py MAX_DEPTH): the resolvers
        # fetch the lowest levels through the dataloaders, in the same order.
        "deeper than the look-ahead",
        """{ services(first: 5) { nodes { organization { memberships { role since
            network { id areas { id } } } agreements { id parties { id locations { id
            area { id } } } } } } } }""",
        {},
    ),
    (
        "root __typename among roots, in document order",
        """query($id: ID!) { t: __typename categories { id } __typename
        service(id: $id) { __typename id } }""",
        {"id": "service"},
    ),
    (
        "several roots",
        """query($id: ID!) { categories { id } service(id: $id) { id }
        networks { name } }""",
        {"id": "service"},
    ),
]

FILTER = {"f": {"statuses": ["ACTIVE"], "targetGroups": None}, "n": 7}


def _variables(names: dict[str, str], ids: Ids) -> dict[str, Any]:
    return {key: getattr(ids, value) for key, value in names.items()}


@pytest.mark.parametrize(("name", "document", "names"), COMPILED, ids=[c[0] for c in COMPILED])
def test_compiled_documents_answer_as_the_resolvers(
    demo: Graph,
    ids: Ids,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    document: str,
    names: dict[str, str],
) -> None:
    variables = _variables(names, ids) | (FILTER if "$f" in document else {})
    compiled, statements, answer = both(demo, monkeypatch, document, variables)
    assert compiled, name
    assert statements == 1
    assert '"errors": []' in answer


def test_operation_name_picks_the_operation(
    demo: Graph, ids: Ids, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = """query A { categories { id } } query B { agreements { title } }"""
    for op in ("A", "B"):
        compiled, statements, answer = both(demo, monkeypatch, document, op=op)
        assert compiled
        assert statements == 1
        assert ("title" in answer) == (op == "B")


@pytest.mark.parametrize("role", [None, "partner", "admin"], ids=str)
def test_root_typename_alone_sends_no_statement(
    demo: Graph, ids: Ids, monkeypatch: pytest.MonkeyPatch, role: str | None
) -> None:
    # The probe API clients and load balancers send: answered from the schema alone.
    principal = _principal(role, ids.organization)
    for document in ("{ __typename }", "query Probe { a: __typename b: __typename }"):
        compiled, statements, answer = both(demo, monkeypatch, document, principal=principal)
        assert compiled
        assert statements == 0
        assert json.loads(answer)["data"] in ({"__typename": "Query"}, {"a": "Query", "b": "Query"})


def _pages(root: str, filtered: bool) -> str:
    argument = ", filter: $f" if filtered else ""
    declared = "$after: String" + (", $f: ServiceFilterInput" if filtered else "")
    return f"""query({declared}) {{
    {root}(first: 7, after: $after{argument}) {{ totalCount
      pageInfo {{ hasNextPage endCursor }} edges {{ cursor node {{ id name }} }} }} }}"""


PAGES = _pages("services", True)


@pytest.mark.parametrize(
    ("root", "variables"),
    [
        ("services", {}),
        ("services", {"f": FILTER["f"]}),
        ("organizations", {}),
        ("areas", {}),
    ],
    ids=["services", "services filtered", "organizations", "areas"],
)
def test_pages_after_a_cursor_answer_as_the_resolvers(
    demo: Graph, monkeypatch: pytest.MonkeyPatch, root: str, variables: dict[str, Any]
) -> None:
    document = _pages(root, bool(variables))
    after: str | None = None
    seen: list[str] = []
    total = None
    while True:
        compiled, statements, answer = both(
            demo, monkeypatch, document, variables | {"after": after}
        )
        assert compiled
        assert statements == 1
        page = json.loads(answer)["data"][root]
        total = total if total is not None else page["totalCount"]
        # The total counts the whole list, whichever page (as graph/repo/paging.py does).
        assert page["totalCount"] == total
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        assert after == page["edges"][-1]["cursor"]
    assert after is not None, "mehr als eine Seite"
    assert len(seen) == len(set(seen)) == total


def test_a_nested_page_after_a_cursor_answers_as_the_resolvers(
    demo: Graph, ids: Ids, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = """query($id: ID!, $after: String) { category(id: $id) {
        services(first: 2, after: $after) { pageInfo { hasNextPage endCursor }
          nodes { id organization { id } } } } }"""
    first = both(demo, monkeypatch, document, {"id": ids.broad})
    cursor = json.loads(first[2])["data"]["category"]["services"]["pageInfo"]["endCursor"]
    compiled, statements, answer = both(
        demo, monkeypatch, document, {"id": ids.broad, "after": cursor}
    )
    assert (compiled, statements) == (True, 1)
    assert json.loads(answer)["data"]["category"]["services"]["nodes"]


def test_a_cursor_of_another_sort_is_answered_by_the_normal_path(
    demo: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    normal = run_query(demo, "{ services(first: 1, sort: UPDATED) { pageInfo { endCursor } } }")
    cursor = normal["services"]["pageInfo"]["endCursor"]
    compiled, _, answer = both(demo, monkeypatch, PAGES, {"after": cursor})
    assert not compiled
    assert "Sortierung" in answer


# Documents the compiled path leaves to the normal execution (which must still answer them).
NORMAL: list[tuple[str, str, dict[str, str]]] = [
    (
        "computed field",
        """query($id: ID!) { service(id: $id) { id freeCapacity } }""",
        {"id": "service"},
    ),
    (
        "field with a policy",
        """query($id: ID!) { service(id: $id) { id referrals
        { nodes { id } } } }""",
        {"id": "service"},
    ),
    (
        "organizations by text",
        """{ organizations(filter: {text: "Beratung"}) { nodes { id } } }""",
        {},
    ),
    (
        "areas by distance",
        """{ areas(sort: DISTANCE, near: {latitude: 48.7, longitude: 9.1})
        { nodes { id } } }""",
        {},
    ),
    ("directive", """{ categories { id name @include(if: false) } }""", {}),
    ("invalid cursor", """{ services(first: 1, after: "eyJ4Ijox") { nodes { id } } }""", {}),
    ("full text", """{ services(filter: {text: "Beratung"}) { nodes { id } } }""", {}),
    ("offset argument", """{ services(first: 2, offset: 3) { nodes { id } } }""", {}),
    ("page too large", """{ services(first: 500) { nodes { id } } }""", {}),
    ("interface fragment", """{ categories { ... on Versioned { version } } }""", {}),
    (
        "households",
        """query($id: ID!) { area(id: $id) { id households { id } } }""",
        {"id": "area"},
    ),
    ("geometry resolver", """query($id: ID!) { area(id: $id) { id geometry } }""", {"id": "area"}),
    ("agreement validOn", """{ agreements { id validOn } }""", {}),
    (
        "relation with argument",
        """query($id: ID!) { organization(id: $id) {
        agreements(with: $id) { id } } }""",
        {"id": "organization"},
    ),
    (
        "membership organization",
        """query($id: ID!) { organization(id: $id) {
        memberships { organization { id } } } }""",
        {"id": "organization"},
    ),
    ("mixed with casework", """{ categories { id } referrals { nodes { id } } }""", {}),
    (
        "nodes and edges at once",
        """{ services(first: 2) { nodes { id }
        edges { node { name } } } }""",
        {},
    ),
]


@pytest.mark.parametrize(("name", "document", "names"), NORMAL, ids=[c[0] for c in NORMAL])
def test_other_documents_take_the_normal_path(
    demo: Graph,
    ids: Ids,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    document: str,
    names: dict[str, str],
) -> None:
    compiled, _, _ = both(demo, monkeypatch, document, _variables(names, ids))
    assert not compiled, name


ROLES = [None, "partner", "caseworker", "coordinator", "planner", "admin"]


@pytest.mark.parametrize("role", ROLES, ids=[str(r) for r in ROLES])
def test_every_role_gets_the_same_answer(
    demo: Graph, ids: Ids, monkeypatch: pytest.MonkeyPatch, role: str | None
) -> None:
    principal = _principal(role, ids.organization)
    for case in cases(demo):
        compiled, statements, answer = both(
            demo, monkeypatch, case.verbund, case.variables, principal
        )
        # Anonymous callers get the policy's refusal from the normal path.
        assert compiled == (role is not None), case.key
        if compiled:
            assert statements == 1
        else:
            assert "UNAUTHENTICATED" in answer


def test_a_cost_limit_still_applies(demo: Graph, monkeypatch: pytest.MonkeyPatch) -> None:
    document = "{ categories { services(first: 100) { nodes { categories { id } } } } }"
    context = Context(demo, principal=SYSTEM, max_query_cost=10)
    result = asyncio.run(schema.execute(document, context_value=context))
    assert not context.compiled
    assert result.errors is not None
    assert result.errors[0].extensions["code"] == "QUERY_TOO_COSTLY"
