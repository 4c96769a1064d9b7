"""The compiled read path's one hook: a schema extension that answers a plain directory read
with one statement before graphql-core's execution would start (issue #16).

strawberry runs parsing, validation (depth, aliases, tokens) and the cost limit
(schema/limits.py) first, as for every request; a document they refuse never gets here. Then,
if the operation compiles (schema/compiled.py; plans are cached per document text and
operation name) and every root's policy lets the caller read it unchanged
(``Policy.passes_unchanged``, schema/policy.py), the statement runs as one read and its
answer becomes the result: strawberry skips its own execution when an extension has set one.
Everything else, and every request whose arguments or values the normal path would answer
with an error, is executed as before, so errors always come from one place.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any, ClassVar

from graphql import ExecutionResult, OperationDefinitionNode, get_operation_ast
from graphql.execution.values import get_variable_values
from strawberry.extensions import SchemaExtension

from graph import GraphError
from schema.compiled import NotCompiled, Plan, plan
from schema.context import Context
from schema.core_schema import core_schema
from schema.lru import Lru

CACHE_SIZE = 256

_REFUSED: Any = object()


class CompiledReads(SchemaExtension):
    """Answer plain directory reads with one statement (see the module docstring)."""

    _plans: ClassVar[Lru[tuple[str, str | None], Any]] = Lru(CACHE_SIZE)

    async def on_execute(self) -> AsyncIterator[None]:
        run = self.execution_context
        context = run.context
        if (
            isinstance(context, Context)
            and run.result is None
            and not run.pre_execution_errors
            and run.query is not None
            and run.graphql_document is not None
        ):
            data = await self._answer(context)
            if data is not None:
                context.compiled = True
                run.result = ExecutionResult(data=data, errors=None)
        yield

    def _plan_of(self) -> Plan | None:
        run = self.execution_context
        assert run.query is not None
        assert run.graphql_document is not None
        key = (run.query, run.operation_name)
        cls = type(self)
        found = cls._plans.get(key)
        if found is None:
            operation = get_operation_ast(run.graphql_document, run.operation_name)
            try:
                if not isinstance(operation, OperationDefinitionNode):
                    raise NotCompiled("keine Operation")
                found = plan(core_schema(run.schema), run.graphql_document, operation)
            except NotCompiled:
                found = _REFUSED
            cls._plans.put(key, found)
        return None if found is _REFUSED else found

    async def _answer(self, context: Context) -> dict[str, Any] | None:
        compiled = self._plan_of()
        if compiled is None or not compiled.allowed(context.principal):
            return None
        run = self.execution_context
        operation = get_operation_ast(run.graphql_document, run.operation_name)  # type: ignore[arg-type]
        assert operation is not None
        variables = get_variable_values(
            core_schema(run.schema), operation.variable_definitions or (), run.variables or {}
        )
        if isinstance(variables, list):  # the normal path reports them
            return None
        try:
            cypher, params, answers = compiled.statement(variables)
        except NotCompiled:
            return None
        try:
            (row,) = await context.run(context.graph.rows, cypher, params)
        except GraphError:
            # The normal path meets the same fault and answers it as every fault is answered.
            return None
        try:
            data = {
                root.response: answer(row[f"r{index}"])
                for index, (root, answer) in enumerate(zip(compiled.roots, answers, strict=True))
            }
        except NotCompiled:
            return None
        for root in compiled.roots:
            # As the policy notes the operation (for the audit, schema/policy_audit.py).
            context.access.operations[root.node.name.value] = root.policy.purpose
        return data
