"""``verbund token create|revoke|list``: API tokens for scripts (shown once, stored as hashes)."""

from __future__ import annotations

import click

from api.auth.api_tokens import create_token
from api.cli._common import open_graph
from graph.tokens import UnknownOrganization, list_tokens, revoke_token
from schema.principal import ROLES, InvalidPrincipal


@click.group("token")
def group() -> None:
    """API-Tokens für Skripte anlegen, widerrufen, auflisten."""


@group.command()
@click.option("--role", "role", type=click.Choice(ROLES), required=True, help="Rolle des Tokens")
@click.option("--organization", "organization", default=None, help="Organisation (Träger-ID)")
@click.option("--name", "name", default="", help="Bezeichnung, z. B. das Skript")
def create(role: str, organization: str | None, name: str) -> None:
    """Token anlegen; es wird nur dieses eine Mal angezeigt."""
    with open_graph() as graph:
        try:
            record, token = create_token(graph, role=role, organization_id=organization, name=name)
        except (InvalidPrincipal, UnknownOrganization) as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(
        f"Token {record.id} ({record.role}) angelegt. Es wird nur jetzt angezeigt:", err=True
    )
    click.echo(token)


@group.command()
@click.argument("token_id")
def revoke(token_id: str) -> None:
    """Token widerrufen (ab sofort ungültig)."""
    with open_graph() as graph:
        found = revoke_token(graph, token_id)
    if not found:
        raise click.ClickException(f"Kein Token mit der ID {token_id}.")
    click.echo(f"Token {token_id} widerrufen.")


@group.command("list")
def list_() -> None:
    """Tokens auflisten (ohne die Tokens selbst)."""
    with open_graph() as graph:
        tokens = list_tokens(graph)
    for t in tokens:
        state = f"widerrufen {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "aktiv"
        org = t.organization_id or "-"
        click.echo(f"{t.id}  {t.role:<11} {org:<24} {t.name:<24} {t.created_at:%Y-%m-%d}  {state}")
