"""Tiny hand-made inputs for the known-answer tests of graph/analysis."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from graph import Bundle
from graph.analysis.snapshot import AreaIndex, AreaInfo, ServiceInfo
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

CITY = AreaInfo(id="st", name="Stadt", level="city")


def district(ident: str, **kw: object) -> AreaInfo:
    return AreaInfo(id=ident, name=ident.upper(), level="district", parent_id="st", **kw)  # type: ignore[arg-type]


def line_index(*names: str) -> AreaIndex:
    """City with the given districts and one sub-district ``<d>-1`` below each."""
    areas = [CITY]
    for n in names:
        areas.append(district(n))
        areas.append(AreaInfo(id=f"{n}-1", name=f"{n}-1", level="subdistrict", parent_id=n))
    return AreaIndex(areas)


def service(
    ident: str,
    org: str,
    areas: tuple[str, ...],
    *,
    category: str = "sb",
    groups: tuple[str, ...] = ("familien",),
    capacity: int | None = 10,
    used: int | None = None,
    active: bool = True,
) -> ServiceInfo:
    return ServiceInfo(
        id=ident,
        organization_id=org,
        name=ident,
        category_ids=(category,),
        target_groups=groups,
        area_ids=areas,
        capacity=capacity,
        capacity_used=used,
        active=active,
    )


T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def tiny_city() -> Bundle:
    """Three districts, two Caritas records, six households referred to both of them."""
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


def service_world() -> Bundle:
    """tiny_city plus a second record of Caritas' SB A with more categories, areas and places."""
    b = tiny_city()
    b.locations.append(
        Location(id="l2", name="Haus 2", organization_id="o1", street="Nebenstr. 2", area_id="st-b")
    )
    b.services = [replace(s, location_ids=("l1",)) if s.id == "s1" else s for s in b.services]
    b.services.append(
        Service(
            id="s1-dup",
            organization_id="o1",
            name="SB A.",
            description="Zweiter Datensatz",
            category_ids=("schuldnerberatung", "suchtberatung"),
            target_groups=("familien", "alleinerziehende"),
            languages=("de", "tr"),
            area_ids=("st-a", "st-b"),
            location_ids=("l1", "l2"),
            capacity=9,
            url="https://caritas.example/sb-a",
        )
    )
    for i in range(3):
        b.referrals.append(
            Referral(
                id=f"r-dup-{i}",
                household_id=f"hh-{i}",
                from_organization_id="jc",
                to_service_id="s1-dup",
                consent_id=f"c-{i}",
                status="created",
                created_at=T0,
                history=(ReferralEvent(status="created", at=T0, by="jc"),),
            )
        )
    return b
