"""A page by position (``offset``): the same nodes as walking the keyset cursors, one
statement, with or without the total and after a cursor; a negative offset is refused."""

from __future__ import annotations

from graph import Graph
from tests.apikit import execute, load_network, run_query

ALL = "{ services(first: 100) { nodes { id } } organizations(first: 100) { nodes { id } } }"


def test_offset_gives_the_nodes_at_that_position(db: Graph) -> None:
    load_network(db, districts=4, services_per_district=3)
    everything = run_query(db, ALL)
    services = [n["id"] for n in everything["services"]["nodes"]]
    organizations = [n["id"] for n in everything["organizations"]["nodes"]]
    assert len(services) == 13
    for offset in (0, 1, 5, 12, 13, 40):
        # Counted in the page's statement (totalCount selected) and without it.
        for total in ("totalCount", ""):
            query = f"""query($o: Int) {{ services(first: 4, offset: $o) {{
                {total} nodes {{ id }} pageInfo {{ hasNextPage }} }} }}"""
            page = run_query(db, query, {"o": offset})["services"]
            assert [n["id"] for n in page["nodes"]] == services[offset : offset + 4]
            assert page["pageInfo"]["hasNextPage"] == (offset + 4 < 13)
            if total:
                assert page["totalCount"] == 13
    query = """query($o: Int) { organizations(first: 2, offset: $o) { nodes { id } } }"""
    found = run_query(db, query, {"o": 1})["organizations"]["nodes"]
    assert [n["id"] for n in found] == organizations[1:3]


def test_offset_counts_after_the_cursor(db: Graph) -> None:
    load_network(db, districts=4, services_per_district=3)
    first = run_query(db, "{ services(first: 3) { pageInfo { endCursor } } }")
    after = first["services"]["pageInfo"]["endCursor"]
    services = [n["id"] for n in run_query(db, ALL)["services"]["nodes"]]
    query = """query($a: String) { services(first: 2, after: $a, offset: 4) { nodes { id } } }"""
    page = run_query(db, query, {"a": after})["services"]["nodes"]
    assert [n["id"] for n in page] == services[7:9]


def test_a_negative_offset_is_refused(db: Graph) -> None:
    load_network(db)
    result = execute(db, "{ services(offset: -1) { nodes { id } } }")
    assert result.errors is not None
    assert "`offset` darf nicht negativ sein (war -1)." in result.errors[0].message
