"""``verbund serve``: the starlette app with /graphql (GraphiQL) and /health."""

from __future__ import annotations

import click
import uvicorn

from api.auth.client_address import InvalidTrustedProxies, TrustedProxies
from api.cli._common import user_errors
from api.localneo4j import ensure_started
from api.settings import get_settings
from api.web.demo_logins import DEMO_USERS, DemoLogins
from graph import Graph


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """API und Seiten ausliefern (Strg-C beendet; `make stop` stoppt Neo4j)."""
    settings = get_settings()
    try:
        TrustedProxies.parse(settings.trusted_proxies)
    except InvalidTrustedProxies as exc:
        raise click.ClickException(str(exc)) from exc
    with user_errors():
        config = ensure_started(settings)
        with Graph(config) as graph:
            demo = DemoLogins(settings).enabled(graph)
    click.echo(f"verbund läuft: http://{host}:{port}/  (GraphiQL: http://{host}:{port}/graphql)")
    if demo:
        click.echo(f"Anmelden: http://{host}:{port}/anmelden  (Demo-Zugänge, Passwort: demo)")
        for user in DEMO_USERS.values():
            click.echo(f"  {user.username:<16} {user.display_name}")
    # X-Forwarded-For/-Proto only from VERBUND_TRUSTED_PROXIES (uvicorn by default believes
    # them from 127.0.0.1, i.e. from anyone on this machine); none: the socket peer counts.
    proxies = settings.trusted_proxies.strip()
    uvicorn.run(
        "api.app:create_served_app",
        factory=True,
        host=host,
        port=port,
        log_level="info",
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or None,
    )
