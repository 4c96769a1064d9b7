"""Plain directory reads compiled into one statement (issue #16): the plan and the answer.

A query operation whose every selected field is a plain directory projection (a stored
property, an enum, a date, a related record through a relation of graph/repo/includes.py, a
page of services, also after a cursor) is answered without resolvers: ``plan`` turns the
operation into a ``Plan`` once per document, ``Plan.statement`` builds
graph/repo/projection.py's roots from the request's arguments (schema/compiled_request.py)
and how each column is answered (schema/compiled_answer.py). Which GraphQL field reads what
is declared as data in schema/compiled_fields.py (``ROOTS``, ``PAGES``, ``MEMBERSHIP``);
relations are schema/selection.py's ``INCLUDABLE`` (the look-ahead's own table), stored
properties are the record fields graph/repo/nodes.py reads. Values go through the same GraphQL
output coercion as on the normal path, with the record's default for an unset property.

Anything else (a resolver with logic, a field with a Policy of its own, household data,
computed fields like ``freeCapacity``, directives, interfaces, a sort other than by name,
a full-text filter) is refused here with ``NotCompiled``, and the request takes graphql-core's
normal execution. At request time a value the normal path would turn into an error (a null
where none is allowed, an invalid argument) raises ``NotCompiled`` too: errors always come
from the normal path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
)
from graphql.execution.values import VariableValues, get_argument_values

from graph.repo import projection
from schema.compiled_answer import answer_many, answer_one, page_answer
from schema.compiled_fields import BY_ID, EVERY, PAGE, ROOTS
from schema.compiled_parts import PageOut, Shape
from schema.compiled_refusals import NotCompiled, definition_of, unwrap_single
from schema.compiled_request import paged, pick
from schema.compiled_shape import collect_fields, page_out, selection_shape
from schema.policy import Policy
from schema.principal import Principal

__all__ = ["NotCompiled", "Plan", "RootOut", "plan"]


@dataclass(slots=True)
class RootOut:
    response: str
    kind: str
    field: GraphQLField
    node: FieldNode
    policy: Policy
    shape: Shape
    page: PageOut | None = None


@dataclass(slots=True)
class Plan:
    """A compiled query operation: its roots and how its answer is made.

    ``roots`` are read by the statement; ``typenames`` (response name -> the query type's
    name) are the root ``__typename`` fields, answered without it; ``order`` is every
    response name in the document's order. ``{ __typename }`` alone, the probe API clients
    and load balancers send, needs no statement at all."""

    roots: list[RootOut]
    typenames: dict[str, str]
    order: list[str]

    def allowed(self, principal: Principal) -> bool:
        """Whether every root's policy lets ``principal`` read it unchanged."""
        return all(root.policy.passes_unchanged(principal) for root in self.roots)

    def statement(
        self, variables: VariableValues
    ) -> tuple[str, dict[str, Any], list[Callable[[Any], Any]]]:
        """The statement for this request's arguments, and how to answer each column."""
        roots: list[projection.Root] = []
        answers: list[Callable[[Any], Any]] = []
        for root in self.roots:
            if root.kind == BY_ID:
                label = root.shape.label
                assert label is not None
                ident = get_argument_values(root.field, root.node, variables)["id"]
                roots.append(projection.ById(label, str(ident), pick(root.shape, variables)))
                answers.append(answer_one(root.shape))
            elif root.kind == EVERY:
                label = root.shape.label
                assert label is not None
                roots.append(projection.Every(label, pick(root.shape, variables)))
                answers.append(answer_many(root.shape))
            else:
                assert root.page is not None
                roots.append(paged(root.page, variables))
                answers.append(partial(page_answer, root.page))
        cypher, params = projection.statement(roots)
        return cypher, params, answers


def plan(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode) -> Plan:
    """The plan of ``operation``, or ``NotCompiled``."""
    if operation.operation is not OperationType.QUERY or operation.directives:
        raise NotCompiled("keine Abfrage")
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    query_type = schema.query_type
    if query_type is None:
        raise NotCompiled("kein Query-Typ")
    roots: list[RootOut] = []
    typenames: dict[str, str] = {}
    selected = collect_fields(query_type, [operation.selection_set], fragments)
    for response, nodes in selected.items():
        name = nodes[0].name.value
        if name == "__typename":
            typenames[response] = query_type.name
            continue
        kind = ROOTS.get(name)
        if kind is None:
            raise NotCompiled(f"Query.{name}")
        gfield = query_type.fields[name]
        definition = definition_of(gfield)
        extensions = list(definition.extensions)
        if len(extensions) != 1 or not isinstance(extensions[0], Policy):
            raise NotCompiled(f"Query.{name}: keine einfache Policy")
        target, _, is_list, _ = unwrap_single(gfield.type)
        if kind == PAGE:
            page = page_out(response, 0, target, gfield, nodes, fragments, None)
            roots.append(RootOut(response, kind, gfield, nodes[0], extensions[0], page.shape, page))
            continue
        if not isinstance(target, GraphQLObjectType) or is_list != (kind == EVERY):
            raise NotCompiled(f"Query.{name}: unerwarteter Typ")
        shape = selection_shape(target, nodes, fragments)
        roots.append(RootOut(response, kind, gfield, nodes[0], extensions[0], shape))
    if not selected:
        raise NotCompiled("nichts ausgewählt")
    return Plan(roots, typenames, list(selected))
