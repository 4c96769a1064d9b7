"""A nested query costs a fixed number of Cypher round trips, whatever the result size."""

from __future__ import annotations

from graph import Graph
from graph.admin import clear
from tests.apikit import load_network, run_query

NESTED = """{
  areas(first: 100, filter: {levels: [DISTRICT]}) {
    totalCount
    nodes { id services(first: 100) { totalCount nodes { id
      organization { id name agreements { id priorityAccess parties { id } } } } } }
  }
}"""


# Deeper than graph/repo/includes.MAX_DEPTH: the last hops come from the dataloaders.
DEEP = """{
  areas(first: 100, filter: {levels: [DISTRICT]}) {
    edges { node { id services(first: 100) { edges { node { id
      organization { id agreements { id parties { id locations { id area { id } } } } } } } } } }
  }
}"""


def _roundtrips(graph: Graph, document: str = NESTED) -> tuple[int, int, int]:
    before = graph.roundtrips
    # Pages of 100 inside pages of 100 are far above the cost budget (schema/cost.py); the
    # round trips are what is measured here, so this caller lifts the budget.
    found = run_query(graph, document, max_query_cost=10**9)["areas"]
    data = (
        {
            "nodes": [
                {"services": {"nodes": [e["node"] for e in a["services"]["edges"]]}}
                for a in (edge["node"] for edge in found["edges"])
            ]
        }
        if "edges" in found
        else found
    )
    services = sum(len(a["services"]["nodes"]) for a in data["nodes"])
    return graph.roundtrips - before, len(data["nodes"]), services


def test_nested_query_roundtrips_do_not_grow_with_results(db: Graph) -> None:
    load_network(db, districts=2, services_per_district=1)
    small, small_areas, small_services = _roundtrips(db)
    clear(db)
    load_network(db, districts=8, services_per_district=5)
    large, large_areas, large_services = _roundtrips(db)
    assert (small_areas, small_services) == (2, 2)
    assert (large_areas, large_services) == (8, 40)
    # One statement: the areas page is a compiled read (schema/compiled.py) with the services
    # pages, their counts, the organizations, agreements and parties in it.
    assert small == large == 1


def test_round_trips_stay_fixed_beyond_the_include_depth(db: Graph) -> None:
    load_network(db, districts=2, services_per_district=1)
    small, _, small_services = _roundtrips(db, DEEP)
    clear(db)
    load_network(db, districts=8, services_per_district=5)
    large, _, large_services = _roundtrips(db, DEEP)
    assert (small_services, large_services) == (2, 40)
    # Compiled into one statement as above: the projection has no include depth (answers
    # equal to the resolvers' in tests/test_compiled_reads.py, "deeper than the look-ahead").
    assert small == large == 1
