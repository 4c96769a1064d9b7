"""The receiving Träger's further steps (waiting list, not taken up), every consumer of the
statuses, and overdue referrals (graph/overdue.py) as fields and as a filter."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from graph import Graph
from graph.analysis.config import (
    ACTIVE_REFERRAL_STATUSES,
    DROPPED_REFERRAL_STATUSES,
    PathwayConfig,
)
from graph.analysis.pathways import referral_pathways
from graph.analysis.snapshot import ReferralInfo
from graph.records import CLOSED_REFERRAL_STATUSES, REFERRAL_STATUSES
from graph.repo.referrals import TRANSITIONS
from loaders.tabular.reader import read_bundle
from schema import Context, schema
from schema.enums import ReferralStatus
from schema.principal import Principal, Role
from tests.analysis_fixtures import service
from tests.privacy_world import DAY, NOW, load

WHO: dict[str, tuple[Role, str | None]] = {
    "admin": ("admin", None),
    "cw-jobcenter": ("caseworker", "jobcenter-stuttgart"),
    "partner-caritas": ("partner", "caritas-stuttgart"),
    "partner-eva": ("partner", "eva-stuttgart"),
}


def run(graph: Graph, who: str, document: str, **context: Any) -> tuple[Any, set[str]]:
    role, org = WHO[who]
    principal = Principal(f"t-{who}", role, org, "token")
    ctx = Context(graph=graph, principal=principal, **context)
    result = asyncio.run(schema.execute(document, context_value=ctx))
    return result.data, {(e.extensions or {}).get("code", "?") for e in result.errors or []}


def step(name: str, referral: str, who: str, graph: Graph) -> str:
    document = (
        f'mutation {{ {name}(id: "{referral}", note: "Rückruf vereinbart") {{ __typename '
        "... on Referral { status history { status note } } "
        "... on NotAllowed { reason } } }"
    )
    data, codes = run(graph, who, document)
    if codes:
        return "/".join(sorted(codes))
    value = data[name]
    return str(value["status"] if value["__typename"] == "Referral" else value["reason"])


def test_statuses_are_listed_consistently() -> None:
    assert {s.value for s in ReferralStatus} == set(REFERRAL_STATUSES)
    assert "waitlisted" in ACTIVE_REFERRAL_STATUSES
    assert "not_taken_up" in CLOSED_REFERRAL_STATUSES
    assert "not_taken_up" in DROPPED_REFERRAL_STATUSES
    assert set(REFERRAL_STATUSES) == ACTIVE_REFERRAL_STATUSES | CLOSED_REFERRAL_STATUSES
    targets = {target for _, target in TRANSITIONS.values()}
    sources = set().union(*(allowed for allowed, _ in TRANSITIONS.values()))
    # Every status but the first is reached by a step; closed ones lead nowhere.
    assert targets == set(REFERRAL_STATUSES) - {"created"}
    assert sources & CLOSED_REFERRAL_STATUSES == set()
    assert TRANSITIONS["waitlist"] == (frozenset({"created"}), "waitlisted")
    for action in ("accept", "decline", "cancel"):
        assert "waitlisted" in TRANSITIONS[action][0]
    assert TRANSITIONS["not_taken_up"][0] == {"accepted", "waitlisted", "started"}


def test_waiting_list_then_accept_then_not_taken_up(db: Graph) -> None:
    load(db)
    # ref-b (eva, created): only the receiving Träger puts it on the waiting list.
    assert step("waitlistReferral", "ref-b", "cw-jobcenter", db) == "FORBIDDEN"
    assert step("waitlistReferral", "ref-b", "partner-caritas", db) == "FORBIDDEN"
    assert step("markReferralNotTakenUp", "ref-b", "partner-eva", db) == "INVALID_TRANSITION"
    assert step("waitlistReferral", "ref-b", "partner-eva", db) == "WAITLISTED"
    assert step("waitlistReferral", "ref-b", "partner-eva", db) == "INVALID_TRANSITION"
    assert step("startReferral", "ref-b", "partner-eva", db) == "INVALID_TRANSITION"
    assert step("acceptReferral", "ref-b", "partner-eva", db) == "ACCEPTED"
    assert step("markReferralNotTakenUp", "ref-b", "partner-eva", db) == "NOT_TAKEN_UP"
    assert step("cancelReferral", "ref-b", "admin", db) == "INVALID_TRANSITION"
    data, _ = run(db, "partner-eva", '{ referral(id: "ref-b") { history { status note } } }')
    assert [e["status"] for e in data["referral"]["history"]] == [
        "CREATED",
        "WAITLISTED",
        "ACCEPTED",
        "NOT_TAKEN_UP",
    ]
    assert data["referral"]["history"][1]["note"] == "Rückruf vereinbart"


def test_the_referring_side_cannot_mark_not_taken_up(db: Graph) -> None:
    load(db)
    # ref-a (caritas, accepted, referred by the Jobcenter).
    assert step("markReferralNotTakenUp", "ref-a", "cw-jobcenter", db) == "FORBIDDEN"
    assert step("markReferralNotTakenUp", "ref-a", "partner-caritas", db) == "NOT_TAKEN_UP"


def test_waiting_list_and_not_taken_up_in_the_analyses() -> None:
    t0 = datetime(2026, 3, 2, 9, tzinfo=UTC)

    def ref(rid: str, status: str, answered: float | None) -> ReferralInfo:
        return ReferralInfo(
            id=rid,
            household_id=f"h-{rid}",
            household_area_id="a",
            service_id="s1",
            from_organization_id="jc",
            status=status,
            created_at=t0,
            responded_at=None if answered is None else t0 + timedelta(hours=answered),
        )

    referrals = [
        ref("r1", "completed", 2),
        ref("r2", "not_taken_up", 4),
        ref("r3", "cancelled", 6),
        ref("r4", "declined", 8),
        ref("r5", "waitlisted", 10),
    ]
    services = {"s1": service("s1", "o1", ("a",))}
    (rates,) = [
        r
        for r in referral_pathways(referrals, services, PathwayConfig()).rates
        if r.area_id is None
    ]
    assert (rates.not_taken_up, rates.cancelled, rates.dropped_out) == (1, 1, 2)
    # Dropped out: cancelled and not taken up, of the four not declined.
    assert rates.dropoff_rate == pytest.approx(0.5)
    assert rates.responded == 5


def test_german_status_words_in_imports(tmp_path: Path) -> None:
    (tmp_path / "ueberleitungen.csv").write_text(
        "id;Haushalt;von Träger;Angebot;Einwilligung;Status;angelegt am\n"
        "r1;hh-1;jc;svc;c1;Warteliste;01.12.2026 10:00\n"
        "r2;hh-1;jc;svc;c1;nicht wahrgenommen;01.12.2026 10:00\n"
        "r3;hh-1;jc;svc;c1;auf der Warteliste;01.12.2026 10:00\n",
        encoding="utf-8",
    )
    parsed = read_bundle(tmp_path, "test")
    assert parsed.issues == []
    assert [r.status for r in parsed.bundle.referrals] == [
        "waitlisted",
        "not_taken_up",
        "waitlisted",
    ]


def test_consent_data_categories_are_validated_on_import(tmp_path: Path) -> None:
    (tmp_path / "einwilligungen.csv").write_text(
        "id;Haushalt;Empfänger;Zweck;Datenkategorien\n"
        "c1;hh-1;caritas;Beratung;stammdaten|bedarfslage\n"
        "c2;hh-1;caritas;Beratung;stammdaten|gesundheitsdaten\n",
        encoding="utf-8",
    )
    parsed = read_bundle(tmp_path, "test")
    assert [c.id for c in parsed.bundle.consents] == ["c1"]
    (issue,) = parsed.issues
    assert issue.row == 3
    assert "gesundheitsdaten" in issue.message
    # The allowed values as a caseworker knows them (graph/vocabulary.py).
    assert "Hilfeverlauf" in issue.message


OVERDUE = (
    "{ referrals(filter: {overdue: %s}, first: 50) { totalCount edges { node { id status "
    "overdue daysSinceChange lastChangedAt } } } }"
)


def test_overdue_referrals_as_fields_and_filter(db: Graph) -> None:
    load(db)
    # ref-b and ref-c are still ``created`` since 20 days (privacy_world); ref-a was accepted.
    data, codes = run(db, "admin", OVERDUE % "true")
    assert codes == set()
    found = {e["node"]["id"]: e["node"] for e in data["referrals"]["edges"]}
    assert set(found) == {"ref-b", "ref-c"}
    assert data["referrals"]["totalCount"] == 2
    assert all(n["overdue"] and n["daysSinceChange"] == 20 for n in found.values())
    changed = datetime.fromisoformat(found["ref-b"]["lastChangedAt"])
    assert abs(changed - (NOW - 20 * DAY)) < timedelta(seconds=1)
    data, _ = run(db, "admin", OVERDUE % "false")
    others = {e["node"]["id"]: e["node"] for e in data["referrals"]["edges"]}
    assert set(others) == {"ref-a", "ref-old"}
    assert data["referrals"]["totalCount"] == 2
    assert not any(n["overdue"] for n in others.values())
    assert others["ref-a"]["daysSinceChange"] == 19
    # A longer answer period (VERBUND_REFERRAL_ANSWER_DAYS) makes none overdue.
    data, _ = run(db, "admin", OVERDUE % "true", referral_answer_days=30)
    assert data["referrals"]["totalCount"] == 0
    data, _ = run(db, "admin", '{ referral(id: "ref-b") { overdue } }', referral_answer_days=30)
    assert data == {"referral": {"overdue": False}}
    # Waiting listed: answered, no longer overdue.
    assert step("waitlistReferral", "ref-b", "partner-eva", db) == "WAITLISTED"
    data, _ = run(db, "admin", OVERDUE % "true")
    assert {e["node"]["id"] for e in data["referrals"]["edges"]} == {"ref-c"}


def test_overdue_filter_keeps_to_the_scope(db: Graph) -> None:
    load(db)
    data, codes = run(db, "partner-eva", OVERDUE % "true")
    assert codes == set()
    assert [e["node"]["id"] for e in data["referrals"]["edges"]] == ["ref-b"]
    assert data["referrals"]["totalCount"] == 1
    # ref-c stands under a revoked consent: caritas sees no overdue referral.
    data, _ = run(db, "partner-caritas", OVERDUE % "true")
    assert data["referrals"]["totalCount"] == 0
