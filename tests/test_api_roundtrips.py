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


def _roundtrips(graph: Graph) -> tuple[int, int, int]:
    before = graph.roundtrips
    data = run_query(graph, NESTED)["areas"]
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
    # areas page + count, services pages + counts, organizations, agreements, parties
    assert small == large == 7
