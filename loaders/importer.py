"""One import: validated bundle in, plan computed against the graph, batched writes, pruning
scoped to the source, and an ImportRun recording the counts. A rejected input writes nothing.

An import with household-level records is recorded through the audit gate after validation
and before the first write: if the entry cannot be written, nothing is imported.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from graph import audit
from graph.bundle import Bundle
from graph.connection import Graph
from graph.diff import Plan, plan_bundle
from graph.imports import ImportRun, prune_nodes, prune_pairs, record_import_run
from graph.write import bundle_rows, write_bundle
from loaders.errors import ImportRejected, Issue
from loaders.references import TABLE_LABELS, check_references
from loaders.tabular.reader import ParsedBundle

Progress = Callable[[int, int], None]  # (rows done, rows total)


@dataclass(slots=True)
class ImportReport:
    """What an import did (or, with ``dry_run``, would do)."""

    source: str
    format: str
    dry_run: bool
    plan: Plan
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
    actor: audit.Actor = audit.SYSTEM,
    purpose: str | None = None,
) -> ImportReport:
    """Validate references, plan, then (unless ``dry_run``) write, prune and record the run.

    ``actor`` and ``purpose`` are who imports and why, for the audit entry of household data.
    """
    # References of the valid rows are checked too, so one run reports every problem.
    issues = parsed.issues + check_references(
        graph, parsed, pruning_source=source if prune else None
    )
    if issues:
        raise ImportRejected(issues)
    started = datetime.now(UTC)
    bundle = parsed.bundle
    report = ImportReport(source, format, dry_run, plan_bundle(graph, bundle))
    report.warnings = list(parsed.warnings)
    if prune:
        report.pruned = _prune(graph, parsed, source, dry_run=True)
    if dry_run:
        return report
    _record_write(graph, bundle, report.plan, source, actor, purpose)
    _write(graph, bundle, started, progress)
    if prune:
        report.pruned = _prune(graph, parsed, source, dry_run=False)
    report.run_id = str(uuid.uuid4())
    record_import_run(
        graph,
        ImportRun(
            id=report.run_id,
            source=source,
            format=format,
            started_at=started,
            finished_at=datetime.now(UTC),
            pruned_requested=prune,
            created=report.plan.created,
            changed=report.plan.changed,
            unchanged=report.plan.unchanged,
            pruned=report.pruned,
            warnings=len(report.warnings),
        ),
    )
    return report


def _record_write(
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


def _write(graph: Graph, bundle: Bundle, now: datetime, progress: Progress | None) -> None:
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

    write_bundle(graph, bundle, now=now, stamp={"imported_at": now}, progress=advance)


def _prune(graph: Graph, parsed: ParsedBundle, source: str, *, dry_run: bool) -> dict[str, int]:
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
            keep = {r.id for r in getattr(bundle, table)}
            pruned[label] = prune_nodes(graph, label, source, keep, dry_run=dry_run)
    return {k: v for k, v in pruned.items() if v}
