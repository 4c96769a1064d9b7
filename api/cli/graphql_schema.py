"""``verbund schema export``: write the GraphQL SDL to schema.graphql (or check it)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "schema.graphql"


def sdl() -> str:
    """The schema's SDL as the repository keeps it (one trailing newline)."""
    from schema import schema

    return schema.as_str().rstrip() + "\n"


@click.group("schema")
def group() -> None:
    """GraphQL-Schema (SDL)."""


@group.command("export")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_PATH,
    show_default="schema.graphql im Projekt",
    help="Zieldatei; '-' schreibt auf die Standardausgabe.",
)
@click.option("--check", is_flag=True, help="Nur prüfen, ob die Datei aktuell ist (Exit 1 sonst).")
def export(output: Path, check: bool) -> None:
    """Das SDL des GraphQL-Schemas schreiben."""
    text = sdl()
    if str(output) == "-":
        sys.stdout.write(text)
        return
    if check:
        current = output.read_text("utf-8") if output.exists() else ""
        if current != text:
            raise click.ClickException(f"{output} ist veraltet: `verbund schema export` ausführen.")
        click.echo(f"{output} ist aktuell.")
        return
    output.write_text(text, "utf-8")
    click.echo(f"Schema geschrieben: {output}")
