"""The directory through GraphQL: navigation both ways, filters, sorting, keyset pages."""

from __future__ import annotations

from graph import Graph
from schema.principal import Principal, Role
from tests.apikit import execute, load_network, run_query


def test_nested_navigation_both_ways(db: Graph) -> None:
    load_network(db)
    data = run_query(
        db,
        """{ area(id: "st-d0") { name parent { id } children { id } neighbours { id }
               services { totalCount nodes { id organization { id agreements { id parties { id } } }
                 categories { id broader { id } } areas { id } locations { id area { id } } } } }
             organization(id: "caritas") { partners { id } memberships { role network { id } } }
             network(id: "zsb") { memberships { organization { id } } areas { id } } }""",
    )
    area = data["area"]
    assert area["parent"] == {"id": "st"}
    assert area["children"] == [{"id": "st-d0-1"}]
    assert area["neighbours"] == [{"id": "st-d1"}]
    assert area["services"]["totalCount"] == 2
    first = area["services"]["nodes"][0]
    assert first["id"] == "sb-0-0"
    assert first["organization"]["agreements"][0]["id"] == "ag-jc-caritas"
    assert {p["id"] for p in first["organization"]["agreements"][0]["parties"]} == {
        "caritas",
        "jobcenter",
    }
    assert first["categories"] == [{"id": "schuldnerberatung", "broader": {"id": "beratung"}}]
    assert first["locations"][0]["area"] == {"id": "st-d0-1"}
    assert data["organization"]["partners"] == [{"id": "jobcenter"}]
    assert data["organization"]["memberships"] == [{"role": "sprecher", "network": {"id": "zsb"}}]
    assert [m["organization"]["id"] for m in data["network"]["memberships"]] == ["caritas", "eva"]


def test_service_filters(db: Graph) -> None:
    load_network(db)
    query = """query($f: ServiceFilterInput) {
      services(filter: $f, first: 100) { totalCount nodes { id } } }"""

    def ids(f: dict[str, object]) -> set[str]:
        data = run_query(db, query, {"f": f})["services"]
        assert data["totalCount"] == len(data["nodes"])
        return {n["id"] for n in data["nodes"]}

    assert ids({"area": "st-d1"}) == {"sb-1-0", "sb-1-1"}
    assert ids({"area": "st-d1", "includeBroaderAreas": True}) == {"sb-1-0", "sb-1-1", "sucht-city"}
    # a category includes its narrower ones
    assert len(ids({"categories": ["beratung"]})) == 7
    assert ids({"categories": ["suchtberatung"]}) == {"sucht-city"}
    assert ids({"languages": ["tr"]}) == {"sb-0-0", "sb-1-0", "sb-2-0"}
    assert ids({"targetGroups": ["erwachsene"], "area": "st-d2"}) == {"sb-2-1"}
    assert ids({"legalBases": ["§ 16a SGB II"]}) == ids({"categories": ["schuldnerberatung"]})
    assert ids({"validOn": "2026-06-01", "categories": ["suchtberatung"]}) == set()
    assert ids({"validOn": "2025-06-01", "categories": ["suchtberatung"]}) == {"sucht-city"}
    assert ids({"statuses": ["ARCHIVED"]}) == set()
    assert ids({"text": "sucht"}) == {"sucht-city"}
    assert ids({"text": "Insolvenz", "area": "st-d0"}) == {"sb-0-0", "sb-0-1"}
    assert ids({"text": "(( OR *"}) == set()
    assert ids({"organization": "eva", "area": "st-d0"}) == {"sb-0-1"}


