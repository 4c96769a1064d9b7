"""One import: validated bundle in, absent columns filled from the graph, a review and plan
computed against it, batched writes, pruning scoped to the source, and an ImportRun recording
who, which file, the counts and how it ended. A rejected input writes nothing.

An import with household-level records is recorded through the audit gate after validation
and before the first write: if the entry cannot be written, nothing is imported.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from graph import audit
from graph.bundle import Bundle
from graph.connection import Graph
from graph.diff import Plan, plan_bundle
from graph.imports import (
    ImportRun,
    ImportState,
    absent_ids,
    area_extent,
    finish_import_run,
    mark_interrupted,
    prune_nodes,
    prune_pairs,
    record_progress,
    remove_orphan_events,
    running_imports,
    running_runs,
    start_import_run,
)
from graph.write import DEFAULT_BATCH_SIZE, bundle_rows, write_bundle
from loaders.absent import keep_absent, partial_ids, stored_records
from loaders.domain import check_domain
from loaders.errors import ImportRejected, Issue, LoaderError
from loaders.geo.plausible import Extent, check_places
from loaders.limits import check_limits
from loaders.provenance import ImportOrigin, new_run
from loaders.references import TABLE_LABELS, check_references
from loaders.review import ImportReview, RecordReview, changed_ids, review_records
from loaders.tabular.reader import ParsedBundle
from loaders.values import LOCAL_TZ

Progress = Callable[[int, int], None]  # (rows done, rows total)


@dataclass(slots=True)
class ImportReport:
    """What an import did (or, with ``dry_run``, would do)."""

    source: str
    format: str
    dry_run: bool
    plan: Plan
    review: ImportReview
    pruned: dict[str, int] = field(default_factory=dict)
    run_id: str | None = None
    warnings: list[Issue] = field(default_factory=list)

    def row(self, label: str) -> tuple[int, int, int, int]:
        return (
            self.plan.created.get(label, 0),
            self.plan.changed.get(label, 0),
            self.plan.unchanged.get(label, 0),
            self.pruned.get(label, 0),
        )

    def labels(self) -> list[str]:
        return sorted(set(self.plan.labels()) | set(self.pruned))

    @property
    def is_no_op(self) -> bool:
        return (
            not any(self.plan.created.values())
            and not any(self.plan.changed.values())
            and not any(self.pruned.values())
        )


def run_import(
    graph: Graph,
    parsed: ParsedBundle,
    *,
    source: str,
    format: str,
    dry_run: bool = False,
    prune: bool = False,
    progress: Progress | None = None,
    origin: ImportOrigin | None = None,
    repair_geometry: bool = False,
    actor: audit.Actor = audit.SYSTEM,
    purpose: str | None = None,
    run_id: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> ImportReport:
    """Validate everything, plan, then (unless ``dry_run``) write, prune and record the run.

    Every check runs before the first write: a rejected input leaves the graph unchanged
    (not even an ImportRun). A run is recorded as ``running`` before it writes and settled
    as ``finished``, ``failed`` or ``interrupted``. ``actor`` and ``purpose`` are who imports
    and why, for the audit entry of household data. ``run_id`` names the run in advance (the
    import page shows it while the import checks); the run keeps its progress (rows written
    of all rows, phase) after each batch.
    """
    check_input(graph, parsed, source=source, prune=prune, repair_geometry=repair_geometry)
    started = datetime.now(UTC)
    bundle = parsed.bundle
    plan, records = plan_and_review(graph, parsed)
    review = ImportReview(source, format, dry_run, records, (), tuple(parsed.warnings))
    report = ImportReport(source, format, dry_run, plan, review)
    report.warnings = list(parsed.warnings)
    if prune:
        report.pruned = prune_absent(graph, parsed, source, dry_run=True)
        report.review = replace(review, pruned=pruned_records(graph, parsed, source))
    if dry_run:
        return report
    record_write(graph, bundle, report.plan, source, actor, purpose)
    run = new_run(
        origin,
        source=source,
        format=format,
        started=started,
        prune=prune,
        warnings=len(report.warnings),
        rows_total=bundle_rows(bundle),
        run_id=run_id,
    )
    report.run_id = run.id
    other = other_import(graph)
    if other is not None:
        raise ImportBusy(busy_message(other.file or other.source, other.by, other.started_at) + ".")
    # A re-import that changes nothing writes no data: the data revision stays, and with it
    # the analyses' cache (graph/revision.py). The plan compares properties and references
    # the way the writer does (graph/diff.py), and the dry prune counted what would go.
    no_op = report.is_no_op
    start_import_run(graph, run)
    try:
        if no_op:
            recorded_progress(graph, run, progress)(run.rows_total, run.rows_total)
        else:
            _write(graph, bundle, started, recorded_progress(graph, run, progress), batch_size)
        if prune and not no_op:
            record_progress(graph, run.id, run.rows_total, run.rows_total, "pruning")
            report.pruned = prune_absent(graph, parsed, source, dry_run=False)
        record_progress(graph, run.id, run.rows_total, run.rows_total, "settling")
        # What an earlier, killed run of this source may have left behind.
        orphans = remove_orphan_events(graph, source)
        # Inside the guard: a stop (SIGTERM) while the run is being settled still settles it.
        settle(graph, run, "finished", report=report, revise=not no_op or orphans > 0)
    except BaseException as exc:
        # A signal raised in the middle of a driver call may come out as a driver error.
        interrupted = isinstance(exc, KeyboardInterrupt | SystemExit) or STOPPED.is_set()
        if interrupted:
            # A stop inside a driver call can leave that connection mid-transaction in the
            # pool (the next BEGIN is refused): settle over a connection of its own.
            with Graph(graph.config) as fresh:
                settle(fresh, run, "interrupted", error=stop_reason(exc))
        else:
            settle(graph, run, "failed", error=stop_reason(exc))
        raise
    return report


def plan_and_review(graph: Graph, parsed: ParsedBundle) -> tuple[Plan, tuple[RecordReview, ...]]:
    """Absent columns filled from the graph, then what writing would do, record by record."""
    bundle = parsed.bundle
    # Stored versions are read only where needed: to complete records of a file with
    # missing columns, and to show a changed record's fields old → new.
    stored = stored_records(graph, bundle, partial_ids(parsed))
    keep_absent(graph, parsed, stored)
    plan = plan_bundle(graph, bundle)
    wanted = {
        t: [i for i in ids if i not in stored.get(t, {})] for t, ids in changed_ids(plan).items()
    }
    old = stored_records(graph, bundle, wanted)
    for table, records in stored.items():
        old.setdefault(table, {}).update(records)
    return plan, review_records(parsed, plan, old)


def check_input(
    graph: Graph,
    parsed: ParsedBundle,
    *,
    source: str,
    prune: bool = False,
    repair_geometry: bool = False,
    given: Mapping[str, set[str]] | None = None,
) -> None:
    """Every check an import runs before it writes; raise ImportRejected with all issues.

    References of the valid rows are checked too, so one run reports every problem.
    ``given``: ids (per label) of this import's records written before (a streamed part)."""
    known = area_extent(graph)
    pruning = source if prune else None
    issues = (
        parsed.issues
        + check_limits(parsed)
        + check_places(parsed, Extent(*known) if known else None, repair_geometry=repair_geometry)
        + check_references(graph, parsed, pruning_source=pruning, given=given)
    )
    issues += check_domain(parsed, issues)
    if issues:
        raise ImportRejected(issues)


