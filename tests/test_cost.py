"""Known answers of the static cost estimate (schema/cost.py): pure, no database."""

from __future__ import annotations

from typing import Any

from graphql import parse

from schema import schema
from schema.cost import (
    DEFAULT_LIST_SIZE,
    LIST_SIZES,
    estimate_inputs,
    operation_cost,
    page_variables,
)


def cost(document: str, variables: dict[str, Any] | None = None, name: str | None = None) -> int:
    return operation_cost(schema._schema, parse(document), name, variables)


def test_plain_fields_cost_one_each() -> None:
    assert cost('{ organization(id: "x") { id name } }') == 3


def test_a_connection_multiplies_by_its_page() -> None:
    # organizations, totalCount and nodes 1 each; id and name 20 each (the default page).
    assert cost("{ organizations { totalCount nodes { id name } } }") == 1 + 1 + 1 + 40
    assert cost("{ organizations(first: 5) { nodes { id } } }") == 1 + 1 + 5
    assert cost("{ organizations(first: 5) { edges { node { id } } } }") == 1 + 1 + 5 + 5


def test_first_from_variables_their_defaults_and_the_maximum() -> None:
    document = "query Q($n: Int = 3) { organizations(first: $n) { nodes { id } } }"
    assert cost(document) == 1 + 1 + 3
    assert cost(document, {"n": 7}) == 1 + 1 + 7
    assert cost(document, {"n": 10_000}) == 1 + 1 + 100  # the API's maximum page
    assert cost(document, {"n": None}) == 1 + 1 + 20  # the API's default page


def test_plain_lists_multiply_by_their_assumed_size() -> None:
    partners = LIST_SIZES["partners"]
    assert cost('{ organization(id: "x") { partners { id } } }') == 1 + 1 + partners
    assert cost('{ organization(id: "x") { partners { partners { id } } } }') == (
        1 + 1 + partners + partners * partners
    )
    history = LIST_SIZES["history"]
    assert cost('{ referral(id: "x") { history { at by } } }') == 1 + 1 + 2 * history
    assert cost("{ consentDataCategories { code } }") == 1 + DEFAULT_LIST_SIZE


def test_nested_connections_multiply() -> None:
    document = "{ organizations(first: %d) { nodes { services(first: %d) { nodes { id } } } } }"
    assert cost(document % (5, 5)) == 1 + 1 + 5 + 5 + 25
    assert cost(document % (100, 100)) == 1 + 1 + 100 + 100 + 10_000


def test_fragments_cost_what_the_inline_version_costs() -> None:
    inline = "{ organizations { nodes { id name partners { id name } } } }"
    spread = """
        query { organizations { nodes { ...Org partners { ...Org } } } }
        fragment Org on Organization { id name }
    """
    typed = "{ organizations { nodes { ... on Organization { id name partners { id name } } } } }"
    assert cost(spread) == cost(inline) == cost(typed)


def test_fragment_cycles_do_not_hang() -> None:
    document = """
        query { organizations { nodes { ...A } } }
        fragment A on Organization { id partners { ...A } }
    """
    # The inner spread of A is not expanded again.
    assert cost(document) == 1 + 1 + 20 + 20


def test_the_chosen_operation_is_costed() -> None:
    document = """
        query Small { organization(id: "x") { id } }
        query Big { organizations(first: 100) { nodes { id } } }
    """
    assert cost(document, name="Small") == 2
    assert cost(document, name="Big") == 102
    assert cost(document, name="Missing") == 0


def test_the_example_of_docs_graphql_md() -> None:
    document = (
        "{ organizations(first: %d) { nodes { id services(first: %d) { nodes { name } } } } }"
    )
    assert cost(document % (5, 5)) == 42
    assert cost(document % (100, 100)) == 10_302


def test_page_variables_are_the_variables_given_as_first() -> None:
    document = parse(
        "query Q($a: Int, $b: Int, $id: String!) { organization(id: $id) { id } "
        "organizations(first: $a) { nodes { ...F } } } "
        "fragment F on Organization { services(first: $b) { nodes { id } } }"
    )
    assert page_variables(document) == ("a", "b")
    assert page_variables(parse("{ organizations(first: 5) { nodes { id } } }")) == ()


def test_equal_estimate_inputs_give_equal_costs() -> None:
    # The cost cache (schema/limits.py) keys on the inputs: wherever two requests of one
    # document give equal inputs, the estimate must be equal too; a null is not the default.
    text = "query Q($n: Int = 3, $m: Int) { organizations(first: $n) { nodes { id } } } "
    document = parse(text)
    names = page_variables(document)
    values: list[Any] = [None, 0, 3, 7, 100, 1_000, -5, "x", True, 2.5]
    requests = [{}, {"m": 9}] + [{"n": v} for v in values]
    by_inputs: dict[tuple[int | None, ...], set[int]] = {}
    for variables in requests:
        inputs = estimate_inputs(names, variables)
        by_inputs.setdefault(inputs, set()).add(cost(text, variables))
    assert all(len(costs) == 1 for costs in by_inputs.values()), by_inputs
    assert estimate_inputs(names, {}) != estimate_inputs(names, {"n": None})
    assert cost(text, {}) == 1 + 1 + 3
    assert cost(text, {"n": None}) == 1 + 1 + 20
    assert estimate_inputs(names, {"n": 100}) == estimate_inputs(names, {"n": 1_000})
    # Not given (also with only a non-page variable), null, 0 (and -5), 3, 7, 100 (and 1000),
    # and 20 for the values that are no whole number.
    assert len(by_inputs) == 7
