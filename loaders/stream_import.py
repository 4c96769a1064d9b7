"""A large HSDS file (NDJSON or a JSON list) imported in parts, so memory does not grow with
the number of services: the same checks, counts, review and end state as ``run_import``.

Two passes over the file (``loaders/hsds/stream.py``). The first checks every record and
keeps the Träger, Standorte and Leistungsbereiche (merged over their repetitions) and the
service ids: a file with an error in any record is refused before anything is written, as
in ``run_import``. Then the head (everything but the services) is written, and the second
pass reads the services in parts of ``part_size``, each checked against the graph (limits,
places, references, domain rules), planned, reviewed and written, one part after another.

Each part commits by itself: a single transaction over 100,000 services exceeds what the
database and the driver hold in memory. Nothing is half-written all the same: before a
part is written, the undo log (``graph/undo.py``, a temporary file) notes what it creates
and saves the state of what it changes; if a part fails (an error only its checks find, a
database error, a stop), the parts written so far are taken back and the run is recorded
as ``failed`` (or ``interrupted``) with the reason. After a refused part the rest of the file
is still checked (nothing more written), so the answer lists every problem as the single
pass does.

Small files keep the single pass: ``loaders.streaming.streams`` tells from the file size
(the setting ``VERBUND_IMPORT_STREAM_BYTES``). The HSDS table package (CSV with
datapackage.json) and the other formats are always read in one pass.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from graph import audit
from graph.connection import Graph
from graph.diff import Plan
from graph.imports import (
    ImportRun,
    ImportState,
    record_progress,
    remove_orphan_events,
    start_import_run,
)
from graph.undo import UndoLog
from graph.write import DEFAULT_BATCH_SIZE, bundle_rows, write_bundle
from loaders import importer
from loaders.errors import ImportRejected, Issue, LoaderError
from loaders.hsds.directory import Directory
from loaders.hsds.stream import scan, service_parts
from loaders.importer import ImportBusy, ImportReport, Progress, busy_message
from loaders.provenance import ImportOrigin, new_run
from loaders.references import TABLE_LABELS
from loaders.review import ImportReview, RecordReview
from loaders.streaming import PART_SIZE
from loaders.tabular.reader import ParsedBundle


@dataclass(slots=True)
class _Totals:
    """The counts and review records of the parts so far (the plan's per-record outcomes
    are not kept: the review records carry them)."""

    plan: Plan = field(default_factory=Plan)
    records: list[RecordReview] = field(default_factory=list)

    def add(self, plan: Plan, records: tuple[RecordReview, ...]) -> None:
        for kind in ("created", "changed", "unchanged"):
            for label, n in getattr(plan, kind).items():
                self.plan.add(label, kind, n)
        self.records.extend(records)


def run_streamed_import(
    graph: Graph,
    path: Path,
    *,
    source: str,
    format: str = "hsds",
    dry_run: bool = False,
    prune: bool = False,
    progress: Progress | None = None,
    origin: ImportOrigin | None = None,
    repair_geometry: bool = False,
    actor: audit.Actor = audit.SYSTEM,
    purpose: str | None = None,
    run_id: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    part_size: int = PART_SIZE,
    directory: Directory | None = None,
) -> ImportReport:
    """``run_import`` for an HSDS file read in two passes and written in parts (module doc)."""
    version = _version(path)
    scanned = scan(path, source, directory)
    head = scanned.head
    kept = {"services": scanned.service_ids}

    def check(parsed: ParsedBundle, given: Mapping[str, set[str]] | None = None) -> None:
        importer.check_input(
            graph, parsed, source=source, prune=prune, repair_geometry=repair_geometry, given=given
        )

    check(head)
    started = datetime.now(UTC)
    totals = _Totals()
    head_plan, head_records = importer.plan_and_review(graph, head)
    totals.add(head_plan, head_records)
    report = ImportReport(source, format, dry_run, totals.plan, ImportReview(source, format, True))
    report.warnings = list(head.warnings)
    if prune:
        report.pruned = importer.prune_absent(graph, head, source, dry_run=True, kept=kept)
    pruned = importer.pruned_records(graph, head, source, kept) if prune else ()
    given = {TABLE_LABELS[t]: {r.id for r in getattr(head.bundle, t)} for t in head.tables}
    parts = _unchanged(service_parts(path, source, part_size, directory), path, version)
    if dry_run:
        for part in parts:
            check(part, given)
            totals.add(*importer.plan_and_review(graph, part))
        report.review = _review(report, totals, pruned, head)
        return report
    # Household-level records (the audit's) are never HSDS records: the head's entry is all.
    importer.record_write(graph, head.bundle, head_plan, source, actor, purpose)
    run = new_run(
        origin,
        source=source,
        format=format,
        started=started,
        prune=prune,
        warnings=len(report.warnings),
        rows_total=bundle_rows(head.bundle) + len(scanned.service_ids),
        run_id=run_id,
    )
    report.run_id = run.id
    other = importer.other_import(graph)
    if other is not None:
        raise ImportBusy(busy_message(other.file or other.source, other.by, other.started_at) + ".")
    start_import_run(graph, run)
    recorded = importer.recorded_progress(graph, run, progress)
    pruning = False
    with UndoLog() as log:
        try:
            writer = _PartWriter(graph, log, started, recorded, batch_size, run.rows_total)
            writer.write(head, head_plan)
            del head_plan, head_records
            refused: list[Issue] = []
            for part in parts:
                if importer.STOPPED.is_set():
                    raise KeyboardInterrupt
                try:
                    check(part, given)
                except ImportRejected as exc:
                    # Nothing more is written, but the rest of the file is still checked:
                    # the answer lists every problem, as the single pass does.
                    refused.extend(exc.issues)
                if refused:
                    continue
                plan, records = importer.plan_and_review(graph, part)
                totals.add(plan, records)
                writer.write(part, plan)
            if refused:
                raise _Late(ImportRejected(refused))
            recorded(run.rows_total, run.rows_total)
            no_op = report.is_no_op
            if prune and not no_op:
                # From here on as in the single pass: each label's prune commits by itself,
                # so a failure keeps what is written (the same file again completes it).
                pruning = True
                record_progress(graph, run.id, run.rows_total, run.rows_total, "pruning")
                report.pruned = importer.prune_absent(graph, head, source, dry_run=False, kept=kept)
            record_progress(graph, run.id, run.rows_total, run.rows_total, "settling")
            orphans = remove_orphan_events(graph, source)
            report.review = _review(report, totals, pruned, head)
            importer.settle(graph, run, "finished", report=report, revise=not no_op or orphans > 0)
        except BaseException as exc:
            _undo_and_settle(graph, None if pruning else log, run, exc)
            if isinstance(exc, _Late):
                raise exc.rejected from None
            raise
    return report


def _version(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


def _unchanged(
    parts: Iterator[ParsedBundle], path: Path, version: tuple[int, int]
) -> Iterator[ParsedBundle]:
    """The parts, as long as the file is the one the first pass checked (the second pass
    does not check again)."""
    for part in parts:
        _same(path, version)
        yield part
    _same(path, version)


def _same(path: Path, version: tuple[int, int]) -> None:
    if _version(path) != version:
        raise LoaderError(
            f"{path.name}: die Datei wurde während des Imports geändert; bitte den Import "
            "erneut starten"
        )


class _Late(Exception):
    """A part's records refused by the checks after earlier parts were written."""

    def __init__(self, rejected: ImportRejected) -> None:
        self.rejected = rejected
        # The run's record names the first problem (file, record, line, field), not a count.
        super().__init__(str(rejected.issues[0]) if rejected.issues else str(rejected))


