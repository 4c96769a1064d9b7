"""GraphiQL for developers, served offline from vendored assets (no CDN).

A browser asking ``/graphql`` for HTML gets the IDE page; every other request goes to the
GraphQL endpoint. Signed-in people use their session (the page sends the CSRF header);
scripts keep using bearer tokens.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from api.web.templating import render


class GraphiQLPage:
    """An ASGI app (a class, so starlette's Route passes scope, receive and send through)."""

    def __init__(self, graphql: ASGIApp) -> None:
        self.graphql = graphql

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] == "GET":  # a POST (every API call) needs no Request here
            request = Request(scope, receive)
            wants_page = "text/html" in request.headers.get("accept", "")
            if wants_page and "query" not in request.query_params:
                await render(request, "graphiql.html")(scope, receive, send)
                return
        await self.graphql(scope, receive, send)
