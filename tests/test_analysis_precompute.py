"""The background precompute (graph/analysis/precompute.py): after a write the analyses are
computed once in a worker; a planner request meanwhile waits on that computation instead of
starting another, and one afterwards finds the result."""

from __future__ import annotations

import threading
import time
from datetime import date
from typing import Any

from starlette.testclient import TestClient

from api.app import create_app
from api.settings import get_settings
from graph import Graph, revision
from graph.analysis.cache import AnalysisCache, cache_of
from graph.analysis.config import AnalysisConfig
from graph.analysis.precompute import Precompute
from graph.analysis.suite import AnalysisReport
from graph.write import write_bundle
from tests.analysis_fixtures import tiny_city

PLANNER_QUERY = "{ networkWeakSpots { organizations } }"


class Held(AnalysisCache):
    """Holds every computation until released, so a request arrives while it runs."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.running = threading.Event()

    def _compute(self, graph: Graph, config: AnalysisConfig, day: date) -> AnalysisReport:
        self.running.set()
        assert self.release.wait(20)
        return super()._compute(graph, config, day)


def rename(graph: Graph) -> None:
    graph.query("MATCH (o:Organization {id: 'o1'}) SET o.name = o.name + ' neu'", write=True)


def test_a_request_after_a_write_waits_on_the_one_precomputation(db: Graph) -> None:
    write_bundle(db, tiny_city())
    cache = Held()
    cache.release.set()
    warm = cache.report(db)
    precompute = Precompute(db, cache=cache, interval=60)
    assert precompute.check() is False  # the first look only notes the revision
    assert precompute.check() is True  # held: the worker finds the result ready
    precompute.join(20)
    assert cache.computations == 1
    assert precompute.check() is False  # this revision is done
    cache.release.clear()
    cache.running.clear()
    rename(db)
    assert precompute.check() is False  # new, but not yet held for one interval
    assert precompute.check() is True  # held: the worker starts
    assert cache.running.wait(20)
    answers: list[AnalysisReport] = []
    request = threading.Thread(target=lambda: answers.append(cache.report(db)))
    request.start()
    request.join(0.5)
    assert request.is_alive()  # waiting on the precompute's computation, not computing
    assert precompute.check() is False  # at most one at a time, and this one is done
    cache.release.set()
    request.join(20)
    precompute.join(20)
    assert cache.computations == 2  # the warm one, and the precompute after the write
    (report,) = answers
    assert report is not warm
    assert report is cache.report(db)
    assert cache.computations == 2


def test_writes_still_under_way_are_not_computed_after_each_batch(db: Graph) -> None:
    write_bundle(db, tiny_city())
    cache = AnalysisCache()
    precompute = Precompute(db, cache=cache, interval=60)
    precompute.check()
    for _ in range(3):  # an import's batches: the revision moves between two looks
        rename(db)
        assert precompute.check() is False
    assert precompute.check(settled=True) is True  # the import says it is over
    precompute.join(20)
    assert cache.computations == 1
    assert precompute.latest == revision.current(db)


def test_a_failure_is_logged_not_raised(db: Graph, caplog: Any) -> None:
    write_bundle(db, tiny_city())

    class Failing(AnalysisCache):
        def _compute(self, graph: Graph, config: AnalysisConfig, day: date) -> AnalysisReport:
            raise RuntimeError("Analyse abgebrochen")

    precompute = Precompute(db, cache=Failing(), interval=60)
    assert precompute.check(settled=True) is True
    precompute.join(20)
    assert "Vorberechnung der Analysen fehlgeschlagen" in caplog.text


def test_the_served_app_computes_after_a_mutation_before_any_planner_asks(
    db: Graph, auth_headers: Any
) -> None:
    write_bundle(db, tiny_city())
    app = create_app(graph=db, precompute=True)
    coordinator = auth_headers("coordinator")
    planner = auth_headers("planner")
    with TestClient(app) as client:
        precompute = app.state.precompute
        assert isinstance(precompute, Precompute)
        created = client.post(
            "/graphql",
            headers=coordinator,
            json={"query": 'mutation { createOrganization(input: {name: "Neu"}) { __typename } }'},
        )
        assert created.status_code == 200, created.text
        changed = revision.current(db)
        deadline = time.monotonic() + 30
        while precompute.latest != changed and time.monotonic() < deadline:
            precompute.wake()
            time.sleep(0.1)
        assert precompute.latest == changed
        precompute.join(60)
        computed = cache_of(db).computations
        answer = client.post("/graphql", headers=planner, json={"query": PLANNER_QUERY})
        assert answer.status_code == 200, answer.text
        assert cache_of(db).computations == computed  # found ready


def test_off_by_default_in_tests_and_by_the_setting(db: Graph) -> None:
    with TestClient(create_app(graph=db)) as client:
        assert client.app.state.precompute is None  # type: ignore[attr-defined]
    off = get_settings().model_copy(update={"analysis_precompute": False})
    app = create_app(off, graph=db, precompute=True)
    with TestClient(app):
        assert app.state.precompute is None
