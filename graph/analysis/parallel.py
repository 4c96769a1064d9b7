"""Gebiete nebeneinander rechnen: the analyses of several Gebiete in worker processes.

Each Gebiet's analyses are independent of the others (scopes.py), pure Python and bound by
the interpreter lock, so on a Land (12 Gebiete, 20,000 Träger) threads would not help and
one process uses one core. Worker processes are started with ``spawn``: the caller may be a
server process with threads and an open Neo4j driver, which ``fork`` must not copy.

Starting a worker costs about a second (imports), so small graphs stay in the calling
process; the report of each Gebiet comes back without its snapshot part (the caller holds
it already) to keep the transfer small.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from typing import TYPE_CHECKING

from graph.analysis.config import AnalysisConfig
from graph.analysis.snapshot import Snapshot

if TYPE_CHECKING:
    from graph.analysis.suite import AnalysisReport

# Below this many Träger in all Gebiete together the start of the workers costs more than
# it saves (the city demo: 1,000 Träger, analyses ≈ 1 s).
MIN_ORGANIZATIONS = 5_000

_log = logging.getLogger(__name__)

ScopeRun = Callable[[Snapshot, AnalysisConfig], "AnalysisReport"]


def processes_for(parts: Sequence[Snapshot], wanted: int) -> int:
    """How many processes to use: ``wanted`` (0: one per core), never more than Gebiete;
    1 (in the calling process) for one Gebiet or a small graph."""
    if len(parts) < 2 or sum(len(p.organizations) for p in parts) < MIN_ORGANIZATIONS:
        return 1
    return max(1, min(wanted or _cores(), len(parts)))


def _cores() -> int:
    """Cores this process may run on (a container's limit, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def run_parts(
    run: ScopeRun, parts: Sequence[Snapshot], config: AnalysisConfig, processes: int
) -> list[AnalysisReport]:
    """``run(part, config)`` for every part, in order; in ``processes`` workers when > 1."""
    if processes <= 1:
        return [run(part, config) for part in parts]
    context = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(max_workers=processes, mp_context=context) as pool:
            # The largest Gebiete first, so one big Gebiet at the end does not run alone.
            order = sorted(range(len(parts)), key=lambda i: -len(parts[i].organizations))
            futures = {i: pool.submit(_without_snapshot, run, parts[i], config) for i in order}
            return [replace(futures[i].result(), snapshot=parts[i]) for i in range(len(parts))]
    except BrokenProcessPool as exc:
        # A worker could not start or died (e.g. a script without a ``__main__`` guard, a
        # memory limit): the analyses still come, only without the workers' gain.
        _log.warning("Analyse-Prozesse ausgefallen (%s); rechne im eigenen Prozess", exc)
        return [run(part, config) for part in parts]


def _without_snapshot(run: ScopeRun, part: Snapshot, config: AnalysisConfig) -> AnalysisReport:
    return replace(run(part, config), snapshot=Snapshot())
