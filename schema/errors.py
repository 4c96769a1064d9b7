"""Errors in GraphQL responses: our expected ones carry a stable code, the rest are masked."""

from __future__ import annotations

import logging

from graphql import GraphQLError

from graph import GraphError
from schema.messages import translate
from schema.principal import AccessDenied
from schema.problems import ClientError

log = logging.getLogger("verbund.graphql")

INTERNAL_MESSAGE = "Interner Fehler. Der Vorgang wurde protokolliert."


def _original(error: GraphQLError) -> BaseException | None:
    return error.original_error


def _variable_error(error: GraphQLError) -> bool:
    """A variable's value graphql-core (or a strawberry scalar) could not coerce: raised
    before execution, so without a path; the client's mistake, not ours."""
    return isinstance(error.original_error, GraphQLError) and error.path is None


def _document_error(error: GraphQLError) -> GraphQLError:
    """A syntax, validation or variable error in German with its code (schema/messages.py);
    an error that already has a code (the cost limit) stays as it is."""
    if (error.extensions or {}).get("code"):
        return error
    found = translate(error.message, variable=_variable_error(error))
    return GraphQLError(
        found.message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": found.code},
    )


def present(errors: list[GraphQLError]) -> list[GraphQLError]:
    """Every error as the client sees it: with a code, in German, unexpected ones masked.

    Idempotent (an error that has its code stays as it is). Applied once, when the operation
    ends (schema/operation.py), after the audit.
    """
    return [_present(error) for error in errors]


def _present(error: GraphQLError) -> GraphQLError:
    original = _original(error)
    if original is None or _variable_error(error):
        # Parse, validation and variable errors are the client's and safe to show.
        return _document_error(error)
    if isinstance(original, ClientError):
        extensions = {"code": original.code}
        if original.field is not None:
            extensions["field"] = original.field
        return GraphQLError(
            str(original), nodes=error.nodes, path=error.path, extensions=extensions
        )
    if isinstance(original, GraphError | AccessDenied):
        return GraphQLError(
            str(original),
            nodes=error.nodes,
            path=error.path,
            # Kept (not shown) for the fault's one log line (api/faults.py).
            original_error=original,
            extensions={"code": original.code},
        )
    return GraphQLError(
        INTERNAL_MESSAGE, nodes=error.nodes, path=error.path, extensions={"code": "INTERNAL"}
    )


def log_unexpected(errors: list[GraphQLError]) -> None:
    """Log what the client will only see masked; expected errors are not noise in the log."""
    for error in errors:
        original = _original(error)
        if (
            original is not None
            and not _variable_error(error)
            and not isinstance(original, GraphError | AccessDenied | ClientError)
        ):
            log.error("Unerwarteter Fehler in %s", error.path, exc_info=original)
