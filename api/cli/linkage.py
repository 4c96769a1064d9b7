"""``verbund linkage``: the coordinators' decisions on duplicate-Träger suggestions."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import click

from api.cli._common import open_graph, user_errors
from graph.repo.link_decisions import decisions


@click.group(name="linkage")
def group() -> None:
    """Dubletten-Entscheidungen (bestätigt, abgelehnt)."""


@group.command()
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="In diese CSV-Datei schreiben statt auf die Standardausgabe.",
)
def labels(out: Path | None) -> None:
    """Die Entscheidungen als Labels (CSV): je Paar same (bestätigt) oder different
    (abgelehnt), mit beiden Namen; wer entschieden hat, steht nicht darin."""
    with user_errors(), open_graph() as graph:
        rows = decisions(graph)
    fields = ["a_id", "b_id", "a_name", "b_name", "label", "suggested", "decided_at"]
    target = out.open("w", encoding="utf-8", newline="") if out else sys.stdout
    try:
        writer = csv.writer(target)
        writer.writerow(fields)
        for d in rows:
            label = "same" if d.verdict == "confirmed" else "different"
            at = d.decided_at.strftime("%Y-%m-%d %H:%M")
            writer.writerow([d.a_id, d.b_id, d.a_name, d.b_name, label, d.outcome, at])
    finally:
        if out:
            target.close()
    if out:
        word = "Entscheidung" if len(rows) == 1 else "Entscheidungen"
        click.echo(f"{len(rows)} {word} geschrieben: {out}", err=True)
