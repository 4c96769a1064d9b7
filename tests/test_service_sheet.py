"""What a service's page and a family's printed sheet need: documents to bring, when the details
were last checked, opening hours and phone of the Standort, places reported by the Träger
itself, and the agreements between the service's Träger and the caseworker's organization."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from graph import Bundle, Graph, clock
from graph.records import Location, Organization, Service
from loaders.hsds.reader import read_hsds
from loaders.hsds.writer import write_hsds
from schema.principal import Principal, Role
from tests.apikit import execute, load_network, run_query

RESULT = """__typename
  ... on Service { id capacity capacityUsed assuredDate version }
  ... on InvalidInput { fields { path message } }
  ... on Conflict { currentVersion }
  ... on NotFound { kind id }"""
AVAILABILITY = (
    "mutation($id: ID!, $v: Int!, $cap: Int, $used: Int, $day: Date) { "
    "updateServiceAvailability(id: $id, version: $v, capacity: $cap, capacityUsed: $used, "
    "assuredDate: $day) { " + RESULT + " } }"
)


def who(role: Role, org: str | None = None) -> Principal:
    return Principal(f"t-{role}-{org}", role, org, "token")


def availability(db: Graph, principal: Principal, **variables: Any) -> tuple[Any, set[str]]:
    result = execute(db, AVAILABILITY, {"v": 1, **variables}, principal=principal)
    codes = {(e.extensions or {}).get("code", "?") for e in result.errors or []}
    return (result.data or {}).get("updateServiceAvailability"), codes


@pytest.mark.parametrize(
    ("principal", "service", "expected"),
    [
        (who("partner", "caritas"), "sb-0-0", "Service"),
        (who("partner", "caritas"), "sb-0-1", "FORBIDDEN"),  # eva's service
        (who("coordinator"), "sb-0-1", "Service"),
        (who("admin"), "sb-0-1", "Service"),
        (who("caseworker", "jobcenter"), "sb-0-0", "FORBIDDEN"),
        (who("planner"), "sb-0-0", "FORBIDDEN"),
    ],
)
def test_the_traeger_reports_availability_of_its_own_services(
    db: Graph, principal: Principal, service: str, expected: str
) -> None:
    load_network(db)
    value, codes = availability(db, principal, id=service, cap=12, used=7)
    if expected == "FORBIDDEN":
        assert codes == {"FORBIDDEN"}
        stored = db.query("MATCH (s:Service {id: $id}) RETURN s.capacity AS c", {"id": service})
        assert stored == [{"c": 10}]
        return
    assert codes == set()
    assert value["__typename"] == "Service"
    assert (value["capacity"], value["capacityUsed"], value["version"]) == (12, 7, 2)
    assert value["assuredDate"] == clock.today().isoformat()


def test_availability_is_checked_and_versioned(db: Graph) -> None:
    load_network(db)
    partner = who("partner", "caritas")
    value, _ = availability(db, partner, id="sb-0-0", used=11)
    assert value["__typename"] == "InvalidInput"
    assert value["fields"] == [
        {"path": ["capacityUsed"], "message": "Die Belegung übersteigt die Kapazität."}
    ]
    value, _ = availability(db, partner, id="sb-0-0", cap=-1, used=0)
    assert [f["path"] for f in value["fields"]] == [["capacity"]]
    value, _ = availability(db, partner, id="sb-0-0", used=-2)
    assert [f["path"] for f in value["fields"]] == [["capacityUsed"]]
    value, _ = availability(db, partner, id="sb-0-0", used=4, day="2026-11-30")
    assert (value["capacity"], value["capacityUsed"], value["assuredDate"]) == (
        10,
        4,
        "2026-11-30",
    )
    value, _ = availability(db, partner, id="sb-0-0", used=5)
    assert value == {"__typename": "Conflict", "currentVersion": 2}
    value, _ = availability(db, who("coordinator"), id="nix", used=1)
    assert value == {"__typename": "NotFound", "kind": "Service", "id": "nix"}


AGREEMENTS = """query($org: ID!, $with: ID) {
  organization(id: $org) { agreements(with: $with) { id title priorityAccess parties { id } } } }"""


def test_agreements_between_two_organizations(db: Graph) -> None:
    load_network(db)
    principal = who("caseworker", "jobcenter")

    def found(org: str, other: str | None) -> list[str]:
        data = run_query(db, AGREEMENTS, {"org": org, "with": other}, principal=principal)
        return [a["id"] for a in data["organization"]["agreements"]]

    assert found("caritas", "jobcenter") == ["ag-jc-caritas"]
    assert found("caritas", None) == ["ag-jc-caritas"]
    assert found("eva", "jobcenter") == []
    assert found("caritas", "eva") == []
    # On a page of services (read ahead with the services) the argument still filters.
    page = """{ services(first: 20) { nodes { id organization { id
      all: agreements { id } withJobcenter: agreements(with: "jobcenter") { id } } } } }"""
    data = run_query(db, page, principal=principal)
    for node in data["services"]["nodes"]:
        org = node["organization"]
        expected = ["ag-jc-caritas"] if org["id"] == "caritas" else []
        assert [a["id"] for a in org["withJobcenter"]] == expected
        assert [a["id"] for a in org["all"]] == expected


SHEET = """{ service(id: "svc-neu") { requiredDocuments assuredDate
  locations { phone openingHours } } }"""


def test_coordinators_keep_the_facts_of_the_sheet(db: Graph) -> None:
    load_network(db)
    coordinator = who("coordinator")
    location = run_query(
        db,
        """mutation { createLocation(input: {id: "loc-neu", name: "Beratungsstelle",
          organization: "caritas", phone: "0711 123 45-6",
          openingHours: "Mo–Do 9–12 Uhr, Di 14–17 Uhr"}) { __typename } }""",
        principal=coordinator,
    )
    assert location["createLocation"]["__typename"] == "Location"
    created = run_query(
        db,
        """mutation { createService(input: {id: "svc-neu", organization: "caritas",
          name: "Schuldnerberatung Neu", locations: ["loc-neu"], assuredDate: "2026-11-02",
          requiredDocuments: ["Personalausweis", "Bescheid des Jobcenters"]}) { __typename } }""",
        principal=coordinator,
    )
    assert created["createService"]["__typename"] == "Service"
    data = run_query(db, SHEET, principal=who("caseworker", "jobcenter"))
    assert data["service"] == {
        "requiredDocuments": ["Personalausweis", "Bescheid des Jobcenters"],
        "assuredDate": "2026-11-02",
        "locations": [{"phone": "0711 123 45-6", "openingHours": "Mo–Do 9–12 Uhr, Di 14–17 Uhr"}],
    }
    blank = run_query(
        db,
        """mutation { updateService(id: "svc-neu", version: 1, input: {requiredDocuments: [" "]})
          { __typename ... on InvalidInput { fields { path } } } }""",
        principal=coordinator,
    )
    assert blank["updateService"]["fields"] == [{"path": ["input", "requiredDocuments"]}]


def test_hsds_keeps_the_facts_of_the_sheet(tmp_path: Path) -> None:
    bundle = Bundle(
        organizations=[Organization(id="caritas", name="Caritas")],
        locations=[
            Location(
                id="loc-1",
                name="Haus",
                organization_id="caritas",
                phone="0711 22 33-0",
                opening_hours="Mo–Fr 9–12 Uhr",
            )
        ],
        services=[
            Service(
                id="svc-1",
                organization_id="caritas",
                name="Schuldnerberatung",
                location_ids=("loc-1",),
                required_documents=("Personalausweis", "Mietvertrag"),
                assured_date=dt.date(2026, 10, 1),
            )
        ],
    )
    path = tmp_path / "services.json"
    write_hsds(bundle, path)
    parsed = read_hsds(path, "hsds")
    assert parsed.issues == []
    (service,) = parsed.bundle.services
    assert service.required_documents == ("Personalausweis", "Mietvertrag")
    assert service.assured_date == dt.date(2026, 10, 1)
    (location,) = parsed.bundle.locations
    assert (location.phone, location.opening_hours) == ("0711 22 33-0", "Mo–Fr 9–12 Uhr")


def test_every_demo_service_and_location_has_the_facts() -> None:
    from loaders.demo import generate

    loaded = dt.date(2027, 3, 1)
    demo = generate("small", checked_on=loaded)
    for s in demo.bundle.services:
        assert s.required_documents[0] == "Personalausweis"
        assert len(s.required_documents) > 1
        assert s.assured_date is not None
        assert loaded - dt.timedelta(days=365) < s.assured_date <= loaded
    for loc in demo.bundle.locations:
        assert (loc.phone or "").startswith("0711 ")
        assert "Uhr" in (loc.opening_hours or "")
    assert generate("small", checked_on=loaded).bundle.services == demo.bundle.services


def test_most_demo_services_were_checked_recently_relative_to_the_load_date() -> None:
    """Loaded on any day, most demo services count as checked (occupancy known under the
    90-day rule of graph/capacity.py) and a few are deliberately outdated; the dates move
    with the load date and nothing else changes."""
    from graph.capacity import DEFAULT_MAX_AGE_DAYS, is_outdated
    from loaders.demo import generate

    for loaded in (dt.date(2026, 12, 3), dt.date(2028, 6, 30)):
        services = generate("small", checked_on=loaded).bundle.services
        outdated = [
            s for s in services if is_outdated(s.assured_date, loaded, DEFAULT_MAX_AGE_DAYS)
        ]
        assert 0 < len(outdated) <= len(services) * 0.2, (len(outdated), len(services))
    early = generate("small", checked_on=dt.date(2026, 12, 3)).bundle.services
    later = generate("small", checked_on=dt.date(2026, 12, 13)).bundle.services
    for a, b in zip(early, later, strict=True):
        assert a.assured_date is not None
        assert b.assured_date is not None
        assert (b.assured_date - a.assured_date).days == 10
        assert a.required_documents == b.required_documents