def record_write(
    graph: Graph,
    bundle: Bundle,
    plan: Plan,
    source: str,
    actor: audit.Actor,
    purpose: str | None,
) -> None:
    """The audit entry of the household-level records about to be written.

    Written first, so an import that cannot be recorded writes nothing; if the import fails
    later, the entry names what was to be written (one entry too many, never one too few).
    The plan counts per label: every record of a label with new or changed rows is named
    (a re-import that changes no household-level row writes none and is not recorded). A
    dry run reads only counts and is not recorded either.
    """
    writing = {label for counts in (plan.created, plan.changed) for label, n in counts.items() if n}
    if "ReferralEvent" in writing:  # a referral's history is written with the referral
        writing.add("Referral")
    records = [r for r in audit.bundle_records(bundle) if r.split(":", 1)[0] in writing]
    if records:
        events = audit.events_for(
            actor, action="write", operation=f"import {source}", purpose=purpose, records=records
        )
        audit.gate(graph, events, "deshalb wurde nichts importiert")


def settle(
    graph: Graph,
    run: ImportRun,
    state: ImportState,
    *,
    report: ImportReport | None = None,
    error: str = "",
    revise: bool = True,
) -> None:
    counts: dict[str, Any] = {"errors": 1 if error else 0}
    if report is not None:
        counts = {
            "created": report.plan.created,
            "changed": report.plan.changed,
            "unchanged": report.plan.unchanged,
            "pruned": report.pruned,
        }
    finish_import_run(
        graph,
        replace(run, state=state, finished_at=datetime.now(UTC), error=error, **counts),
        revise=revise,
    )


STOPPED = threading.Event()


def request_stop() -> None:
    """Note that the process was told to stop (SIGTERM): the running import then records
    itself as ``interrupted``, whatever error the stop surfaces as."""
    STOPPED.set()


def stop_reason(exc: BaseException) -> str:
    """One line for the record: the error's text, never a traceback."""
    if isinstance(exc, KeyboardInterrupt | SystemExit) or STOPPED.is_set():
        return "abgebrochen (Strg+C oder Signal)"
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:500]


