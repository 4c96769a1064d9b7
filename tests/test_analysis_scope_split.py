"""Gebiete on hand-made snapshots: what belongs where, and demand decided per Gebiet."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from graph.analysis import UnknownScope, run_analyses
from graph.analysis.planner_view import planner_view
from graph.analysis.scopes import LOOSE_ID, area_roots, scopes_of, split_snapshot
from graph.analysis.snapshot import (
    AgreementInfo,
    AreaInfo,
    NeedInfo,
    OrganizationInfo,
    ReferralInfo,
    ServiceInfo,
    Snapshot,
)


def _areas() -> tuple[AreaInfo, ...]:
    return (
        AreaInfo(id="stadt", name="Stadt", level="city"),
        AreaInfo(id="s-1", name="Nord", level="district", parent_id="stadt"),
        AreaInfo(id="s-2", name="Süd", level="district", parent_id="stadt"),
        AreaInfo(id="s-2a", name="Süd-Ost", level="subdistrict", parent_id="s-2"),
        AreaInfo(id="kreis", name="Landkreis", level="city"),
        *(
            AreaInfo(
                id=f"k-{i}",
                name=f"Kommune {i}",
                level="district",
                parent_id="kreis",
                population=10_000,
                indicators={"sgb2_quote": 5.0},
            )
            for i in (1, 2)
        ),
    )


def _snapshot() -> Snapshot:
    at = datetime(2026, 1, 5, tzinfo=UTC)
    return Snapshot(
        areas=_areas(),
        adjacencies=(("s-1", "s-2"), ("k-1", "k-2"), ("s-2", "k-1")),
        organizations=(
            OrganizationInfo(id="city-org", name="Stadt-Träger", area_ids=("s-1",), source="a"),
            OrganizationInfo(id="county-org", name="Kreis-Träger", source="b"),
            OrganizationInfo(id="office", name="Jobcenter Stadt", source="c"),
            OrganizationInfo(id="partner", name="Partner", source="c"),
            OrganizationInfo(id="no-address", name="Ohne Adresse", source="a"),
            OrganizationInfo(id="nowhere", name="Nirgends", source="z"),
        ),
        services=(
            ServiceInfo(id="sv-city", organization_id="city-org", category_ids=("x",), capacity=10),
            ServiceInfo(
                id="sv-county",
                organization_id="county-org",
                category_ids=("x",),
                area_ids=("k-1",),
                capacity=10,
            ),
        ),
        needs=tuple(
            NeedInfo(household_id=f"h{i}", area_id="s-2a", category_id="x") for i in range(8)
        ),
        referrals=(
            ReferralInfo(
                id="r1",
                household_id="h1",
                household_area_id="s-2a",
                service_id="sv-city",
                from_organization_id="office",
                status="accepted",
                created_at=at,
            ),
        ),
        agreements=(AgreementInfo(id="g", party_ids=("office", "partner")),),
        category_names={"x": "Beratung"},
    )


def test_roots_and_scopes_ordered_by_name() -> None:
    roots = area_roots(_areas())
    assert roots["s-2a"] == "stadt"
    assert roots["k-2"] == "kreis"
    assert [s.id for s in scopes_of(_areas())] == ["kreis", "stadt"]


def test_every_record_goes_to_its_gebiet() -> None:
    parts = {scope.id: part for scope, part in split_snapshot(_snapshot())}
    city, county = parts["stadt"], parts["kreis"]
    assert {a.id for a in city.areas} == {"stadt", "s-1", "s-2", "s-2a"}
    # Adjacency across the border of two Gebiete is no neighbourhood within either.
    assert city.adjacencies == (("s-1", "s-2"),)
    assert county.adjacencies == (("k-1", "k-2"),)
    # A service without areas goes where its Träger has a Standort; a Träger without Standort
    # where its service is, where it refers to, where its partner is, where its import is.
    assert [s.id for s in city.services] == ["sv-city"]
    assert [s.id for s in county.services] == ["sv-county"]
    assert {o.id for o in city.organizations} == {
        "city-org",
        "office",
        "partner",
        "no-address",
        "nowhere",
    }
    assert {o.id for o in county.organizations} == {"county-org", "nowhere"}
    assert len(city.needs) == 8
    assert not county.needs
    assert [r.id for r in city.referrals] == ["r1"]
    assert [g.id for g in city.agreements] == ["g"]
    assert not county.agreements


def test_areas_without_a_city_above_share_one_gebiet() -> None:
    loose = (
        AreaInfo(id="b-1", name="Mitte", level="district"),
        AreaInfo(id="b-1a", name="Mitte-Nord", level="subdistrict", parent_id="b-1"),
        AreaInfo(id="b-2", name="Pankow", level="district", parent_id="berlin"),  # not loaded
    )
    assert set(area_roots(loose).values()) == {LOOSE_ID}
    assert [s.name for s in scopes_of(loose)] == ["Sozialräume ohne Stadt oder Kreis"]
    parts = split_snapshot(Snapshot(areas=loose + _areas()))
    assert [s.id for s, _ in parts] == ["kreis", LOOSE_ID, "stadt"]
    assert {a.id for a in parts[1][1].areas} == {"b-1", "b-1a", "b-2"}


def test_one_gebiet_is_the_snapshot_itself() -> None:
    alone = Snapshot(areas=_areas()[:4])
    ((scope, part),) = split_snapshot(alone)
    assert scope.id == "stadt"
    assert part is alone


def test_demand_estimated_only_where_no_needs_are_recorded() -> None:
    report = run_analyses(_snapshot())
    assert [s.id for s in report.scopes] == ["kreis", "stadt"]
    assert report.estimated_scope_ids == ("kreis",)
    county, city = report.part("kreis"), report.part("stadt")
    assert county.demand_estimated
    assert not city.demand_estimated
    # 10,000 residents x 5 % per Kommune = 500 each against 10 places: gaps in both.
    assert {g.area_ids[0] for g in county.gaps} == {"k-1", "k-2"}
    assert all(g.estimated and g.scope_id == "kreis" for g in county.gaps)
    assert all(not c.estimated for c in city.coverage)
    assert {f.scope_id for f in report.findings()} <= {"kreis", "stadt"}
    # Filtered by Gebiet or by a Sozialraum of it: only that Gebiet's findings.
    assert {s.finding.scope_id for s in planner_view(report, scope="kreis").findings()} == {"kreis"}
    assert planner_view(report, area="k-2").gaps[0].finding.area_ids == ("k-2",)
    assert run_analyses(_snapshot(), scope="stadt").scope_id == "stadt"
    with pytest.raises(UnknownScope):
        run_analyses(_snapshot(), scope="hamburg")
