"""Coverage gaps: 2SFCA on a three-district line A - B - C with known ratios."""

from __future__ import annotations

import networkx as nx
import pytest

from graph.analysis.config import CoverageConfig
from graph.analysis.coverage import (
    Supply,
    coverage_gaps,
    coverage_table,
    demand_from_indicator,
    demand_from_needs,
    floating_catchment,
    supplies_by_category,
)
from graph.analysis.snapshot import AreaIndex, AreaInfo, NeedInfo, adjacency_graph
from tests.analysis_fixtures import CITY, district, line_index, service

CONFIG = CoverageConfig()


def line() -> nx.Graph:
    return nx.path_graph(["a", "b", "c"])


def test_two_step_ratios_with_decay() -> None:
    demand = {"a": 10.0, "b": 10.0, "c": 6.0}
    supply = [Supply(service_id="s1", organization_id="o", capacity=10.0, units=frozenset({"a"}))]
    table = floating_catchment(line(), demand, supply, CONFIG)
    # s1 reaches a (w=1) and b (w=0.5): 10 places / (10 + 5) weighted households.
    assert table["a"].ratio == pytest.approx(10 / 15)
    assert table["b"].ratio == pytest.approx(0.5 * 10 / 15)
    assert table["c"].ratio == 0.0
    assert table["c"].reachable_service_ids == ()
    assert table["b"].reachable_service_ids == ("s1",)


def test_city_wide_service_is_at_distance_zero_everywhere() -> None:
    demand = {"a": 10.0, "b": 10.0, "c": 6.0}
    supply = [Supply(service_id="all", organization_id="o", capacity=26.0, units=None)]
    table = floating_catchment(line(), demand, supply, CONFIG)
    assert {u: r.ratio for u, r in table.items()} == {"a": 1.0, "b": 1.0, "c": 1.0}


def test_area_without_demand_has_no_ratio() -> None:
    table = floating_catchment(line(), {"a": 5.0}, [], CONFIG)
    assert table["b"].ratio is None
    assert table["a"].ratio == 0.0


def test_gaps_flag_unreachable_high_and_low_ratio_medium() -> None:
    demand = {"sb": {"a": 10.0, "b": 10.0, "c": 6.0}}
    supplies = {
        "sb": [Supply(service_id="s1", organization_id="o", capacity=10.0, units=frozenset({"a"}))]
    }
    gaps = coverage_gaps(coverage_table(line(), demand, supplies, CONFIG), CONFIG)
    assert [(g.area_ids, g.severity) for g in gaps] == [(("c",), "hoch"), (("b",), "mittel")]
    assert gaps[1].ratio == pytest.approx(1 / 3)
    assert "Nachbargebiet" in gaps[0].explanation


def test_gap_explanations_count_households_or_estimated_persons() -> None:
    demand = {"sb": {"a": 10.0, "b": 10.0, "c": 6.0}}
    supplies = {
        "sb": [Supply(service_id="s1", organization_id="o", capacity=10.0, units=frozenset({"a"}))]
    }
    counted = coverage_gaps(coverage_table(line(), demand, supplies, CONFIG), CONFIG)
    estimated = coverage_gaps(
        coverage_table(line(), demand, supplies, CONFIG, estimated=True), CONFIG
    )
    assert "6 Haushalte" in counted[0].explanation
    assert "je Haushalt" in counted[1].explanation
    # An indicator estimate counts persons; calling them households would mislead planners.
    assert "geschätzt 6 Personen" in estimated[0].explanation
    assert "je Person" in estimated[1].explanation
    assert all("Haushalt" not in g.explanation for g in estimated)


def test_small_demand_is_not_flagged() -> None:
    demand = {"sb": {"c": 4.0}}
    assert coverage_gaps(coverage_table(line(), demand, {}, CONFIG), CONFIG) == []


def test_supply_mapping_ignores_inactive_services_and_keeps_unknown_places_as_unknown() -> None:
    index = line_index("a", "b", "c")
    supplies = supplies_by_category(
        [
            service("s1", "o", ("a-1",)),
            service("s2", "o", ("st",)),
            service("s3", "o", ("a",), capacity=None),
            service("s4", "o", ("a",), active=False),
            service("s5", "o", ("a",), capacity=0),
        ],
        index,
    )
    # Unknown places stay unknown (None, named in gaps), 0 places add nothing.
    assert [(s.service_id, s.units, s.capacity) for s in supplies["sb"]] == [
        ("s1", frozenset({"a"}), 10.0),
        ("s2", None, 10.0),
        ("s3", frozenset({"a"}), None),
    ]


def test_demand_counts_households_once_per_unit_and_category() -> None:
    index = line_index("a", "b")
    needs = [
        NeedInfo(household_id="h1", area_id="a-1", category_id="sb"),
        NeedInfo(household_id="h1", area_id="a-1", category_id="sb"),
        NeedInfo(household_id="h2", area_id="a", category_id="sb"),
        NeedInfo(household_id="h3", area_id="b-1", category_id="sucht"),
    ]
    assert demand_from_needs(needs, index) == {"sb": {"a": 2.0}, "sucht": {"b": 1.0}}


def test_demand_estimate_from_indicator_uses_sub_areas_when_needed() -> None:
    areas = [
        CITY,
        district("a", population=1000, indicators={"sgb2_quote": 10.0}),
        district("b"),
        AreaInfo(
            id="b-1",
            name="b-1",
            level="subdistrict",
            parent_id="b",
            population=200,
            indicators={"sgb2_quote": 5.0},
        ),
    ]
    index = AreaIndex(areas)
    assert demand_from_indicator(index, "sgb2_quote") == {"a": 100.0, "b": 10.0}


def test_adjacency_of_sub_areas_lifts_to_districts() -> None:
    index = line_index("a", "b", "c")
    g = adjacency_graph(index, [("a-1", "b-1"), ("b", "c"), ("a-1", "a")])
    assert sorted(map(sorted, g.edges)) == [["a", "b"], ["b", "c"]]
