"""The review loop of the duplicate-Träger suggestions: confirm merges, reject is remembered."""

from __future__ import annotations

import asyncio
from typing import Any

from graph import Graph
from graph.analysis import analyse
from graph.repo import link_decisions
from graph.write import write_bundle
from schema import Context, schema
from schema.principal import Principal, Role
from tests.analysis_fixtures import tiny_city

CONFIRM = """mutation($k: ID!, $d: ID!) { confirmDuplicate(keepId: $k, dropId: $d) {
  __typename ... on OrganizationsMerged { keptId droppedId } ... on NotFound { id } } }"""
REJECT = """mutation($k: ID!, $d: ID!, $o: String!) {
  rejectDuplicate(aId: $k, bId: $d, outcome: $o) {
  __typename ... on DuplicateRejected { aId bId } ... on NotFound { id }
  ... on InvalidInput { message } } }"""


def execute(graph: Graph, role: Role, query: str, **variables: str) -> Any:
    context = Context(graph=graph, principal=Principal(f"t-{role}", role, None, "token"))
    return asyncio.run(schema.execute(query, variable_values=variables, context_value=context))


def pairs(graph: Graph) -> set[frozenset[str]]:
    return {frozenset(f.organization_ids) for f in analyse(graph).duplicate_records}


def test_rejected_pairs_are_not_suggested_again(db: Graph) -> None:
    write_bundle(db, tiny_city())
    assert frozenset(("o1", "o2")) in pairs(db)
    denied = execute(db, "planner", REJECT, k="o1", d="o2", o="same")
    assert denied.errors is not None
    assert denied.errors[0].extensions == {"code": "FORBIDDEN"}
    wrong = execute(db, "coordinator", REJECT, k="o1", d="o2", o="maybe")
    assert wrong.data["rejectDuplicate"]["__typename"] == "InvalidInput"
    missing = execute(db, "coordinator", REJECT, k="o1", d="nobody", o="same")
    assert missing.data["rejectDuplicate"]["__typename"] == "NotFound"
    assert link_decisions.decisions(db) == []  # nothing half-written
    done = execute(db, "coordinator", REJECT, k="o2", d="o1", o="same")
    assert done.errors is None
    assert done.data["rejectDuplicate"]["__typename"] == "DuplicateRejected"
    assert frozenset(("o1", "o2")) not in pairs(db)
    (decision,) = link_decisions.decisions(db)
    assert (decision.a_id, decision.b_id, decision.verdict) == ("o1", "o2", "rejected")
    assert decision.a_name == "Caritas e.V."
    assert decision.decided_by == "token:t-coordinator"


def test_confirmed_pairs_are_merged_and_kept_as_labels(db: Graph) -> None:
    write_bundle(db, tiny_city())
    done = execute(db, "coordinator", CONFIRM, k="o1", d="o2")
    assert done.errors is None
    assert done.data["confirmDuplicate"] == {
        "__typename": "OrganizationsMerged",
        "keptId": "o1",
        "droppedId": "o2",
    }
    assert db.query("MATCH (o:Organization {id: 'o2'}) RETURN o") == []
    (decision,) = link_decisions.decisions(db)
    assert (decision.verdict, decision.b_name) == ("confirmed", "Caritas")
    # A failed merge stores no decision.
    missing = execute(db, "coordinator", CONFIRM, k="o1", d="o2")
    assert missing.data["confirmDuplicate"]["__typename"] == "NotFound"
    assert len(link_decisions.decisions(db)) == 1


def test_decisions_export_as_labels_through_the_cli(db: Graph, tmp_path: Any) -> None:
    import csv

    from click.testing import CliRunner

    from api.cli import main

    write_bundle(db, tiny_city())
    assert execute(db, "coordinator", REJECT, k="o2", d="o1", o="same").errors is None
    out = tmp_path / "labels.csv"
    result = CliRunner().invoke(main, ["linkage", "labels", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "1 Entscheidung geschrieben" in result.output
    with out.open(encoding="utf-8", newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert (row["a_id"], row["b_id"], row["label"], row["suggested"]) == (
        "o1",
        "o2",
        "different",
        "same",
    )
    assert row["a_name"] == "Caritas e.V."
    assert "decided_by" not in row  # who decided stays in the audit, not in the labels
