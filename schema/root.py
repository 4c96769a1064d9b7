"""The schema: root types composed from one module per concept."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import strawberry
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from schema.analysis import AnalysisQuery
from schema.analysis_merge import AnalysisMutation
from schema.casework_query import CaseworkQuery
from schema.core_schema import core_schema
from schema.directory_query import DirectoryQuery
from schema.execution import PlainFieldsFirst
from schema.limits import CACHE_SIZE, MAX_ALIASES, MAX_QUERY_DEPTH, MAX_TOKENS
from schema.mutations_casework import CaseworkMutation, VocabularyQuery
from schema.mutations_casework_changes import CaseworkChangeMutation
from schema.mutations_consent_change import ConsentChangeMutation
from schema.mutations_directory import DirectoryMutation
from schema.mutations_referrals import ReferralMutation
from schema.operation import OperationRequest, run_operation
from schema.policy_fields import PrivacyMutation, PrivacyQuery
from schema.referral_options import ReferralOptionsQuery
from schema.system import SystemQuery

__all__ = ["CACHE_SIZE", "MAX_ALIASES", "MAX_QUERY_DEPTH", "MAX_TOKENS", "schema"]


@strawberry.type
class Query(
    DirectoryQuery,
    CaseworkQuery,
    VocabularyQuery,
    ReferralOptionsQuery,
    SystemQuery,
    AnalysisQuery,
    PrivacyQuery,
):
    """Lesende Abfragen."""


@strawberry.type
class Mutation(
    DirectoryMutation,
    CaseworkMutation,
    CaseworkChangeMutation,
    ConsentChangeMutation,
    ReferralMutation,
    AnalysisMutation,
    PrivacyMutation,
):
    """Ändernde Vorgänge."""


class Schema(strawberry.Schema):
    """strawberry's schema (types, printing, the HTTP view) with verbund's own operation run
    (schema/operation.py) in place of strawberry's extension pipeline."""

    async def execute(
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        return await run_operation(
            OperationRequest(
                schema=core_schema(self),
                query=query,
                variables=variable_values,
                context=context_value,
                root_value=root_value,
                operation_name=operation_name,
                allowed=DEFAULT_OPERATIONS
                if allowed_operation_types is None
                else allowed_operation_types,
                extensions=operation_extensions,
                executor=self.execution_context_class,
            )
        )

    def execute_sync(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        """Not offered: verbund's rules (audit, idempotency, compiled reads) run asynchronously;
        a synchronous run would bypass them."""
        raise NotImplementedError("verbund führt Operationen nur mit execute (async) aus")


# What strawberry allows when the caller names nothing (its DEFAULT_ALLOWED_OPERATION_TYPES).
DEFAULT_OPERATIONS = frozenset(OperationType)

schema = Schema(query=Query, mutation=Mutation, execution_context_class=PlainFieldsFirst)
