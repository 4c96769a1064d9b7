"""A planner, on the small demo, gets no count of households or referrals below 5 (zero
included) from any field it may read, and cannot get one back by subtracting shown values.

The document below asks every planner-readable root field with every count it has; the test
walks the answer and checks each integer: a count of people is null or at least 5, any other
integer must be one of the directory and network numbers listed in ``NOT_PEOPLE``.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.cli.privacy import months_before
from graph import Graph
from graph.analysis import analyse
from graph.retention import apply_retention
from schema import Context, schema
from schema.policy_walk import policy_of
from schema.principal import Principal
from tests.apikit import load_small_demo

PLANNER_DOCUMENT = """
query($area: String, $category: String) {
  analysisScopes { id name demandEstimated }
  coverageGaps(area: $area, category: $category) {
    severity explanation area { id } category { id } householdsInNeed ratio reachableServices }
  coverage(area: $area, category: $category) {
    area { id } category { id } householdsInNeed ratio reachableServices }
  duplicateStructures(area: $area, category: $category) {
    explanation category { id } areas { id } capacity capacityUsed householdsInNeed }
  duplicateRecords(area: $area) { explanation organizations { id } }
  consentDataCategories { code label description }
  duplicateServices(area: $area, category: $category) {
    explanation services { id } organizations { id } score }
  doubleSupport(area: $area, category: $category) {
    explanation category { id } organizations { id } households uncoordinatedHouseholds }
  missingCooperation(area: $area) { explanation sharedHouseholds organizations { id } }
  networkWeakSpots(area: $area) {
    organizations links components findings { explanation }
    densities { organizations links } }
  referralPathways(area: $area, category: $category) {
    households sequences { households categories { id } }
    rates { category { id } area { id } referrals declineRate dropoffRate
            medianResponseHours meanResponseHours } }
  referralTrends(area: $area, category: $category) {
    quarters { year number label } area { id } series { category { id } referrals } }
  retainedReferralCounts { areaId categoryId month status referrals }
  areas(first: 100) { totalCount nodes { id population } }
  services(first: 100) { totalCount nodes { id capacity capacityUsed freeCapacity version } }
  organizations(first: 100) { totalCount nodes { id version } }
  categories { id }
  networks { id }
  agreements { id }
}
"""

PEOPLE = {
    "householdsInNeed",
    "households",
    "uncoordinatedHouseholds",
    "sharedHouseholds",
    "referrals",
}
# Integers a planner sees that do not count households or referrals: directory entries,
# places a Träger reports, network structure, record versions, official population figures.
NOT_PEOPLE = {
    "totalCount",
    "capacity",
    "capacityUsed",
    "freeCapacity",
    "version",
    "population",
    "reachableServices",
    "unknownCapacityServices",  # Angebote without known places (directory entries)
    "unknownOccupancyServices",  # Angebote without known occupancy (directory entries)
    "organizations",
    "links",
    "components",
    "year",  # a quarter of the trends: its year and
    "number",  # its number in the year (1 to 4)
}
SMALL_IN_TEXT = re.compile(r"\b[0-4] (gemeinsame |weitere )?Haushalt")


def people_counts(value: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield from people_counts(v, k)
    elif isinstance(value, list):
        for item in value:
            yield from people_counts(item, key)
    elif isinstance(value, int) and not isinstance(value, bool):
        yield key, value


def texts(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for v in value.values():
            yield from texts(v)
    elif isinstance(value, list):
        for item in value:
            yield from texts(item)
    elif isinstance(value, str):
        yield value


def ask(graph: Graph, document: str, **variables: Any) -> tuple[Any, set[str]]:
    context = Context(graph=graph, principal=Principal("t-planner", "planner", None, "token"))
    result = asyncio.run(schema.execute(document, variables, context_value=context))
    codes = {(e.extensions or {}).get("code", "?") for e in result.errors or []}
    return result.data, codes


@pytest.fixture(scope="module")
def demo(graph: Graph) -> Iterator[Graph]:
    load_small_demo(graph)
    # Retention leaves ReferralAggregate rows, so the kept counts are checked too.
    apply_retention(graph, months_before(datetime.now(UTC), 12))
    yield graph
    from graph.admin import clear

    clear(graph)


@pytest.fixture(scope="module")
def city(demo: Graph) -> Any:
    data, codes = ask(demo, PLANNER_DOCUMENT)
    assert codes == set(), codes
    return data


def assert_no_small_count(data: Any) -> None:
    for key, value in people_counts(data):
        if key in PEOPLE:
            assert value >= 5, (key, value)
        else:
            assert key in NOT_PEOPLE, f"unexpected integer {key}={value}: a count of people?"
    for text in texts(data):
        assert not SMALL_IN_TEXT.search(text), text


def test_the_document_asks_every_planner_root_field(demo: Graph) -> None:
    readable = {
        name
        for name, field in schema._schema.query_type.fields.items()
        if (policy := policy_of(field)) is not None and "planner" in policy.roles
    }
    asked = set(re.findall(r"^  (\w+)", PLANNER_DOCUMENT, re.MULTILINE))
    # Single-record lookups return the same types as the lists asked here.
    single = {"area", "category", "organization", "service", "location", "agreement", "network"}
    assert readable - asked - single <= {"referralOptions", "serverInfo"}


def test_planner_gets_no_count_below_five_city_wide(city: Any) -> None:
    assert city["coverage"], "the demo has coverage rows"
    assert city["referralPathways"]["rates"], "the demo has referral rates"
    assert_no_small_count(city)


def test_kept_counts_of_deleted_referrals_are_suppressed_too(demo: Graph, city: Any) -> None:
    admin = Context(graph=demo, principal=Principal("t-admin", "admin", None, "token"))
    result = asyncio.run(
        schema.execute("{ retainedReferralCounts { referrals } }", context_value=admin)
    )
    assert result.data is not None
    kept = [r["referrals"] for r in result.data["retainedReferralCounts"]]
    assert any(n < 5 for n in kept), "retention kept small counts on the demo"
    assert len(city["retainedReferralCounts"]) == sum(1 for n in kept if n >= 5)


@pytest.mark.parametrize(
    ("area", "category"),
    [
        ("stuttgart-mitte", None),
        ("stuttgart-bad-cannstatt", "schuldnerberatung"),
        ("stuttgart-zuffenhausen-1", None),
        (None, "suchtberatung"),
    ],
)
def test_planner_gets_no_count_below_five_per_area_and_category(
    demo: Graph, area: str | None, category: str | None
) -> None:
    data, codes = ask(demo, PLANNER_DOCUMENT, area=area, category=category)
    assert codes == set(), codes
    assert_no_small_count(data)


def test_zero_is_suppressed_like_one_to_four(demo: Graph, city: Any) -> None:
    report = analyse(demo)
    zero = {(c.area_id, c.category_id) for c in report.coverage if c.demand == 0}
    small = {(c.area_id, c.category_id) for c in report.coverage if 0 < c.demand < 5}
    large = {(c.area_id, c.category_id) for c in report.coverage if c.demand >= 5}
    assert zero
    assert small
    assert large
    planner = {(r["area"]["id"], r["category"]["id"]): r for r in city["coverage"]}
    for cell in zero | small:
        assert planner[cell]["householdsInNeed"] is None
        assert planner[cell]["ratio"] is None
    for cell in large:
        assert planner[cell]["householdsInNeed"] >= 5
    # Rate rows: the raw analysis has rows the planner does not get (small or differenced).
    raw = {(r.category_id, r.area_id): r.referrals for r in report.pathways.rates}
    shown = {
        (r["category"]["id"], (r["area"] or {}).get("id")): r["referrals"]
        for r in city["referralPathways"]["rates"]
    }
    assert all(raw[key] == n for key, n in shown.items())
    assert any(n < 5 for n in raw.values())


def test_no_small_count_follows_by_subtraction(city: Any) -> None:
    paths = city["referralPathways"]
    if paths["households"] is not None:
        rest = paths["households"] - sum(s["households"] for s in paths["sequences"])
        assert rest == 0 or rest >= 5
    areas = {a["id"] for a in city["areas"]["nodes"] if a["id"].count("-") >= 1}
    by_category: dict[str, dict[str | None, int]] = {}
    for r in paths["rates"]:
        by_category.setdefault(r["category"]["id"], {})[(r["area"] or {}).get("id")] = r[
            "referrals"
        ]
        if r["declineRate"] is not None:
            declined = round(r["declineRate"] * r["referrals"])
            assert declined >= 5
            assert r["referrals"] - declined >= 5
    for rows in by_category.values():
        if None in rows:
            listed = {a: n for a, n in rows.items() if a is not None}
            rest = rows[None] - sum(listed.values())
            # Areas without a row are zero or hidden: their sum must not be small.
            assert rest >= 5 or (rest == 0 and not listed), rows
            assert listed.keys() <= areas
    # A structure's demand minus the demand of its shown areas leaves no small count.
    cells = {
        (r["area"]["id"], r["category"]["id"]): r["householdsInNeed"] for r in city["coverage"]
    }
    for structure in city["duplicateStructures"]:
        need = structure["householdsInNeed"]
        if need is None:
            continue
        category = structure["category"]["id"]
        shown = [cells.get((a["id"], category)) for a in structure["areas"]]
        if None in shown:
            assert need - sum(n for n in shown if n is not None) >= 5
    # A hidden demand is not repeated in the explanation either.
    for structure in city["duplicateStructures"]:
        if structure["householdsInNeed"] is None:
            text = structure["explanation"]
            assert "weniger als 5" in text.lower() or "nicht ausgewiesen" in text, text
    # Households minus uncoordinated ones (the coordinated) is not small either.
    for finding in city["doubleSupport"]:
        if finding["uncoordinatedHouseholds"] is not None:
            assert finding["households"] - finding["uncoordinatedHouseholds"] >= 5


@pytest.mark.parametrize(
    "document",
    [
        '{ area(id: "stuttgart-mitte-1") { households { id } } }',
        "{ referrals(first: 5) { totalCount } }",
        '{ organization(id: "jobcenter-stuttgart") { referralsSent { totalCount } } }',
        '{ service(id: "x") { referrals { totalCount } } }',
        "{ households(first: 5) { totalCount } }",
    ],
)
def test_household_level_counts_are_refused(demo: Graph, document: str) -> None:
    data, codes = ask(demo, document)
    assert codes <= {"FORBIDDEN", "GRAPHQL_VALIDATION_FAILED", "?"}
    assert "totalCount" not in str(data)


# -- any query: random documents over every field a planner may read -------------------------

ID_POOL = [
    "stuttgart",
    "stuttgart-mitte",
    "stuttgart-bad-cannstatt-1",
    "schuldnerberatung",
    "suchtberatung",
    "jobcenter-stuttgart",
    "caritas-stuttgart",
    "zentrale-schuldnerberatung",
    # Household-level ids a planner must never get anything from.
    "hh-0000001",
    "ref-0000001",
    "cs-0000001",
    "need-0000001-schuldnerberatung",
]


def _selection(draw: Any, gtype: Any, depth: int) -> str:
    """A random, valid selection set of an object type (``__typename`` on abstract types)."""
    from graphql import (
        GraphQLInterfaceType,
        GraphQLObjectType,
        GraphQLUnionType,
        get_named_type,
        is_non_null_type,
    )

    if isinstance(gtype, GraphQLUnionType | GraphQLInterfaceType):
        return "__typename"
    assert isinstance(gtype, GraphQLObjectType)
    names = sorted(gtype.fields)
    chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=4, unique=True))
    parts = []
    for name in chosen:
        field = gtype.fields[name]
        if any(is_non_null_type(a.type) and a.default_value is None for a in field.args.values()):
            if set(field.args) != {"id"}:
                continue
            args = f'(id: "{draw(st.sampled_from(ID_POOL))}")'
        else:
            args = ""
        target = get_named_type(field.type)
        if isinstance(target, GraphQLObjectType | GraphQLUnionType | GraphQLInterfaceType):
            if depth <= 0:
                continue
            parts.append(f"{name}{args} {{ {_selection(draw, target, depth - 1)} }}")
        else:
            parts.append(f"{name}{args}")
    return " ".join(parts) or "__typename"


@st.composite
def planner_documents(draw: Any) -> str:
    from graphql import get_named_type

    query = schema._schema.query_type
    assert query is not None
    readable = sorted(
        name
        for name, field in query.fields.items()
        if (policy := policy_of(field)) is not None and "planner" in policy.roles
    )
    # Household-level root fields too: the planner must be refused there.
    roots = draw(
        st.lists(st.sampled_from(sorted(query.fields)), min_size=1, max_size=3, unique=True)
    )
    roots = [*roots, draw(st.sampled_from(readable))]
    parts = []
    for i, name in enumerate(dict.fromkeys(roots)):
        field = query.fields[name]
        args = []
        for arg_name, _arg in field.args.items():
            if arg_name in ("id", "area", "household") or (
                arg_name == "category" and draw(st.booleans())
            ):
                args.append(f'{arg_name}: "{draw(st.sampled_from(ID_POOL))}"')
        text = f"f{i}: {name}" + (f"({', '.join(args)})" if args else "")
        target = get_named_type(field.type)
        if hasattr(target, "fields") or hasattr(target, "types"):
            text += " { " + _selection(draw, target, 3) + " }"
        parts.append(text)
    return "{ " + " ".join(parts) + " }"


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(document=planner_documents())
def test_any_planner_query_yields_no_household_value_and_no_small_count(
    demo: Graph, document: str
) -> None:
    data, codes = ask(demo, document)
    # Refusals and validation errors are expected; an internal error never.
    assert "INTERNAL" not in codes, document
    household_ids = {"hh-", "ref-", "cs-", "need-"}
    for text in texts(data):
        assert not any(text.startswith(prefix) for prefix in household_ids), (document, text)
    for key, value in people_counts(data):
        if key in PEOPLE:
            assert value >= 5, (document, key, value)
        elif key not in NOT_PEOPLE:
            assert key in {"rank", "score", "steps", "totalCount"}, (document, key, value)


def _cli(*args: str) -> str:
    from click.testing import CliRunner

    from api.cli import main

    result = CliRunner().invoke(main, ["analyse", *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("area", [None, "stuttgart-mitte"])
def test_cli_outputs_show_the_cells_graphql_shows(demo: Graph, area: str | None) -> None:
    """One planner cell, one decision: the CLI's JSON, table and HTML report show exactly the
    counts and explanations GraphQL shows for the same scope (they once showed zeros and
    secondarily suppressed counts that GraphQL hides)."""
    import json
    from html import escape

    scope = ["--area", area] if area else []
    data, codes = ask(demo, PLANNER_DOCUMENT, area=area)
    assert codes == set(), codes
    as_json = json.loads(_cli("--format", "json", *scope))
    table = _cli(*scope)
    page = _cli("--format", "html", *scope)

    def cell(c: dict[str, Any]) -> tuple[Any, ...]:
        return (c["area"]["id"], c["category"]["id"], c["householdsInNeed"], c["ratio"])

    assert sorted(map(cell, data["coverage"]), key=str) == sorted(
        (
            (c["area"], c["category"], c["households_in_need"], c["ratio"])
            for c in as_json["coverage"]
        ),
        key=str,
    )
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for f in as_json["findings"]:
        by_kind.setdefault(f["kind"], []).append(f)

    def counts(kind: str, key: str) -> list[tuple[str, Any]]:
        return sorted((f["explanation"], f["counts"][key]) for f in by_kind.get(kind, []))

    def graphql(field: str, key: str) -> list[tuple[str, Any]]:
        return sorted((f["explanation"], f[key]) for f in data[field])

    assert counts("coverage_gap", "demand") == graphql("coverageGaps", "householdsInNeed")
    assert counts("duplicate_structure", "demand") == graphql(
        "duplicateStructures", "householdsInNeed"
    )
    assert counts("double_support", "households") == graphql("doubleSupport", "households")
    assert counts("double_support", "uncoordinated_households") == graphql(
        "doubleSupport", "uncoordinatedHouseholds"
    )
    assert counts("missing_cooperation", "shared_households") == graphql(
        "missingCooperation", "sharedHouseholds"
    )
    paths = data["referralPathways"]
    assert as_json["pathways"]["households"] == paths["households"]
    assert [(s["categories"], s["households"]) for s in as_json["pathways"]["sequences"]] == [
        ([c["id"] for c in s["categories"]], s["households"]) for s in paths["sequences"]
    ]
    assert [
        (r["category"], r["area"], r["referrals"], r["decline_rate"], r["dropoff_rate"])
        for r in as_json["pathways"]["rates"]
    ] == [
        (
            r["category"]["id"],
            r["area"] and r["area"]["id"],
            r["referrals"],
            r["declineRate"],
            r["dropoffRate"],
        )
        for r in paths["rates"]
    ]
    explanations = {f["explanation"] for f in as_json["findings"]}
    assert explanations, "the demo has findings"
    for field in (
        "coverageGaps",
        "duplicateStructures",
        "duplicateRecords",
        "duplicateServices",
        "doubleSupport",
        "missingCooperation",
    ):
        for f in data[field]:
            assert f["explanation"] in explanations, f["explanation"]
    for text in explanations:
        assert text in table
        assert escape(text) in page
    for value in (as_json["coverage"], as_json["findings"], as_json["pathways"]):
        for key, count in people_counts(value):
            if key in {"households_in_need", "households", "demand", "shared_households"}:
                assert count >= 5, (key, count)
    assert not SMALL_IN_TEXT.search(table)
    assert not SMALL_IN_TEXT.search(page)
