"""Weak spots of the cooperation network on small graphs with known cut points."""

from __future__ import annotations

from itertools import combinations

import networkx as nx
import pytest

from graph.analysis.config import WeakSpotConfig
from graph.analysis.snapshot import (
    AgreementInfo,
    NetworkInfo,
    OrganizationInfo,
    ReferralInfo,
)
from graph.analysis.weak_spots import cooperation_graph, cut_sizes, network_structure
from tests.analysis_fixtures import service

CONFIG = WeakSpotConfig()


def test_cut_sizes_on_two_triangles_joined_by_a_path() -> None:
    # Triangle a-b-c, path c-d-e, triangle e-f-g.
    g = nx.Graph([("a", "b"), ("b", "c"), ("a", "c"), ("c", "d"), ("d", "e")])
    g.add_edges_from([("e", "f"), ("f", "g"), ("e", "g")])
    points, bridges = cut_sizes(g)
    assert set(points) == set(nx.articulation_points(g)) == {"c", "d", "e"}
    # Without c, {a, b} are cut off from the larger rest; without d, either half.
    assert points == {"c": 2, "d": 3, "e": 2}
    assert bridges == {("c", "d"): 3, ("d", "e"): 3}


def test_cut_sizes_root_and_leaf() -> None:
    star = nx.star_graph(3)  # hub 0 with leaves 1, 2, 3
    g = nx.relabel_nodes(star, str)
    points, bridges = cut_sizes(g)
    assert points == {"0": 2}
    assert bridges == {("0", "1"): 1, ("0", "2"): 1, ("0", "3"): 1}


def test_cut_sizes_match_networkx_on_random_graphs() -> None:
    for seed in range(5):
        g = nx.relabel_nodes(nx.gnm_random_graph(40, 45, seed=seed), str)
        points, bridges = cut_sizes(g)
        assert set(points) == set(nx.articulation_points(g))
        assert set(bridges) == {tuple(sorted(e)) for e in nx.bridges(g)}


def orgs(*ids: str) -> list[OrganizationInfo]:
    return [OrganizationInfo(id=i, name=i.upper()) for i in ids]


def test_cooperation_graph_counts_agreements_networks_and_referrals() -> None:
    services = {"s-b": service("s-b", "b", ("x",))}
    referrals = [
        ReferralInfo(
            id=f"r{i}",
            household_id="h",
            household_area_id=None,
            service_id="s-b",
            from_organization_id="a",
            status=status,
        )
        for i, status in enumerate(["accepted", "declined", "completed"])
    ]
    g = cooperation_graph(
        orgs("a", "b", "c", "lonely"),
        [AgreementInfo(id="ag", party_ids=("a", "b"))],
        [NetworkInfo(id="n", name="N", member_ids=("a", "b", "c"))],
        referrals,
        services,
    )
    assert g.edges["a", "b"] == {"agreements": 1, "networks": 1, "referrals": 2}
    assert g.edges["b", "c"] == {"agreements": 0, "networks": 1, "referrals": 0}
    assert g.degree("lonely") == 0


def test_network_structure_findings() -> None:
    g = nx.Graph()
    g.add_nodes_from(["hub", "a", "b", "c", "d", "e", "alone", "x", "y"])
    g.add_edges_from([("hub", n) for n in "abcde"] + [("a", "b"), ("x", "y")])
    result = network_structure(g, CONFIG, home_areas={"a": "m", "b": "m", "hub": "m", "c": "o"})
    assert result.isolated_ids == ("alone",)
    assert result.components == 3
    assert result.articulation_points == {"hub": 3}
    spots = {(f.spot, f.organization_ids) for f in result.findings}
    assert ("isolated", ("alone",)) in spots
    assert ("component", ("x", "y")) in spots
    assert ("articulation_point", ("hub",)) in spots
    assert ("broker", ("hub",)) in spots
    assert not any(s == "bridge" for s, _ in spots)  # only single partners hang on bridges
    # The hub's five partners: only a-b work together, so the hub holds a structural hole.
    (broker,) = [f for f in result.findings if f.spot == "broker"]
    held = nx.constraint(g.subgraph(n for n in g if g.degree(n)), nodes=["hub"])["hub"]
    assert held < CONFIG.max_broker_constraint
    assert broker.counts["constraint"] == pytest.approx(held, abs=1e-4)
    assert "Viele seiner Partner sind nur über ihn verbunden" in broker.explanation
    share = round(result.betweenness["hub"] * 100)
    assert f"Bei {share} % der übrigen Trägerpaare führt der kürzeste Weg über ihn" in (
        broker.explanation
    )
    assert "Betweenness" not in broker.explanation
    assert "Constraint" not in broker.explanation
    assert result.betweenness["hub"] == pytest.approx(
        nx.betweenness_centrality(g.subgraph(n for n in g if g.degree(n)))["hub"]
    )
    density = {d.area_id: d for d in result.densities}
    assert (density["m"].organizations, density["m"].links) == (3, 3)
    assert density["m"].density == 1.0
    assert result.communities