def test_keyset_pages_cover_everything_once(db: Graph) -> None:
    load_network(db, districts=4, services_per_district=3)
    query = """query($after: String, $sort: DirectorySort!, $near: GeoPointInput) {
      services(first: 5, after: $after, sort: $sort, near: $near) {
        totalCount edges { cursor node { id name } } pageInfo { hasNextPage endCursor } } }"""
    for sort, near in (
        ("NAME", None),
        ("UPDATED", None),
        ("DISTANCE", {"latitude": 48.75, "longitude": 9.1}),
    ):
        seen: list[str] = []
        after = None
        while True:
            data = run_query(db, query, {"after": after, "sort": sort, "near": near})["services"]
            seen += [e["node"]["id"] for e in data["edges"]]
            if not data["pageInfo"]["hasNextPage"]:
                break
            after = data["pageInfo"]["endCursor"]
        assert len(seen) == len(set(seen)) == data["totalCount"] == 13
    names = run_query(db, "{ services(first: 100) { nodes { name } } }")["services"]["nodes"]
    assert [n["name"] for n in names] == sorted(n["name"] for n in names)


def test_distance_sort_puts_nearest_first(db: Graph) -> None:
    load_network(db)
    data = run_query(
        db,
        """{ services(sort: DISTANCE, near: {latitude: 48.75, longitude: 9.1}, first: 100) {
             nodes { id organization { id } } } }""",
    )["services"]["nodes"]
    orgs = [n["organization"]["id"] for n in data]
    # eva's location is at the reference point, caritas's 5.5 km south; no location: last.
    assert orgs[:4] == ["eva"] * 4
    assert data[-1]["id"] != "sucht-city" or orgs[-1] == "eva"


def test_page_size_and_cursor_errors_are_clear(db: Graph) -> None:
    load_network(db)
    result = execute(db, "{ services(first: 101) { totalCount } }")
    assert result.errors[0].extensions == {"code": "BAD_USER_INPUT", "field": "first"}
    assert "100" in result.errors[0].message
    result = execute(db, '{ services(after: "nonsense") { totalCount } }')
    assert result.errors[0].extensions["field"] == "after"
    result = execute(db, "{ services(sort: DISTANCE) { totalCount } }")
    assert result.errors[0].extensions["field"] == "near"


def test_household_side(db: Graph) -> None:
    load_network(db)
    data = run_query(
        db,
        """{ household(id: "hh-1") { area { id } needs { category { id } referrals { id } }
               consents { validOn organizations { id } }
               referrals { status history { status by } fromOrganization { id }
                           toService { id } consent { id } need { id } } }
             service(id: "sb-0-0") { referrals { totalCount nodes { household { id } } } }
             organization(id: "jobcenter") { referralsSent { totalCount } } }""",
    )
    hh = data["household"]
    assert hh["area"] == {"id": "st-d0-1"}
    assert hh["needs"] == [{"category": {"id": "schuldnerberatung"}, "referrals": [{"id": "r-1"}]}]
    assert hh["consents"] == [{"validOn": True, "organizations": [{"id": "caritas"}]}]
    ref = hh["referrals"][0]
    assert ref["history"] == [
        {"status": "CREATED", "by": "jc-1"},
        {"status": "ACCEPTED", "by": "caritas-1"},
    ]
    assert ref["toService"] == {"id": "sb-0-0"}
    assert data["service"]["referrals"]["nodes"] == [{"household": {"id": "hh-1"}}]
    assert data["organization"]["referralsSent"]["totalCount"] == 1


def test_household_lists_and_counts_follow_the_callers_scope(db: Graph) -> None:
    load_network(db)
    query = "{ referrals { totalCount nodes { id } } }"

    def seen(role: Role, org: str) -> tuple[int, list[str]]:
        principal = Principal(subject="t", role=role, organization_id=org, auth_method="token")
        data = run_query(db, query, principal=principal)["referrals"]
        return data["totalCount"], [n["id"] for n in data["nodes"]]

    assert seen("caseworker", "jobcenter") == (1, ["r-1"])
    assert seen("caseworker", "caritas") == (0, [])
    assert seen("partner", "caritas") == (1, ["r-1"])
    assert seen("partner", "eva") == (0, [])
    db.query("MATCH (c:Consent {id: 'c-1'}) SET c.revoked_at = datetime()", write=True)
    assert seen("partner", "caritas") == (0, [])
    assert seen("caseworker", "jobcenter") == (1, ["r-1"])
