"""Retention deletes exactly the households whose period ran out, and keeps the counts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from click.testing import CliRunner

from api.cli import main
from api.cli.privacy import months_before
from graph import Graph
from graph.admin import label_counts
from graph.audit import query_events
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
    before = label_counts(db)

    report = apply_retention(db, cutoff)

    assert set(report.households) == expected
    assert report.removed["Household"] == len(expected)
    assert report.removed["Referral"] == removed_referrals
    assert report.aggregated_referrals == removed_referrals
    after = label_counts(db)
    assert after["Household"] == before["Household"] - len(expected)
    assert after["Referral"] == before["Referral"] - removed_referrals
    assert after["Service"] == before["Service"]
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
