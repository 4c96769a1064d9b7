"""The projection reads a written bundle back as analysis records in a fixed number of queries."""

from __future__ import annotations

from datetime import UTC, date, datetime

from graph import Bundle, Graph
from graph.analysis.projection import load_snapshot
from graph.analysis.suite import run_analyses, within_area
from graph.records import (
    Adjacency,
    Agreement,
    Area,
    Category,
    Consent,
    Household,
    Location,
    Membership,
    Need,
    Network,
    Organization,
    Referral,
    ReferralEvent,
    Service,
)
from graph.write import write_bundle

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def bundle() -> Bundle:
    b = Bundle(
        areas=[
            Area(id="st", name="Stadt", level="city"),
            Area(
                id="st-a",
                name="A",
                level="district",
                parent_id="st",
                population=1000,
                indicators={"sgb2_quote": 12.5},
            ),
            Area(id="st-b", name="B", level="district", parent_id="st"),
            Area(id="st-c", name="C", level="district", parent_id="st"),
            Area(id="st-a-1", name="A1", level="subdistrict", parent_id="st-a"),
        ],
        adjacencies=[Adjacency(area_id="st-a", other_area_id="st-b")],
        categories=[
            Category(id="schuldnerberatung", name="Schuldnerberatung"),
            Category(id="suchtberatung", name="Suchtberatung"),
        ],
        organizations=[
            Organization(id="jc", name="Jobcenter", sector="public", phone="0711 1"),
            Organization(id="o1", name="Caritas e.V.", website="https://caritas.example"),
            Organization(id="o2", name="Caritas", website="caritas.example/"),
        ],
        locations=[
            Location(
                id="l1",
                name="Haus",
                organization_id="o1",
                street="Hauptstr. 1",
                postal_code="70173",
                city="Stuttgart",
                area_id="st-a-1",
            ),
        ],
        services=[
            Service(
                id="s1",
                organization_id="o1",
                name="SB A",
                category_ids=("schuldnerberatung",),
                target_groups=("familien",),
                area_ids=("st-a",),
                capacity=2,
                capacity_used=1,
            ),
            Service(
                id="s2",
                organization_id="o2",
                name="SB Stadt",
                category_ids=("schuldnerberatung",),
                target_groups=("familien",),
                area_ids=("st",),
                capacity=3,
            ),
            Service(
                id="s3",
                organization_id="o2",
                name="Alt",
                category_ids=("suchtberatung",),
                area_ids=("st-c",),
                capacity=5,
                status="inactive",
            ),
            Service(
                id="s4",
                organization_id="o2",
                name="Vorbei",
                category_ids=("suchtberatung",),
                area_ids=("st-c",),
                capacity=5,
                valid_to=date(2020, 1, 1),
            ),
        ],
        agreements=[Agreement(id="ag", title="Vorrang", party_ids=("jc", "o1"))],
        networks=[Network(id="n", name="Verbund", area_ids=("st-a",))],
        memberships=[
            Membership(network_id="n", organization_id="o1"),
            Membership(network_id="n", organization_id="o2"),
        ],
    )
    for i in range(6):
        h = f"hh-{i}"
        b.households.append(Household(id=h, area_id="st-a-1"))
        b.needs.append(Need(id=f"n-{i}", household_id=h, category_id="schuldnerberatung"))
        b.needs.append(
            Need(
                id=f"m-{i}",
                household_id=h,
                category_id="suchtberatung",
                status="open" if i < 5 else "met",
            )
        )
        b.consents.append(
            Consent(id=f"c-{i}", household_id=h, organization_ids=("o1", "o2"), purpose="Beratung")
        )
        for s in ("s1", "s2"):
            b.referrals.append(
                Referral(
                    id=f"r-{i}-{s}",
                    household_id=h,
                    from_organization_id="jc",
                    to_service_id=s,
                    consent_id=f"c-{i}",
                    status="accepted",
                    created_at=T0,
                    history=(
                        ReferralEvent(status="created", at=T0, by="jc"),
                        ReferralEvent(status="accepted", at=T0.replace(hour=12), by=s),
                    ),
                )
            )
    return b


def test_snapshot_round_trip(db: Graph) -> None:
    write_bundle(db, bundle())
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
    write_bundle(db, bundle())
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
    only_b = within_area(report, "st-b")
    assert only_b.gaps == ()
    assert within_area(report, "st-a-1").gaps == report.gaps
