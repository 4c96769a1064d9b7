"""The one translation of graph-layer faults (graph/errors.py) into HTTP.

GraphQL answers, the web pages and the authentication middleware all ask here which status
a fault gets and whether the client should come back later (``Retry-After``). Each fault
is logged once, with the request id and Neo4j's status code, never with the driver's
message (it may hold personal data) and never with a traceback to the client.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from starlette.types import Scope

from graph.errors import (
    ConflictError,
    DatabaseFault,
    GraphAuthError,
    GraphBusy,
    GraphError,
    GraphUnavailable,
    IntegrityError,
    InvalidValue,
    MemoryLimit,
    OutcomeUnknown,
    QueryTimeout,
    StorageFull,
)
from graph.idempotency import KeyInUse, KeyReused

log = logging.getLogger("verbund.faults")

REQUEST_ID_KEY = "verbund.request_id"

# Graph error code -> HTTP status. 503: the service cannot answer now, later it may (with
# Retry-After); 507: nothing can be written until an operator frees disk space; 409 and 422:
# the request itself collides or holds a value Neo4j refuses. A write whose commit was lost
# (OUTCOME_UNKNOWN) is 503 as well: sent again later with the same Idempotency-Key it is
# safe; a key reused for another request or still in use by a first attempt collides (409).
STATUS: dict[str, int] = {
    GraphUnavailable.code: 503,
    GraphBusy.code: 503,
    GraphAuthError.code: 503,  # our credentials, not the caller's
    QueryTimeout.code: 503,
    MemoryLimit.code: 503,
    DatabaseFault.code: 503,
    StorageFull.code: 507,
    OutcomeUnknown.code: 503,
    ConflictError.code: 409,
    KeyReused.code: 409,
    KeyInUse.code: 409,
    InvalidValue.code: 422,
    IntegrityError.code: 422,
}

# Seconds a client should wait before trying again, by status.
RETRY_AFTER: dict[int, int] = {503: 30, 507: 300}


def status_of(code: str) -> int | None:
    """The HTTP status of a graph error code; None for codes that are not graph faults."""
    return STATUS.get(code)


def status_of_errors(errors: Iterable[Mapping[str, Any]]) -> int | None:
    """The HTTP status of a GraphQL answer's errors: the gravest fault among them (a 5xx
    before a 4xx), None when none is a graph fault (the answer stays 200)."""
    found = [status_of(str((e.get("extensions") or {}).get("code", ""))) for e in errors]
    statuses = [s for s in found if s is not None]
    return max(statuses) if statuses else None


def retry_headers(status: int) -> dict[str, str]:
    seconds = RETRY_AFTER.get(status)
    return {"retry-after": str(seconds)} if seconds else {}


def log_fault(scope: Scope, error: GraphError) -> None:
    """The one log line of a fault: what, where, which request, and Neo4j's code."""
    code, neo4j_code = error.code, error.neo4j_code
    status = status_of(code)
    # Only a server-side fault is an error of the service; a graph error without a fault
    # status (an unknown Sozialraum, a missing record) is the caller's and noted only.
    level = logging.ERROR if status is not None and status >= 500 else logging.INFO
    log.log(
        level,
        "%s auf %s %s (Vorgang %s, Neo4j %s)",
        code,
        scope.get("method", ""),
        scope.get("path", ""),
        scope.get(REQUEST_ID_KEY, "-"),
        neo4j_code or "-",
    )