def _review(
    report: ImportReport,
    totals: _Totals,
    pruned: tuple[RecordReview, ...],
    head: ParsedBundle,
) -> ImportReview:
    return ImportReview(
        report.source,
        report.format,
        report.dry_run,
        tuple(totals.records),
        (),
        tuple(head.warnings),
        pruned,
    )


def _undo_and_settle(graph: Graph, log: UndoLog | None, run: ImportRun, exc: BaseException) -> None:
    """Take back the parts written, then record how the run ended."""
    interrupted = isinstance(exc, KeyboardInterrupt | SystemExit) or importer.STOPPED.is_set()
    # A stop inside a driver call can leave that connection mid-transaction in the pool:
    # take back and settle over a connection of its own.
    with Graph(graph.config) as fresh:
        reason = importer.stop_reason(exc)
        try:
            if log is not None:
                log.undo(fresh)
        except Exception as failed:
            reason = (
                f"{reason}; Rücknahme der geschriebenen Teile fehlgeschlagen: "
                f"{importer.stop_reason(failed)}"
            )
        state: ImportState = "interrupted" if interrupted else "failed"
        importer.settle(fresh, run, state, error=reason)


class _PartWriter:
    """Writes one part after another: the undo log first, then the records; the progress
    counts rows over all parts."""

    def __init__(
        self,
        graph: Graph,
        log: UndoLog,
        now: datetime,
        progress: Progress,
        batch_size: int,
        total: int,
    ) -> None:
        self.graph = graph
        self.log = log
        self.now = now
        self.progress = progress
        self.batch_size = batch_size
        self.total = total
        self.done = 0

    def write(self, part: ParsedBundle, plan: Plan) -> None:
        bundle = part.bundle
        rows = bundle_rows(bundle)
        if not any(plan.created.values()) and not any(plan.changed.values()):
            # Nothing to write: as in a single pass, an unchanged record is not touched.
            self._advance(rows)
            return
        self.log.add_part(self.graph, _ids(plan, "created"), _ids(plan, "changed"))
        write_bundle(
            self.graph,
            bundle,
            now=self.now,
            stamp={"imported_at": self.now},
            progress=self._advance,
            batch_size=self.batch_size,
        )

    def _advance(self, rows: int) -> None:
        self.done += rows
        self.progress(self.done, self.total)


def _ids(plan: Plan, kind: str) -> Mapping[str, list[str]]:
    """Per label, the ids the plan says a write will create (or change), in write order."""
    return {
        label: [i for i, outcome in outcomes.items() if outcome == kind]
        for label, outcomes in plan.outcomes.items()
    }
