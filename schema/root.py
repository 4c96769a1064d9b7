"""The schema: root types composed from one module per concept."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.types import ExecutionContext, ExecutionResult

from schema.analysis import AnalysisQuery
from schema.analysis_merge import AnalysisMutation
from schema.casework_query import CaseworkQuery
from schema.compiled_run import CompiledReads
from schema.directory_query import DirectoryQuery
from schema.errors import log_unexpected, present
from schema.execution import PlainFieldsFirst
from schema.extension_hooks import hook_runner
from schema.limits import CACHE_SIZE, MAX_ALIASES, MAX_QUERY_DEPTH, MAX_TOKENS, extensions
from schema.mutations_casework import CaseworkMutation, VocabularyQuery
from schema.mutations_casework_changes import CaseworkChangeMutation
from schema.mutations_consent_change import ConsentChangeMutation
from schema.mutations_directory import DirectoryMutation
from schema.mutations_referrals import ReferralMutation
from schema.operation_rules import OperationRules
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
    async def execute(self, *args: Any, **kwargs: Any) -> ExecutionResult:
        result = await super().execute(*args, **kwargs)
        if result.errors:
            result.errors = present(result.errors)
        return result

    def create_extensions_runner(
        self, execution_context: ExecutionContext, extensions: list[SchemaExtension]
    ) -> SchemaExtensionsRunner:
        """Hooks found once per extension class, not per request (schema/extension_hooks.py)."""
        runner = hook_runner(execution_context, extensions)
        if runner is None:
            return super().create_extensions_runner(execution_context, extensions)
        return runner

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        log_unexpected(errors)


schema = Schema(
    query=Query,
    mutation=Mutation,
    execution_context_class=PlainFieldsFirst,
    extensions=[
        *extensions(),
        # Idempotency key, audit, error codes: one extension (schema/operation_rules.py).
        OperationRules,
        CompiledReads,
    ],
)
