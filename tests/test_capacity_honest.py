"""Honest capacity: unknown or outdated occupancy is never free, nor 0 %, anywhere.

One rule (graph/capacity.py) seen through the ranking, GraphQL on the real database, the
analyses (projection from the real database, Doppelstrukturen, Versorgungslücken) and the
exports (bundle CSV, HSDS).
"""

from __future__ import annotations

import csv
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from html import unescape
from pathlib import Path

import networkx as nx

from api.app import context_settings
from api.settings import Settings
from graph import Bundle, Graph, clock
from graph.analysis import DEFAULT_CONFIG, analyse
from graph.analysis.config import CoverageConfig, DuplicateStructureConfig
from graph.analysis.coverage import coverage_gaps, coverage_table, supplies_by_category
from graph.analysis.duplicate_structures import duplicate_structures
from graph.analysis.projection import load_snapshot
from graph.capacity import occupancy
from graph.ranking import rank
from graph.records import Organization, Service
from graph.write import write_bundle
from loaders.hsds.writer import service_record
from loaders.tabular.writer import write_csv_folder
from tests.analysis_fixtures import line_index, service
from tests.apikit import network_bundle, run_query
from tests.test_ranking import HOME, LINE, candidate, wanted
from tests.webkit import load_web_world, sign_in, web_client

TODAY = date(2026, 12, 3)
OLD = TODAY - timedelta(days=120)
RECENT = TODAY - timedelta(days=10)


def test_the_rule_unknown_and_outdated_occupancy_have_no_free_places() -> None:
    assert occupancy(10, 4, RECENT, TODAY).free == 6
    assert occupancy(10, None, RECENT, TODAY).free is None
    assert occupancy(None, 4, RECENT, TODAY).free is None
    stale = occupancy(10, 4, OLD, TODAY)
    assert (stale.free, stale.used, stale.outdated, stale.capacity) == (None, None, True, 10)
    # The age is configurable: 120 days are fine under a 180-day rule.
    assert occupancy(10, 4, OLD, TODAY, 180).free == 6
    # Without a check date there is no age: the figures count as reported.
    assert occupancy(10, 4, None, TODAY).free == 6


def test_ranking_puts_known_free_places_before_unknown_and_says_why() -> None:
    options = rank(
        [
            candidate("unknown", (("d1", "d1"),), capacity=100),
            candidate("old", (("d1", "d1"),), capacity=100, capacity_used=1, assured_date=OLD),
            candidate("free", (("d1", "d1"),), capacity=5, capacity_used=4, assured_date=RECENT),
            candidate("full", (("d1", "d1"),), capacity=5, capacity_used=5),
        ],
        HOME,
        LINE,
        wanted(today=TODAY),
    )
    assert [o.service.id for o in options] == ["free", "old", "unknown", "full"]
    texts = {o.service.id: o.reasons[-1].text for o in options}
    assert texts["free"] == "1 freier Platz"
    assert texts["unknown"].startswith("Auslastung unbekannt (keine Belegung gemeldet)")
    assert texts["old"].startswith(
        "Auslastung unbekannt (zuletzt geprüft am 05.08.2026, älter als 90 Tage)"
    )
    assert "nicht als frei gewertet" in texts["old"]
    assert options[1].reasons[-1].points == 0
    # Equal points otherwise: free (+10) ranks above unknown (0) by score already.
    assert options[0].score - options[1].score == 10
    # Under a longer allowed age the old figure counts again: 99 free places.
    again = rank(
        [candidate("old", (("d1", "d1"),), capacity=100, capacity_used=1, assured_date=OLD)],
        HOME,
        LINE,
        wanted(today=TODAY, capacity_max_age_days=200),
    )
    assert again[0].reasons[-1].text == "99 freie Plätze"


def _with_occupancies(graph: Graph) -> None:
    bundle = network_bundle(districts=2, services_per_district=2)
    by_id = {s.id: s for s in bundle.services}
    # sb-0-0: used unknown; sb-0-1: outdated; sb-1-0: recent; sb-1-1: no check date.
    changes = {
        "sb-0-0": {"capacity_used": None, "assured_date": RECENT},
        "sb-0-1": {"capacity_used": 3, "assured_date": OLD},
        "sb-1-0": {"capacity_used": 4, "assured_date": RECENT},
        "sb-1-1": {"capacity_used": 2, "assured_date": None},
    }
    bundle.services = [
        replace(s, **changes[s.id]) if s.id in changes else s for s in by_id.values()
    ]
    write_bundle(graph, bundle)