def test_igraph_engine_gives_networkx_betweenness() -> None:
    pytest.importorskip("igraph")
    from graph.analysis.centrality import betweenness, igraph_betweenness

    g = nx.relabel_nodes(nx.gnm_random_graph(60, 120, seed=3), str)
    fast = igraph_betweenness(g)
    assert fast is not None
    reference = nx.betweenness_centrality(g)
    assert fast == pytest.approx(reference)
    forced = WeakSpotConfig(betweenness_engine="igraph")
    assert betweenness(g, forced) == pytest.approx(reference)


def test_network_without_any_cooperation_data_is_one_finding() -> None:
    g = nx.Graph()
    g.add_nodes_from(["a", "b", "c"])
    result = network_structure(g, CONFIG)
    assert [(f.spot, f.counts) for f in result.findings] == [("no_data", {"organizations": 3})]
    assert result.isolated_ids == ("a", "b", "c")


def test_graphql_description_names_every_kind_of_weak_spot() -> None:
    from graph.analysis.weak_spots import SPOTS
    from schema import schema

    spot = schema.get_type_by_name("WeakSpot")
    assert spot is not None
    description = next(f.description for f in spot.fields if f.name == "spot")  # type: ignore[union-attr]
    assert description is not None
    assert "no_data" in SPOTS
    for value in SPOTS:
        assert value in description


def test_communities_follow_the_areas_when_the_network_does() -> None:
    # Two cliques, one per Sozialraum, joined by one bridge between "a3" and "b1".
    g = nx.Graph()
    for side in "ab":
        g.add_edges_from(combinations([f"{side}{n}" for n in range(1, 5)], 2))
    g.add_edge("a3", "b1")
    homes = {n: ("m" if n.startswith("a") else "o") for n in g}
    result = network_structure(g, CONFIG, home_areas=homes)
    found = {(c.organization_ids, c.main_area_id, c.main_area_share) for c in result.communities}
    assert found == {(("a1", "a2", "a3", "a4"), "m", 1.0), (("b1", "b2", "b3", "b4"), "o", 1.0)}
    assert result.community_area_agreement == pytest.approx(1.0)
    assert result.bridges == (("a3", "b1", 4),)
    density = {d.area_id: (d.organizations, d.links, d.density) for d in result.densities}
    assert density == {"m": (4, 6, 1.0), "o": (4, 6, 1.0)}
    # Areas that cut across the communities agree less.
    mixed = {n: ("m" if n in ("a1", "a2", "b1", "b2") else "o") for n in g}
    assert network_structure(g, CONFIG, home_areas=mixed).community_area_agreement == (
        pytest.approx(0.0, abs=1e-9)
    )


def test_a_broker_whose_partners_work_together_is_not_called_a_structural_hole() -> None:
    # "hub" links a pendant partner to a group that works closely together (and with hub).
    g = nx.complete_graph(["hub", "a", "b", "c"])
    g.add_edge("hub", "p")
    result = network_structure(g, CONFIG)
    (broker,) = [f for f in result.findings if f.spot == "broker"]
    assert broker.counts["constraint"] == pytest.approx(nx.constraint(g)["hub"], abs=1e-4)
    assert broker.counts["constraint"] >= CONFIG.max_broker_constraint
    assert "nur über" not in broker.explanation


def test_a_community_split_evenly_names_the_same_main_area_in_every_process() -> None:
    # Two Träger in two areas: a tie that set order (string hashing per process) decided.
    g = nx.Graph([("t1", "t2")])
    for areas in ({"t1": "b-area", "t2": "a-area"}, {"t2": "a-area", "t1": "b-area"}):
        result = network_structure(g, CONFIG, home_areas=areas)
        assert [(c.main_area_id, c.main_area_share) for c in result.communities] == [
            ("a-area", 0.5)
        ]
