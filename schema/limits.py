"""Limits against expensive documents, and the caches that keep checking them cheap.

The depth and alias limits are validation rules. strawberry's ``QueryDepthLimiter`` and
``MaxAliasesLimiter`` build a new rule class in every instance, and the schema creates its
extensions per request: the validation cache, keyed by the rule classes, then never hit and
every request validated its document again (a third of the time of a small query). The
rule classes are built once here, so equal documents share one cached validation.
"""

from __future__ import annotations

from collections.abc import Callable

from graphql import ASTValidationRule
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule

# Documented in docs/graphql.md. The depth allows the deepest documented example (a
# connection costs two levels: edges/nodes and the node).
MAX_QUERY_DEPTH = 12
MAX_TOKENS = 2_000
MAX_ALIASES = 30
CACHE_SIZE = 256

_RULES: list[type[ASTValidationRule]] = [
    depth_rule(MAX_QUERY_DEPTH, None),
    aliases_rule(MAX_ALIASES),
]


def extensions() -> list[Callable[[], SchemaExtension]]:
    """Fresh extension instances per request; the rules and caches they use are shared."""
    return [
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: ParserCache(maxsize=CACHE_SIZE),
        lambda: AddValidationRules(_RULES),
        lambda: ValidationCache(maxsize=CACHE_SIZE),
    ]
