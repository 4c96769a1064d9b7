"""One route to the data: the pages ask the GraphQL schema, in this process, as the person.

Every page reads and writes through the same resolvers as ``/graphql``, with the signed-in
principal in the same ``Context``: roles, organization scope, consent, purposes, small-count
suppression and the audit all apply without a second copy here. A page can therefore never
show a field that the same principal could not read through GraphQL.

Unexpected GraphQL errors become ``PageError`` with an HTTP status, which ``api/web/errors.py``
renders as a German page; expected outcomes (NotFound, InvalidInput, Conflict, NotAllowed)
are data in the result and the page handles them itself.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import Request
from strawberry.types import ExecutionResult

from api import faults
from graph import Graph
from schema import Context, schema
from schema.idempotency import execute_once
from schema.principal import ANONYMOUS, Principal

log = logging.getLogger("verbund.web")

# GraphQL error code -> HTTP status of the page; graph faults as everywhere (api/faults.py).
_STATUS = {
    "UNAUTHENTICATED": 401,
    "FORBIDDEN": 403,
    "PURPOSE_NOT_COVERED": 403,
    "NOT_FOUND": 404,
    "AUDIT_FAILED": 503,
    **faults.STATUS,
}


class PageError(Exception):
    """The page cannot be shown: ``status`` decides which German error page answers."""

    def __init__(self, status: int, detail: str = "") -> None:
        super().__init__(detail or str(status))
        self.status = status
        self.detail = detail


def principal_of(request: Request) -> Principal:
    from api.auth.middleware import PRINCIPAL_SCOPE_KEY

    found = request.scope.get(PRINCIPAL_SCOPE_KEY)
    return found if isinstance(found, Principal) else ANONYMOUS


async def gql(
    request: Request, document: str, *, idempotency_key: str | None = None, **variables: Any
) -> dict[str, Any]:
    """Run ``document`` as the request's principal; the data, or ``PageError``.

    A mutation with ``idempotency_key`` (a form's hidden key) runs once per key, as with the
    header of ``/graphql`` (schema/idempotency.py): a form sent twice writes once."""
    graph: Graph = request.app.state.graph
    context = Context(
        graph=graph,
        request=request,
        principal=principal_of(request),
        **request.app.state.context_settings,
    )

    async def execute() -> ExecutionResult:
        return await schema.execute(document, variable_values=variables, context_value=context)

    if idempotency_key is None:
        result = await execute()
    else:
        result = await execute_once(context, idempotency_key, document, variables, None, execute)
    if result.errors:
        codes = [(e.extensions or {}).get("code", "") for e in result.errors]
        status = next((_STATUS[c] for c in codes if c in _STATUS), 500)
        if status == 500:
            log.error("GraphQL-Fehler auf %s: %s", request.url.path, result.errors)
        raise PageError(status, "; ".join(e.message for e in result.errors))
    assert result.data is not None
    return dict(result.data)


def require(request: Request, *roles: str) -> Principal:
    """The signed-in principal if its role may open this page: not signed in → the login
    (401, then back here), another role → 403."""
    principal = principal_of(request)
    if not principal.authenticated:
        raise PageError(401)
    if principal.role not in roles:
        raise PageError(403)
    return principal
