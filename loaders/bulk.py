"""The bulk first load: a validated bundle into an empty local database through
``neo4j-admin database import`` (``verbund import --bulk``).

The same checks as a normal import run first (a rejected input changes nothing). The records
become import files (graph/bulk.py) holding what the transactional writer would store, the
audit entries of the household data included: they are loaded together, so there is never
data without its entry. ``load`` is the offline step (api/localneo4j.py: stop the server,
import, start it; on failure the old store is put back). Afterwards the schema is created
(migrations), empty lists are set, and the run is recorded as an ImportRun like any import.
A later normal import of the same records is a no-op.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from graph import audit
from graph.bulk import BulkUnsupported, only_bookkeeping, set_empty_lists, write_files
from graph.connection import Graph
from graph.diff import Plan, node_groups
from graph.imports import ImportRun, finish_import_run, start_import_run
from graph.migrations import migrate
from graph.model import NODE_SPECS
from graph.write import bundle_rows
from loaders.errors import LoaderError
from loaders.importer import ImportReport, check_input
from loaders.provenance import ImportOrigin, new_run
from loaders.review import ImportReview
from loaders.tabular.reader import ParsedBundle

# The offline step: the tool's file arguments in, its seconds out.
OfflineLoad = Callable[[list[str]], float]

NOT_EMPTY = (
    "Der Schnellimport (--bulk) ersetzt die ganze Datenbank und geht deshalb nur in eine "
    "leere Datenbank; diese enthält schon Daten (oder Benutzer, Tokens, Protokoll). Bitte "
    "ohne --bulk importieren."
)


class BulkRefused(LoaderError):
    """The bulk load cannot be used here; nothing was written (German message)."""


@dataclass(frozen=True, slots=True)
class BulkTimes:
    """Where a bulk load's time went, in seconds."""

    files: float
    tool: float
    total: float


def run_bulk_import(
    graph: Graph,
    parsed: ParsedBundle,
    *,
    source: str,
    format: str,
    load: OfflineLoad,
    origin: ImportOrigin | None = None,
    actor: audit.Actor = audit.SYSTEM,
    purpose: str | None = None,
    workdir: Path | None = None,
) -> tuple[ImportReport, BulkTimes]:
    """Check, write the import files, load them offline, migrate; record the run."""
    started = datetime.now(UTC)
    clock = _Clock()
    if not only_bookkeeping(graph):
        raise BulkRefused(NOT_EMPTY)
    check_input(graph, parsed, source=source)
    bundle = parsed.bundle
    plan = Plan()
    for records in node_groups(bundle):
        if records:
            plan.add(NODE_SPECS[type(records[0])].label, "created", len({r.id for r in records}))
    pairs = {
        "MEMBER_OF": len({(m.organization_id, m.network_id) for m in bundle.memberships}),
        "ADJACENT_TO": len({frozenset((a.area_id, a.other_area_id)) for a in bundle.adjacencies}),
    }
    for rel_type, count in pairs.items():
        if count:
            plan.add(rel_type, "created", count)
    records = audit.bundle_records(bundle)
    events = (
        audit.events_for(
            actor, action="write", operation=f"import {source}", purpose=purpose, records=records
        )
        if records
        else []
    )
    with tempfile.TemporaryDirectory(dir=workdir, prefix="verbund-bulk-") as tmp:
        try:
            files = write_files(
                bundle,
                Path(tmp),
                now=started,
                stamp={"imported_at": started},
                extra_nodes=[("AuditEvent", audit.props(e)) for e in events],
            )
        except BulkUnsupported as exc:
            raise BulkRefused(
                f"Schnellimport nicht möglich ({exc}); nichts wurde geschrieben. Bitte ohne "
                "--bulk importieren."
            ) from exc
        written = clock.lap()
        tool = load(files.arguments())
    # A new database behind the same address: the old connections' bookmarks name
    # transactions it never had, so the rest goes over a connection of its own.
    with Graph(graph.config) as fresh:
        run = _settle(fresh, parsed, files.empty_lists, plan, source, format, origin, started)
    review = ImportReview(source, format, False, (), (), tuple(parsed.warnings))
    report = ImportReport(source, format, False, plan, review, run_id=run.id)
    report.warnings = list(parsed.warnings)
    return report, BulkTimes(written, tool, clock.total())


def _settle(
    graph: Graph,
    parsed: ParsedBundle,
    empty_lists: Mapping[tuple[str, str], list[str]],
    plan: Plan,
    source: str,
    format: str,
    origin: ImportOrigin | None,
    started: datetime,
) -> ImportRun:
    """After the load: schema, empty lists, and the run recorded as finished."""
    migrate(graph)
    set_empty_lists(graph, empty_lists)
    run = new_run(
        origin,
        source=source,
        format=format,
        started=started,
        prune=False,
        warnings=len(parsed.warnings),
        rows_total=bundle_rows(parsed.bundle),
    )
    start_import_run(graph, run)
    finish_import_run(
        graph,
        replace(run, state="finished", finished_at=datetime.now(UTC), created=plan.created),
    )
    return run


class _Clock:
    def __init__(self) -> None:
        self._now = time.perf_counter
        self._start = self._last = self._now()

    def lap(self) -> float:
        now = self._now()
        seconds, self._last = now - self._last, now
        return seconds

    def total(self) -> float:
        return self._now() - self._start
