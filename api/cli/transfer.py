"""``verbund import`` and ``verbund export``: files in and out, with progress and a summary."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, get_args

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.cli._common import open_graph, operator, purpose_option
from graph.records import AreaLevel
from loaders.errors import ImportRejected, Issue, LoaderError
from loaders.export import EXPORT_FORMATS, export
from loaders.formats import IMPORT_FORMATS, default_source, graph_areas, parse_input
from loaders.geo.reader import GeoJsonOptions
from loaders.importer import ImportReport, run_import

MAX_SHOWN_ISSUES = 200
AREA_LEVELS: tuple[str, ...] = get_args(AreaLevel)


@contextmanager
def loader_errors(console: Console) -> Iterator[None]:
    """Rejected input as a clean list of issues, other loader errors as one line; exit 1."""
    try:
        yield
    except ImportRejected as exc:
        console.print(f"[bold red]Import abgelehnt:[/] {exc}")
        for issue in exc.issues[:MAX_SHOWN_ISSUES]:
            console.print(f"  • {issue}", markup=False, highlight=False, soft_wrap=True)
        if len(exc.issues) > MAX_SHOWN_ISSUES:
            console.print(f"  … und {len(exc.issues) - MAX_SHOWN_ISSUES} weitere")
        raise SystemExit(1) from None
    except LoaderError as exc:
        raise click.ClickException(str(exc)) from exc


@click.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(IMPORT_FORMATS), default="auto", show_default=True
)
@click.option(
    "--mapping",
    type=click.Path(path_type=Path, exists=True, dir_okay=False),
    help="YAML-Zuordnung für fremde Listen (Dateien darin relativ zu PATH)",
)
@click.option("--source", help="Name der Quelle (Standard: Datei- oder Ordnername)")
@click.option("--dry-run", is_flag=True, help="nur anzeigen, was sich ändern würde")
@click.option("--prune", is_flag=True, help="fehlende Zeilen dieser Quelle löschen")
@click.option(
    "--level", type=click.Choice(AREA_LEVELS), help="GeoJSON: Ebene der Sozialräume (district)"
)
@click.option("--id-property", help="GeoJSON: Eigenschaft mit der Id (Standard: erkannt)")
@click.option("--name-property", help="GeoJSON: Eigenschaft mit dem Namen (Standard: erkannt)")
@click.option("--id-prefix", help="GeoJSON: Vorsatz vor jeder Id, z. B. berlin-")
@click.option("--parent-id", help="GeoJSON: alle Flächen liegen in diesem Sozialraum")
@click.option(
    "--parent-prefix",
    type=click.IntRange(min=1),
    help="GeoJSON: Elternraum = die ersten N Zeichen der Id (mit --id-prefix)",
)
@click.option("--parent-property", help="GeoJSON: Eigenschaft mit der Id des Elternraums")
@click.option(
    "--parent-level",
    type=click.Choice(AREA_LEVELS),
    help="GeoJSON: Elternraum = der Sozialraum dieser Ebene, der die Fläche enthält",
)
@click.option(
    "--crs",
    help="GeoJSON: Koordinatensystem der Datei (statt ihres crs-Eintrags), z. B. EPSG:25833",
)
@purpose_option
def import_(
    path: Path,
    fmt: str,
    mapping: Path | None,
    source: str | None,
    dry_run: bool,
    prune: bool,
    purpose: str | None,
    **geo: Any,
) -> None:
    """Datei oder Ordner importieren (Bündel als CSV/XLSX, HSDS-JSON, GeoJSON-Flächen,
    Zuordnungsdatei).

    GeoJSON-Flächen (.geojson) werden Sozialräume mit Geometrie, Mittelpunkt und Nachbarschaft
    aus gemeinsamen Grenzen; die --…-Optionen mit „GeoJSON:“ steuern Id, Name, Ebene und
    Einordnung.

    Haushaltsdaten (Haushalte, Bedarfe, Einwilligungen, Überleitungen) werden vor dem
    Schreiben im Zugriffsprotokoll vermerkt; ist das nicht möglich, wird nichts importiert.
    """
    console = Console()
    with loader_errors(console), open_graph() as graph:
        source = source or default_source(path, mapping)
        options = _geojson_options(geo)
        with console.status("Lesen und Prüfen …"):
            parsed, used = parse_input(
                path, fmt, source, mapping=mapping, lookup=graph_areas(graph), geojson=options
            )
        with _progress(console) as progress:
            task = progress.add_task("Schreiben", total=None)
            report = run_import(
                graph,
                parsed,
                source=source,
                format=used,
                dry_run=dry_run,
                prune=prune,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
                actor=operator(),
                purpose=purpose,
            )
    console.print(summary_table(report))
    print_warnings(console, report.warnings)


def print_warnings(console: Console, warnings: list[Issue]) -> None:
    """Hints below the summary: the import went through, but someone should look."""
    if not warnings:
        return
    console.print(f"[bold yellow]{len(warnings)} Hinweise[/] (übernommen, bitte prüfen):")
    for warning in warnings[:MAX_SHOWN_ISSUES]:
        console.print(f"  • {warning}", markup=False, highlight=False, soft_wrap=True)
    if len(warnings) > MAX_SHOWN_ISSUES:
        console.print(f"  … und {len(warnings) - MAX_SHOWN_ISSUES} weitere")


def _geojson_options(given: dict[str, Any]) -> GeoJsonOptions | None:
    """The GeoJSON options, or None when none was given."""
    given = {k: v for k, v in given.items() if v is not None}
    if not given:
        return None
    return GeoJsonOptions(**given)


def _progress(console: Console) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


def summary_table(report: ImportReport) -> Table:
    title = "Probelauf (nichts geschrieben)" if report.dry_run else "Import"
    table = Table(title=f"{title}: {report.source} ({report.format})")
    for column in ("Typ", "neu", "geändert", "unverändert", "gelöscht"):
        table.add_column(column, justify="left" if column == "Typ" else "right")
    totals = [0, 0, 0, 0]
    for label in report.labels():
        row = report.row(label)
        totals = [a + b for a, b in zip(totals, row, strict=True)]
        table.add_row(label, *(str(n) for n in row))
    table.add_row("Summe", *(str(n) for n in totals), style="bold")
    return table


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), required=True)
@click.option("--source", help="nur Datensätze dieser Quelle")
@click.argument("path", type=click.Path(path_type=Path))
@purpose_option
def export_(fmt: str, source: str | None, path: Path, purpose: str | None) -> None:
    """Graph exportieren: Bündel (CSV-Ordner, XLSX), HSDS-JSON, Kooperationsnetz (GraphML, GEXF).

    CSV und XLSX enthalten Haushaltsdaten: der Export wird vorher im Zugriffsprotokoll
    vermerkt; ist das nicht möglich, wird nichts geschrieben.
    """
    console = Console()
    with loader_errors(console), open_graph() as graph:
        message = export(graph, fmt, path, source=source, actor=operator(), purpose=purpose)
    console.print(message)
