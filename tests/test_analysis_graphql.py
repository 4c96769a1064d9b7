"""Analysis fields through GraphQL: aggregates only, small counts suppressed, one run each."""

from __future__ import annotations

import asyncio
from typing import Any

from graph import Graph
from graph.write import write_bundle
from schema import Context, schema
from schema.principal import Principal, Role
from tests.analysis_fixtures import service_world, tiny_city

QUERY = """
query($area: String) {
  coverageGaps(area: $area) { severity area { id } category { id } householdsInNeed ratio
                              reachableServices explanation }
  coverage(category: "schuldnerberatung") { area { id } householdsInNeed ratio }
  duplicateStructures(area: $area) { services { id } organizations { name } capacity
                                     householdsInNeed explanation }
  duplicateRecords { organizations { id } score matched outcome evidence }
  doubleSupport { households uncoordinatedHouseholds explanation }
  missingCooperation { organizations { id } sharedHouseholds sameNetwork }
  networkWeakSpots { organizations links components findings { spot }
                     brokers { organization { id } } }
  referralPathways { households sequences { households } rates { category { id } area { id }
                     referrals declineRate medianResponseHours } }
}
"""


def execute(graph: Graph, role: Role, variables: dict[str, Any] | None = None) -> Any:
    context = Context(graph=graph, principal=Principal(f"t-{role}", role, None, "token"))
    result = asyncio.run(schema.execute(QUERY, variable_values=variables, context_value=context))
    assert result.errors is None, result.errors
    return result.data


def test_planner_sees_aggregates(db: Graph) -> None:
    write_bundle(db, tiny_city())
    before = db.roundtrips
    data = execute(db, "planner")
    # The data revision (graph/revision.py), then one projection every field shares.
    assert db.roundtrips - before == 2
    (gap,) = data["coverageGaps"]
    assert gap["area"]["id"] == "st-a"
    assert gap["category"]["id"] == "suchtberatung"
    assert (gap["severity"], gap["householdsInNeed"], gap["reachableServices"]) == ("hoch", 5, 0)
    coverage = {c["area"]["id"]: c for c in data["coverage"]}
    assert coverage["st-a"]["householdsInNeed"] == 6
    assert coverage["st-b"]["householdsInNeed"] is None  # zero is suppressed like 1 to 4
    (structure,) = data["duplicateStructures"]
    assert [s["id"] for s in structure["services"]] == ["s1", "s2"]
    assert structure["capacity"] == 5  # capacities are not counts of people
    assert data["duplicateRecords"][0]["matched"] == ["website"]
    assert data["duplicateRecords"][0]["outcome"] == "same"
    assert "gleiche Website caritas.example" in data["duplicateRecords"][0]["evidence"]
    (support,) = data["doubleSupport"]
    assert support["households"] == 6
    assert support["uncoordinatedHouseholds"] is None  # zero is suppressed too
    (missing,) = data["missingCooperation"]
    assert (missing["sharedHouseholds"], missing["sameNetwork"]) == (6, True)
    assert data["networkWeakSpots"]["organizations"] == 3
    paths = data["referralPathways"]
    assert paths["households"] == 6
    assert paths["sequences"] == [{"households": 6}]
    rates = {(r["category"]["id"], (r["area"] or {}).get("id")) for r in paths["rates"]}
    # All referrals come from st-a: its row next to the city row would show that st-b and
    # st-c have none (zeros by subtraction), so only the city-wide row is shown.
    assert rates == {("schuldnerberatung", None)}
    assert "hh-" not in str(data)  # no household named anywhere


def test_small_counts_are_suppressed_and_area_filter_applies(db: Graph) -> None:
    bundle = tiny_city()
    bundle.referrals = [r for r in bundle.referrals if not r.id.startswith(("r-4-", "r-5-"))]
    write_bundle(db, bundle)
    data = execute(db, "planner", {"area": "st-b"})
    assert data["coverageGaps"] == []
    # The city-wide service reaches st-b, but s1 does not: the overlap is st-a only.
    assert data["duplicateStructures"] == []
    assert execute(db, "admin", {"area": "st-a-1"})["duplicateStructures"] != []
    (support,) = execute(db, "coordinator")["doubleSupport"]
    assert support["households"] is None  # 4 households: below the minimum of 5
    assert support["explanation"].startswith("Weniger als 5 Haushalte werden")
    assert execute(db, "coordinator")["missingCooperation"] == []


def test_unknown_area_is_an_expected_error(db: Graph) -> None:
    context = Context(graph=db, principal=Principal("t", "planner", None, "token"))
    result = asyncio.run(
        schema.execute('{ coverageGaps(area: "nirgendwo") { severity } }', context_value=context)
    )
    assert result.errors is not None
    assert result.errors[0].extensions == {"code": "UNKNOWN_AREA"}


def test_caseworkers_may_not_read_analyses(db: Graph) -> None:
    context = Context(graph=db, principal=Principal("t", "caseworker", "jc", "token"))
    result = asyncio.run(schema.execute("{ duplicateRecords { score } }", context_value=context))
    assert result.errors is not None
    assert result.errors[0].extensions == {"code": "FORBIDDEN"}


def test_duplicate_services_for_planners_and_coordinators(db: Graph) -> None:
    write_bundle(db, service_world())
    query = """{ duplicateServices { services { id name } organizations { id } category { id }
        areas { id } score nameSimilarity matched contradicting sameOrganization explanation } }"""
    for role in ("planner", "coordinator"):
        context = Context(graph=db, principal=Principal(f"t-{role}", role, None, "token"))
        result = asyncio.run(schema.execute(query, context_value=context))
        assert result.errors is None, result.errors
        assert result.data is not None
        (found,) = result.data["duplicateServices"]
        assert [s["id"] for s in found["services"]] == ["s1", "s1-dup"]
        assert found["organizations"] == [{"id": "o1"}]
        assert found["category"] == {"id": "schuldnerberatung"}
        assert [a["id"] for a in found["areas"]] == ["st-a", "st-b"]
        # 0.5 x 1.0 ("SB A." and "SB A" are one name) + 0.2 Standort l1 + 0.1 category
        assert (found["score"], found["nameSimilarity"]) == (0.8, 1.0)
        assert found["matched"] == ["standort", "leistungsbereich"]
        assert (found["contradicting"], found["sameOrganization"]) == ([], True)
        assert found["explanation"].startswith("„SB A“ und „SB A.“ (beide von Caritas e.V.)")
    context = Context(graph=db, principal=Principal("t-cw", "caseworker", "o1", "token"))
    denied = asyncio.run(schema.execute(query, context_value=context))
    assert denied.errors is not None
