"""The analysis cache (graph/analysis/cache.py): reused across requests, recomputed after every
kind of write the analyses read, computed once for concurrent requests, failures not kept."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, date, datetime
from typing import Any

from api.cli.privacy import months_before
from graph import Graph, revision
from graph.analysis.cache import AnalysisCache, cache_of, cached_analyse
from graph.analysis.config import DEFAULT_CONFIG, AnalysisConfig
from graph.analysis.suite import AnalysisReport
from graph.merge import merge_organizations
from graph.retention import apply_retention
from graph.write import write_bundle
from schema import Context, schema
from schema.principal import Principal, Role
from tests.analysis_fixtures import tiny_city
from tests.browser.helpers import load_demo
from tests.loader_helpers import EXAMPLE_BUNDLE, import_path
from tests.privacy_world import load
from tests.webclient import sign_in, web_client

PLANNER_QUERY = "{ networkWeakSpots { organizations } coverage { area { id } } }"


def execute(graph: Graph, role: Role, document: str, org: str | None = None) -> Any:
    context = Context(graph=graph, principal=Principal(f"t-{role}", role, org, "token"))
    result = asyncio.run(schema.execute(document, context_value=context))
    assert result.errors is None, result.errors
    return result.data


def computations(graph: Graph) -> int:
    return cache_of(graph).computations


def org_ids(graph: Graph) -> set[str]:
    return {o.id for o in cached_analyse(graph).snapshot.organizations}


def test_repeated_requests_reuse_the_result(db: Graph) -> None:
    write_bundle(db, tiny_city())
    before = computations(db)
    first = execute(db, "planner", PLANNER_QUERY)
    assert computations(db) == before + 1
    trips = db.roundtrips
    again = execute(db, "planner", PLANNER_QUERY)
    assert again == first
    assert computations(db) == before + 1
    assert db.roundtrips - trips == 1  # only the data revision is read


def test_a_directory_mutation_through_graphql_recomputes(db: Graph) -> None:
    load(db)
    organizations = execute(db, "planner", PLANNER_QUERY)["networkWeakSpots"]["organizations"]
    before = computations(db)
    created = execute(
        db,
        "coordinator",
        'mutation { createOrganization(input: {name: "Neuer Träger"}) { ... on Organization '
        "{ id } } }",
    )["createOrganization"]["id"]
    after = execute(db, "planner", PLANNER_QUERY)["networkWeakSpots"]["organizations"]
    assert computations(db) == before + 1
    assert after == organizations + 1
    assert created in org_ids(db)


def test_creating_a_referral_recomputes(db: Graph) -> None:
    load(db)
    referrals = {r.id for r in cached_analyse(db).snapshot.referrals}
    before = computations(db)
    execute(
        db,
        "caseworker",
        'mutation { createReferral(input: {household: "hh-a", '
        'fromOrganization: "jobcenter-stuttgart", toService: "svc-caritas-sb", '
        'consent: "cs-a", purpose: "Schuldnerberatung"}) { ... on Referral { id } } }',
        org="jobcenter-stuttgart",
    )
    now = {r.id for r in cached_analyse(db).snapshot.referrals}
    assert computations(db) == before + 1
    assert len(now - referrals) == 1


def test_an_import_recomputes(db: Graph) -> None:
    cached_analyse(db)
    assert org_ids(db) == set()
    before = computations(db)
    import_path(db, EXAMPLE_BUNDLE, source="beispiel")
    assert org_ids(db)  # the imported Träger are analysed
    assert computations(db) == before + 1


def test_a_merge_recomputes(db: Graph) -> None:
    write_bundle(db, tiny_city())
    assert {"o1", "o2"} <= org_ids(db)
    before = computations(db)
    merge_organizations(db, "o1", "o2")
    assert "o2" not in org_ids(db)
    assert computations(db) == before + 1


def test_retention_and_a_clear_recompute(db: Graph) -> None:
    load(db)
    referrals = len(cached_analyse(db).snapshot.referrals)
    before = computations(db)
    report = apply_retention(db, months_before(datetime.now(UTC), 24))
    assert report.households == ("hh-old",)
    assert len(cached_analyse(db).snapshot.referrals) < referrals
    assert computations(db) == before + 1
    load_demo(db, "small")  # clears first, then writes
    assert len(org_ids(db)) > 10
    assert computations(db) == before + 2


def test_writes_the_analyses_do_not_read_keep_the_result(db: Graph) -> None:
    write_bundle(db, tiny_city())
    cached_analyse(db)
    before = computations(db)
    db.query("CREATE (:AuditEvent {id: 'a-1'})", write=True, revise=False)
    cached_analyse(db)
    assert computations(db) == before


def test_a_write_outside_verbund_is_seen_after_the_maximum_age(db: Graph) -> None:
    write_bundle(db, tiny_city())
    now = [0.0]
    cache = AnalysisCache(max_age=60, max_entries=2, clock=lambda: now[0])
    cache.report(db)
    # Raw Cypher does not bump the revision (as a write outside verbund would not).
    db.query("MATCH (o:Organization {id: 'o2'}) DETACH DELETE o", write=True, revise=False)
    assert "o2" in {o.id for o in cache.report(db).snapshot.organizations}
    now[0] = 61.0
    assert "o2" not in {o.id for o in cache.report(db).snapshot.organizations}
    assert cache.computations == 2


def test_the_key_holds_the_config_and_the_day(db: Graph) -> None:
    write_bundle(db, tiny_city())
    day = [date(2026, 12, 3)]
    cache = AnalysisCache(today=lambda: day[0])
    other = AnalysisConfig(min_reported_count=DEFAULT_CONFIG.min_reported_count + 1)
    assert cache.report(db) is cache.report(db)
    assert cache.report(db, other) is not cache.report(db)
    assert cache.computations == 2
    day[0] = date(2026, 12, 4)  # services and agreements may have started or ended
    assert cache.report(db) is cache.report(db)
    assert cache.computations == 3


class Slow(AnalysisCache):
    """Holds the first computation until released, so other requests arrive meanwhile."""

    def __init__(self, fail: bool = False) -> None:
        super().__init__()
        self.release = threading.Event()
        self.started = threading.Event()
        self.fail = fail

    def _compute(self, graph: Graph, config: AnalysisConfig, day: date) -> AnalysisReport:
        self.started.set()
        assert self.release.wait(10)
        report = super()._compute(graph, config, day)
        if self.fail:
            raise RuntimeError("Analyse abgebrochen")
        return report


def _together(cache: AnalysisCache, graph: Graph, n: int) -> list[AnalysisReport | BaseException]:
    results: list[AnalysisReport | BaseException] = []
    lock = threading.Lock()

    def one() -> None:
        try:
            found: AnalysisReport | BaseException = cache.report(graph)
        except BaseException as exc:
            found = exc
        with lock:
            results.append(found)

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    assert isinstance(cache, Slow)
    assert cache.started.wait(10)
    # The first request holds its computation; the others arrive meanwhile (a short wait
    # lets every thread reach the cache) and must wait for it instead of computing too.
    threading.Event().wait(0.3)
    assert all(t.is_alive() for t in threads)
    cache.release.set()
    for t in threads:
        t.join(10)
    return results


def test_concurrent_requests_compute_once(db: Graph) -> None:
    write_bundle(db, tiny_city())
    cache = Slow()
    results = _together(cache, db, 6)
    assert cache.computations == 1
    assert len(results) == 6
    assert all(r is results[0] for r in results)
    assert isinstance(results[0], AnalysisReport)


def test_a_failure_is_not_cached(db: Graph) -> None:
    write_bundle(db, tiny_city())
    cache = Slow(fail=True)
    results = _together(cache, db, 3)
    assert cache.computations == 1
    assert all(isinstance(r, RuntimeError) for r in results)  # the waiters share the failure
    assert len(cache) == 0
    cache.fail = False
    assert isinstance(cache.report(db), AnalysisReport)
    assert cache.computations == 2


def test_writes_bump_the_revision_and_a_clear_starts_a_new_epoch(db: Graph) -> None:
    assert revision.current(db) is None  # the clear removed it: nothing is cached
    write_bundle(db, tiny_city())
    first = revision.current(db)
    assert first is not None
    merge_organizations(db, "o1", "o2")
    second = revision.current(db)
    assert second == revision.Revision(first.epoch, first.value + 1)
    db.run_implicit("MATCH (s:Service) CALL (s) { DETACH DELETE s } IN TRANSACTIONS OF 1 ROWS")
    third = revision.current(db)
    assert third == revision.Revision(first.epoch, first.value + 2)  # bumped afterwards
    db.run_implicit("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 100 ROWS")
    assert revision.current(db) is None
    write_bundle(db, tiny_city())
    fourth = revision.current(db)
    assert fourth is not None
    assert fourth.epoch != first.epoch  # a count that starts again is never mistaken


def test_web_pages_share_one_computation(db: Graph) -> None:
    load_demo(db, "small")
    before = computations(db)
    with web_client(db) as planner, web_client(db) as coordinator:
        assert sign_in(planner, "planung").status_code == 303
        assert sign_in(coordinator, "koordination").status_code == 303
        for client, path in (
            (planner, "/planung/karte?leistungsbereich=schuldnerberatung"),
            (planner, "/planung/karte?leistungsbereich=schuldnerberatung&ebene=stadtteile"),
            (planner, "/planung/luecken"),
            (coordinator, "/netzwerk"),
            (planner, "/planung/karte?leistungsbereich=schuldnerberatung"),
        ):
            assert client.get(path).status_code == 200, path
    assert computations(db) == before + 1
