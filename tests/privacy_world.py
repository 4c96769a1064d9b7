"""A small, exact world for access and retention tests: two referring offices, two partners.

jobcenter-stuttgart  -> hh-a  (referral ref-a to caritas Schuldnerberatung, consent cs-a:
                               stammdaten only)
jobcenter-stuttgart  -> hh-c  (referral ref-c to caritas, consent cs-c revoked)
jugendamt-stuttgart  -> hh-b  (referral ref-b to eva Suchtberatung, consent cs-b: all)
jobcenter-stuttgart  -> hh-old (referral closed 30 months ago, for retention)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from graph import Bundle, Graph, clock
from graph.records import (
    Area,
    Category,
    Consent,
    Household,
    Need,
    Organization,
    Referral,
    ReferralEvent,
    Service,
)
from graph.write import write_bundle

NOW = datetime.now(UTC)
DAY = timedelta(days=1)
SUB = "stuttgart-mitte-1"


def _referral(
    rid: str,
    household: str,
    source: str,
    service: str,
    consent: str,
    need: str,
    created: datetime,
    events: list[tuple[str, datetime]],
) -> Referral:
    history = tuple(
        ReferralEvent(status=status, at=at, by=f"{source}-sb", note="")  # type: ignore[arg-type]
        for status, at in events
    )
    return Referral(
        id=rid,
        household_id=household,
        from_organization_id=source,
        to_service_id=service,
        consent_id=consent,
        status=history[-1].status,
        created_at=created,
        need_id=need,
        purpose="Überleitung",
        outcome="Hilfe abgeschlossen" if history[-1].status == "completed" else None,
        history=history,
    )


def _consent(cid: str, household: str, org: str, categories: tuple[str, ...]) -> Consent:
    return Consent(
        id=cid,
        household_id=household,
        organization_ids=(org,),
        purpose="Schuldnerberatung",
        members=("mitglied-1",),
        data_categories=categories,
        valid_from=clock.today() - 400 * DAY,
        valid_to=clock.today() + 300 * DAY,
    )


def world() -> Bundle:
    old = NOW - 31 * 30 * DAY
    recent = NOW - 20 * DAY
    return Bundle(
        areas=[
            Area(id="stuttgart", name="Stuttgart", level="city"),
            Area(id="stuttgart-mitte", name="Mitte", level="district", parent_id="stuttgart"),
            Area(id=SUB, name="Mitte 1", level="subdistrict", parent_id="stuttgart-mitte"),
        ],
        categories=[
            Category(id="schuldnerberatung", name="Schuldnerberatung"),
            Category(id="suchtberatung", name="Suchtberatung"),
        ],
        organizations=[
            Organization(id="jobcenter-stuttgart", name="Jobcenter Stuttgart", sector="public"),
            Organization(id="jugendamt-stuttgart", name="Jugendamt Stuttgart", sector="public"),
            Organization(id="caritas-stuttgart", name="Caritas Stuttgart"),
            Organization(id="eva-stuttgart", name="Evangelische Gesellschaft"),
        ],
        services=[
            Service(
                id="svc-caritas-sb",
                organization_id="caritas-stuttgart",
                name="Schuldnerberatung Caritas",
                category_ids=("schuldnerberatung",),
                area_ids=("stuttgart",),
                capacity=10,
            ),
            Service(
                id="svc-eva-sucht",
                organization_id="eva-stuttgart",
                name="Suchtberatung eva",
                category_ids=("suchtberatung",),
                area_ids=("stuttgart-mitte",),
                capacity=10,
            ),
        ],
        households=[
            Household(id=h, area_id=SUB, household_type="alleinerziehend", age_bands=("25-34",))
            for h in ("hh-a", "hh-b", "hh-c", "hh-old")
        ],
        needs=[
            Need(id="need-a", household_id="hh-a", category_id="schuldnerberatung"),
            Need(id="need-a2", household_id="hh-a", category_id="suchtberatung"),
            Need(id="need-b", household_id="hh-b", category_id="suchtberatung"),
            Need(id="need-c", household_id="hh-c", category_id="schuldnerberatung"),
            Need(id="need-old", household_id="hh-old", category_id="schuldnerberatung"),
        ],
        consents=[
            _consent("cs-a", "hh-a", "caritas-stuttgart", ("stammdaten",)),
            _consent(
                "cs-b", "hh-b", "eva-stuttgart", ("stammdaten", "bedarfslage", "hilfeverlauf")
            ),
            _consent("cs-c", "hh-c", "caritas-stuttgart", ("stammdaten", "bedarfslage")),
            _consent("cs-old", "hh-old", "caritas-stuttgart", ("stammdaten",)),
        ],
        referrals=[
            _referral(
                "ref-a",
                "hh-a",
                "jobcenter-stuttgart",
                "svc-caritas-sb",
                "cs-a",
                "need-a",
                recent,
                [("created", recent), ("accepted", recent + DAY)],
            ),
            _referral(
                "ref-b",
                "hh-b",
                "jugendamt-stuttgart",
                "svc-eva-sucht",
                "cs-b",
                "need-b",
                recent,
                [("created", recent)],
            ),
            _referral(
                "ref-c",
                "hh-c",
                "jobcenter-stuttgart",
                "svc-caritas-sb",
                "cs-c",
                "need-c",
                recent,
                [("created", recent)],
            ),
            _referral(
                "ref-old",
                "hh-old",
                "jobcenter-stuttgart",
                "svc-caritas-sb",
                "cs-old",
                "need-old",
                old - 60 * DAY,
                [("created", old - 60 * DAY), ("accepted", old - 50 * DAY), ("completed", old)],
            ),
        ],
    )


def load(graph: Graph) -> Bundle:
    bundle = world()
    write_bundle(graph, bundle, atomic=True)
    # hh-c's family withdrew its consent.
    graph.query(
        "MATCH (c:Consent {id: 'cs-c'}) SET c.revoked_at = $at", {"at": NOW - DAY}, write=True
    )
    return bundle
