"""The ``verbund`` command line: one module per command group, registered here."""

from __future__ import annotations

import click

from api.cli import (
    analyse,
    db,
    demo,
    graphql_schema,
    linkage,
    neo4j,
    privacy,
    serve,
    token,
    transfer,
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """verbund: Netzwerk- und Überleitungsgraph für kommunale soziale Dienste."""


main.add_command(neo4j.group)
main.add_command(db.migrate)
main.add_command(db.status)
main.add_command(serve.serve)
main.add_command(demo.group)
main.add_command(token.group)
main.add_command(analyse.analyse)
main.add_command(linkage.group)
main.add_command(transfer.import_)
main.add_command(transfer.export_)
main.add_command(transfer.imports_)
main.add_command(privacy.retention)
main.add_command(privacy.audit_group)
main.add_command(privacy.pseudonym_command)
main.add_command(graphql_schema.group)
