"""Merging two records of one Träger keeps every relationship; errors leave the graph as it was."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from graph import ConflictError, Graph
from graph.admin import label_counts
from graph.merge import InvalidMerge, OrganizationNotFound, merge_organizations
from graph.write import write_bundle
from schema import Context, schema
from schema.principal import Principal, Role
from tests.analysis_fixtures import tiny_city


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
