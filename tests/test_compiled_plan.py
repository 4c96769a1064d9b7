"""The compiler of plain directory reads (schema/compiled.py, graph/repo/projection.py) without a
database: the statement's shape and parameters, what it refuses, and that nothing a caller
wrote ends up in the statement's text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from graphql import OperationDefinitionNode, get_operation_ast, parse
from graphql.execution.values import VariableValues, get_variable_values

from graph.repo import projection
from graph.repo.paging import Query
from schema import schema
from schema.compiled import NotCompiled, Plan, plan

ROOT = Path(__file__).resolve().parent.parent


def _plan(document: str) -> Plan:
    parsed = parse(document)
    operation = get_operation_ast(parsed)
    assert isinstance(operation, OperationDefinitionNode)
    return plan(schema._schema, parsed, operation)


def _variables(document: str, values: dict[str, Any]) -> VariableValues:
    operation = get_operation_ast(parse(document))
    assert operation is not None
    found = get_variable_values(schema._schema, operation.variable_definitions or (), values)
    assert isinstance(found, VariableValues)
    return found


def _statement(document: str, values: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
    cypher, params, _ = _plan(document).statement(_variables(document, values or {}))
    return cypher, params


def test_a_page_with_related_records_is_one_statement_of_known_shape() -> None:
    cypher, params = _statement(
        """{ services(filter: {statuses: [ACTIVE]}, first: 20) { nodes { id name
             organization { id name } categories { id name } } } }"""
    )
    assert cypher == (
        "RETURN {rows: COLLECT { MATCH (n:Service) WHERE (n.status IN $p1_statuses) "
        "WITH DISTINCT n WITH n, toLower(n.name) AS k0 ORDER BY k0, n.id LIMIT $p2 + 1 "
        "RETURN {n: n {.id, .name, "
        "_s0: head(COLLECT { MATCH (n)<-[:PROVIDES]-(n1:Organization) RETURN n1 {.id, .name} }), "
        "_s1: COLLECT { MATCH (n)-[:IN_CATEGORY]->(n1:Category) RETURN n1 {.id, .name} }}} }, "
        "first: $p2, total: null} AS r0"
    )
    assert params == {"p1_statuses": ["active"], "p2": 20}


@pytest.mark.parametrize(
    "selection",
    ["nodes { id } pageInfo { endCursor }", "edges { cursor node { id } }"],
)
def test_rows_carry_their_sort_key_only_when_a_cursor_is_shown(selection: str) -> None:
    with_cursor, _ = _statement(f"{{ services(first: 5) {{ {selection} }} }}")
    without, _ = _statement("{ services(first: 5) { nodes { id } pageInfo { hasNextPage } } }")
    assert "RETURN {k: k0, n: n {" in with_cursor
    assert "RETURN {n: n {" in without
    # The order is the same either way: the sort key is computed, just not returned.
    assert "ORDER BY k0, n.id" in without


def test_nested_pages_are_anchored_on_their_parent() -> None:
    cypher, params = _statement(
        "{ categories { id services(first: 10) { totalCount nodes { id } } } }"
    )
    assert cypher.startswith("RETURN COLLECT { MATCH (n:Category) WITH n ORDER BY n.name, n.id ")
    assert "MATCH (n)<-[:BROADER*0..]-(:Category)<-[:IN_CATEGORY]-(n1:Service)" in cypher
    assert "COUNT { MATCH (n)<-[:BROADER*0..]-(:Category)" in cypher
    assert params == {"p2": 10}


def test_memberships_read_the_edge_with_the_network() -> None:
    cypher, params = _statement(
        """query($id: ID!) { organization(id: $id) { memberships { role network { name } } } }""",
        {"id": "org-1"},
    )
    assert "MATCH (n)-[m1:MEMBER_OF]->(n1:Network) WITH DISTINCT n1, m1" in cypher
    assert "RETURN {n: n1 {.id, .name}, e: m1 {.*}}" in cypher
    assert params == {"p1": "org-1"}


def test_memberships_without_their_own_fields_leave_the_edge_unread() -> None:
    cypher, _ = _statement(
        """query($id: ID!) { organization(id: $id) { memberships { network { name } } } }""",
        {"id": "org-1"},
    )
    # Still one membership per edge (the DISTINCT keeps the edge), but its properties unread.
    assert "MATCH (n)-[m1:MEMBER_OF]->(n1:Network) WITH DISTINCT n1, m1" in cypher
    assert "RETURN {n: n1 {.id, .name}} }" in cypher
    assert "m1 {.*}" not in cypher


def test_no_caller_string_reaches_the_text() -> None:
    evil = "x'}) DETACH DELETE n //"
    document = """query($id: ID!, $f: ServiceFilterInput) {
        DETACHDELETE: service(id: $id) { ALIASX: name }
        services(filter: $f) { nodes { id } } }"""
    cypher, params = _statement(
        document,
        {"id": evil, "f": {"organization": evil, "languages": ["de"], "categories": [evil]}},
    )
    assert evil not in cypher
    assert "DETACH" not in cypher
    assert "ALIASX" not in cypher
    assert evil in params.values()
    assert [evil] in params.values()


REFUSED = [
    "mutation { __typename }",
    "{ areas { nodes { id households { id } } } }",
    "{ organizations { nodes { id } edges { node { id } } } }",
    "{ categories { id @skip(if: true) } }",
    "{ categories { ... on Versioned { version } } }",
    '{ service(id: "x") { freeCapacity } }',
    '{ service(id: "x") { referrals { nodes { id } } } }',
    '{ area(id: "x") { centroid { latitude } } }',
    '{ area(id: "x") { households { id } } }',
    '{ organization(id: "x") { agreements(with: "y") { id } } }',
    '{ organization(id: "x") { memberships { organization { id } } } }',
    '{ network(id: "x") { memberships { role } } }',
    "{ agreements { validOn } }",
    "{ categories { id } referrals { nodes { id } } }",
    "{ __typename __schema { queryType { name } } }",
]


@pytest.mark.parametrize("document", REFUSED)
def test_what_is_not_a_plain_projection_is_refused(document: str) -> None:
    with pytest.raises(NotCompiled):
        _plan(document)


REFUSED_ARGUMENTS = [
    '{ services(after: "abc") { nodes { id } } }',
    "{ services(sort: DISTANCE, near: {latitude: 48.7, longitude: 9.1}) { nodes { id } } }",
    "{ services(sort: UPDATED) { nodes { id } } }",
    '{ services(filter: {text: "Beratung"}) { nodes { id } } }',
    "{ services(first: 101) { nodes { id } } }",
    "{ categories { services(first: -1) { nodes { id } } } }",
]


@pytest.mark.parametrize("document", REFUSED_ARGUMENTS)
def test_arguments_the_resolver_treats_specially_are_left_to_it(document: str) -> None:
    compiled = _plan(document)
    with pytest.raises(NotCompiled):
        compiled.statement(_variables(document, {}))


def test_the_statement_reads_only_stored_fields_of_directory_labels() -> None:
    with pytest.raises(projection.NotProjectable):
        projection.statement(
            [projection.Every("Service", projection.Pick("Service", frozenset({"x"})))]
        )
    with pytest.raises(projection.NotProjectable):
        projection.statement([projection.ById("Referral", "r", projection.Pick("Referral"))])
    with pytest.raises(projection.NotProjectable):
        projection.statement(
            [
                projection.Every(
                    "Service",
                    projection.Pick(
                        "Service",
                        related=(projection.Related(0, "referrals", projection.Pick("Referral")),),
                    ),
                )
            ]
        )
    with pytest.raises(projection.NotProjectable):
        projection.statement(
            [projection.Paged(0, Query("Service"), "distance", 10, projection.Pick("Service"))]
        )


def test_no_resolver_middleware_runs_beside_the_compiled_reads() -> None:
    """The compiled path runs no resolvers: an extension or middleware that wraps each one
    (e.g. for tracing or masking) would be skipped for compiled reads. The operation's run
    (schema/operation.py) passes graphql-core none and the schema declares no extension;
    whoever adds one must first make schema/compiled_run.py step aside for it."""
    assert tuple(schema.extensions) == ()
    assert "middleware=" not in (ROOT / "schema" / "operation.py").read_text(encoding="utf-8")
