"""``verbund neo4j install|start|stop|status``: the project's own local Neo4j."""

from __future__ import annotations

import click

from api.cli._common import user_errors
from api.localneo4j import LocalNeo4j, install_jars, neo4j_version
from api.settings import get_settings


@click.group("neo4j")
def group() -> None:
    """Lokale Neo4j-Instanz verwalten (nur ohne NEO4J_URI)."""


def _local() -> LocalNeo4j:
    settings = get_settings()
    if settings.neo4j_uri:
        raise click.ClickException(
            f"NEO4J_URI ist gesetzt ({settings.neo4j_uri}): verbund verwaltet diesen Server nicht."
        )
    return LocalNeo4j(settings)


@group.command()
def install() -> None:
    """Neo4j-Jars über Maven laden (einmal je Benutzer und Version)."""
    with user_errors():
        path = install_jars(quiet=False)
    click.echo(f"Neo4j {neo4j_version()} bereit in {path}")


@group.command()
def start() -> None:
    """Starten (oder den laufenden Server weiterverwenden) und warten, bis Bolt antwortet."""
    server = _local()
    with user_errors():
        running = server.pid() is not None
        config = server.start()
    click.echo(f"Neo4j {'läuft bereits' if running else 'gestartet'}: {config.uri}")


@group.command()
def stop() -> None:
    """Stoppen."""
    stopped = _local().stop()
    click.echo("Neo4j gestoppt." if stopped else "Neo4j lief nicht.")


@group.command()
def status() -> None:
    """Zustand, Version und Edition, wie Neo4j sie meldet."""
    with user_errors():
        st = _local().status()
    if not st.running:
        click.echo(f"Neo4j läuft nicht (Daten: {st.home}).")
        raise SystemExit(3)
    click.echo(f"Neo4j läuft: {st.uri} (PID {st.pid}, Daten: {st.home})")
    if st.info is None:
        click.echo("Bolt antwortet (noch) nicht.")
        raise SystemExit(1)
    click.echo(f"{st.info.name} {st.info.version} {st.info.edition}")
