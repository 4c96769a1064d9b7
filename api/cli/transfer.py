"""``verbund import`` and ``verbund export``: files in and out, with progress and a summary."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, get_args

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from api.cli._common import open_graph, operator, purpose_option
from api.localneo4j import LocalNeo4j, LocalServerError
from api.settings import get_settings
from graph.imports import ImportRun, import_runs
from graph.records import AreaLevel
from loaders.bulk import run_bulk_import
from loaders.errors import ImportRejected, Issue, LoaderError
from loaders.export import EXPORT_FORMATS, export
from loaders.formats import (
    IMPORT_FORMATS,
    default_source,
    detect_format,
    graph_areas,
    graph_directory,
    parse_input,
)
from loaders.geo.reader import geojson_options
from loaders.importer import ImportReport, request_stop, run_import, settle_lost_runs
from loaders.provenance import cli_origin
from loaders.review import ImportReview, Shown
from loaders.stream_import import run_streamed_import
from loaders.streaming import streams
from loaders.values import LOCAL_TZ

MAX_SHOWN_ISSUES = 200
AREA_LEVELS: tuple[str, ...] = get_args(AreaLevel)


@contextmanager
def loader_errors(console: Console, json_report: dict[str, Any] | None = None) -> Iterator[None]:
    """Rejected input as a clean list of issues, other loader errors as one line; exit 1.

    With ``json_report`` (``--report json``) a rejection is printed as that report with its
    errors, for programs that read the output.
    """
    try:
        yield
    except ImportRejected as exc:
        if json_report is not None:
            refused = ImportReview(
                json_report["source"],
                json_report["format"],
                json_report["dry_run"],
                errors=tuple(exc.issues),
            )
            click.echo(json.dumps(refused.as_json(), ensure_ascii=False))
            raise SystemExit(1) from None
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
@click.option(
    "--report",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: maschinenlesbare Übersicht (neu, geändert mit alt/neu, unverändert, Fehler)",
)
@click.option(
    "--repair-geometry",
    is_flag=True,
    help="Flächen, die sich selbst schneiden, reparieren statt den Import abzulehnen",
)
@click.option(
    "--bulk",
    is_flag=True,
    help="Schnellimport für die erste Befüllung: nur in eine leere lokale Datenbank "
    "(Neo4j wird dafür kurz angehalten)",
)
def import_(
    path: Path,
    fmt: str,
    mapping: Path | None,
    source: str | None,
    dry_run: bool,
    prune: bool,
    purpose: str | None,
    report: str,
    repair_geometry: bool,
    bulk: bool,
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
    if bulk:
        _bulk_import(path, fmt, mapping, source, dry_run or prune, purpose, geo)
        return
    # A stopped import (SIGTERM, e.g. from a service manager) records itself as interrupted.
    signal.signal(signal.SIGTERM, _stop)
    as_json = report == "json"
    # With --report json only the report goes to stdout; progress and status to stderr.
    console = Console(stderr=as_json)
    head = {"source": source or path.name, "format": fmt, "dry_run": dry_run}
    with loader_errors(console, head if as_json else None), open_graph() as graph:
        source = source or default_source(path, mapping)
        head["source"] = source
        options = geojson_options(geo)
        settings = get_settings()
        used = fmt
        if mapping is None and options is None and fmt == "auto":
            used = detect_format(path)
        if (
            mapping is None
            and options is None
            and streams(path, used, settings.import_stream_bytes)
        ):
            # A large HSDS file: read twice and written in parts, memory flat in its size.
            head["format"] = used
            with _progress(console) as progress:
                task = progress.add_task("Prüfen, dann Schreiben in Teilen", total=None)
                done = run_streamed_import(
                    graph,
                    path,
                    source=source,
                    format=used,
                    dry_run=dry_run,
                    prune=prune,
                    progress=lambda done, total: progress.update(task, completed=done, total=total),
                    actor=operator(),
                    purpose=purpose,
                    origin=None if dry_run else cli_origin(path),
                    repair_geometry=repair_geometry,
                    part_size=settings.import_part_size,
                    directory=graph_directory(graph),
                )
            _show(console, done, as_json)
            return
        with console.status("Lesen und Prüfen …"):
            parsed, used = parse_input(
                path,
                fmt,
                source,
                mapping=mapping,
                lookup=graph_areas(graph),
                geojson=options,
                directory=graph_directory(graph),
            )
        head["format"] = used
        origin = None if dry_run else cli_origin(path)
        with _progress(console) as progress:
            task = progress.add_task("Schreiben", total=None)
            done = run_import(
                graph,
                parsed,
                source=source,
                format=used,
                dry_run=dry_run,
                prune=prune,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
                actor=operator(),
                purpose=purpose,
                origin=origin,
                repair_geometry=repair_geometry,
            )
    _show(console, done, as_json)


def _show(console: Console, done: ImportReport, as_json: bool) -> None:
    """The import's report: as JSON (``--report json``), or summary, changes and warnings."""
    if as_json:
        click.echo(json.dumps(done.review.as_json(), ensure_ascii=False))
        return
    console.print(summary_table(done))
    print_changes(console, done.review)
    print_warnings(console, done.warnings)


