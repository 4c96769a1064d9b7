"""Exports of the graph: the canonical bundle (CSV folder, XLSX), HSDS 3.x JSON, and the
cooperation network as GraphML or GEXF.

The bundle formats carry household-level records (Sozialdaten): before the first byte is
written, the export is recorded through the audit gate, and if that fails nothing is written.
"""

from __future__ import annotations

from pathlib import Path

from graph import audit
from graph.bundle import Bundle
from graph.connection import Graph
from graph.readback import read_bundle
from loaders.errors import LoaderError
from loaders.hsds.writer import write_hsds
from loaders.network_export import NETWORK_FORMATS, write_network
from loaders.tabular.writer import write_csv_folder, write_xlsx

EXPORT_FORMATS: tuple[str, ...] = ("csv", "xlsx", "hsds", *NETWORK_FORMATS)
# Formats that write the whole bundle, household-level records included.
HOUSEHOLD_FORMATS: frozenset[str] = frozenset({"csv", "xlsx"})


def export(
    graph: Graph,
    fmt: str,
    path: Path,
    *,
    source: str | None = None,
    actor: audit.Actor = audit.SYSTEM,
    purpose: str | None = None,
) -> str:
    """Write the graph (or one source's part) to ``path``; return a one-line summary.

    ``actor`` and ``purpose`` are who exports and why, for the audit entry (an export of
    household data without a stated purpose is recorded as "nicht angegeben").
    """
    if fmt not in EXPORT_FORMATS:
        raise LoaderError(f"unbekanntes Exportformat {fmt!r}")
    bundle = read_bundle(graph, source=source)
    if fmt in HOUSEHOLD_FORMATS:
        _record_release(graph, bundle, fmt, actor, purpose)
    if fmt in NETWORK_FORMATS:
        nodes, edges = write_network(bundle, fmt, path)
        return f"Kooperationsnetz mit {nodes} Knoten und {edges} Kanten nach {path}"
    if fmt == "hsds":
        count = write_hsds(bundle, path)
        return f"{count} Angebote (HSDS 3.x) nach {path}"
    total = sum(bundle.counts().values())
    if fmt == "csv":
        files = write_csv_folder(bundle, path)
        return f"{total} Datensätze in {len(files)} CSV-Dateien nach {path}"
    write_xlsx(bundle, path)
    return f"{total} Datensätze nach {path}"


def _record_release(
    graph: Graph, bundle: Bundle, fmt: str, actor: audit.Actor, purpose: str | None
) -> None:
    """The export's audit entry, before anything is written (``AuditFailed``: nothing is)."""
    records = audit.bundle_records(bundle)
    if records:
        events = audit.events_for(
            actor, action="read", operation=f"export {fmt}", purpose=purpose, records=records
        )
        audit.gate(graph, events, "deshalb wurde keine Datei geschrieben")
