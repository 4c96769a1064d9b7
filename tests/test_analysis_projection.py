"""The projection reads a written bundle back as analysis records in a fixed number of queries."""

from __future__ import annotations

from datetime import date

from graph import Graph
from graph.analysis.planner_view import planner_view
from graph.analysis.projection import load_snapshot
from graph.analysis.suite import run_analyses, within_area
from graph.write import write_bundle
from tests.analysis_fixtures import tiny_city


def test_snapshot_round_trip(db: Graph) -> None:
    write_bundle(db, tiny_city())
    before = db.roundtrips
    snap = load_snapshot(db, today=date(2026, 6, 1))
    assert db.roundtrips - before == 1  # one read transaction, whatever the size
    areas = {a.id: a for a in snap.areas}
    assert areas["st-a-1"].parent_id == "st-a"
    assert areas["st-a"].indicators == {"sgb2_quote": 12.5}
    assert snap.adjacencies == (("st-a", "st-b"),)
    orgs = {o.id: o for o in snap.organizations}
    assert orgs["o1"].addresses == ("Hauptstr. 1, 70173 Stuttgart",)
    assert orgs["o1"].area_ids == ("st-a-1",)
    services = {s.id: s for s in snap.services}
    assert services["s2"].area_ids == ("st",)
    assert (services["s1"].active, services["s3"].active, services["s4"].active) == (
        True,
        False,
        False,
    )
    assert len(snap.needs) == 11
    referral = next(r for r in snap.referrals if r.id == "r-0-s1")
    assert referral.household_area_id == "st-a-1"
    assert referral.responded_at is not None
    assert referral.created_at is not None
    assert (referral.responded_at - referral.created_at).total_seconds() == 3 * 3600
    assert snap.agreements[0].party_ids == ("jc", "o1")
    assert snap.networks[0].member_ids == ("o1", "o2")


def test_suite_on_projected_graph(db: Graph) -> None:
    write_bundle(db, tiny_city())
    report = run_analyses(load_snapshot(db, today=date(2026, 6, 1)))
    gaps = {(g.area_ids, g.category_id): g for g in report.gaps}
    # 6 households in A; 2 + 3 places reach them: 5/6 per household is enough.
    assert (("st-a",), "schuldnerberatung") not in gaps
    # Suchtberatung: 5 households and only inactive or expired services.
    assert gaps[(("st-a",), "suchtberatung")].severity == "hoch"
    assert [f.service_ids for f in report.duplicate_structures] == [("s1", "s2")]
    assert [f.organization_ids for f in report.duplicate_records] == [("o1", "o2")]
    assert len(report.double_support_cases) == 6
    assert all(not c.uncoordinated for c in report.double_support_cases)  # shared network
    assert [(f.organization_ids, f.shared_households) for f in report.missing_cooperation] == [
        (("o1", "o2"), 6)
    ]
    assert report.network.isolated_ids == ()
    rates = {(r.category_id, r.area_id): r for r in report.pathways.rates}
    assert rates[("schuldnerberatung", "st-a")].median_response_hours == 3.0
    sucht = planner_view(report, category="suchtberatung")
    assert [g.finding.category_id for g in sucht.gaps] == ["suchtberatung"]
    assert sucht.duplicate_structures == ()
    # o2 offers Suchtberatung (s3, s4): the duplicate Träger o1/o2 concern it.
    assert [s.finding for s in sucht.duplicate_records] == list(report.duplicate_records)
    only_b = within_area(report, "st-b")
    assert only_b.gaps == ()
    assert within_area(report, "st-a-1").gaps == report.gaps
