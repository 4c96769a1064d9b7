"""Helpers for the API tests: a small network written through the real writer, and a way
to run GraphQL documents against the real database with a fresh per-request context."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

from graph import Bundle, Graph
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
from loaders.demo.sizes import Size
from schema import Context, schema
from schema.principal import SYSTEM

T0 = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)


def run_query(
    graph: Graph, document: str, variables: dict[str, Any] | None = None, **context: Any
) -> dict[str, Any]:
    """Execute a document; fail with the errors if there are any."""
    result = execute(graph, document, variables, **context)
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


def execute(
    graph: Graph, document: str, variables: dict[str, Any] | None = None, **context: Any
) -> Any:
    context.setdefault("principal", SYSTEM)
    return asyncio.run(
        schema.execute(document, variable_values=variables, context_value=Context(graph, **context))
    )


def network_bundle(districts: int = 3, services_per_district: int = 2) -> Bundle:
    """A city with ``districts`` districts in a row (each adjacent to the next), each with
    one sub-district and a household; services per district from alternating Träger."""
    b = Bundle()
    b.areas.append(
        Area(id="st", name="Stuttgart", level="city", centroid_lat=48.78, centroid_lon=9.18)
    )
    for i in range(districts):
        d = f"st-d{i}"
        b.areas.append(
            Area(
                id=d,
                name=f"Bezirk {i}",
                level="district",
                parent_id="st",
                centroid_lat=48.70 + i * 0.01,
                centroid_lon=9.10,
            )
        )
        b.areas.append(Area(id=f"{d}-1", name=f"Teil {i}", level="subdistrict", parent_id=d))
        if i:
            b.adjacencies.append(Adjacency(area_id=f"st-d{i - 1}", other_area_id=d))
    b.categories += [
        Category(id="beratung", name="Beratung"),
        Category(id="schuldnerberatung", name="Schuldnerberatung", parent_id="beratung"),
        Category(id="suchtberatung", name="Suchtberatung", parent_id="beratung"),
    ]
    b.organizations += [
        Organization(id="jobcenter", name="Jobcenter Stuttgart", sector="public"),
        Organization(id="caritas", name="Caritasverband", description="Schuldnerberatung und mehr"),
        Organization(id="eva", name="Evangelische Gesellschaft"),
    ]
    b.locations += [
        Location(
            id="loc-caritas",
            name="Caritas Haus",
            organization_id="caritas",
            latitude=48.70,
            longitude=9.10,
            area_id="st-d0-1",
        ),
        Location(
            id="loc-eva",
            name="eva Haus",
            organization_id="eva",
            latitude=48.75,
            longitude=9.10,
            area_id=f"st-d{districts - 1}-1",
        ),
    ]
    for i in range(districts):
        for j in range(services_per_district):
            org = "caritas" if j % 2 == 0 else "eva"
            b.services.append(
                Service(
                    id=f"sb-{i}-{j}",
                    organization_id=org,
                    name=f"Schuldnerberatung {i}-{j}",
                    description="Beratung bei Schulden und Insolvenz",
                    category_ids=("schuldnerberatung",),
                    area_ids=(f"st-d{i}",),
                    location_ids=(f"loc-{org}",),
                    target_groups=("familien",) if j % 2 == 0 else ("erwachsene",),
                    languages=("de", "tr") if j % 2 == 0 else ("de",),
                    legal_basis="§ 16a SGB II",
                    capacity=10,
                    capacity_used=j * 5,
                )
            )
    b.services.append(
        Service(
            id="sucht-city",
            organization_id="eva",
            name="Suchtberatung stadtweit",
            description="Beratung bei Sucht",
            category_ids=("suchtberatung",),
            area_ids=("st",),
            languages=("de", "ar"),
            status="active",
            valid_from=date(2025, 1, 1),
            valid_to=date(2025, 12, 31),
        )
    )
    b.agreements.append(
        Agreement(
            id="ag-jc-caritas",
            title="Vorrang Schuldnerberatung",
            party_ids=("jobcenter", "caritas"),
            priority_access=True,
            category_ids=("schuldnerberatung",),
        )
    )
    b.networks.append(
        Network(id="zsb", name="Zentrale Schuldnerberatung", area_ids=("st",), kind="verbund")
    )
    b.memberships += [
        Membership(network_id="zsb", organization_id="caritas", role="sprecher"),
        Membership(network_id="zsb", organization_id="eva"),
    ]
    b.households.append(Household(id="hh-1", area_id="st-d0-1", household_type="familie"))
    b.needs.append(Need(id="n-1", household_id="hh-1", category_id="schuldnerberatung"))
    b.consents.append(
        Consent(
            id="c-1",
            household_id="hh-1",
            organization_ids=("caritas",),
            purpose="schuldnerberatung",
            data_categories=("stammdaten", "bedarfslage", "hilfeverlauf"),
            valid_from=date(2025, 1, 1),
        )
    )
    b.referrals.append(
        Referral(
            id="r-1",
            household_id="hh-1",
            from_organization_id="jobcenter",
            to_service_id="sb-0-0",
            consent_id="c-1",
            need_id="n-1",
            status="accepted",
            created_at=T0,
            purpose="schuldnerberatung",
            history=(
                ReferralEvent(status="created", at=T0, by="jc-1"),
                ReferralEvent(status="accepted", at=T0, by="caritas-1"),
            ),
        )
    )
    return b


def load_network(graph: Graph, districts: int = 3, services_per_district: int = 2) -> None:
    write_bundle(graph, network_bundle(districts, services_per_district), now=T0)


def load_small_demo(graph: Graph) -> None:
    """The ``small`` demo (deterministic), written into an emptied database."""
    load_demo(graph, "small")


def load_demo(graph: Graph, size: Size) -> None:
    """A demo (deterministic), written into an emptied database as ``verbund demo load``
    writes it."""
    from graph.admin import clear
    from loaders.demo import generate

    clear(graph)
    write_bundle(graph, generate(size).bundle)
