"""One GraphQL operation from text to answer: verbund's own run in place of strawberry's.

strawberry's ``Schema.execute`` builds, for every request, an execution context, a fresh
instance of every schema extension, a runner that enters each extension's hooks for four
stages, and a middleware manager; on a small request that pipeline cost more than
graphql-core's execution of the cached document (bench/README.md, "Eighth session"). verbund's
rules are not optional plug-ins but the operation itself, so they run here as plain steps,
in the order the extensions had:

1. around everything: the idempotency key's write record (schema/idempotency.py), then the
   audit (schema/policy_audit.py), then the errors as the client sees them (schema/errors.py);
2. parse, cached per document text, with the token limit (schema/limits.py);
3. the operation and its type (strawberry's refusals: no operation, one not allowed over
   this transport, e.g. a mutation over GET);
4. validation, cached per document text, and the cost limit (schema/limits.py);
5. the compiled one-statement read where it applies (schema/compiled_run.py), else
   graphql-core's execution with verbund's executor (schema/execution.py).

What strawberry gives the resolvers stays the same: graphql-core's ``execute`` with the same
arguments strawberry passes (the schema strawberry built, the executor class, the request's
``extensions`` entry), so every resolver, policy and DataLoader sees what it saw before
(tests/test_operation.py compares answers and errors with strawberry's own pipeline).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeGuard, cast

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    OperationDefinitionNode,
    execute,
)
from graphql import (
    ExecutionResult as CoreResult,
)
from graphql.execution import Executor
from strawberry.exceptions import MissingQueryError
from strawberry.execution.is_awaitable import optimized_is_awaitable
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from schema.compiled_run import CompiledReads
from schema.context import Context
from schema.errors import log_unexpected, present
from schema.idempotency import recording
from schema.limits import MAX_QUERY_COST, DocumentRules
from schema.policy_audit import audit_request

# strawberry's check (a fast path for plain values, then graphql-core's order), which it hands
# graphql-core too; typed there as a plain bool function.
IS_AWAITABLE = cast(Callable[[Any], TypeGuard[Awaitable[Any]]], optimized_is_awaitable)


@dataclass(frozen=True, slots=True)
class OperationRequest:
    """What one run needs: the text and values the caller sent and what the transport
    allows (``allowed``: e.g. no mutation over GET), as strawberry's ``Schema.execute``
    takes them."""

    schema: GraphQLSchema
    query: str | None
    variables: dict[str, Any] | None
    context: Any
    root_value: Any
    operation_name: str | None
    allowed: Iterable[OperationType]
    extensions: dict[str, Any] | None
    executor: type[Executor[Any]]


async def run_operation(request: OperationRequest) -> ExecutionResult:
    """The answer to one operation; raises strawberry's ``MissingQueryError``,
    ``CannotGetOperationTypeError`` and ``InvalidOperationTypeError`` for the transport to
    refuse (HTTP 400), as strawberry's ``Schema.execute`` does."""
    context = request.context
    ours = isinstance(context, Context)
    try:
        with recording(context.idempotency if ours else None):
            result = await _run(request)
        if ours:
            await audit_request(context, result)
    except (MissingQueryError, CannotGetOperationTypeError, InvalidOperationTypeError):
        raise
    except Exception as exc:
        error = exc if isinstance(exc, GraphQLError) else GraphQLError(str(exc), original_error=exc)
        log_unexpected([error])
        result = ExecutionResult(data=None, errors=[error])
    if result.errors:
        result.errors = present(result.errors)
    return result


async def _run(request: OperationRequest) -> ExecutionResult:
    query, context, variables = request.query, request.context, request.variables
    if not query:
        raise MissingQueryError
    try:
        prepared = DocumentRules.parsed(query)
    except GraphQLError as error:
        return _refused([error])
    document = prepared.document
    operation_name = request.operation_name
    operation = _operation(document, operation_name)
    if operation is None:
        raise CannotGetOperationTypeError(operation_name)
    kind = OperationType(operation.operation.value)
    if kind not in request.allowed:
        raise InvalidOperationTypeError(kind)
    if operation_name is None and operation.name is not None:
        # As strawberry: without a name the first operation runs, also in a document with
        # several (graphql-core alone would refuse that).
        operation_name = operation.name.value
    budget = getattr(context, "max_query_cost", MAX_QUERY_COST)
    errors = DocumentRules.errors(prepared, request.schema, operation_name, variables, budget)
    if errors:
        return _refused(errors)
    if isinstance(context, Context):
        data = await CompiledReads.answer(
            context, request.schema, query, document, operation, operation_name, variables
        )
        if data is not None:
            return ExecutionResult(data=data, errors=None)
    done = execute(
        request.schema,
        document,
        root_value=request.root_value,
        context_value=context,
        variable_values=variables,
        operation_name=operation_name,
        executor_class=request.executor,
        is_awaitable=IS_AWAITABLE,
        operation_extensions=request.extensions,
    )
    if not isinstance(done, CoreResult):
        done = await done
    if done.errors:
        log_unexpected(done.errors)
    return ExecutionResult(data=done.data, errors=done.errors)


def _refused(errors: list[GraphQLError]) -> ExecutionResult:
    """The answer to a document that may not run (syntax, validation, cost)."""
    log_unexpected(errors)
    return ExecutionResult(data=None, errors=errors)


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    """The operation strawberry would run: the one of that name, else the first."""
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode) and (
            name is None or (definition.name is not None and definition.name.value == name)
        ):
            return definition
    return None
