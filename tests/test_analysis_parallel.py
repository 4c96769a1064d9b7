"""Gebiete side by side in worker processes give the report computed in one process."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from graph import Graph
from graph.admin import clear
from graph.analysis import parallel
from graph.analysis.config import DEFAULT_CONFIG, AnalysisConfig
from graph.analysis.projection import load_snapshot
from graph.analysis.snapshot import OrganizationInfo, Snapshot
from graph.analysis.suite import AnalysisReport, _run_scope, run_analyses
from graph.write import write_bundle
from loaders.demo import generate
from loaders.demo.county import county_bundle
from tests.test_analysis_scopes import CONFIG, _findings


def _orgs(n: int) -> Snapshot:
    return Snapshot(organizations=tuple(OrganizationInfo(id=f"o{i}", name="T") for i in range(n)))


def test_small_graphs_and_single_gebiete_stay_in_the_process() -> None:
    big = _orgs(parallel.MIN_ORGANIZATIONS)
    assert parallel.processes_for([big], 0) == 1  # one Gebiet
    assert parallel.processes_for([_orgs(10), _orgs(10)], 0) == 1  # too small to pay off
    assert parallel.processes_for([big, _orgs(1)], 1) == 1  # switched off
    assert parallel.processes_for([big, _orgs(1)], 8) == 2  # never more than Gebiete
    assert parallel.processes_for([big, _orgs(1), _orgs(1)], 2) == 2


def test_workers_give_the_same_report(db: Graph, monkeypatch: pytest.MonkeyPatch) -> None:
    clear(db)
    write_bundle(db, generate("small").bundle)
    write_bundle(db, county_bundle())
    snapshot = load_snapshot(db)
    here = run_analyses(snapshot, CONFIG, processes=1)
    monkeypatch.setattr(parallel, "MIN_ORGANIZATIONS", 0)
    assert parallel.processes_for([p.snapshot for p in here.parts], 2) == 2
    spread = run_analyses(snapshot, CONFIG, processes=2)
    assert [p.scope_id for p in spread.parts] == [p.scope_id for p in here.parts]
    assert _findings(spread) == _findings(here)
    for mine, theirs in zip(here.parts, spread.parts, strict=True):
        # The part's snapshot is the caller's own again (names, areas for the map).
        assert theirs.snapshot == mine.snapshot
        assert theirs.organization_name(mine.snapshot.organizations[0].id) == (
            mine.snapshot.organizations[0].name
        )
        assert theirs.double_support_cases == mine.double_support_cases
        assert theirs.coverage == mine.coverage
        assert set(theirs.seconds) == set(mine.seconds)
    clear(db)


def _dies_in_a_worker(part: Snapshot, config: AnalysisConfig) -> AnalysisReport:
    if multiprocessing.parent_process() is not None:
        os._exit(3)  # a worker killed (memory limit, signal) before it answers
    return _run_scope(part, config)


def test_a_broken_worker_pool_still_gives_every_report(caplog: pytest.LogCaptureFixture) -> None:
    parts = [_orgs(3), _orgs(2)]
    reports = parallel.run_parts(_dies_in_a_worker, parts, DEFAULT_CONFIG, 2)
    assert [len(r.snapshot.organizations) for r in reports] == [3, 2]
    assert "Analyse-Prozesse ausgefallen" in caplog.text
