"""Planted truth: on the ``small`` demo written to Neo4j, the analyses at default thresholds find
exactly what the demo generator planted (precision and recall 1) and nothing else."""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import pytest

from graph import Graph
from graph.admin import clear
from graph.analysis import AnalysisReport, analyse
from graph.merge import merge_organizations, merge_services
from graph.write import write_bundle
from loaders.demo import PlantedTruth, generate


@pytest.fixture(scope="module")
def planted(graph: Graph) -> tuple[AnalysisReport, PlantedTruth]:
    demo = generate("small", seed=2026)
    clear(graph)
    write_bundle(graph, demo.bundle)
    return analyse(graph), demo.truth


def precision_recall(found: Iterable[Hashable], truth: Iterable[Hashable]) -> tuple[float, float]:
    found_set, truth_set = set(found), set(truth)
    hits = len(found_set & truth_set)
    precision = hits / len(found_set) if found_set else 1.0
    recall = hits / len(truth_set) if truth_set else 1.0
    return precision, recall


def exact(found: Iterable[Hashable], truth: Iterable[Hashable]) -> None:
    found_list, truth_set = list(found), set(truth)
    assert len(found_list) == len(set(found_list)), "a finding was reported twice"
    assert truth_set, "the demo plants at least one case"
    assert precision_recall(found_list, truth_set) == (1.0, 1.0), (
        f"false positives {set(found_list) - truth_set}, missed {truth_set - set(found_list)}"
    )


def test_coverage_gaps(planted: tuple[AnalysisReport, PlantedTruth]) -> None:
    report, truth = planted
    assert not report.demand_estimated
    exact([(g.area_ids[0], g.category_id) for g in report.gaps], truth.gaps)
    for gap in report.gaps:
        assert gap.severity == truth.severity(gap.area_ids[0], gap.category_id or "")


def test_duplicate_structures(planted: tuple[AnalysisReport, PlantedTruth]) -> None:
    report, truth = planted
    exact(
        [frozenset(f.service_ids) for f in report.duplicate_structures], truth.duplicate_structures
    )


def test_double_support(planted: tuple[AnalysisReport, PlantedTruth]) -> None:
    report, truth = planted
    cases = report.double_support_cases
    exact([(c.household_id, c.category_id) for c in cases], truth.double_support)
    exact(
        [(c.household_id, c.category_id) for c in cases if c.uncoordinated],
        truth.uncoordinated_double_support,
    )


def test_duplicate_records(planted: tuple[AnalysisReport, PlantedTruth]) -> None:
    report, truth = planted
    exact(
        [frozenset(f.organization_ids) for f in report.duplicate_records],
        truth.duplicate_organizations,
    )


def test_duplicate_services(planted: tuple[AnalysisReport, PlantedTruth]) -> None:
    report, truth = planted
    exact([frozenset(f.service_ids) for f in report.duplicate_services], truth.duplicate_services)
    assert any(not f.same_organization for f in report.duplicate_services)


def test_missing_cooperation(planted: tuple[AnalysisReport, PlantedTruth]) -> None:
    report, truth = planted
    exact(
        [frozenset(f.organization_ids) for f in report.missing_cooperation],
        truth.missing_cooperation,
    )


def test_precision_recall_helper_can_fail() -> None:
    assert precision_recall({"a", "b"}, {"b", "c"}) == (0.5, 0.5)
    with pytest.raises(AssertionError):
        exact(["a", "b"], {"a"})


def test_merging_the_planted_duplicates_keeps_every_relationship(
    graph: Graph, planted: tuple[AnalysisReport, PlantedTruth]
) -> None:
    """Last in this module: it changes the database the fixture wrote."""
    report, truth = planted

    def links(ids: list[str]) -> set[tuple[str, bool, str]]:
        rows = graph.query(
            "MATCH (s:Service)-[r]-(x) WHERE s.id IN $ids "
            "RETURN type(r) AS t, startNode(r) = s AS out, x.id AS other",
            {"ids": ids},
        )
        return {(r["t"], r["out"], r["other"]) for r in rows}

    for pair in [f.organization_ids for f in report.duplicate_records]:
        keep, drop = sorted(pair)
        merge_organizations(graph, keep, drop)
    moved_referrals = 0
    for f in report.duplicate_services:
        keep, drop = sorted(f.service_ids)
        before = links([keep, drop])
        referrals = graph.query(
            "MATCH (r:Referral)-[:TO_SERVICE]->(s:Service) WHERE s.id IN $ids RETURN count(r) AS n",
            {"ids": [keep, drop]},
        )[0]["n"]
        merged = merge_services(graph, keep, drop)
        assert links([keep]) == before  # every (type, direction, other node), now on one
        assert links([drop]) == set()
        moved_referrals += merged.moved.get("TO_SERVICE", 0)
        assert (
            graph.query(
                "MATCH (r:Referral)-[:TO_SERVICE]->(:Service {id: $id}) RETURN count(r) AS n",
                {"id": keep},
            )[0]["n"]
            == referrals
        )
    assert moved_referrals > 0  # the demo refers households to the duplicates too
    again = analyse(graph)
    assert again.duplicate_services == ()
    assert again.duplicate_records == ()
    assert {frozenset(f.service_ids) for f in again.duplicate_structures} == set(
        truth.duplicate_structures
    )
