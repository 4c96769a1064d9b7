"""The compiled read path: a plain directory read answered with one statement before
graphql-core's execution would start (issue #16).

The operation's run (schema/operation.py) parses, validates (depth, aliases, tokens) and
checks the cost limit (schema/limits.py) first, as for every request; a document they refuse
never gets here. Then,
if the operation compiles (schema/compiled.py; plans are cached per document text and
operation name) and every root's policy lets the caller read it unchanged
(``Policy.passes_unchanged``, schema/policy.py), the statement runs as one read and its
answer becomes the result, without graphql-core's execution (root ``__typename`` fields are
answered from the schema; ``{ __typename }`` alone sends no statement).
Everything else, and every request whose arguments or values the normal path would answer
with an error, is executed as before, so errors always come from one place.
"""

from __future__ import annotations

from typing import Any, ClassVar

from graphql import DocumentNode, GraphQLSchema, OperationDefinitionNode
from graphql.execution.values import VariableValues, get_variable_values

from graph import GraphError
from schema.compiled import NotCompiled, Plan, plan
from schema.context import Context
from schema.lru import Lru

CACHE_SIZE = 256

_REFUSED: Any = object()


class CompiledReads:
    """Answer plain directory reads with one statement (see the module docstring)."""

    _plans: ClassVar[Lru[tuple[str, str | None], Any]] = Lru(CACHE_SIZE)
    # Off only in tests and benches that compare the compiled answer with the normal one.
    enabled: ClassVar[bool] = True

    @classmethod
    async def answer(
        cls,
        context: Context,
        schema: GraphQLSchema,
        query: str,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        operation_name: str | None,
        variables: dict[str, Any] | None,
    ) -> dict[str, Any] | None:
        """The operation's data from one statement, or None: then the normal path runs.
        ``operation`` is the one of ``document`` the run chose (schema/operation.py)."""
        if not cls.enabled:
            return None
        compiled = cls._plan_of(schema, query, document, operation, operation_name)
        if compiled is None or not compiled.allowed(context.principal):
            return None
        coerced = get_variable_values(schema, operation.variable_definitions or (), variables or {})
        if isinstance(coerced, list):  # the normal path reports them
            return None
        found = await cls._read(context, compiled, coerced) if compiled.roots else {}
        if found is None:
            return None
        typenames = compiled.typenames
        data = {
            response: typenames[response] if response in typenames else found[response]
            for response in compiled.order
        }
        for root in compiled.roots:
            # As the policy notes the operation (for the audit, schema/policy_audit.py).
            context.access.operations[root.node.name.value] = root.policy.purpose
        context.compiled = True
        return data

    @staticmethod
    async def _read(
        context: Context, compiled: Plan, variables: VariableValues
    ) -> dict[str, Any] | None:
        """The roots' answers by response name from the one statement, or None."""
        try:
            cypher, params, answers = compiled.statement(variables)
        except NotCompiled:
            return None
        try:
            (row,) = await context.rows(cypher, params)
        except GraphError:
            # The normal path meets the same fault and answers it as every fault is answered.
            return None
        try:
            return {
                root.response: answer(row[f"r{index}"])
                for index, (root, answer) in enumerate(zip(compiled.roots, answers, strict=True))
            }
        except NotCompiled:
            return None

    @classmethod
    def _plan_of(
        cls,
        schema: GraphQLSchema,
        query: str,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        operation_name: str | None,
    ) -> Plan | None:
        key = (query, operation_name)
        found = cls._plans.get(key)
        if found is None:
            try:
                found = plan(schema, document, operation)
            except NotCompiled:
                found = _REFUSED
            cls._plans.put(key, found)
        return None if found is _REFUSED else found
