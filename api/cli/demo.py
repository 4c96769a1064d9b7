"""``verbund demo load|truth``: the synthetic demo city and its planted truth."""

from __future__ import annotations

import time
from pathlib import Path
from typing import cast

import click
from rich.console import Console
from rich.table import Table

from api.cli._common import open_graph
from api.settings import get_settings
from graph.admin import clear, is_empty
from graph.model import KIND_LABELS
from graph.write import WriteCounts, write_bundle
from loaders.demo import SIZES, Demo, Size, generate
from loaders.demo.land import GEBIETE, Land, generate_land

size_option = click.option(
    "--size", type=click.Choice(SIZES), default="city", show_default=True, help="Umfang"
)
seed_option = click.option("--seed", type=int, default=2026, show_default=True, help="Startwert")


@click.group("demo")
def group() -> None:
    """Synthetische Demo-Stadt (Stuttgart, 23 Stadtbezirke) laden."""


def truth_path(size: str) -> Path:
    return get_settings().state_dir / f"demo-truth-{size}.json"


@group.command()
@size_option
@seed_option
@click.option("--if-empty", is_flag=True, help="Nur laden, wenn die Datenbank leer ist.")
@click.option("--reset", is_flag=True, help="Datenbank vorher leeren.")
def load(size: str, seed: int, if_empty: bool, reset: bool) -> None:
    """Demo-Daten erzeugen und (idempotent) in den Graphen schreiben."""
    if if_empty and reset:
        raise click.UsageError("--if-empty und --reset schließen sich aus.")
    with open_graph() as graph:
        if if_empty and not is_empty(graph):
            click.echo("Datenbank enthält bereits Daten; Demo wird nicht geladen.")
            return
        if reset:
            clear(graph)
        started = time.perf_counter()
        demo = generate(cast(Size, size), seed)
        generated = time.perf_counter()
        counts = write_bundle(graph, demo.bundle)
        written = time.perf_counter()
    path = truth_path(size)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(demo.truth.to_json() + "\n", encoding="utf-8")
    _summary(demo, counts, generated - started, written - generated)
    click.echo(f"Geplante Befunde (Wahrheit): {path}")


@group.command("land")
@seed_option
@click.option(
    "--gebiete",
    type=click.IntRange(0, len(GEBIETE)),
    default=10,
    show_default=True,
    help="Erzeugte Städte und Landkreise (dazu die Demo-Stadt und der Landkreis Lindenau).",
)
@click.option("--if-empty", is_flag=True, help="Nur laden, wenn die Datenbank leer ist.")
@click.option("--reset", is_flag=True, help="Datenbank vorher leeren.")
def land(seed: int, gebiete: int, if_empty: bool, reset: bool) -> None:
    """Ein synthetisches Bundesland (viele Gebiete, über 20.000 Träger) schreiben; dauert
    einige Minuten. Für Messungen der Analysen im Landesmaßstab (bench/land.py)."""
    if if_empty and reset:
        raise click.UsageError("--if-empty und --reset schließen sich aus.")
    with open_graph() as graph:
        if if_empty and not is_empty(graph):
            click.echo("Datenbank enthält bereits Daten; das Land wird nicht geladen.")
            return
        if reset:
            clear(graph)
        started = time.perf_counter()
        generated_land = generate_land(seed, gebiete=gebiete)
        generated = time.perf_counter()
        counts = write_bundle(graph, generated_land.bundle)
        written = time.perf_counter()
    path = truth_path("land")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(generated_land.truth.to_json() + "\n", encoding="utf-8")
    _summary(generated_land, counts, generated - started, written - generated)
    click.echo(f"Geplante Befunde der Demo-Stadt (Wahrheit): {path}")


@group.command()
@size_option
@seed_option
def truth(size: str, seed: int) -> None:
    """Die geplanten Befunde einer Demo als JSON ausgeben (ohne Datenbank)."""
    click.echo(generate(cast(Size, size), seed).truth.to_json())


def _summary(demo: Demo | Land, counts: WriteCounts, gen_s: float, write_s: float) -> None:
    name = demo.size if isinstance(demo, Demo) else f"Land mit {demo.gebiete} Gebieten"
    table = Table(title=f"Demo {name} (Startwert {demo.seed})")
    for column in ("Typ", "Datensätze", "neu", "geändert", "unverändert"):
        table.add_column(column, justify="left" if column == "Typ" else "right")
    for kind, number in demo.bundle.counts().items():
        label = KIND_LABELS.get(kind)
        row = [kind, str(number)]
        if label is None:
            row += ["", "", ""]
        else:
            row += [
                str(counts.created.get(label, 0)),
                str(counts.changed.get(label, 0)),
                str(counts.unchanged.get(label, 0)),
            ]
        table.add_row(*row)
    console = Console()
    console.print(table)
    truth = demo.truth
    console.print(
        f"Erzeugt in {gen_s:.1f} s, geschrieben in {write_s:.1f} s. Geplant: "
        f"{len(truth.gaps)} Versorgungslücken, {len(truth.duplicate_structures)} Doppelstrukturen, "
        f"{len(truth.double_support)} Doppelbetreuungen "
        f"({len(truth.uncoordinated_double_support)} unkoordiniert), "
        f"{len(truth.duplicate_organizations)} doppelte Träger, "
        f"{len(truth.missing_cooperation)} fehlende Kooperationen."
    )
