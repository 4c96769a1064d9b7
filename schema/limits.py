"""Limits against expensive documents, and the caches that keep checking them cheap.

The depth and alias limits are validation rules. strawberry's ``QueryDepthLimiter`` and
``MaxAliasesLimiter`` build a new rule class in every instance, and the schema creates its
extensions per request: the validation cache, keyed by the rule classes, then never hit and
every request validated its document again (a third of the time of a small query). The
rule classes are built once here. The validation result is cached by the document's text:
strawberry's cache keys on the parsed document, whose hash walks the whole syntax tree on
every request.

Within the depth, one document can still ask for millions of records (lists inside lists).
``CostLimit`` estimates each valid operation's cost (``schema/cost.py``) with the request's
variables, which validation rules do not see, and refuses it above the budget, before
anything runs.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from threading import Lock
from typing import ClassVar

from graphql import ASTValidationRule, GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
)
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.schema.schema import validate_document

from schema.cost import operation_cost

# Documented in docs/graphql.md. The depth allows the deepest documented example (a
# connection costs two levels: edges/nodes and the node).
MAX_QUERY_DEPTH = 12
MAX_TOKENS = 2_000
MAX_ALIASES = 30
CACHE_SIZE = 256
# The default budget of the estimated cost (VERBUND_MAX_QUERY_COST); every documented example
# and every document of the web pages stays well below it (tests/test_api_cost.py).
MAX_QUERY_COST = 10_000

_RULES: list[type[ASTValidationRule]] = [
    depth_rule(MAX_QUERY_DEPTH, None),
    aliases_rule(MAX_ALIASES),
]


class ValidationByText(SchemaExtension):
    """Validate each distinct document text once (the schema and the rules are fixed)."""

    _cache: ClassVar[OrderedDict[str, list[GraphQLError]]] = OrderedDict()
    _lock: ClassVar[Lock] = Lock()
    hits: ClassVar[int] = 0

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        text = context.query
        if text is None or context.graphql_document is None:
            yield
            return
        cls = type(self)
        with cls._lock:
            errors = cls._cache.get(text)
            if errors is not None:
                cls._cache.move_to_end(text)
                cls.hits += 1
        if errors is None:
            errors = validate_document(
                context.schema._schema, context.graphql_document, context.validation_rules
            )
            with cls._lock:
                cls._cache[text] = errors
                while len(cls._cache) > CACHE_SIZE:
                    cls._cache.popitem(last=False)
        context.pre_execution_errors = errors
        yield


def too_costly(cost: int, budget: int) -> GraphQLError:
    return GraphQLError(
        f"Die Abfrage ist zu aufwendig (geschätzt {cost}, erlaubt {budget}). "
        "Bitte weniger Ebenen oder kleinere Seiten (first) abfragen.",
        extensions={"code": "QUERY_TOO_COSTLY", "cost": cost, "budget": budget},
    )


class CostLimit(SchemaExtension):
    """Refuse a valid operation whose estimated cost exceeds the budget, before it runs.

    Runs after ``ValidationByText`` (the order of ``extensions()``), only on documents that
    passed validation. The budget is the Context's ``max_query_cost`` (from the settings).
    """

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is None or context.pre_execution_errors:
            yield
            return
        budget = getattr(context.context, "max_query_cost", MAX_QUERY_COST)
        if not isinstance(budget, int):
            budget = MAX_QUERY_COST
        cost = operation_cost(
            context.schema._schema, document, context.operation_name, context.variables
        )
        if cost > budget:
            context.pre_execution_errors = [too_costly(cost, budget)]
        yield


def extensions() -> list[Callable[[], SchemaExtension]]:
    """Fresh extension instances per request; the rules and caches they use are shared."""
    return [
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: ParserCache(maxsize=CACHE_SIZE),
        lambda: AddValidationRules(_RULES),
        ValidationByText,
        CostLimit,
    ]
