"""Exports of the graph: the canonical bundle (CSV folder, XLSX)."""

from __future__ import annotations

from pathlib import Path

from graph.connection import Graph
from graph.readback import read_bundle
from loaders.errors import LoaderError
from loaders.tabular.writer import write_csv_folder, write_xlsx

EXPORT_FORMATS: tuple[str, ...] = ("csv", "xlsx")


def export(graph: Graph, fmt: str, path: Path, *, source: str | None = None) -> str:
    """Write the graph (or one source's part) to ``path``; return a one-line summary."""
    if fmt not in EXPORT_FORMATS:
        raise LoaderError(f"unbekanntes Exportformat {fmt!r}")
    bundle = read_bundle(graph, source=source)
    total = sum(bundle.counts().values())
    if fmt == "csv":
        files = write_csv_folder(bundle, path)
        return f"{total} Datensätze in {len(files)} CSV-Dateien nach {path}"
    write_xlsx(bundle, path)
    return f"{total} Datensätze nach {path}"