class ImportBusy(LoaderError):
    """Another import is running on this database; nothing was written."""


def other_import(graph: Graph) -> ImportRun | None:
    """A run still writing (of any machine; lost runs of this one settled first), or None:
    one import at a time, so two never write the same records against each other."""
    settle_lost_runs(graph)
    running = running_runs(graph)
    return running[0] if running else None


def busy_message(file: str, by: str, started: datetime) -> str:
    """Why an import is refused while another runs, and what to do (German)."""
    when = started.astimezone(LOCAL_TZ).strftime("%d.%m.%Y, %H:%M")
    who = f" durch {by}" if by else ""
    return (
        f"Es läuft gerade ein anderer Import ({file}, begonnen {when}{who}). Es kann immer nur "
        "ein Import auf einmal laufen; nichts wurde geschrieben. Warten Sie, bis er fertig ist, "
        "und starten Sie dann erneut"
    )


def settle_lost_runs(graph: Graph) -> int:
    """Mark the runs of this machine whose process is gone as ``interrupted`` (a killed
    import cannot do it itself); returns how many."""
    lost = [
        run_id
        for run_id, pid in running_imports(graph, socket.gethostname())
        if pid != os.getpid() and not _alive(pid)
    ]
    mark_interrupted(graph, lost, "Importprozess beendet, ohne den Lauf abzuschließen")
    return len(lost)


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def recorded_progress(graph: Graph, run: ImportRun, progress: Progress | None) -> Progress:
    """The progress callback that also keeps the count on the run (one small write a batch,
    so the import page can show how far a long import is, also one the CLI started)."""

    def advance(done: int, total: int) -> None:
        record_progress(graph, run.id, done, total, "writing")
        if progress is not None:
            progress(done, total)

    return advance


def _write(
    graph: Graph, bundle: Bundle, now: datetime, progress: Progress | None, batch_size: int
) -> None:
    """Write in one pass (references first), reporting progress after each batch.

    One ``write_bundle`` call, not one per chunk: the writer then knows that a label empty
    at the start stays new in every later batch and skips the state reads.
    """
    total = bundle_rows(bundle)
    done = 0

    def advance(rows: int) -> None:
        nonlocal done
        done += rows
        if progress is not None:
            progress(done, total)

    write_bundle(
        graph, bundle, now=now, stamp={"imported_at": now}, progress=advance, batch_size=batch_size
    )


def _keep(parsed: ParsedBundle, table: str, kept: Mapping[str, set[str]] | None) -> set[str]:
    """The ids of a table that a prune keeps: the bundle's, or those given (a streamed import
    holds the ids of its services, not their records)."""
    if kept is not None and table in kept:
        return kept[table]
    return {r.id for r in getattr(parsed.bundle, table)}


def prune_absent(
    graph: Graph,
    parsed: ParsedBundle,
    source: str,
    *,
    dry_run: bool,
    kept: Mapping[str, set[str]] | None = None,
) -> dict[str, int]:
    """Remove what this source imported before but this import no longer contains.

    Only the tables the import contains are pruned: importing a lone ``services.csv`` with
    ``--prune`` never deletes that source's organizations.
    """
    bundle = parsed.bundle
    pruned: dict[str, int] = {}
    # Relationship rows first: pruning a node takes its relationships with it.
    if "memberships" in parsed.tables:
        keep_pairs = {(m.organization_id, m.network_id) for m in bundle.memberships}
        pruned["MEMBER_OF"] = prune_pairs(graph, "MEMBER_OF", source, keep_pairs, dry_run=dry_run)
    if "adjacencies" in parsed.tables:
        keep_pairs = {(a.area_id, a.other_area_id) for a in bundle.adjacencies}
        pruned["ADJACENT_TO"] = prune_pairs(
            graph, "ADJACENT_TO", source, keep_pairs, dry_run=dry_run
        )
    for table in sorted(parsed.tables):
        if table in TABLE_LABELS:
            label = TABLE_LABELS[table]
            keep = _keep(parsed, table, kept)
            pruned[label] = prune_nodes(graph, label, source, keep, dry_run=dry_run)
    return {k: v for k, v in pruned.items() if v}


def pruned_records(
    graph: Graph,
    parsed: ParsedBundle,
    source: str,
    kept: Mapping[str, set[str]] | None = None,
) -> tuple[RecordReview, ...]:
    """Each record ``--prune`` would remove, for the review (the tables of ``prune_absent``)."""
    records: list[RecordReview] = []
    for table in sorted(parsed.tables):
        if table in TABLE_LABELS:
            label = TABLE_LABELS[table]
            keep = _keep(parsed, table, kept)
            records += [
                RecordReview(table, label, ident, "pruned")
                for ident in absent_ids(graph, label, source, keep)
            ]
    return tuple(records)
