"""The analyses, run on the small demo in the real Neo4j, find exactly its planted truth."""

from __future__ import annotations

import pytest

from graph import Graph
from graph.analysis.projection import load_snapshot
from graph.analysis.suite import AnalysisReport, run_analyses
from graph.write import write_bundle
from loaders.demo import PlantedTruth, generate


@pytest.fixture(scope="module")
def demo_truth() -> PlantedTruth:
    return generate("small").truth


@pytest.fixture
def report(db: Graph) -> AnalysisReport:
    write_bundle(db, generate("small").bundle)
    return run_analyses(load_snapshot(db))


def test_analyses_find_exactly_the_planted_truth(
    report: AnalysisReport, demo_truth: PlantedTruth
) -> None:
    gaps = {(g.area_ids[0], g.category_id): g.severity for g in report.gaps}
    assert gaps == {cell: demo_truth.severity(*cell) for cell in demo_truth.gaps}
    structures = {frozenset(d.service_ids) for d in report.duplicate_structures}
    assert structures == set(demo_truth.duplicate_structures)
    cases = {(c.household_id, c.category_id): c.uncoordinated for c in report.double_support_cases}
    assert set(cases) == demo_truth.double_support
    assert {k for k, v in cases.items() if v} == demo_truth.uncoordinated_double_support
    records = {frozenset(d.organization_ids) for d in report.duplicate_records}
    assert records == set(demo_truth.duplicate_organizations)
    same_services = {frozenset(d.service_ids) for d in report.duplicate_services}
    assert same_services == set(demo_truth.duplicate_services)
    missing = {frozenset(m.organization_ids) for m in report.missing_cooperation}
    assert missing == set(demo_truth.missing_cooperation)
