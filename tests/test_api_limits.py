"""Expensive or malformed documents are refused with clear errors, before touching Neo4j."""

from __future__ import annotations

from graph import Graph
from schema.root import MAX_ALIASES, MAX_QUERY_DEPTH, MAX_TOKENS
from tests.apikit import execute


def _refused(graph: Graph, document: str, code: str | None = None) -> str:
    before = graph.roundtrips
    result = execute(graph, document)
    assert result.data is None
    assert graph.roundtrips == before
    if code is not None:
        assert result.errors[0].extensions["code"] == code
    return str(result.errors[0].message)


def test_depth_limit(graph: Graph) -> None:
    nested = "parent { " * MAX_QUERY_DEPTH + "id" + " }" * MAX_QUERY_DEPTH
    message = _refused(graph, '{ area(id: "x") { ' + nested + " } }", "QUERY_TOO_DEEP")
    assert f"zu tief verschachtelt (höchstens {MAX_QUERY_DEPTH} Ebenen)" in message


def test_alias_limit(graph: Graph) -> None:
    aliases = " ".join(f'a{i}: area(id: "x") {{ id }}' for i in range(MAX_ALIASES + 1))
    message = _refused(graph, "{ " + aliases + " }", "TOO_MANY_ALIASES")
    assert f"Zu viele Aliase ({MAX_ALIASES + 1}, erlaubt {MAX_ALIASES})" in message


def test_token_limit(graph: Graph) -> None:
    fields = " ".join("id" for _ in range(MAX_TOKENS))
    message = _refused(graph, '{ area(id: "x") { ' + fields + " } }", "QUERY_TOO_LARGE")
    assert f"mehr als {MAX_TOKENS} Token" in message


def test_syntax_and_validation_errors_are_shown(graph: Graph) -> None:
    assert "Syntaxfehler" in _refused(graph, "{ area(id: ", "GRAPHQL_PARSE_FAILED")
    assert "Das Feld „nope“ gibt es beim Typ „Query“ nicht" in _refused(
        graph, "{ nope }", "GRAPHQL_VALIDATION_FAILED"
    )


def test_parser_cache_is_on(graph: Graph) -> None:
    from schema.limits import DocumentRules

    document = '{ area(id: "cache-probe") { id } }'
    execute(graph, document)
    hits = DocumentRules.parse_hits
    execute(graph, document)
    assert DocumentRules.parse_hits == hits + 1


def test_validation_cache_is_on(graph: Graph) -> None:
    from schema.limits import DocumentRules

    document = '{ area(id: "validation-probe") { id } }'
    execute(graph, document)
    hits = DocumentRules.validation_hits
    execute(graph, document)
    assert DocumentRules.validation_hits == hits + 1


def test_cached_document_still_counts_tokens_and_cost(graph: Graph) -> None:
    """The cache is keyed by the text alone: a document refused for its size is refused
    each time, and the cost is estimated anew with each request's variables."""
    fields = " ".join("id" for _ in range(MAX_TOKENS))
    document = '{ area(id: "x") { ' + fields + " } }"
    for _ in range(2):
        _refused(graph, document, "QUERY_TOO_LARGE")
    pages = """query($n: Int) {
      organizations(first: $n) { nodes { id services(first: $n) { nodes { id name } } } }
    }"""
    assert execute(graph, pages, {"n": 1}, max_query_cost=10).errors is None
    refused = execute(graph, pages, {"n": 2}, max_query_cost=10)
    assert refused.errors is not None
    assert refused.errors[0].extensions["code"] == "QUERY_TOO_COSTLY"


def test_cached_validation_still_refuses(graph: Graph) -> None:
    document = '{ area(id: "x") { nope } }'
    assert "Das Feld „nope“" in _refused(graph, document, "GRAPHQL_VALIDATION_FAILED")
    assert "Das Feld „nope“" in _refused(graph, document, "GRAPHQL_VALIDATION_FAILED")
