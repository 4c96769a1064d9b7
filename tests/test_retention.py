"""Retention deletes exactly the households whose period ran out, and keeps the counts."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest
from click.testing import CliRunner

from api.cli import main
from api.cli.privacy import months_before
from graph import Graph
from graph.admin import label_counts
from graph.audit import SYSTEM, AuditEvent, AuditFailed, append, events_for, query_events
from graph.retention import apply_retention, due_households, referral_aggregates
from tests.privacy_world import load


def test_months_before_clamps_to_the_month_end() -> None:
    assert months_before(datetime(2026, 3, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert months_before(datetime(2026, 1, 15, tzinfo=UTC), 24) == datetime(2024, 1, 15, tzinfo=UTC)


def test_retention_removes_only_households_past_the_period(db: Graph) -> None:
    load(db)
    cutoff = months_before(datetime.now(UTC), 24)
    assert due_households(db, cutoff) == ["hh-old"]
    before = label_counts(db)
    dry = apply_retention(db, cutoff, dry_run=True)
    assert dry.households == ("hh-old",)
    assert dry.removed == {
        "Household": 1,
        "Need": 1,
        "Consent": 1,
        "Referral": 1,
        "ReferralEvent": 3,
    }
    assert label_counts(db) == before
    report = apply_retention(db, cutoff)
    assert report.removed == dry.removed
    assert report.aggregated_referrals == 1
    remaining = {r["id"] for r in db.query("MATCH (h:Household) RETURN h.id AS id")}
    assert remaining == {"hh-a", "hh-b", "hh-c"}
    assert db.query("MATCH (n) WHERE n.id IN ['ref-old', 'cs-old', 'need-old'] RETURN n") == []
    assert db.query("MATCH (e:ReferralEvent) WHERE e.id STARTS WITH 'ref-old' RETURN e") == []
    # The directory is untouched, and planners keep the count.
    assert db.query("MATCH (s:Service) RETURN count(s) AS n") == [{"n": 2}]
    (kept,) = referral_aggregates(db)
    assert kept["area_id"] == "stuttgart-mitte-1"
    assert kept["category_id"] == "schuldnerberatung"
    assert kept["status"] == "completed"
    assert kept["referrals"] == 1
    # Nothing more is due; a second run changes nothing.
    assert apply_retention(db, cutoff).households == ()
    assert referral_aggregates(db)[0]["referrals"] == 1


def test_shorter_period_reaches_no_household_with_an_active_referral(db: Graph) -> None:
    load(db)
    cutoff = months_before(datetime.now(UTC), 1)
    # hh-a, hh-b and hh-c have active referrals; only hh-old is closed.
    assert due_households(db, cutoff) == ["hh-old"]


def test_cli_dry_run_lists_then_apply_removes_and_is_audited(db: Graph) -> None:
    load(db)
    runner = CliRunner()
    dry = runner.invoke(main, ["retention", "apply", "--dry-run", "--months", "24"])
    assert dry.exit_code == 0, dry.output
    assert "Würde löschen" in dry.output
    assert "- hh-old" in dry.output
    assert db.query("MATCH (h:Household {id: 'hh-old'}) RETURN h.id AS id") != []
    done = runner.invoke(main, ["retention", "apply"])
    assert done.exit_code == 0, done.output
    assert "Gelöscht" in done.output
    assert "Frist: 24 Monate" in done.output
    assert db.query("MATCH (h:Household {id: 'hh-old'}) RETURN h.id AS id") == []
    (event,) = query_events(db, record="Household:hh-old")
    assert event.action == "delete"
    assert event.operation == "retention apply"


def test_a_deletion_whose_entry_is_refused_deletes_nothing(db: Graph) -> None:
    """The deletion's entry is committed in the deletion's transaction: when Neo4j refuses
    it (here: the id of an existing entry, unique by constraint), nothing is deleted."""
    load(db)
    cutoff = months_before(datetime.now(UTC), 24)
    taken = events_for(SYSTEM, action="read", operation="earlier", purpose="Test", records=[])
    append(db, taken)
    before = label_counts(db)

    def clashing(households: Sequence[str]) -> list[AuditEvent]:
        (event,) = events_for(
            SYSTEM,
            action="delete",
            operation="retention apply",
            purpose="Test",
            records=[f"Household:{h}" for h in households],
        )
        return [dataclasses.replace(event, id=taken[0].id)]

    with pytest.raises(AuditFailed):
        apply_retention(db, cutoff, entries=clashing)
    assert label_counts(db) == before
    assert query_events(db, record="Household:hh-old") == []


def test_retention_on_the_small_demo_removes_exactly_the_due_households(db: Graph) -> None:
    from graph.records import CLOSED_REFERRAL_STATUSES
    from graph.write import write_bundle
    from loaders.demo import generate

    bundle = generate("small").bundle
    write_bundle(db, bundle)
    cutoff = months_before(datetime.now(UTC), 12)
    referrals_of: dict[str, list[Any]] = {}
    for r in bundle.referrals:
        referrals_of.setdefault(r.household_id, []).append(r)
    expected = set()
    for household, refs in referrals_of.items():
        if any(r.status not in CLOSED_REFERRAL_STATUSES for r in refs):
            continue
        closed = [
            e.at for r in refs for e in r.history if e.status in CLOSED_REFERRAL_STATUSES
        ] or [r.created_at for r in refs]
        if max(closed) < cutoff:
            expected.add(household)
    assert expected, "the demo should have households past a 12-month period"
    removed_referrals = sum(len(referrals_of[h]) for h in expected)
    exactly = {
        "Household": len(expected),
        "Need": sum(1 for n in bundle.needs if n.household_id in expected),
        "Consent": sum(1 for c in bundle.consents if c.household_id in expected),
        "Referral": removed_referrals,
        "ReferralEvent": sum(len(r.history) for h in expected for r in referrals_of[h]),
    }
    before = label_counts(db)
    dry = apply_retention(db, cutoff, dry_run=True)
    assert label_counts(db) == before
    assert set(dry.households) == expected
    assert dry.removed == exactly

    report = apply_retention(db, cutoff)

    assert set(report.households) == expected
    assert report.removed == exactly
    assert report.aggregated_referrals == removed_referrals
    after = label_counts(db)
    for label, n in exactly.items():
        assert after.get(label, 0) == before[label] - n, label
    # Everything else (directory, network, tokens) is untouched; only the kept counts are new.
    others = set(before) | set(after)
    others -= set(exactly) | {"ReferralAggregate"}
    assert {label: after.get(label) for label in others} == {
        label: before.get(label) for label in others
    }
    left = {row["id"] for row in db.query("MATCH (h:Household) RETURN h.id AS id")}
    assert left.isdisjoint(expected)
    # Every active referral survived; the kept counts add up to what was removed.
    active = sum(1 for r in bundle.referrals if r.status not in CLOSED_REFERRAL_STATUSES)
    (row,) = db.query(
        "MATCH (r:Referral) WHERE NOT r.status IN $closed RETURN count(r) AS n",
        {"closed": sorted(CLOSED_REFERRAL_STATUSES)},
    )
    assert row["n"] == active
    assert sum(g["referrals"] for g in referral_aggregates(db)) == removed_referrals
    by_status: dict[str, int] = {}
    for h in expected:
        for r in referrals_of[h]:
            by_status[r.status] = by_status.get(r.status, 0) + 1
    kept: dict[str, int] = {}
    for g in referral_aggregates(db):
        kept[g["status"]] = kept.get(g["status"], 0) + g["referrals"]
    assert kept == by_status


# -- the audit trail's own retention ---------------------------------------------------------


def _audit_at(graph: Graph, *moments: datetime) -> list[str]:
    from dataclasses import replace

    from graph.audit import append, new_event

    events = [
        replace(
            new_event(
                subject=f"t-{i}",
                role="caseworker",
                organization_id="jobcenter-stuttgart",
                auth_method="token",
                action="read",
                operation="referral",
                purpose="test",
                records=[f"Referral:r-{i}"],
            ),
            at=at,
        )
        for i, at in enumerate(moments)
    ]
    append(graph, events)
    return [e.id for e in events]


def test_audit_entries_older_than_their_period_are_deleted_exactly(db: Graph) -> None:
    from graph.audit import export_events
    from graph.retention import expire_audit_events

    now = datetime.now(UTC)
    old = _audit_at(db, months_before(now, 30), months_before(now, 25))
    kept = _audit_at(db, months_before(now, 23), months_before(now, 1), now)
    cutoff = months_before(now, 24)
    dry = expire_audit_events(db, cutoff, dry_run=True)
    assert (dry.events, dry.dry_run) == (2, True)
    assert dry.oldest is not None
    assert dry.oldest.date() == months_before(now, 30).date()
    assert len(list(export_events(db))) == 5
    done = expire_audit_events(db, cutoff, batch=1)  # batches: one at a time here
    assert done.events == 2
    assert {e.id for e in export_events(db)} == set(kept)
    assert set(old).isdisjoint(e.id for e in export_events(db))
    assert expire_audit_events(db, cutoff).events == 0


def test_cli_applies_the_audit_period_with_dry_run_and_records_the_run(db: Graph) -> None:
    from graph.audit import export_events

    now = datetime.now(UTC)
    _audit_at(db, months_before(now, 40), months_before(now, 13), months_before(now, 2))
    runner = CliRunner()
    dry = runner.invoke(main, ["retention", "apply", "--dry-run", "--audit-months", "12"])
    assert dry.exit_code == 0, dry.output
    assert "Zugriffsprotokoll: Frist 12 Monate" in dry.output
    assert "würde löschen 2 Einträge" in dry.output
    assert len(list(export_events(db))) == 3
    done = runner.invoke(main, ["retention", "apply", "--audit-months", "12"])
    assert done.exit_code == 0, done.output
    assert "gelöscht 2 Einträge" in done.output
    left = list(export_events(db))
    # The one recent entry, plus the record of this deletion (which outlives it).
    assert len(left) == 2
    (run,) = [e for e in left if e.operation == "retention apply audit"]
    assert run.action == "delete"
    assert "2 Einträge" in run.purpose
    # The default period comes from the settings (24 months): nothing more is due.
    again = runner.invoke(main, ["retention", "apply", "--dry-run"])
    assert "Zugriffsprotokoll: Frist 24 Monate" in again.output
    assert "würde löschen 0 Einträge" in again.output


def test_the_api_has_no_way_to_change_or_delete_audit_entries() -> None:
    from schema import schema

    mutation = schema._schema.mutation_type
    assert mutation is not None
    assert [name for name in mutation.fields if "audit" in name.lower()] == []