SERVICES = """{ services(first: 50) { nodes { id capacity capacityUsed freeCapacity
  occupancyOutdated assuredDate } } }"""


def test_graphql_free_capacity_is_null_when_unknown_or_outdated(db: Graph) -> None:
    _with_occupancies(db)
    now = datetime(2026, 12, 3, 12, tzinfo=UTC)
    data = run_query(db, SERVICES, now=now)
    found = {n["id"]: n for n in data["services"]["nodes"]}
    assert found["sb-0-0"]["freeCapacity"] is None  # never reported: not 10 free
    assert found["sb-0-1"]["freeCapacity"] is None  # 120 days old
    assert found["sb-0-1"]["occupancyOutdated"] is True
    assert found["sb-0-1"]["capacityUsed"] == 3  # the reported figure stays visible
    assert found["sb-1-0"]["freeCapacity"] == 6
    assert found["sb-1-0"]["occupancyOutdated"] is False
    assert found["sb-1-1"]["freeCapacity"] == 8
    # VERBUND_CAPACITY_MAX_AGE_DAYS = 200: the old figure counts again.
    data = run_query(db, SERVICES, now=now, capacity_max_age_days=200)
    found = {n["id"]: n for n in data["services"]["nodes"]}
    assert found["sb-0-1"]["freeCapacity"] == 7


def test_referral_options_through_graphql_rank_outdated_as_unknown(db: Graph) -> None:
    _with_occupancies(db)
    data = run_query(
        db,
        """{ referralOptions(input: {area: "st-d0-1", categories: ["schuldnerberatung"],
             maxSteps: 0, on: "2026-12-03"}) {
           ... on ReferralOptions { options { service { id } reasons { code text } } } } }""",
    )
    reasons = {
        o["service"]["id"]: {r["code"]: r["text"] for r in o["reasons"]}
        for o in data["referralOptions"]["options"]
    }
    assert set(reasons) == {"sb-0-0", "sb-0-1"}
    assert all("CAPACITY_UNKNOWN" in r for r in reasons.values())
    assert "zuletzt geprüft am 05.08.2026" in reasons["sb-0-1"]["CAPACITY_UNKNOWN"]


def test_projection_reads_outdated_occupancy_as_unknown(db: Graph) -> None:
    _with_occupancies(db)
    snap = load_snapshot(db, today=TODAY)
    used = {s.id: s.capacity_used for s in snap.services if s.id.startswith("sb-")}
    assert used == {"sb-0-0": None, "sb-0-1": None, "sb-1-0": 4, "sb-1-1": 2}
    snap = load_snapshot(db, today=TODAY, capacity_max_age_days=365)
    assert {s.id: s.capacity_used for s in snap.services}["sb-0-1"] == 3
    report = analyse(db, replace(DEFAULT_CONFIG, capacity_max_age_days=365))
    assert report.snapshot.services  # the config's age reaches the projection
    capacities = {s.id: s.capacity for s in report.snapshot.services}
    assert capacities["sb-0-1"] == 10  # places do not age


def test_duplicate_structure_does_not_count_unknown_occupancy_as_zero() -> None:
    index = line_index("d1")
    config = DuplicateStructureConfig()
    services = [
        service("a", "o1", ("d1",), capacity=10, used=None),
        service("b", "o2", ("d1",), capacity=10, used=None),
    ]
    (found,) = duplicate_structures(services, index, config)
    assert found.utilization is None
    assert found.capacity_used is None
    assert "Auslastung unbekannt" in found.explanation
    assert "0 %" not in found.explanation
    assert found.severity != "hoch"  # unknown use is no evidence of low use
    services = [
        service("a", "o1", ("d1",), capacity=10, used=8),
        service("b", "o2", ("d1",), capacity=10, used=None),
        service("c", "o3", ("d1",), capacity=None),
    ]
    (found,) = duplicate_structures(services, index, config)
    assert found.capacity == 20
    assert found.utilization == 0.8
    assert (found.unknown_capacity, found.unknown_occupancy) == (1, 2)
    assert "zusammen 20 Plätze (ohne 1 Angebot ohne bekannte Platzzahl)" in found.explanation
    assert "Auslastung 80 % bei 1 von 3 Angeboten (2 Angebote ohne aktuelle Belegung" in (
        found.explanation
    )


