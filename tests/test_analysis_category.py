"""``planner_view(category=…)`` (``verbund analyse --category``, GraphQL) applies to every kind
of finding and to the pathways, on the tiny city plus one Träger of another
Leistungsbereich that cooperates with nobody (a weak spot)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner

from api.cli import main
from graph import Graph
from graph.analysis.planner_view import PlannerView, planner_view
from graph.analysis.projection import load_snapshot
from graph.analysis.suite import AnalysisReport, run_analyses
from graph.records import Category, Organization, Service
from graph.write import write_bundle
from tests.analysis_fixtures import tiny_city


@pytest.fixture
def report(db: Graph) -> AnalysisReport:
    city = tiny_city()
    city.categories.append(Category(id="erziehungsberatung", name="Erziehungsberatung"))
    city.organizations.append(Organization(id="o3", name="Familienhilfe Nord"))
    city.services.append(
        Service(
            id="s-eb",
            organization_id="o3",
            name="Erziehungsberatung Nord",
            category_ids=("erziehungsberatung",),
            area_ids=("st-a",),
        )
    )
    write_bundle(db, city)
    return run_analyses(load_snapshot(db, today=date(2026, 6, 1)))


def kinds(view: PlannerView) -> list[tuple[str, str | None, tuple[str, ...]]]:
    return sorted(
        (s.finding.kind, s.finding.category_id, s.finding.organization_ids) for s in view.findings()
    )


def test_without_a_category_every_kind_is_there(report: AnalysisReport) -> None:
    found = {kind for kind, _, _ in kinds(planner_view(report))}
    assert found == {
        "coverage_gap",
        "duplicate_record",
        "duplicate_structure",
        "missing_cooperation",
        "double_support",
        "weak_spot",
    }


def test_each_category_keeps_only_its_own_findings_and_pathways(report: AnalysisReport) -> None:
    schuldner = planner_view(report, category="schuldnerberatung")
    assert kinds(schuldner) == [
        ("double_support", "schuldnerberatung", ("o1", "o2")),
        ("duplicate_record", None, ("o1", "o2")),  # both Träger offer Schuldnerberatung
        ("duplicate_structure", "schuldnerberatung", ("o1", "o2")),
        ("missing_cooperation", None, ("o1", "o2")),  # its households need Schuldnerberatung
    ]
    assert [s.category_ids for s in schuldner.pathways.sequences] == [
        ("schuldnerberatung", "schuldnerberatung")
    ]
    assert {r.category_id for r in schuldner.pathways.rates} == {"schuldnerberatung"}

    sucht = planner_view(report, category="suchtberatung")
    assert kinds(sucht) == [
        ("coverage_gap", "suchtberatung", ()),
        ("duplicate_record", None, ("o1", "o2")),  # o2 offers Suchtberatung
    ]
    assert sucht.pathways.sequences == ()  # nobody was referred to Suchtberatung
    assert sucht.pathways.rates == ()

    # Only the isolated Träger o3 offers Erziehungsberatung: its weak spot, nothing of o1/o2.
    erziehung = planner_view(report, category="erziehungsberatung")
    assert [(kind, orgs) for kind, _, orgs in kinds(erziehung)] == [("weak_spot", ("o3",))]
    assert erziehung.pathways.sequences == ()


def test_the_cli_filters_every_kind(report: AnalysisReport) -> None:
    runner = CliRunner()

    def found(*args: str) -> list[str]:
        out = runner.invoke(main, ["analyse", "--format", "json", *args])
        assert out.exit_code == 0, out.output
        return sorted(f["kind"] for f in json.loads(out.output)["findings"])

    assert found("--category", "erziehungsberatung") == ["weak_spot"]
    assert "weak_spot" not in found("--category", "schuldnerberatung")
    table = runner.invoke(main, ["analyse", "--category", "suchtberatung"])
    assert table.exit_code == 0, table.output
    assert "Überleitungswege (0 häufige Abfolgen)" in table.output
    assert "Schwachstellen im Kooperationsnetz (0)" in table.output


def test_the_category_is_found_by_id_or_name_regardless_of_case(report: AnalysisReport) -> None:
    by_id = kinds(planner_view(report, category="suchtberatung"))
    assert kinds(planner_view(report, category=" Suchtberatung ")) == by_id
    assert kinds(planner_view(report, category="SUCHTBERATUNG")) == by_id
    assert kinds(planner_view(report, category="gibt-es-nicht")) == []
