"""What every command needs: settings, a graph handle, and errors as messages (no tracebacks)."""

from __future__ import annotations

import dataclasses
import getpass
from collections.abc import Iterator
from contextlib import contextmanager

import click

from api.localneo4j import LocalServerError, ensure_started
from api.settings import Settings, get_settings
from graph import Graph, GraphError, audit


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn our expected failures into a clean one-line (or log-tail) message and exit 1."""
    try:
        yield
    except (LocalServerError, GraphError) as exc:
        raise click.ClickException(str(exc)) from exc


@contextmanager
def open_graph(settings: Settings | None = None) -> Iterator[Graph]:
    """A graph handle on the configured Neo4j, starting the local one if needed.

    Commands are batch work (imports, analyses, exports) that may read for minutes: their
    reads are not cut at VERBUND_QUERY_TIMEOUT_SECONDS, which bounds the API's requests.
    """
    settings = settings or get_settings()
    with user_errors():
        config = dataclasses.replace(ensure_started(settings), query_timeout=None)
        with Graph(config) as graph:
            yield graph


def operator() -> audit.Actor:
    """Who runs a command, for the audit: the operator's login name, with the rights of the
    command line (administration, no organization)."""
    try:
        name = getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment or the user database
        name = ""
    return dataclasses.replace(audit.SYSTEM, subject=name or audit.SYSTEM.subject)


purpose_option = click.option(
    "--purpose",
    help="Zweck des Zugriffs für das Zugriffsprotokoll (bei Haushaltsdaten; "
    "ohne Angabe: „nicht angegeben“)",
)
