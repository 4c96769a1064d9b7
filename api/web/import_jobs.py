"""Confirmed imports of the import page, run in the background of the server process.

The confirm request only starts the import and answers at once; the page of the run shows its
progress (kept on the ImportRun by the importer, loaders/importer.py) until it ends. One
import at a time: a second one is refused while this process runs one or the database has a
run marked ``running`` (e.g. one the CLI started).

What an import that ends without a result leaves is the importer's guarantee: refused input
(the graph changed since the review) writes nothing; a failure while writing marks the run
``failed`` and importing the same file again completes it without doubles.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from graph import Graph
from graph.errors import GraphError
from loaders.errors import ImportRejected, Issue, LoaderError
from loaders.importer import ImportReport, busy_message, other_import

log = logging.getLogger(__name__)

JobState = Literal["checking", "running", "finished", "rejected", "failed"]
KEPT = 50  # ended jobs remembered for their pages (the ImportRun stays in the graph anyway)


@dataclass(slots=True)
class ImportJob:
    """One confirmed import: its run id (fixed before it starts), file and person; what
    came of it once it ended."""

    id: str
    file: str
    by: str
    started_at: datetime
    state: JobState = "checking"
    counts: dict[str, int] = field(default_factory=dict)
    pruned: int = 0
    issues: tuple[Issue, ...] = ()
    error: str = ""  # why it failed (German, one line; what to do the page adds)

    @property
    def active(self) -> bool:
        return self.state in ("checking", "running")


class ImportBusy(Exception):
    """Another import runs; the message says which and what to do (German)."""


class ImportJobs:
    """The background imports of this process (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, ImportJob] = {}
        self._threads: dict[str, threading.Thread] = {}

    def start(
        self,
        graph: Graph,
        file: str,
        by: str,
        work: Callable[[str], ImportReport],
        done: Callable[[], None],
    ) -> ImportJob:
        """Start ``work(run_id)`` in a thread and return its job; ``done`` runs after it
        (e.g. removing the upload). Raises ``ImportBusy`` while another import runs."""
        with self._lock:
            # This process's job counts before its run is recorded (while it checks again).
            active = next((j for j in self._jobs.values() if j.active), None)
            other = other_import(graph)
            if active is not None:
                raise ImportBusy(_busy(active.file, active.by, active.started_at))
            if other is not None:
                raise ImportBusy(_busy(other.file or other.source, other.by, other.started_at))
            job = ImportJob(str(uuid.uuid4()), file, by, datetime.now(UTC))
            self._jobs[job.id] = job
            self._forget_old()
            thread = threading.Thread(
                target=self._run, args=(job, work, done), name=f"import-{job.id[:8]}", daemon=True
            )
            self._threads[job.id] = thread
        thread.start()
        return job

    def get(self, job_id: str) -> ImportJob | None:
        with self._lock:
            return self._jobs.get(job_id)

    def wait(self, job_id: str, timeout: float) -> bool:
        """Wait for a job's thread to end (tests, shutdown); True if it has."""
        with self._lock:
            thread = self._threads.get(job_id)
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    def _run(
        self, job: ImportJob, work: Callable[[str], ImportReport], done: Callable[[], None]
    ) -> None:
        try:
            report = work(job.id)
        except ImportRejected as exc:
            self._end(job, "rejected", issues=tuple(exc.issues))
        except LoaderError as exc:
            self._end(job, "failed", error=str(exc))
        except GraphError as exc:
            log.warning("Import %s: Datenbankfehler %s: %s", job.id, exc.code, exc)
            self._end(job, "failed", error=str(exc))
        except Exception:
            log.exception("Import %s fehlgeschlagen", job.id)
            self._end(job, "failed", error="Ein unerwarteter Fehler ist aufgetreten.")
        else:
            counts = report.review.counts()
            self._end(job, "finished", counts=counts, pruned=sum(report.pruned.values()))
        finally:
            done()

    def _end(
        self,
        job: ImportJob,
        state: JobState,
        *,
        issues: tuple[Issue, ...] = (),
        error: str = "",
        counts: dict[str, int] | None = None,
        pruned: int = 0,
    ) -> None:
        with self._lock:
            job.state, job.issues, job.error = state, issues, error
            job.counts, job.pruned = counts or {}, pruned

    def _forget_old(self) -> None:
        ended = [j.id for j in self._jobs.values() if not j.active]
        for job_id in ended[: max(0, len(self._jobs) - KEPT)]:
            self._jobs.pop(job_id, None)
            self._threads.pop(job_id, None)


def _busy(file: str, by: str, started: datetime) -> str:
    return (
        busy_message(file, by, started)
        + " mit „Jetzt importieren“; Ihre geprüfte Datei bleibt bereit."
    )


JOBS = ImportJobs()
