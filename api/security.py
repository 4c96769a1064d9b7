"""Transport hardening: security headers and a request size limit (pure ASGI middleware)."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_COMMON = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "strict-transport-security": "max-age=31536000",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "geolocation=(), camera=(), microphone=()",
}
# Every page, GraphiQL included (vendored), needs nothing from elsewhere; KERN draws its
# icons as data: SVGs.
_CSP_DEFAULT = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; "
    "frame-ancestors 'none'"
)


# Encoded once: added to the raw header list of every answer (starlette's MutableHeaders
# scans the whole list for each of the seven, a visible share of a small request).
_DEFAULTS = [
    (name.encode("latin-1"), value.encode("latin-1"))
    for name, value in {**_COMMON, "content-security-policy": _CSP_DEFAULT}.items()
]
_CACHE_CONTROL = b"cache-control"
_NO_STORE = (_CACHE_CONTROL, b"no-store")


def with_security_headers(
    raw: list[tuple[bytes, bytes]], no_store: bool
) -> list[tuple[bytes, bytes]]:
    """The answer's headers plus each default it does not set itself; ``no_store``: the
    answer's own Cache-Control is replaced by ``no-store``."""
    present = {name.lower() for name, _ in raw}
    out = [h for h in raw if h[0].lower() != _CACHE_CONTROL] if no_store else list(raw)
    out += [header for header in _DEFAULTS if header[0] not in present]
    if no_store:
        out.append(_NO_STORE)
    return out


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # Social data must not linger in caches.
        graphql = scope["path"].startswith("/graphql")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = with_security_headers(
                    list(message.get("headers", [])), graphql
                )
            await send(message)

        await self.app(scope, receive, send_with_headers)


class RequestTooLarge(Exception):
    pass


class BodySizeLimit:
    """Refuse bodies above ``limit`` bytes with 413, whether announced or streamed.

    ``larger``: paths with a limit of their own (the import page's upload). A browser asking
    for a page gets the German error page, everything else the GraphQL-shaped error.
    """

    def __init__(self, app: ASGIApp, limit: int, larger: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.limit = limit
        self.larger = dict(larger or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.larger.get(scope["path"], self.limit)
        length = Headers(scope=scope).get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await _too_large(scope, limit)(scope, receive, send)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise RequestTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except RequestTooLarge:
            if not started:
                await _too_large(scope, limit)(scope, receive, send)


def _too_large(scope: Scope, limit: int) -> Response:
    if "text/html" in Headers(scope=scope).get("accept", ""):
        from api.web.errors import error_page

        return error_page(Request(scope), 413)
    return JSONResponse(
        {
            "errors": [
                {
                    "message": f"Anfrage zu groß (höchstens {limit} Bytes).",
                    "extensions": {"code": "REQUEST_TOO_LARGE"},
                }
            ]
        },
        status_code=413,
    )
