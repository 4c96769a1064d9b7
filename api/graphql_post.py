"""The hot path of ``/graphql``: a ``POST`` with ``Content-Type: application/json``.

Every API client sends its requests this way. strawberry's HTTP view (api/app.py,
``VerbundGraphQL``) costs about a quarter of a small request around the execution itself
(request adapter, content-type parsing with ``email.message``, sub-response, hooks;
bench/README.md, "Fixed cost per request"). This endpoint answers the common case itself
with the same steps: the same Context, the schema's ``execute`` (verbund's own operation
run, schema/operation.py) with the operation types strawberry allows for POST, the
idempotency key (schema/idempotency.py), the same answer (``process_result``, orjson), the
same fault status and headers.

Anything else goes to the view unchanged: GET (the IDE page, queries over GET, mutations
over GET refused), multipart, other content types, and every body that is not a plain
request object (not JSON, not an object, a batch, ``query`` not a string, ``variables`` not
an object, ...). The view reads such a body again from a replay of what was received, so
its refusals (400, German reasons, schema/messages.py) come from one place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import orjson
from starlette.requests import ClientDisconnect, Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLHTTPResponse, process_result
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from api import faults
from graph import GraphError
from schema import Context, schema
from schema.idempotency import execute_once
from schema.messages import http_reason

# What strawberry's view allows over POST (its execute_single).
POST_OPERATIONS = OperationType.from_http("POST")
_CONTENT_TYPE = b"content-type"
_IDEMPOTENCY_KEY = b"idempotency-key"
_JSON = "application/json"
_NO_QUERY = "No GraphQL query found in the request"


def log_faults(scope: Scope, result: ExecutionResult) -> None:
    """One log line per graph fault in the answer (api/faults.py)."""
    for error in result.errors or []:
        if isinstance(error.original_error, GraphError):
            faults.log_fault(scope, error.original_error)


def set_fault_status(
    answers: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
) -> None:
    """A graph fault sets the HTTP status too (503, 507, 409, 422; api/faults.py)."""
    listed = answers if isinstance(answers, list) else [answers]
    errors = [e for a in listed for e in a.get("errors") or [] if isinstance(e, Mapping)]
    status = faults.status_of_errors(errors)
    if status is not None and not sub_response.status_code:
        sub_response.status_code = status
        sub_response.headers.update(faults.retry_headers(status))


def sub_response() -> Response:
    """Where the execution sets status and headers of the answer (as strawberry's view)."""
    response = Response()
    response.status_code = None  # type: ignore[assignment]
    del response.headers["content-length"]
    return response


class JsonPost:
    """An ASGI app for ``/graphql``: a JSON POST is answered here, the rest by ``view``."""

    def __init__(
        self,
        view: ASGIApp,
        context_of: Callable[[Request, Response], Context],
    ) -> None:
        self.view = view
        self.context_of = context_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] != "POST":
            await self.view(scope, receive, send)
            return
        content_type, key = _headers(scope)
        if content_type is None or content_type.split(";", 1)[0].strip() != _JSON:
            await self.view(scope, receive, send)
            return
        body = await _read_body(receive)
        given = _request_of(body)
        if given is None:
            await self.view(scope, _replay(body, receive), send)
            return
        query, variables, operation, extensions = given
        request = Request(scope, receive)
        response = sub_response()
        context = self.context_of(request, response)
        try:
            result = await execute_once(
                context,
                key,
                query,
                variables,
                operation,
                lambda: schema.execute(
                    query,
                    variable_values=variables,
                    context_value=context,
                    operation_name=operation,
                    allowed_operation_types=POST_OPERATIONS,
                    operation_extensions=extensions,
                ),
            )
        except CannotGetOperationTypeError as exc:
            await _refuse(exc.as_http_error_reason(), scope, receive, send)
            return
        except InvalidOperationTypeError as exc:
            await _refuse(exc.as_http_error_reason("POST"), scope, receive, send)
            return
        except MissingQueryError:
            await _refuse(_NO_QUERY, scope, receive, send)
            return
        log_faults(scope, result)
        answer = process_result(result)
        set_fault_status(answer, response)
        encoded = orjson.dumps(answer)
        headers = [
            (b"content-length", str(len(encoded)).encode("latin-1")),
            (b"content-type", b"application/json"),
            *response.headers.raw,
        ]
        await send(
            {
                "type": "http.response.start",
                "status": response.status_code or 200,
                "headers": headers,
            }
        )
        await send({"type": "http.response.body", "body": encoded})


def _headers(scope: Scope) -> tuple[str | None, str | None]:
    """The request's Content-Type and Idempotency-Key (the first of each, as starlette)."""
    content_type: str | None = None
    key: str | None = None
    for name, value in scope["headers"]:
        lowered = name.lower()
        if lowered == _CONTENT_TYPE:
            if content_type is None:
                content_type = value.decode("latin-1")
        elif lowered == _IDEMPOTENCY_KEY and key is None:
            key = value.decode("latin-1")
    return content_type, key


async def _read_body(receive: Receive) -> bytes:
    """The whole body, as starlette's ``Request.body`` reads it."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.request":
            chunk = message.get("body", b"")
            if chunk:
                chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)
        elif message["type"] == "http.disconnect":
            raise ClientDisconnect()


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands over the body already read, then the connection's own."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _request_of(
    body: bytes,
) -> tuple[str, dict[str, Any] | None, str | None, dict[str, Any] | None] | None:
    """query, variables, operationName and extensions of a plain request object; None for
    anything the view should judge (and refuse) itself."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        # The view's parser accepts a few things orjson does not (NaN, UTF-16): it decides.
        return None
    if not isinstance(data, dict):
        return None
    query = data.get("query")
    variables = data.get("variables")
    operation = data.get("operationName")
    extensions = data.get("extensions")
    if (
        not isinstance(query, str)
        or not isinstance(variables, dict | None)
        or not isinstance(operation, str | None)
        or not isinstance(extensions, dict | None)
    ):
        return None
    return query, variables, operation, extensions


async def _refuse(reason: str, scope: Scope, receive: Receive, send: Send) -> None:
    """strawberry's 400 with its reason in German, as the view answers it."""
    await PlainTextResponse(http_reason(reason), status_code=400)(scope, receive, send)
