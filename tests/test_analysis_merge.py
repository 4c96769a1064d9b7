"""Merging two records of one Träger keeps every relationship; errors leave the graph as it was."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from graph import ConflictError, Graph
from graph.admin import label_counts
from graph.merge import (
    InvalidMerge,
    OrganizationNotFound,
    ServiceNotFound,
    merge_organizations,
    merge_services,
)
from graph.write import write_bundle
from schema import Context, schema
from schema.principal import Principal, Role
from tests.analysis_fixtures import service_world, tiny_city


def relationships(graph: Graph, org: str) -> dict[str, int]:
    rows = graph.query(
        "MATCH (o:Organization {id: $id})-[r]-() RETURN type(r) AS t, count(*) AS n", {"id": org}
    )
    return {r["t"]: r["n"] for r in rows}


def test_merge_moves_every_relationship(db: Graph) -> None:
    write_bundle(db, tiny_city())
    before = {
        t: relationships(db, "o1").get(t, 0) + relationships(db, "o2").get(t, 0)
        for t in ("PROVIDES", "HAS_LOCATION", "MEMBER_OF")
    }
    nodes = label_counts(db)
    result = merge_organizations(db, "o1", "o2")
    # Consents named both records: each now names the kept one once.
    assert result.moved == {"PROVIDES": 3, "MEMBER_OF": 1, "GRANTS_TO": 6}
    after = relationships(db, "o1")
    assert after["PROVIDES"] == before["PROVIDES"]
    assert after["HAS_LOCATION"] == before["HAS_LOCATION"]
    assert after["MEMBER_OF"] == 1  # both were members of the one network
    assert after["PARTY_TO"] == 1
    assert after["GRANTS_TO"] == 6
    assert relationships(db, "o2") == {}
    (kept,) = db.query("MATCH (o:Organization {id: 'o1'}) RETURN o { .* } AS o")
    assert kept["o"]["merged_ids"] == ["o2"]
    assert kept["o"]["alternate_names"] == ["Caritas"]
    assert kept["o"]["version"] == 2
    assert label_counts(db)["Organization"] == nodes["Organization"] - 1
    assert label_counts(db)["Service"] == nodes["Service"]
    # Referrals to o2's service now reach o1 through PROVIDES.
    (row,) = db.query(
        "MATCH (:Organization {id: 'o1'})-[:PROVIDES]->(s:Service {id: 's2'})<-[:TO_SERVICE]-(r) "
        "RETURN count(r) AS n"
    )
    assert row["n"] == 6


def test_merge_errors_change_nothing(db: Graph) -> None:
    write_bundle(db, tiny_city())
    with pytest.raises(InvalidMerge):
        merge_organizations(db, "o1", "o1")
    with pytest.raises(OrganizationNotFound):
        merge_organizations(db, "o1", "nobody")
    db.query(
        "MATCH (o:Organization {id: 'o2'}), (a:Area {id: 'st-a'}) CREATE (o)-[:SPONSORS]->(a)",
        write=True,
    )
    with pytest.raises(ConflictError, match="SPONSORS"):
        merge_organizations(db, "o1", "o2")
    assert relationships(db, "o2")["PROVIDES"] == 3  # rolled back


def mutate(graph: Graph, role: Role, keep: str, drop: str) -> Any:
    query = """mutation($k: ID!, $d: ID!) { mergeOrganizations(keepId: $k, dropId: $d) {
      __typename
      ... on OrganizationsMerged { keptId moved { type count } }
      ... on NotFound { kind id message }
      ... on InvalidInput { message }
    } }"""
    context = Context(graph=graph, principal=Principal(f"t-{role}", role, None, "token"))
    return asyncio.run(
        schema.execute(query, variable_values={"k": keep, "d": drop}, context_value=context)
    )


def test_merge_mutation_for_coordinators(db: Graph) -> None:
    write_bundle(db, tiny_city())
    denied = mutate(db, "planner", "o1", "o2")
    assert denied.errors is not None
    assert denied.errors[0].extensions == {"code": "FORBIDDEN"}
    missing = mutate(db, "coordinator", "o1", "nobody")
    assert missing.data["mergeOrganizations"]["__typename"] == "NotFound"
    same = mutate(db, "coordinator", "o1", "o1")
    assert same.data["mergeOrganizations"]["__typename"] == "InvalidInput"
    done = mutate(db, "coordinator", "o1", "o2")
    assert done.errors is None
    merged = done.data["mergeOrganizations"]
    assert merged["__typename"] == "OrganizationsMerged"
    assert {"type": "PROVIDES", "count": 3} in merged["moved"]


def links(graph: Graph, service_ids: list[str]) -> set[tuple[str, str, str]]:
    """(type, direction, other node) of every relationship of the given services."""
    rows = graph.query(
        "MATCH (s:Service)-[r]-(x) WHERE s.id IN $ids "
        "RETURN type(r) AS t, startNode(r) = s AS out, "
        "coalesce(x.id, elementId(x)) AS other",
        {"ids": service_ids},
    )
    return {(r["t"], "out" if r["out"] else "in", r["other"]) for r in rows}


def test_merge_services_keeps_every_relationship(db: Graph) -> None:
    write_bundle(db, service_world())
    before = links(db, ["s1", "s1-dup"])
    total_before = db.query("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"]
    duplicated = links(db, ["s1"]) & links(db, ["s1-dup"])
    assert {t for t, _, _ in before} == {
        "PROVIDES", "IN_CATEGORY", "SERVES", "AT_LOCATION", "TO_SERVICE",
    }  # fmt: skip
    result = merge_services(db, "s1", "s1-dup")
    assert result.moved == {
        "IN_CATEGORY": 2, "SERVES": 2, "AT_LOCATION": 2, "PROVIDES": 1, "TO_SERVICE": 3,
    }  # fmt: skip
    after = links(db, ["s1"])
    assert after == before  # every (type, direction, other node) is still there, on s1
    assert links(db, ["s1-dup"]) == set()
    # Only the links both records had (same Träger, category, area, Standort) are now one.
    total_after = db.query("MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"]
    assert total_after == total_before - len(duplicated)
    assert len(duplicated) == 4
    (row,) = db.query("MATCH (s:Service {id: 's1'}) RETURN s { .* } AS s")
    kept = row["s"]
    assert kept["capacity"] == 2  # the kept record's places, never the sum
    assert kept["target_groups"] == ["familien", "alleinerziehende"]
    assert kept["languages"] == ["de", "tr"]
    assert kept["url"] == "https://caritas.example/sb-a"
    assert kept["alternate_names"] == ["SB A."]
    assert kept["merged_ids"] == ["s1-dup"]
    assert kept["version"] == 2
    assert "_hash" not in kept
    (count,) = db.query(
        "MATCH (r:Referral)-[:TO_SERVICE]->(:Service {id: 's1'}) RETURN count(r) AS n"
    )
    assert count["n"] == 9


def test_merge_services_errors_change_nothing(db: Graph) -> None:
    write_bundle(db, service_world())
    before = links(db, ["s1", "s1-dup", "s2"])
    with pytest.raises(InvalidMerge):
        merge_services(db, "s1", "s1")
    with pytest.raises(ServiceNotFound):
        merge_services(db, "s1", "nothing")
    with pytest.raises(InvalidMerge, match="zuerst die Träger"):
        merge_services(db, "s1", "s2")  # o1 and o2: merge the Träger first
    db.query(
        "MATCH (s:Service {id: 's1-dup'}), (a:Area {id: 'st-c'}) CREATE (s)-[:PLANNED_IN]->(a)",
        write=True,
    )
    with pytest.raises(ConflictError, match="PLANNED_IN"):
        merge_services(db, "s1", "s1-dup")
    assert links(db, ["s1", "s1-dup", "s2"]) == before | {("PLANNED_IN", "out", "st-c")}


def test_duplicates_of_two_traeger_records_merge_after_the_traeger(db: Graph) -> None:
    write_bundle(db, service_world())
    merge_organizations(db, "o1", "o2")
    result = merge_services(db, "s1", "s2")
    assert result.moved["TO_SERVICE"] == 6
    assert db.query(
        "MATCH (o:Organization)-[:PROVIDES]->(:Service {id: 's1'}) RETURN o.id AS o"
    ) == [{"o": "o1"}]


def test_merge_services_mutation(db: Graph) -> None:
    write_bundle(db, service_world())
    query = """mutation($k: ID!, $d: ID!) { mergeServices(keepId: $k, dropId: $d) {
      __typename
      ... on ServicesMerged { keptId droppedId moved { type count } }
      ... on NotFound { kind id }
      ... on InvalidInput { message }
    } }"""

    def run(role: Role, keep: str, drop: str) -> Any:
        context = Context(graph=db, principal=Principal(f"t-{role}", role, None, "token"))
        return asyncio.run(
            schema.execute(query, variable_values={"k": keep, "d": drop}, context_value=context)
        )

    denied = run("planner", "s1", "s1-dup")
    assert denied.errors is not None
    assert denied.errors[0].extensions == {"code": "FORBIDDEN"}
    assert run("coordinator", "s1", "nope").data["mergeServices"] == {
        "__typename": "NotFound", "kind": "Service", "id": "nope",
    }  # fmt: skip
    other = run("coordinator", "s1", "s2").data["mergeServices"]
    assert other["__typename"] == "InvalidInput"
    assert "zuerst die Träger" in other["message"]
    done = run("coordinator", "s1", "s1-dup")
    assert done.errors is None
    merged = done.data["mergeServices"]
    assert (merged["__typename"], merged["keptId"], merged["droppedId"]) == (
        "ServicesMerged", "s1", "s1-dup",
    )  # fmt: skip
    assert {"type": "TO_SERVICE", "count": 3} in merged["moved"]
