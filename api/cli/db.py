"""``verbund migrate`` and ``verbund status``: the graph model's constraints and contents."""

from __future__ import annotations

import click

from api.cli._common import open_graph
from graph.admin import label_counts, server_info
from graph.migrations import canonical_values
from graph.migrations import migrate as run_migrations


@click.command()
def migrate() -> None:
    """Constraints und Indizes anlegen, gespeicherte Werte vereinheitlichen (idempotent)."""
    with open_graph() as graph:
        names = run_migrations(graph)
        changed = canonical_values(graph)
    click.echo(f"{len(names)} Constraints und Indizes vorhanden.")
    if changed:
        click.echo(
            f"{changed} Angebote und Träger in einheitliche Schreibweise gebracht "
            "(Rechtsgrundlagen, Sprachcodes, unsichtbare Zeichen)."
        )


@click.command()
def status() -> None:
    """Verbindung, Version und Knoten je Typ."""
    with open_graph() as graph:
        info = server_info(graph)
        counts = label_counts(graph)
    click.echo(f"{graph.config.uri}: {info.name} {info.version} {info.edition}")
    for label, count in counts.items():
        click.echo(f"  {label:<15} {count:>9}")