def _bulk_import(
    path: Path,
    fmt: str,
    mapping: Path | None,
    source: str | None,
    other_mode: bool,
    purpose: str | None,
    geo: dict[str, Any],
) -> None:
    """``--bulk``: the first load through neo4j-admin (loaders/bulk.py)."""
    settings = get_settings()
    if settings.neo4j_uri:
        raise click.ClickException(
            "Der Schnellimport (--bulk) geht nur in die lokale Neo4j dieses Projekts, nicht in "
            "NEO4J_URI. Bitte ohne --bulk importieren."
        )
    if other_mode:
        raise click.ClickException(
            "--bulk lässt sich nicht mit --dry-run oder --prune verbinden. Bitte eine der "
            "Optionen weglassen."
        )
    console = Console()
    server = LocalNeo4j(settings)
    with loader_errors(console), open_graph(settings) as graph:
        source = source or default_source(path, mapping)
        with console.status("Lesen und Prüfen …"):
            parsed, used = parse_input(
                path, fmt, source, mapping=mapping, geojson=geojson_options(geo)
            )
        with console.status("Schnellimport (Neo4j wird kurz angehalten) …"):
            try:
                done, times = run_bulk_import(
                    graph,
                    parsed,
                    source=source,
                    format=used,
                    load=server.offline_import,
                    origin=cli_origin(path),
                    actor=operator(),
                    purpose=purpose,
                )
            except LocalServerError as exc:
                raise click.ClickException(str(exc)) from exc
    console.print(summary_table(done))
    console.print(
        f"Schnellimport in {times.total:.1f} s (Dateien {times.files:.1f} s, "
        f"neo4j-admin {times.tool:.1f} s)."
    )
    print_warnings(console, done.warnings)


def _stop(signum: int, frame: object) -> None:
    request_stop()
    raise SystemExit(128 + signum)


def print_changes(console: Console, review: ImportReview) -> None:
    """Each changed record with its fields old → new (what „geändert“ means, field by field)."""
    changed = review.of("changed")
    if not changed:
        return
    verb = "würden sich ändern" if review.dry_run else "geändert"
    console.print(f"[bold]{len(changed)} Datensätze {verb}:[/]")
    for record in changed[:MAX_SHOWN_ISSUES]:
        where = f" ({record.file}, Zeile {record.row})" if record.file and record.row else ""
        console.print(f"  {record.label} „{record.id}“{where}", markup=False, highlight=False)
        for change in record.changes:
            line = f"    {change.field}: {_shown(change.old)} → {_shown(change.new)}"
            console.print(line, markup=False, highlight=False, soft_wrap=True)
    if len(changed) > MAX_SHOWN_ISSUES:
        console.print(f"  … und {len(changed) - MAX_SHOWN_ISSUES} weitere (alle: --report json)")


def _shown(value: Shown) -> str:
    if value is None or value == "" or value == []:
        return "(leer)"
    if isinstance(value, list):
        text = ", ".join(value)
    elif isinstance(value, bool):
        text = "ja" if value else "nein"
    else:
        text = str(value)
    return f"„{text[:80]}…“" if len(text) > 80 else f"„{text}“"


def print_warnings(console: Console, warnings: list[Issue]) -> None:
    """Hints below the summary: the import went through, but someone should look."""
    if not warnings:
        return
    console.print(f"[bold yellow]{len(warnings)} Hinweise[/] (übernommen, bitte prüfen):")
    for warning in warnings[:MAX_SHOWN_ISSUES]:
        console.print(f"  • {warning}", markup=False, highlight=False, soft_wrap=True)
    if len(warnings) > MAX_SHOWN_ISSUES:
        console.print(f"  … und {len(warnings) - MAX_SHOWN_ISSUES} weitere")


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


STATE_WORDS = {
    "running": "läuft",
    "finished": "fertig",
    "failed": "fehlgeschlagen",
    "interrupted": "abgebrochen",
}


@click.command("imports")
@click.option("--source", help="nur Importe dieser Quelle")
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True)
def imports_(source: str | None, limit: int) -> None:
    """Die letzten Importe: wer, wann, welche Datei, Zahlen und Zustand.

    Ein Import, dessen Prozess nicht mehr läuft, ohne fertig zu sein, wird als „abgebrochen“
    gezeigt; dann denselben Import noch einmal starten (er setzt fort, ohne Doppelte).
    """
    console = Console()
    with loader_errors(console), open_graph() as graph:
        settle_lost_runs(graph)
        runs = import_runs(graph, source, limit)
    if not runs:
        console.print("Noch keine Importe.")
        return
    for run in runs:
        console.print(import_line(run), markup=False, highlight=False, soft_wrap=True)


def import_line(run: ImportRun) -> str:
    """One run in one line: when, state, source, file (hash), who, counts."""
    when = run.started_at.astimezone(LOCAL_TZ).strftime("%d.%m.%Y %H:%M")
    if run.finished_at is not None:
        when += " bis " + run.finished_at.astimezone(LOCAL_TZ).strftime("%H:%M")
    state = STATE_WORDS.get(run.state, run.state) + (f" ({run.error})" if run.error else "")
    if run.state == "running" and run.rows_total:
        state += f" ({_number(run.rows_done)} von {_number(run.rows_total)} Zeilen)"
    file = f"{run.file} (SHA-256 {run.sha256[:12]})" if run.file else "–"
    counts = ", ".join(
        f"{word} {sum(values.values())}"
        for word, values in (
            ("neu", run.created),
            ("geändert", run.changed),
            ("unverändert", run.unchanged),
            ("gelöscht", run.pruned),
        )
    )
    return (
        f"{when}  {state}  Quelle {run.source}  Datei {file}  durch {run.by or '–'}  "
        f"{counts}, Fehler {run.errors}"
    )


def _number(value: int) -> str:
    """``1200`` → ``1.200`` (German thousands)."""
    return f"{value:,}".replace(",", ".")
