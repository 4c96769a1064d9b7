"""Planted truth: on the ``small`` demo written to Neo4j, the analyses at default thresholds find
exactly what the demo generator planted (precision and recall 1) and nothing else."""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import pytest

from graph import Graph
from graph.admin import clear
from graph.analysis import AnalysisReport, analyse
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
