"""Analysis results reused across requests until the data changes.

Every planner page and GraphQL analysis field needs the whole suite (one whole-graph read and
the networkx analyses: about a second on the city demo, ten on ``large``). The result depends
only on the data, the thresholds and the day (services and agreements are current or not by
date), so it is kept per (data revision, config, day): the revision (graph/revision.py) is
bumped by every write the analyses read, in the write's own transaction, and read here with
one tiny query per request. Each worker process keeps its own cache; the revision keeps them
all exact. A maximum age (``VERBUND_ANALYSIS_CACHE_SECONDS``) covers writes made outside
verbund (raw Cypher), a bound on entries the memory.

What is cached is the raw report, the same for every caller: what a planner may see of it is
decided per request by graph/analysis/planner_view.py, as without the cache.

Concurrent requests for the same key compute once; the others wait for that result. A failed
computation is not kept: its waiters get the error, the next request computes again.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import date

from graph import clock, revision
from graph.analysis.config import DEFAULT_CONFIG, AnalysisConfig
from graph.analysis.projection import load_snapshot
from graph.analysis.suite import AnalysisReport, run_analyses
from graph.connection import DEFAULT_ANALYSIS_CACHE_ENTRIES, DEFAULT_ANALYSIS_CACHE_SECONDS, Graph
from graph.revision import Revision


@dataclass(frozen=True, slots=True)
class _Key:
    revision: Revision
    config: AnalysisConfig
    day: date


@dataclass(frozen=True, slots=True)
class _Entry:
    report: AnalysisReport
    at: float


class AnalysisCache:
    """The reports of one process, by data revision, config and day."""

    def __init__(
        self,
        max_age: float = DEFAULT_ANALYSIS_CACHE_SECONDS,
        max_entries: int = DEFAULT_ANALYSIS_CACHE_ENTRIES,
        *,
        clock: Callable[[], float] = time.monotonic,
        today: Callable[[], date] = clock.today,
    ) -> None:
        self.max_age = max_age
        self.max_entries = max_entries
        self.clock = clock
        self.today = today
        # How often the suite ran (tests and the bench count recomputations with it).
        self.computations = 0
        self._lock = threading.Lock()
        self._entries: OrderedDict[_Key, _Entry] = OrderedDict()
        self._flights: dict[_Key, Future[AnalysisReport]] = {}

    def report(self, graph: Graph, config: AnalysisConfig = DEFAULT_CONFIG) -> AnalysisReport:
        """The analyses of the data as it is now: cached, or computed once for everyone."""
        day = self.today()
        if self.max_age <= 0 or self.max_entries <= 0:
            return self._compute(graph, config, day)
        # Read before the snapshot: a write committed in between makes the result newer than
        # its key (recomputed at the next request), never older.
        now_revision = revision.current(graph)
        if now_revision is None:
            # Nothing written through verbund since the database was created or cleared.
            return self._compute(graph, config, day)
        key = _Key(now_revision, config, day)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and self.clock() - entry.at < self.max_age:
                self._entries.move_to_end(key)
                return entry.report
            flight = self._flights.get(key)
            leader = flight is None
            if flight is None:
                flight = self._flights[key] = Future()
        if not leader:
            return flight.result()
        try:
            report = self._compute(graph, config, day)
        except BaseException as exc:
            with self._lock:
                del self._flights[key]
            flight.set_exception(exc)
            raise
        with self._lock:
            del self._flights[key]
            self._store(key, report)
        flight.set_result(report)
        return report

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def _compute(self, graph: Graph, config: AnalysisConfig, day: date) -> AnalysisReport:
        with self._lock:
            self.computations += 1
        snapshot = load_snapshot(graph, today=day)
        return run_analyses(snapshot, config, processes=graph.config.analysis_processes)

    def _store(self, key: _Key, report: AnalysisReport) -> None:
        # Results of other revisions are of no use any more (the revision only grows).
        for old in [k for k in self._entries if k.revision != key.revision]:
            del self._entries[old]
        self._entries[key] = _Entry(report, self.clock())
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)


_caches: weakref.WeakKeyDictionary[Graph, AnalysisCache] = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def cache_of(graph: Graph) -> AnalysisCache:
    """The cache of this process' handle on Neo4j (sized by its config)."""
    with _caches_lock:
        found = _caches.get(graph)
        if found is None:
            found = _caches[graph] = AnalysisCache(
                graph.config.analysis_cache_seconds, graph.config.analysis_cache_entries
            )
        return found


def cached_analyse(graph: Graph, config: AnalysisConfig = DEFAULT_CONFIG) -> AnalysisReport:
    """``analyse`` through the process' cache: what GraphQL and the web pages call."""
    return cache_of(graph).report(graph, config)
