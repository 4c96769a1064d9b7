"""The schema: root types composed from one module per concept."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.types import ExecutionContext

from schema.analysis import AnalysisQuery
from schema.analysis_merge import AnalysisMutation
from schema.casework_query import CaseworkQuery
from schema.directory_query import DirectoryQuery
from schema.errors import ErrorCodes, log_unexpected
from schema.mutations_directory import DirectoryMutation
from schema.mutations_referrals import ReferralMutation
from schema.policy import AuditTrail
from schema.policy_fields import PrivacyMutation, PrivacyQuery
from schema.referral_options import ReferralOptionsQuery
from schema.system import SystemQuery

# Limits against expensive documents (documented in docs/graphql.md). The depth allows the
# deepest documented example (a connection costs two levels: edges/nodes and the node).
MAX_QUERY_DEPTH = 12
MAX_TOKENS = 2_000
MAX_ALIASES = 30
CACHE_SIZE = 256


@strawberry.type
class Query(
    DirectoryQuery, CaseworkQuery, ReferralOptionsQuery, SystemQuery, AnalysisQuery, PrivacyQuery
):
    """Lesende Abfragen."""


@strawberry.type
class Mutation(DirectoryMutation, ReferralMutation, AnalysisMutation, PrivacyMutation):
    """Ändernde Vorgänge."""


class Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        log_unexpected(errors)


schema = Schema(
    query=Query,
    mutation=Mutation,
    extensions=[
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: ParserCache(maxsize=CACHE_SIZE),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: QueryDepthLimiter(max_depth=MAX_QUERY_DEPTH),
        lambda: ValidationCache(maxsize=CACHE_SIZE),
        ErrorCodes,
        AuditTrail,
    ],
)
