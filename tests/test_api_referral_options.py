"""Referral options through GraphQL on a small network written through the real writer."""

from __future__ import annotations

from graph import Graph
from tests.apikit import load_network, run_query

OPTIONS = """query($input: ReferralOptionsInput!) { referralOptions(input: $input) {
  __typename
  ... on ReferralOptions { options { rank score steps service { id } reasons { code points } } }
  ... on NotFound { kind id }
  ... on InvalidInput { fields { path message } } } }"""


def test_options_for_an_area_are_ranked_with_reasons(db: Graph) -> None:
    load_network(db)
    variables = {
        "input": {
            "area": "st-d0-1",
            "categories": ["schuldnerberatung"],
            "targetGroups": ["familien"],
            "languages": ["tr"],
            "referringOrganization": "jobcenter",
        }
    }
    result = run_query(db, OPTIONS, variables)["referralOptions"]
    ranked = [(o["service"]["id"], o["score"], o["steps"]) for o in result["options"]]
    # district 2 is two steps away: beyond the default of one step.
    assert ranked == [("sb-0-0", 110, 0), ("sb-1-0", 100, 1), ("sb-0-1", 15, 0), ("sb-1-1", 5, 1)]
    top = result["options"][0]["reasons"]
    assert {"code": "PRIORITY_AGREEMENT", "points": 40} in top
    assert sum(r["points"] for r in top) == 110
    assert run_query(db, OPTIONS, variables)["referralOptions"] == result


def test_options_for_a_household_use_its_area_and_open_needs(db: Graph) -> None:
    load_network(db)
    data = run_query(
        db,
        """{ householdReferralOptions(household: "hh-1", maxSteps: 0,
               referringOrganization: "jobcenter") {
             ... on ReferralOptions { categories areaId options { service { id } score } } } }""",
    )["householdReferralOptions"]
    assert data["categories"] == ["schuldnerberatung"]
    assert data["areaId"] == "st-d0-1"
    assert data["options"] == [
        {"service": {"id": "sb-0-0"}, "score": 80},
        {"service": {"id": "sb-0-1"}, "score": 40},
    ]


def test_expected_failures_are_typed(db: Graph) -> None:
    load_network(db)
    missing = run_query(
        db, OPTIONS, {"input": {"area": "nowhere", "categories": ["schuldnerberatung"]}}
    )["referralOptions"]
    assert missing == {"__typename": "NotFound", "kind": "Area", "id": "nowhere"}
    bad = run_query(db, OPTIONS, {"input": {"area": "st-d0", "categories": ["x"], "maxSteps": 9}})[
        "referralOptions"
    ]
    assert bad["__typename"] == "InvalidInput"
    assert bad["fields"][0]["path"] == ["input", "maxSteps"]