def test_gap_names_services_with_unknown_places_and_does_not_count_them() -> None:
    index = line_index("d1", "d2")
    adjacency = nx.Graph()
    adjacency.add_edge("d1", "d2")
    services = [
        service("known", "o1", ("d1",), capacity=2),
        service("unknown", "o2", ("d1",), capacity=None),
    ]
    supplies = supplies_by_category(services, index)
    demand = {"sb": {"d1": 20.0}}
    table = coverage_table(adjacency, demand, supplies, CoverageConfig())
    (gap,) = coverage_gaps(table, CoverageConfig())
    assert gap.service_ids == ("known",)
    assert gap.unknown_capacity_service_ids == ("unknown",)
    assert gap.ratio == 0.1  # 2 places for 20 households: the unknown one is not 0, not free
    assert gap.explanation.endswith(
        "1 erreichbares Angebot ohne bekannte Platzzahl nicht mitgezählt."
    )
    assert gap.counts["unknown_capacity_services"] == 1
    # Only unknown places in reach: still a gap "hoch", with the unknown service named.
    supplies = supplies_by_category(services[1:], index)
    (gap,) = coverage_gaps(
        coverage_table(adjacency, demand, supplies, CoverageConfig()), CoverageConfig()
    )
    assert gap.severity == "hoch"
    assert "1 erreichbares Angebot ohne bekannte Platzzahl" in gap.explanation


def test_exports_leave_unknown_occupancy_empty(tmp_path: Path) -> None:
    bundle = Bundle()
    bundle.services.append(
        Service(id="s1", organization_id="o", name="S", capacity=10, capacity_used=None)
    )
    bundle.services.append(
        Service(id="s2", organization_id="o", name="T", capacity=10, capacity_used=0)
    )
    write_csv_folder(bundle, tmp_path)
    with (tmp_path / "services.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    assert {r["id"]: r["capacity_used"] for r in rows} == {"s1": "", "s2": "0"}
    orgs = {"o": Organization(id="o", name="O")}
    unknown = service_record(bundle.services[0], orgs, {}, {}, {})["capacities"][0]
    assert "available" not in unknown
    assert unknown["maximum"] == 10
    known = service_record(bundle.services[1], orgs, {}, {}, {})["capacities"][0]
    assert known["available"] == 10


def test_the_capacity_age_setting_reaches_every_request() -> None:
    settings = Settings(VERBUND_CAPACITY_MAX_AGE_DAYS=30)  # type: ignore[call-arg]
    assert context_settings(settings)["capacity_max_age_days"] == 30
    assert Settings().capacity_max_age_days == 90


def test_the_traeger_sees_an_outdated_occupancy_and_clears_it_by_checking(db: Graph) -> None:
    load_web_world(db)
    old = clock.today() - timedelta(days=200)
    db.query("MATCH (s:Service {id: 'sb-caritas'}) SET s.assured_date = $d", {"d": old}, write=True)
    with web_client() as client:
        sign_in(client, "traeger")
        page = client.get("/unsere-angebote")
        assert page.text.count("Belegung veraltet, bitte prüfen") == 1
        form = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page.text))
        form = {k: unescape(v) for k, v in form.items() if not k.endswith("-geprueft")}
        prefix = next(
            p
            for p, sid in re.findall(r'name="(a\d+)-id" value="([^"]+)"', page.text)
            if sid == "sb-caritas"
        )
        form[f"{prefix}-geprueft"] = "1"
        done = client.post("/unsere-angebote", data=form, follow_redirects=False)
        assert done.status_code == 303
        assert "Belegung veraltet" not in client.get("/unsere-angebote").text
