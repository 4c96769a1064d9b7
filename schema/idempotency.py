"""Safe retries: a mutation sent with an ``Idempotency-Key`` runs at most once per key.

The key is the caller's (scoped to the principal's subject). The first request with a key
runs normally, its writes recorded on the key in their own transactions (graph/idempotency.py);
once it answered without errors, the answer is stored for ``idempotency_hours``. A retry with
the same key and the same request (query, variables, operation name):

- gets the stored answer, without running anything;
- or, when the first attempt's answer was never stored (the connection broke during the
  commit, the process was killed), runs again with every write the first attempt committed
  replayed from the key instead of written a second time.

The same key with a different request is refused (``IDEMPOTENCY_KEY_REUSED``, HTTP 409).
Queries ignore the key. Used by ``/graphql`` (the header) and by the web pages (a hidden
form field, api/web/data.py) alike.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractContextManager
from typing import Any

import strawberry
from graphql import (
    FieldNode,
    GraphQLError,
    GraphQLSyntaxError,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    StringValueNode,
    ValueNode,
    VariableNode,
    get_operation_ast,
    parse,
)
from strawberry.types import ExecutionResult

from graph import GraphError
from graph import idempotency as keys
from schema import replay_audit
from schema.context import Context

log = logging.getLogger("verbund.graphql")

HEADER = "Idempotency-Key"
INPUT_FIELD = "clientMutationId"


def client_mutation_id_field() -> Any:
    """The ``clientMutationId`` of the create inputs (and the directory's update inputs)."""
    return strawberry.field(
        default=None,
        description="Optional: eigene Kennung des Vorgangs; wirkt wie der Header "
        "`Idempotency-Key` (eine Wiederholung mit derselben Kennung schreibt nicht noch "
        "einmal). Der Header hat Vorrang.",
    )


def request_hash(query: str, variables: Mapping[str, Any] | None, operation: str | None) -> str:
    """What makes two requests "the same request" for a key."""
    canonical = json.dumps(
        {"query": query, "variables": variables or {}, "operationName": operation},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _is_mutation(query: str, operation: str | None) -> bool:
    try:
        document = parse(query)
    except GraphQLSyntaxError:
        return False
    found = get_operation_ast(document, operation)
    return found is not None and found.operation == OperationType.MUTATION


def _input_value(node: ValueNode, variables: Mapping[str, Any]) -> Any:
    if isinstance(node, VariableNode):
        return variables.get(node.name.value)
    if isinstance(node, StringValueNode):
        return node.value
    if isinstance(node, ObjectValueNode):
        return {f.name.value: _input_value(f.value, variables) for f in node.fields}
    return None


def client_mutation_id(
    query: str, variables: Mapping[str, Any] | None, operation: str | None
) -> str | None:
    """The ``clientMutationId`` of the first mutation field's ``input``, if one is given."""
    variables = variables or {}
    # Most requests are queries without variables: no encoding needed to see there is none.
    if INPUT_FIELD not in query and (
        not variables or INPUT_FIELD not in json.dumps(variables, default=str)
    ):
        return None
    try:
        found = get_operation_ast(parse(query), operation)
    except GraphQLSyntaxError:
        return None
    if not isinstance(found, OperationDefinitionNode):
        return None
    if found.operation != OperationType.MUTATION:
        return None
    for selection in found.selection_set.selections:
        if not isinstance(selection, FieldNode):
            continue
        for argument in selection.arguments or ():
            if argument.name.value != "input":
                continue
            given = _input_value(argument.value, variables)
            value = given.get(INPUT_FIELD) if isinstance(given, dict) else None
            # An empty one is none (the field is optional; forms send "" for "not set").
            if isinstance(value, str) and value:
                return value
    return None


def _refused(code: str, message: str) -> ExecutionResult:
    return ExecutionResult(
        data=None, errors=[GraphQLError(message, extensions={"code": code})], extensions=None
    )


def _key_problem(key: str) -> str | None:
    if not key or len(key) > keys.MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        return (
            f"Der Idempotency-Key muss 1 bis {keys.MAX_KEY_LENGTH} druckbare ASCII-Zeichen "
            "lang sein, z. B. eine UUID."
        )
    return None


async def execute_once(
    context: Context,
    key: str | None,
    query: str,
    variables: Mapping[str, Any] | None,
    operation: str | None,
    execute: Callable[[], Awaitable[ExecutionResult]],
) -> ExecutionResult:
    """Run ``execute`` (the request) under ``key`` (or the input's ``clientMutationId``):
    once, or answer as the first time. Without either it just runs."""
    if key is None:
        key = client_mutation_id(query, variables, operation)
        if key is None:
            return await execute()
    elif not _is_mutation(query, operation):
        return await execute()
    problem = _key_problem(key)
    if problem is not None:
        return _refused("BAD_USER_INPUT", problem)
    scope = context.principal.subject
    digest = request_hash(query, variables, operation)
    try:
        stored = await context.run(keys.lookup, context.graph, scope, key, context.now)
    except GraphError as exc:
        return _refused(exc.code, str(exc))
    if stored is not None and stored.request_hash != digest:
        # The HTTP status (409) follows from the code in api/faults.py, as for every fault.
        reused = keys.KeyReused()
        return _refused(reused.code, str(reused))
    if stored is not None and stored.outcome is not None:
        if context.response is not None:
            context.response.headers["Idempotent-Replayed"] = "true"
        return await replay_audit.replayed(context, stored.outcome)
    claim = keys.Claim(
        scope=scope,
        key=key,
        request_hash=digest,
        expires_at=keys.expires(context.now, context.idempotency_hours),
        replay=stored.results if stored is not None else [],
    )
    context.idempotency = claim
    result = await execute()
    if not result.errors:
        # Only an answer without errors is kept: an error (database away, the outcome
        # unknown) may not be the final word, and a retry replays what was committed anyway.
        outcome = replay_audit.outcome(context, result)
        try:
            await context.run(keys.save_outcome, context.graph, claim, outcome, context.now)
        except GraphError:
            log.warning("Antwort zum Idempotency-Key nicht gespeichert; Wiederholung spielt ab")
    return result


def recording(claim: keys.Claim | None) -> AbstractContextManager[None]:
    """Record (or replay) the resolvers' writes on the request's key (``context.idempotency``,
    None: the request has none).

    Only around the operation (schema/operation.py): the audit
    entry written after it (schema/policy_audit.py) is written for every attempt and never
    replayed.
    """
    return keys.active(claim)
