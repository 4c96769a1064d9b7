"""Keep the analyses warm: compute them in the background once the data has changed.

After a write the data revision (graph/revision.py) is new, and the next planner request
would compute the whole suite itself (about 18 s cold on ``large``). The served app runs a
``Precompute`` instead: it reads the revision every ``interval`` seconds (one tiny query)
and, once a new revision has held for one whole interval (an import bumps it after every
batch: it is computed after the last one, not after each), it computes the analyses in a
worker thread through the process' cache (graph/analysis/cache.py). A planner request that
arrives meanwhile finds the cache's in-flight computation for the same key and waits for it
instead of starting another; one that arrives later finds the result.

At most one computation at a time; a failure is logged and not raised (the next request
computes as without this, and sees the error itself). Writes of other processes (a CLI
import) bump the same revision and are seen the same way.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from graph import revision
from graph.analysis.cache import AnalysisCache, cache_of
from graph.analysis.config import DEFAULT_CONFIG, AnalysisConfig
from graph.connection import Graph
from graph.revision import Revision

log = logging.getLogger("verbund.analysis")

DEFAULT_INTERVAL = 2.0
"""Seconds between two reads of the revision (and the quiet time before a computation)."""


@dataclass(eq=False)
class Precompute:
    """Watches the data revision of ``graph`` and computes the analyses after a change."""

    graph: Graph
    config: AnalysisConfig = DEFAULT_CONFIG
    cache: AnalysisCache | None = None
    interval: float = DEFAULT_INTERVAL
    # How often the watcher started a computation (tests count with it).
    started: int = 0
    _seen: Revision | None = None  # the revision at the previous check
    _done: Revision | None = None  # the last revision computed (or being computed)
    _worker: threading.Thread | None = None
    _watcher: threading.Thread | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _wake: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if self.cache is None:
            self.cache = cache_of(self.graph)

    def check(self, *, settled: bool = False) -> bool:
        """One look at the revision; start the computation if it changed and has held since
        the previous look (or ``settled``: the caller knows the writes are over, e.g. an
        import finished). Whether a computation was started."""
        try:
            now = revision.current(self.graph)
        except Exception:
            log.warning(
                "Datenstand nicht lesbar; Analysen werden nicht vorberechnet", exc_info=True
            )
            return False
        with self._lock:
            held = settled or now == self._seen
            self._seen = now
            if now is None or now == self._done or not held:
                return False
            if self._worker is not None and self._worker.is_alive():
                return False  # one at a time: the next look starts the newer one
            self._done = now
            self.started += 1
            self._worker = threading.Thread(
                target=self._compute, name="verbund-analysis-precompute", daemon=True
            )
            self._worker.start()
            return True

    @property
    def latest(self) -> Revision | None:
        """The revision last computed or being computed in the background."""
        return self._done

    def _compute(self) -> None:
        assert self.cache is not None
        try:
            self.cache.report(self.graph, self.config)
        except Exception:
            # The next planner request computes itself and shows the error as it does now.
            log.exception("Vorberechnung der Analysen fehlgeschlagen")

    def wake(self) -> None:
        """The writes are over (an import finished): look now, without waiting for quiet."""
        self._wake.set()

    def start(self) -> None:
        """Look every ``interval`` seconds in a thread of its own until ``stop``."""
        if self._watcher is not None:
            return
        self._watcher = threading.Thread(
            target=self._watch, name="verbund-analysis-watch", daemon=True
        )
        self._watcher.start()

    def _watch(self) -> None:
        while not self._stop.is_set():
            woken = self._wake.wait(self.interval)
            self._wake.clear()
            if self._stop.is_set():
                return
            self.check(settled=woken)

    def stop(self, timeout: float = 5.0) -> None:
        """End the watcher (a computation under way ends by itself; it is a daemon)."""
        self._stop.set()
        self._wake.set()
        if self._watcher is not None:
            self._watcher.join(timeout)

    def join(self, timeout: float | None = None) -> None:
        """Wait for the computation under way, if any (tests, the bench)."""
        worker = self._worker
        if worker is not None:
            worker.join(timeout)
