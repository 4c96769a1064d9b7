"""Reading ahead (schema/selection.py) and completing read-ahead subtrees without their
resolvers (schema/execution.py) change how much is done, never the answer.

Every field of every type, two levels deep, is queried twice on the small demo: with the
look-ahead (lean projections, related records and counts in the parent's statement,
completed in one pass) and without it (whole records, one dataloader round trip per hop,
graphql-core's own execution). The answers must be equal, so a resolver that reads a
record field the look-ahead did not declare, or a completion that differs from the
resolver, shows up here.
"""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLNonNull, GraphQLObjectType, get_named_type, is_leaf_type
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

import schema.selection
from graph import Graph
from graph.repo.includes import FULL
from schema import schema as app_schema
from schema.compiled_run import CompiledReads
from schema.execution import PlainFieldsFirst
from tests.apikit import load_small_demo, run_query


@pytest.fixture(scope="module")
def demo(graph: Graph) -> Graph:
    load_small_demo(graph)
    return graph


def _selection(gtype: GraphQLObjectType, depth: int) -> str:
    parts: list[str] = []
    for name, field in gtype.fields.items():
        if any(isinstance(arg.type, GraphQLNonNull) for arg in field.args.values()):
            continue
        named = get_named_type(field.type)
        if is_leaf_type(named):
            parts.append(name)
        elif (
            depth > 0
            and isinstance(named, GraphQLObjectType)
            and not named.name.endswith(("Connection", "Edge"))
        ):
            parts.append(f"{name} {{ {_selection(named, depth - 1)} }}")
    return " ".join(parts) or "__typename"


def _type(name: str) -> GraphQLObjectType:
    found = app_schema._schema.type_map[name]
    assert isinstance(found, GraphQLObjectType)
    return found


# The generated documents select every field a few levels deep, far above the cost budget
# (schema/cost.py); what they test is the read-ahead, so they run without it.
UNLIMITED = 10**9


def _both(graph: Graph, document: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    ahead = run_query(graph, document, max_query_cost=UNLIMITED)
    with monkeypatch.context() as patch:
        patch.setattr(schema.selection, "shape_of", lambda *args: FULL)
        patch.setattr(app_schema, "execution_context_class", StrawberryGraphQLCoreExecutionContext)
        plain = run_query(graph, document, max_query_cost=UNLIMITED)
    return ahead, plain


LISTS = {
    "services": "Service",
    "areas": "Area",
    "organizations": "Organization",
    "referrals": "Referral",
}


@pytest.mark.parametrize("root", sorted(LISTS))
def test_lists_read_ahead_answer_as_whole_records(
    demo: Graph, root: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fields = _selection(_type(LISTS[root]), 2)
    document = f"{{ {root}(first: 12) {{ totalCount nodes {{ {fields} }} }} }}"
    ahead, plain = _both(demo, document, monkeypatch)
    assert ahead[root]["nodes"], "die Demo hat Einträge"
    assert ahead == plain


BY_ID = {
    "organization": ("Organization", "caritas-stuttgart"),
    "area": ("Area", "stuttgart-bad-cannstatt"),
    "category": ("Category", "schuldnerberatung"),
    "network": ("Network", "zentrale-schuldnerberatung"),
}


@pytest.mark.parametrize("root", sorted(BY_ID))
def test_records_by_id_read_ahead_answer_as_whole_records(
    demo: Graph, root: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    type_name, ident = BY_ID[root]
    fields = _selection(_type(type_name), 2)
    ahead, plain = _both(demo, f'{{ {root}(id: "{ident}") {{ {fields} }} }}', monkeypatch)
    assert ahead[root] is not None
    assert ahead == plain


def test_fragments_aliases_and_edges_are_read_ahead(
    demo: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = """
      fragment org on Organization { id name agreements { id title parties { id } } }
      { services(first: 15, filter: {statuses: [ACTIVE]}) {
          total: totalCount
          edges { cursor node {
            ... on Service { id freeCapacity provider: organization { ...org } }
            kategorien: categories { id broader { id } }
          } }
          pageInfo { hasNextPage endCursor }
      } }"""
    ahead, plain = _both(demo, document, monkeypatch)
    assert ahead["services"]["edges"]
    assert ahead == plain


# Typical documents whose answers are completed wholly from what was read ahead.
READ_AHEAD_DOCUMENTS = [
    """{ services(filter: {area: "stuttgart-bad-cannstatt", includeBroaderAreas: true,
         statuses: [ACTIVE]}, first: 20) { totalCount pageInfo { hasNextPage endCursor }
         edges { cursor node { id name languages capacity capacityUsed status validFrom
           organization { __typename id name sector } categories { id name broader { id } }
           areas { id level centroid { latitude longitude } } } } } }""",
    """{ areas(filter: {levels: [DISTRICT]}, first: 23) { nodes { id name
         services(first: 10) { totalCount nodes { id name updatedAt
           organization { id name agreements { id title priorityAccess
             parties { id name } categories { id } } } } } } } }""",
    """{ organization(id: "caritas-stuttgart") { id name version
         partners { id name } memberships { role since version network { id name kind } }
         locations { id name position { latitude longitude } area { id name } }
         agreements { id title validFrom validTo } } }""",
    """{ organizations(first: 5) { totalCount nodes { id name
         locations { id organization { id } } } } }""",
]


@pytest.mark.parametrize("document", READ_AHEAD_DOCUMENTS)
def test_read_ahead_answers_are_completed_in_one_pass(
    demo: Graph, document: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    completed: list[str] = []
    original = PlainFieldsFirst._fill

    def spy(self: Any, gtype: Any, plan: Any, obj: Any) -> Any:
        completed.append(gtype.name)
        return original(self, gtype, plan, obj)

    monkeypatch.setattr(PlainFieldsFirst, "_fill", spy)
    # Some of these documents are answered by the compiled reads (schema/compiled.py, tested
    # in tests/test_compiled_reads.py); here the executor's own completion is under test.
    monkeypatch.setattr(CompiledReads, "enabled", False)
    ahead, plain = _both(demo, document, monkeypatch)
    assert ahead == plain
    assert any(name.endswith("Connection") or name == "Organization" for name in completed)
    assert "Organization" in completed
