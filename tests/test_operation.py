"""verbund's own operation run (schema/operation.py) answers as strawberry's pipeline does.

The same types served by a plain strawberry schema (its ``Schema.execute`` with its execution
context, extension runner and middleware manager, verbund's executor class) are the
reference: for documents the limits do not refuse, data and errors (as verbund presents them)
must be the same, and strawberry's refusals (no query, no such operation, an operation type
the transport does not allow) must be raised the same. The limits themselves, the audit and
the idempotency keys have their own tests (test_api_limits, test_api_cost, test_audit*,
test_idempotency*); the compiled reads theirs (test_compiled_reads).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import strawberry
from strawberry.exceptions import MissingQueryError
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types.graphql import OperationType

from graph import Graph
from schema import Context, schema
from schema.compiled_run import CompiledReads
from schema.errors import present
from schema.execution import PlainFieldsFirst
from schema.limits import DocumentRules
from schema.principal import ANONYMOUS, SYSTEM, Principal
from schema.root import Mutation, Query
from tests.apikit import load_small_demo

STRAWBERRY = strawberry.Schema(
    query=Query, mutation=Mutation, execution_context_class=PlainFieldsFirst
)
COORDINATOR = Principal(subject="test-coordinator", role="coordinator", auth_method="token")


@pytest.fixture(scope="module")
def demo(graph: Graph) -> Graph:
    load_small_demo(graph)
    return graph


def _answer(result: Any) -> str:
    errors = [e.formatted for e in present(result.errors or [])]
    return json.dumps({"data": result.data, "errors": errors}, sort_keys=True, default=str)


def _run(
    target: strawberry.Schema,
    graph: Graph,
    document: str,
    variables: dict[str, Any] | None,
    principal: Principal,
    operation: str | None,
    allowed: set[OperationType] | None,
) -> str:
    context = Context(graph, principal=principal)
    try:
        result = asyncio.run(
            target.execute(
                document,
                variable_values=variables,
                context_value=context,
                operation_name=operation,
                allowed_operation_types=allowed,
            )
        )
    except (MissingQueryError, CannotGetOperationTypeError, InvalidOperationTypeError) as exc:
        return f"raised {type(exc).__name__}"
    return _answer(result)


CASES: list[tuple[str, dict[str, Any] | None, Principal, str | None]] = [
    ("{ __typename }", None, COORDINATOR, None),
    ("{ organizations(first: 3) { totalCount nodes { id name } } }", None, COORDINATOR, None),
    ("{ categories { id name services(first: 2) { nodes { id } } } }", None, SYSTEM, None),
    ('{ organization(id: "gibt-es-nicht") { id name } }', None, COORDINATOR, None),
    # The client's mistakes: syntax, an unknown field, variables missing or of the wrong kind.
    ("{ organizations( }", None, COORDINATOR, None),
    ("{ gibtEsNicht }", None, COORDINATOR, None),
    ("query($id: ID!) { organization(id: $id) { id } }", None, COORDINATOR, None),
    ("query($n: Int) { organizations(first: $n) { totalCount } }", {"n": "zehn"}, SYSTEM, None),
    ("query A { serverInfo { version } } query B { __typename }", None, COORDINATOR, None),
    ("query A { serverInfo { version } } query B { __typename }", None, COORDINATOR, "B"),
    # An argument the resolver refuses, and data the caller may not read.
    ("{ organizations(first: -1) { totalCount } }", None, COORDINATOR, None),
    ('{ household(id: "h-1") { id } }', None, ANONYMOUS, None),
    ("{ auditEvents(first: 1) { id } }", None, COORDINATOR, None),
    # A mutation the policy refuses to a reader.
    (
        'mutation { createOrganization(input: {id: "neu", name: "Neu"}) { __typename } }',
        None,
        ANONYMOUS,
        None,
    ),
]


@pytest.mark.parametrize(("document", "variables", "principal", "operation"), CASES)
def test_answers_and_errors_are_strawberrys(
    demo: Graph,
    monkeypatch: pytest.MonkeyPatch,
    document: str,
    variables: dict[str, Any] | None,
    principal: Principal,
    operation: str | None,
) -> None:
    # strawberry's pipeline knows nothing of the compiled reads: both take graphql-core.
    monkeypatch.setattr(CompiledReads, "enabled", False)
    ours = _run(schema, demo, document, variables, principal, operation, None)
    theirs = _run(STRAWBERRY, demo, document, variables, principal, operation, None)
    assert ours == theirs
    assert ours.startswith("{")


@pytest.mark.parametrize(
    ("document", "operation", "allowed", "raised"),
    [
        ("", None, None, "MissingQueryError"),
        ("{ __typename }", "Gibt", None, "CannotGetOperationTypeError"),
        ("fragment F on Query { __typename }", None, None, "CannotGetOperationTypeError"),
        (
            "mutation { __typename }",
            None,
            {OperationType.QUERY},
            "InvalidOperationTypeError",
        ),
    ],
)
def test_strawberrys_refusals_are_raised_the_same(
    demo: Graph,
    document: str,
    operation: str | None,
    allowed: set[OperationType] | None,
    raised: str,
) -> None:
    ours = _run(schema, demo, document, None, COORDINATOR, operation, allowed)
    theirs = _run(STRAWBERRY, demo, document, None, COORDINATOR, operation, allowed)
    assert ours == theirs == f"raised {raised}"


def test_a_repeated_document_is_parsed_and_validated_once(demo: Graph) -> None:
    document = "{ serverInfo { version } __typename }"
    first = _run(schema, demo, document, None, COORDINATOR, None, None)
    parsed, validated = DocumentRules.parse_hits, DocumentRules.validation_hits
    assert _run(schema, demo, document, None, COORDINATOR, None, None) == first
    assert (DocumentRules.parse_hits, DocumentRules.validation_hits) == (parsed + 1, validated + 1)


def test_the_synchronous_run_is_refused() -> None:
    # It would bypass the audit and the idempotency keys: refused rather than offered.
    with pytest.raises(NotImplementedError):
        schema.execute_sync("{ __typename }")
