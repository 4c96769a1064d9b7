"""The referral lists (Meine Überleitungen, Eingang) as the web pages ask for them: the same
rows in the same order as the rules say, and work that does not grow with other
organizations' referrals (issue #14).

Expected answers are computed here in Python from the written records (newest created first,
ties by id; the partner's list only under consents in force that name it; overdue by
graph/overdue.py), not read back with Cypher. Work is counted as Neo4j's db hits of every
read the request sends (PROFILE, graph/profiling.py), which do not depend on the machine's
load.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from api.web.pages import inbox, referrals
from graph import Bundle, Graph
from graph.overdue import DEFAULT_ANSWER_DAYS, is_overdue
from graph.profiling import ProfilingGraph
from graph.records import (
    Area,
    Category,
    Consent,
    Household,
    Organization,
    Referral,
    ReferralEvent,
    ReferralStatus,
    Service,
)
from graph.write import write_bundle
from schema import Context, schema
from schema.principal import Principal, Role

NOW = datetime.now(UTC).replace(microsecond=0)
STATUSES: tuple[ReferralStatus, ...] = (
    "created",
    "waitlisted",
    "accepted",
    "started",
    "completed",
    "declined",
    "cancelled",
    "created",
)


def landscape() -> Bundle:
    b = Bundle()
    b.areas.append(Area(id="st", name="Stuttgart", level="city"))
    b.categories.append(Category(id="beratung", name="Beratung"))
    for org in ("jc", "jc2", "car", "other"):
        b.organizations.append(Organization(id=org, name=f"Träger {org}"))
    for sid, org in (("s-car", "car"), ("s-car-2", "car"), ("s-oth", "other")):
        b.services.append(
            Service(
                id=sid,
                organization_id=org,
                name=f"Beratung {sid}",
                category_ids=("beratung",),
                area_ids=("st",),
            )
        )
    return b


def referral(
    prefix: str, i: int, sender: str, service: str, receiver: str, *, consent_kind: str = "ok"
) -> tuple[Household, Consent, Referral]:
    """One household with its consent and one referral; times spread over days and hours
    (every fifth pair shares its creation time, so the tie-break by id is exercised)."""
    hh = Household(id=f"{prefix}-hh-{i:03}", area_id="st")
    valid_from, valid_to, revoked = date(2025, 1, 1), None, None
    if consent_kind == "revoked":
        revoked = NOW - timedelta(days=1)
    elif consent_kind == "expired":
        valid_to = date(2025, 6, 30)
    consent = Consent(
        id=f"{prefix}-c-{i:03}",
        household_id=hh.id,
        organization_ids=(receiver,),
        purpose="beratung",
        valid_from=valid_from,
        valid_to=valid_to,
        revoked_at=revoked,
    )
    created = NOW - timedelta(days=i // 2, hours=3 * (i % 5 != 0))
    status = STATUSES[i % len(STATUSES)]
    # Every third referral changed recently: waiting ones among them are not overdue.
    last = NOW - timedelta(hours=2) if i % 3 == 0 else created
    history = (ReferralEvent(status="created", at=created, by="jc-1"),)
    if status != "created" or i % 3 == 0:
        history += (ReferralEvent(status=status, at=max(last, created), by="x"),)
    ref = Referral(
        id=f"{prefix}-r-{i:03}",
        household_id=hh.id,
        from_organization_id=sender,
        to_service_id=service,
        consent_id=consent.id,
        status=status,
        created_at=created,
        purpose="beratung",
        history=history,
    )
    return hh, consent, ref


def batch(rows: list[tuple[Household, Consent, Referral]], with_landscape: bool) -> Bundle:
    b = landscape() if with_landscape else Bundle()
    for hh, consent, ref in rows:
        b.households.append(hh)
        b.consents.append(consent)
        b.referrals.append(ref)
    return b


def own_referrals() -> list[tuple[Household, Consent, Referral]]:
    """jc -> car: 46 referrals, some under a revoked or expired consent (the partner does
    not see those); jc2 -> car: 10 more the partner sees and jc does not."""
    rows = []
    for i in range(46):
        kind = "revoked" if i % 11 == 4 else "expired" if i % 13 == 6 else "ok"
        rows.append(
            referral("own", i, "jc", "s-car" if i % 2 else "s-car-2", "car", consent_kind=kind)
        )
    rows += [referral("in", i, "jc2", "s-car", "car") for i in range(10)]
    return rows


def unrelated(start: int, count: int) -> list[tuple[Household, Consent, Referral]]:
    """Referrals between two other organizations (jc2 -> other)."""
    return [referral("x", i, "jc2", "s-oth", "other") for i in range(start, start + count)]


@dataclass(frozen=True, slots=True)
class Seen:
    """What a list answers, page by page."""

    ids: list[str]
    totals: set[int]
    pages: int


def run(graph: Graph, role: Role, org: str, document: str, variables: dict[str, Any]) -> Any:
    principal = Principal(f"t-{role}", role, org, "token")
    result = asyncio.run(
        schema.execute(
            document,
            variable_values=variables,
            context_value=Context(graph, principal=principal, now=NOW),
        )
    )
    assert result.errors is None, result.errors
    return result.data["referrals"]


def walk(graph: Graph, role: Role, org: str, document: str, filt: Any, first: int) -> Seen:
    ids: list[str] = []
    totals: set[int] = set()
    after, pages = None, 0
    while True:
        found = run(graph, role, org, document, {"filter": filt, "first": first, "after": after})
        pages += 1
        ids += [n["id"] for n in found["nodes"]]
        totals.add(found["totalCount"])
        if not found["pageInfo"]["hasNextPage"]:
            return Seen(ids, totals, pages)
        after = found["pageInfo"]["endCursor"]
        assert pages < 50


def newest_first(refs: list[Referral]) -> list[str]:
    return [r.id for r in sorted(refs, key=lambda r: (-r.created_at.timestamp(), r.id))]


def sent_by(rows: list[tuple[Household, Consent, Referral]], org: str) -> list[Referral]:
    return [r for _, _, r in rows if r.from_organization_id == org]


def received_by(rows: list[tuple[Household, Consent, Referral]], org: str) -> list[Referral]:
    today = NOW.date()
    services = {"car": {"s-car", "s-car-2"}, "other": {"s-oth"}}[org]
    return [
        r
        for _, c, r in rows
        if r.to_service_id in services
        and org in c.organization_ids
        and c.revoked_at is None
        and (c.valid_from is None or c.valid_from <= today)
        and (c.valid_to is None or c.valid_to >= today)
    ]


FILTERS: list[tuple[str, Any]] = [
    ("alle", None),
    ("offen", {"statuses": ["CREATED", "WAITLISTED", "ACCEPTED", "STARTED"]}),
    ("neu-und-warteliste", {"statuses": ["CREATED", "WAITLISTED"]}),
    ("überfällig", {"overdue": True}),
    ("offen + überfällig", {"statuses": ["CREATED", "WAITLISTED"], "overdue": True}),
    ("nicht überfällig", {"overdue": False}),
]


def expected(refs: list[Referral], filt: Any) -> list[str]:
    chosen = refs
    if filt and "statuses" in filt:
        chosen = [r for r in chosen if r.status.upper() in filt["statuses"]]
    if filt and "overdue" in filt:
        chosen = [r for r in chosen if is_overdue(r, NOW, DEFAULT_ANSWER_DAYS) is filt["overdue"]]
    return newest_first(chosen)


@pytest.mark.parametrize(("name", "filt"), FILTERS, ids=[n for n, _ in FILTERS])
def test_lists_answer_the_rows_the_rules_give_in_order(db: Graph, name: str, filt: Any) -> None:
    rows = own_referrals() + unrelated(0, 12)
    write_bundle(db, batch(rows, with_landscape=True), now=NOW)
    mine = expected(sent_by(rows, "jc"), filt)
    inbox_rows = expected(received_by(rows, "car"), filt)
    assert mine, "the filter must leave rows"
    assert inbox_rows, "the filter must leave rows"
    for first in (7, 20):
        seen = walk(db, "caseworker", "jc", referrals.LIST, filt, first)
        assert seen.ids == mine, (name, first)
        assert seen.totals == {len(mine)}
        assert seen.pages == max(1, -(-len(mine) // first))
        seen = walk(db, "partner", "car", inbox.LIST, filt, first)
        assert seen.ids == inbox_rows, (name, first)
        assert seen.totals == {len(inbox_rows)}


def first_page_hits(graph: Graph, role: Role, org: str, document: str, filt: Any) -> int:
    profiling = ProfilingGraph(graph.config)
    try:
        found = run(profiling, role, org, document, {"filter": filt, "first": 20, "after": None})
        assert found["nodes"], "the first page must show rows"
        return profiling.db_hits
    finally:
        profiling.close()


LISTS: list[tuple[str, Role, str, str, Any]] = [
    ("Meine Überleitungen", "caseworker", "jc", referrals.LIST, None),
    ("Meine Überleitungen offen", "caseworker", "jc", referrals.LIST, FILTERS[1][1]),
    ("Eingang", "partner", "car", inbox.LIST, FILTERS[2][1]),
    ("Eingang überfällig", "partner", "car", inbox.LIST, {"overdue": True}),
]


def test_first_page_work_does_not_grow_with_other_organizations_referrals(db: Graph) -> None:
    n = 60
    write_bundle(db, batch(own_referrals() + unrelated(0, n), with_landscape=True), now=NOW)
    before = {name: first_page_hits(db, *rest) for name, *rest in LISTS}
    # Four times as many referrals between other organizations.
    write_bundle(db, batch(unrelated(n, 3 * n), with_landscape=False), now=NOW)
    (row,) = db.query("MATCH (r:Referral) RETURN count(r) AS n")
    assert row["n"] == 56 + 4 * n
    after = {name: first_page_hits(db, *rest) for name, *rest in LISTS}
    for name, _, _, _, _ in LISTS:
        assert before[name] > 0
        assert after[name] <= 1.1 * before[name], (name, before[name], after[name])
