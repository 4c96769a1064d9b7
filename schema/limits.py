"""Limits against expensive documents, and the caches that keep checking them cheap.

The token, depth and alias limits are checked while parsing and validating. strawberry's
``QueryDepthLimiter`` and ``MaxAliasesLimiter`` build a new rule class in every instance, so
the rule classes are built once here. Each distinct document text is parsed and validated
once: the parsed document and its validation errors are cached by the text (strawberry's
validation cache keys on the parsed document, whose hash walks the whole syntax tree on
every request).

Within the depth, one document can still ask for millions of records (lists inside lists).
The cost check estimates each valid operation's cost (``schema/cost.py``) with the request's
variables, which validation rules do not see, and refuses it above the budget, before
anything runs. The estimate is kept with the document, by operation name and the page sizes
its ``first`` variables ask for (the only variables it reads): a repeated request is not
estimated again, one with another page size is; the budget is compared on every request.

All of it is ``DocumentRules``, called by the operation's run (schema/operation.py).
"""

from __future__ import annotations

from threading import Lock
from typing import Any, ClassVar

from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    parse,
    specified_rules,
)
from strawberry.extensions.max_aliases import create_validator as aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as depth_rule
from strawberry.schema.schema import validate_document

from schema.cost import estimate_inputs, operation_cost, page_variables
from schema.lru import Lru

# Documented in docs/graphql.md. The depth allows the deepest documented example (a
# connection costs two levels: edges/nodes and the node).
MAX_QUERY_DEPTH = 12
MAX_TOKENS = 2_000
MAX_ALIASES = 30
CACHE_SIZE = 256
# Estimates kept per document (least recently used dropped): a document asked with many
# different page sizes is estimated anew, never answered with another page's cost.
COSTS_PER_DOCUMENT = 16
# The default budget of the estimated cost (VERBUND_MAX_QUERY_COST); every documented example
# and every document of the web pages stays well below it (tests/test_api_cost.py).
MAX_QUERY_COST = 10_000

_RULES: list[type[ASTValidationRule]] = [
    depth_rule(MAX_QUERY_DEPTH, None),
    aliases_rule(MAX_ALIASES),
]


class _Prepared:
    """A document text parsed once, its validation errors once they are known, and its cost
    estimates by operation name and page sizes (``schema.cost.estimate_inputs``)."""

    __slots__ = ("costs", "document", "errors", "page_variables")

    def __init__(self, document: DocumentNode) -> None:
        self.document = document
        self.errors: list[GraphQLError] | None = None
        self.page_variables: tuple[str, ...] | None = None
        self.costs: Lru[tuple[object, ...], int] = Lru(COSTS_PER_DOCUMENT)


class DocumentRules:
    """Parse with the token limit, validate with the depth and alias rules, refuse what
    costs more than the budget; parsing and validation once per distinct document text
    (called by the operation's run, schema/operation.py).

    The budget is the Context's ``max_query_cost`` (from the settings); the cost is only
    estimated for documents that passed validation. A document that does not parse (syntax,
    too many tokens) is not cached: its error is raised anew each time.
    """

    _cache: ClassVar[Lru[str, _Prepared]] = Lru(CACHE_SIZE)
    _lock: ClassVar[Lock] = Lock()  # for the hit counters
    parse_hits: ClassVar[int] = 0
    validation_hits: ClassVar[int] = 0
    cost_hits: ClassVar[int] = 0

    @classmethod
    def parsed(cls, text: str) -> _Prepared:
        """The document of ``text``; raises graphql-core's ``GraphQLError`` when it does not
        parse or has more than ``MAX_TOKENS`` tokens."""
        prepared = cls._cache.get(text)
        if prepared is not None:
            with cls._lock:
                cls.parse_hits += 1
            return prepared
        prepared = _Prepared(parse(text, max_tokens=MAX_TOKENS))
        cls._cache.put(text, prepared)
        return prepared

    @classmethod
    def errors(
        cls,
        prepared: _Prepared,
        schema: GraphQLSchema,
        operation_name: str | None,
        variables: dict[str, Any] | None,
        budget: object,
    ) -> list[GraphQLError]:
        """The document's validation errors (GraphQL's rules, depth, aliases), else the cost
        refusal when the operation is estimated above ``budget``; [] when it may run."""
        errors = prepared.errors
        if errors is None:
            errors = prepared.errors = validate_document(
                schema, prepared.document, (*specified_rules, *_RULES)
            )
        else:
            with cls._lock:
                cls.validation_hits += 1
        if errors:
            return errors
        if not isinstance(budget, int):
            budget = MAX_QUERY_COST
        cost = cls._cost(prepared, schema, operation_name, variables)
        return [too_costly(cost, budget)] if cost > budget else []

    @classmethod
    def _cost(
        cls,
        prepared: _Prepared,
        schema: GraphQLSchema,
        operation_name: str | None,
        variables: dict[str, Any] | None,
    ) -> int:
        """The estimate, computed once per document, operation and page sizes: the same
        document with another ``first`` is estimated anew, a repeated one is not."""
        names = prepared.page_variables
        if names is None:
            names = prepared.page_variables = page_variables(prepared.document)
        key = (operation_name, *estimate_inputs(names, variables))
        cost = prepared.costs.get(key)
        if cost is not None:
            with cls._lock:
                cls.cost_hits += 1
            return cost
        cost = operation_cost(schema, prepared.document, operation_name, variables)
        prepared.costs.put(key, cost)
        return cost


def too_costly(cost: int, budget: int) -> GraphQLError:
    return GraphQLError(
        f"Die Abfrage ist zu aufwendig (geschätzt {cost}, erlaubt {budget}). "
        "Bitte weniger Ebenen oder kleinere Seiten (first) abfragen.",
        extensions={"code": "QUERY_TOO_COSTLY", "cost": cost, "budget": budget},
    )
