"""Errors in GraphQL responses: our expected ones carry a stable code, the rest are masked."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from graph import GraphError
from schema.principal import AccessDenied
from schema.problems import ClientError

log = logging.getLogger("verbund.graphql")

INTERNAL_MESSAGE = "Interner Fehler. Der Vorgang wurde protokolliert."


def _original(error: GraphQLError) -> BaseException | None:
    return error.original_error


class ErrorCodes(SchemaExtension):
    """Give graph-layer errors their code; log and mask everything unexpected."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        processed: list[GraphQLError] = []
        for error in result.errors:
            original = _original(error)
            if original is None:
                # Parse and validation errors are the client's and safe to show.
                processed.append(error)
            elif isinstance(original, ClientError):
                extensions = {"code": original.code}
                if original.field is not None:
                    extensions["field"] = original.field
                processed.append(
                    GraphQLError(
                        str(original), nodes=error.nodes, path=error.path, extensions=extensions
                    )
                )
            elif isinstance(original, GraphError | AccessDenied):
                processed.append(
                    GraphQLError(
                        str(original),
                        nodes=error.nodes,
                        path=error.path,
                        # Kept (not shown) for the fault's one log line (api/faults.py).
                        original_error=original,
                        extensions={"code": original.code},
                    )
                )
            else:
                processed.append(
                    GraphQLError(
                        INTERNAL_MESSAGE,
                        nodes=error.nodes,
                        path=error.path,
                        extensions={"code": "INTERNAL"},
                    )
                )
        result.errors = processed


def log_unexpected(errors: list[GraphQLError]) -> None:
    """Log what the client will only see masked; expected errors are not noise in the log."""
    for error in errors:
        original = _original(error)
        if original is not None and not isinstance(
            original, GraphError | AccessDenied | ClientError
        ):
            log.error("Unerwarteter Fehler in %s", error.path, exc_info=original)
