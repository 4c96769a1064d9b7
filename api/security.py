"""Transport hardening: security headers and a request size limit (pure ASGI middleware)."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.datastructures import Headers, MutableHeaders
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


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        graphql = scope["path"].startswith("/graphql")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _COMMON.items():
                    headers.setdefault(name, value)
                headers.setdefault("content-security-policy", _CSP_DEFAULT)
                if graphql:
                    # Social data must not linger in caches.
                    headers["cache-control"] = "no-store"
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
