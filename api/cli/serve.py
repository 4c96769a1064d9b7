"""``verbund serve``: the starlette app with /graphql (GraphiQL) and /health."""

from __future__ import annotations

import importlib.util
import os
from typing import Any

import click
import uvicorn

from api.auth.client_address import InvalidTrustedProxies, TrustedProxies
from api.cli._common import user_errors
from api.localneo4j import ensure_started
from api.settings import get_settings
from api.web.demo_logins import DEMO_USERS, DemoLogins
from api.web.session import load_secret
from graph import Graph


def serve_options(*, access_log: bool = False) -> dict[str, Any]:
    """How uvicorn serves verbund (also used by bench/fixed_cost.py, so the bench measures
    what runs). uvloop and httptools (declared dependencies) parse and schedule in C: about a
    third of a small request's cost was uvicorn's pure-Python loop and HTTP parser
    (bench/README.md, "Fixed cost per request"). Without them (another platform) uvicorn's
    own. The access log is off by default: one formatted log line per request is a visible
    share of a small request; the proxy in front logs requests anyway."""

    def have(module: str) -> bool:
        return importlib.util.find_spec(module) is not None

    return {
        "loop": "uvloop" if have("uvloop") else "asyncio",
        "http": "httptools" if have("httptools") else "h11",
        "log_level": "info",
        "access_log": access_log,
    }


def default_workers() -> int:
    found = os.environ.get("WEB_CONCURRENCY", "1")
    return int(found) if found.isdigit() and int(found) > 0 else 1


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--workers",
    default=default_workers,
    type=click.IntRange(min=1),
    help="Prozesse (Standard: WEB_CONCURRENCY oder 1). Grenzen, Pool und Caches gelten je "
    "Prozess (docs/operations.md, „Worker bemessen“).",
)
@click.option(
    "--access-log/--no-access-log",
    default=False,
    show_default=True,
    help="Eine Logzeile je Anfrage (kostet bei kleinen Anfragen spürbar Zeit).",
)
def serve(host: str, port: int, workers: int, access_log: bool) -> None:
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
        # Made once here: with several workers each would otherwise race to create it.
        load_secret(settings)
    click.echo(f"verbund läuft: http://{host}:{port}/  (GraphiQL: http://{host}:{port}/graphql)")
    if demo:
        click.echo(f"Anmelden: http://{host}:{port}/anmelden  (Demo-Zugänge, Passwort: demo)")
        for user in DEMO_USERS.values():
            click.echo(f"  {user.username:<16} {user.display_name}")
    # X-Forwarded-For/-Proto only from VERBUND_TRUSTED_PROXIES (uvicorn by default believes
    # them from 127.0.0.1, i.e. from anyone on this machine); none: the socket peer counts.
    proxies = settings.trusted_proxies.strip()
    # The workers read it (api/auth/middleware.py warns that its failure count is per process).
    os.environ["WEB_CONCURRENCY"] = str(workers)
    uvicorn.run(
        "api.app:create_served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or None,
        **serve_options(access_log=access_log),
    )
