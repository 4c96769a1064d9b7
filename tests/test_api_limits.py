"""Expensive or malformed documents are refused with clear errors, before touching Neo4j."""

from __future__ import annotations

from graph import Graph
from schema.root import MAX_ALIASES, MAX_QUERY_DEPTH, MAX_TOKENS
from tests.apikit import execute


def _refused(graph: Graph, document: str) -> str:
    before = graph.roundtrips
    result = execute(graph, document)
    assert result.data is None
    assert graph.roundtrips == before
    return str(result.errors[0].message)


def test_depth_limit(graph: Graph) -> None:
    nested = "parent { " * MAX_QUERY_DEPTH + "id" + " }" * MAX_QUERY_DEPTH
    message = _refused(graph, '{ area(id: "x") { ' + nested + " } }")
    assert f"maximum operation depth of {MAX_QUERY_DEPTH}" in message


def test_alias_limit(graph: Graph) -> None:
    aliases = " ".join(f'a{i}: area(id: "x") {{ id }}' for i in range(MAX_ALIASES + 1))
    message = _refused(graph, "{ " + aliases + " }")
    assert f"Allowed: {MAX_ALIASES}" in message


def test_token_limit(graph: Graph) -> None:
    fields = " ".join("id" for _ in range(MAX_TOKENS))
    message = _refused(graph, '{ area(id: "x") { ' + fields + " } }")
    assert "tokens" in message


def test_syntax_and_validation_errors_are_shown(graph: Graph) -> None:
    assert "Syntax Error" in _refused(graph, "{ area(id: ")
    assert "Cannot query field 'nope'" in _refused(graph, "{ nope }")


def test_parser_cache_is_on(graph: Graph) -> None:
    from strawberry.extensions.parser_cache import _get_parse_cache

    from schema.root import CACHE_SIZE

    cached = _get_parse_cache(CACHE_SIZE)
    document = '{ area(id: "cache-probe") { id } }'
    execute(graph, document)
    hits = cached.cache_info().hits
    execute(graph, document)
    assert cached.cache_info().hits == hits + 1


def test_validation_cache_is_on(graph: Graph) -> None:
    from schema.limits import ValidationByText

    document = '{ area(id: "validation-probe") { id } }'
    execute(graph, document)
    hits = ValidationByText.hits
    execute(graph, document)
    assert ValidationByText.hits == hits + 1


def test_cached_validation_still_refuses(graph: Graph) -> None:
    document = '{ area(id: "x") { nope } }'
    assert "Cannot query field 'nope'" in _refused(graph, document)
    assert "Cannot query field 'nope'" in _refused(graph, document)
