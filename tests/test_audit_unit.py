"""A write and its audit entry in one transaction (graph/audit_unit.py, issue #16).

The failure is a real Neo4j refusal: the entry reuses the id of an existing ``AuditEvent``
(ids are unique by the project's own constraint), so the entry's CREATE fails inside the
write's transaction, exactly as any failing entry would.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import pytest

from graph import Graph
from graph.audit import SYSTEM, AuditEvent, AuditFailed, append, events_for, query_events
from graph.audit_unit import WriteAudit, auditing
from graph.revision import current as data_revision

ACTOR_EVENT = events_for(
    dataclasses.replace(SYSTEM, subject="unit-test"),
    action="write",
    operation="test",
    purpose="Test",
    records=["Household:hh-unit"],
)[0]


def unit_of(events: Sequence[AuditEvent], committed: list[AuditEvent]) -> WriteAudit:
    return WriteAudit(entries=lambda: list(events), committed=committed.extend)


def households(graph: Graph) -> int:
    (row,) = graph.query("MATCH (h:Household {id: 'hh-unit'}) RETURN count(h) AS n")
    return int(row["n"])


def create_household(graph: Graph) -> None:
    graph.query("CREATE (:Household {id: 'hh-unit'})", write=True)


def test_a_write_and_its_entry_commit_together(db: Graph) -> None:
    committed: list[AuditEvent] = []
    with auditing(unit_of([ACTOR_EVENT], committed)):
        create_household(db)
    assert households(db) == 1
    assert [e.id for e in query_events(db, subject="unit-test")] == [ACTOR_EVENT.id]
    assert committed == [ACTOR_EVENT]


def test_a_write_whose_entry_is_refused_is_rolled_back(db: Graph) -> None:
    append(db, [ACTOR_EVENT])  # the id the next entry reuses: a uniqueness violation
    revision = data_revision(db)
    committed: list[AuditEvent] = []
    with auditing(unit_of([ACTOR_EVENT], committed)), pytest.raises(AuditFailed) as failed:
        create_household(db)
    assert "nichts gespeichert" in str(failed.value)
    assert households(db) == 0
    assert data_revision(db) == revision
    assert len(query_events(db, subject="unit-test")) == 1
    assert committed == []


def test_bookkeeping_writes_carry_no_entry(db: Graph) -> None:
    """Writes the analyses never read (the audit itself, idempotency keys) are not data
    changes: they carry no entry, so a unit cannot record itself recursively."""
    committed: list[AuditEvent] = []
    with auditing(unit_of([ACTOR_EVENT], committed)):
        db.query("CREATE (:Scratch {id: 'x'})", write=True, revise=False)
    assert query_events(db, subject="unit-test") == []
    assert committed == []


def test_without_a_unit_a_write_carries_nothing(db: Graph) -> None:
    create_household(db)
    assert households(db) == 1
    assert query_events(db) == []
