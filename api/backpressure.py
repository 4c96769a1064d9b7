"""Backpressure: at most ``max_concurrent`` requests at work, at most ``max_queue`` waiting.

Without it every request was accepted and waited for one of anyio's 40 worker threads and a
Neo4j connection: at 128 connections the p99 grew to 18 s and nobody was told to come back
later. Here a request beyond the running and the waiting ones is refused at once with 503
and ``Retry-After`` (no database work, no thread), and one that waited ``max_wait`` seconds
without getting a slot likewise, so the accepted ones keep a short answer time and a client
or load balancer can go elsewhere or retry.

The defaults follow the Neo4j driver pool (api/settings.py): a request that got a slot
always finds a free connection, it never waits inside the driver. Static assets and
``/health`` bypass the limit (no database work, and a load balancer must see the service
alive while it is busy). The limit counts per process: with several workers each has its
own (docs/operations.md, "Worker bemessen").
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger("verbund.api")

BYPASS_PREFIXES = ("/static/", "/health")

BUSY_CODE = "OVERLOADED"
BUSY_MESSAGE = (
    "Der Dienst ist gerade ausgelastet und hat die Anfrage nicht angenommen. "
    "Bitte in {seconds} erneut versuchen."
)


def seconds(count: int) -> str:
    return f"{count} Sekunde" if count == 1 else f"{count} Sekunden"


class Backpressure:
    """Pure ASGI middleware; all bookkeeping happens on the event loop (no locks needed)."""

    def __init__(
        self,
        app: ASGIApp,
        max_concurrent: int,
        max_queue: int,
        max_wait: float = 1.0,
        retry_after: int = 1,
    ) -> None:
        if max_concurrent < 1 or max_queue < 0 or max_wait <= 0:
            raise ValueError("max_concurrent >= 1, max_queue >= 0, max_wait > 0")
        self.app = app
        self.max_concurrent = max_concurrent
        self.max_queue = max_queue
        self.max_wait = max_wait
        self.retry_after = retry_after
        self.active = 0
        self._waiters: deque[asyncio.Future[None]] = deque()
        self.refused = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(BYPASS_PREFIXES):
            await self.app(scope, receive, send)
            return
        if self.active < self.max_concurrent:
            self.active += 1
        elif len(self._waiters) >= self.max_queue or not await self._wait_for_slot():
            self.refused += 1
            await self._busy(scope)(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self._release()

    async def _wait_for_slot(self) -> bool:
        """Wait until a finishing request hands its slot over (first come, first served);
        False after ``max_wait`` seconds: the queue is bounded in time too, so an accepted
        request's answer time does not depend on how slow the machine is today."""
        slot: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(slot)
        try:
            await asyncio.wait_for(asyncio.shield(slot), self.max_wait)
        except TimeoutError:
            if slot.done():
                return True  # handed over just as the wait ran out
            self._waiters.remove(slot)
            return False
        except asyncio.CancelledError:
            # The client went away while waiting: pass a slot handed over meanwhile on.
            if slot.done():
                self._release()
            else:
                self._waiters.remove(slot)
            raise
        return True

    def _release(self) -> None:
        while self._waiters:
            slot = self._waiters.popleft()
            if not slot.done():
                slot.set_result(None)  # the slot goes to the next waiter, active unchanged
                return
        self.active -= 1

    def _busy(self, scope: Scope) -> Response:
        headers = {"retry-after": str(self.retry_after)}
        request = Request(scope)
        if self.refused % 100 == 1:
            # One line per hundred refusals: under overload the log must not become the load.
            log.warning(
                "Ausgelastet: %d Anfragen abgewiesen (%d in Arbeit, %d wartend)",
                self.refused,
                self.active,
                len(self._waiters),
            )
        if _wants_page(request):
            from api.web.errors import busy_page

            response = busy_page(request, self.retry_after)
            response.headers.update(headers)
            return response
        return JSONResponse(
            {
                "errors": [
                    {
                        "message": BUSY_MESSAGE.format(seconds=seconds(self.retry_after)),
                        "extensions": {"code": BUSY_CODE, "retryAfter": self.retry_after},
                    }
                ]
            },
            status_code=503,
            headers=headers,
        )


def _wants_page(request: Request) -> bool:
    """A browser asking for a page; GraphQL clients and scripts get the JSON error."""
    return "text/html" in request.headers.get("accept", "")
