"""What every command needs: settings, a graph handle, and errors as messages (no tracebacks)."""

from __future__ import annotations

import dataclasses
import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

import click

from api import faults
from api.localneo4j import LocalServerError, ensure_started
from api.settings import Settings, get_settings
from graph import Graph, GraphError, audit

# Exit codes after sysexits.h, so a scheduler or script can tell "try again later" (75)
# from "the data is at fault" (65) and "the disk is full" (74) without reading the text;
# the HTTP status of the same fault (api/faults.py) decides which.
_EXIT_CODES = {503: 75, 507: 74, 409: 65, 422: 65}


class CommandFailed(click.ClickException):
    """One German line on stderr (``Fehler: …``), no traceback, and a telling exit code."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        # click declares exit_code on the class; each failure here has its own.
        self.exit_code = exit_code  # type: ignore[misc]

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"Fehler: {self.format_message()}", file=file, err=True)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn our expected failures into a clean one-line (or log-tail) message and an exit
    code: graph faults as above, a local server that does not start 1."""
    try:
        yield
    except GraphError as exc:
        status = faults.status_of(exc.code)
        raise CommandFailed(str(exc), _EXIT_CODES.get(status or 0, 1)) from exc
    except LocalServerError as exc:
        raise CommandFailed(str(exc)) from exc


@contextmanager
def open_graph(settings: Settings | None = None) -> Iterator[Graph]:
    """A graph handle on the configured Neo4j, starting the local one if needed.

    Commands are batch work (imports, analyses, exports) that may read for minutes: their
    reads are not cut at VERBUND_QUERY_TIMEOUT_SECONDS, which bounds the API's requests.
    """
    settings = settings or get_settings()
    with user_errors():
        config = dataclasses.replace(
            ensure_started(settings), query_timeout=None, analysis_timeout=None
        )
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
