"""The API's hot read (``Graph.rows``) on the server's event loop, through the driver's asyncio API.

Every other graph call runs the synchronous driver in a worker thread (schema/threads.py).
For the compiled one-statement reads, the most frequent request, that costs more than the
read itself when several run at once: with 8 reads in flight the thread path spent 860–940 µs
CPU per Träger read against 570 µs on the loop (GIL handoffs and thread wake-ups;
bench/README.md, "Eighth session"). So the served app opens ``LoopReads`` in its lifespan, on
its own loop, and the compiled reads use it there; anywhere else (CLI, tests calling the
schema directly, another loop) ``Graph.rows`` in a thread answers as before.

Same rules as ``Graph.rows``: an auto-commit read with the statement timeout, one retry when
the driver calls a failure retryable, driver errors mapped by ``translate_errors``, each
statement counted on the graph handle, and the sync driver's bookmarks shared (a read still
sees every write committed before it through the other driver, also on a cluster).
The second driver has its own pool of ``pool_size`` connections.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection
from typing import Any, LiteralString

import neo4j
from neo4j import exceptions as neo4j_errors
from neo4j.api import AsyncBookmarkManager, BookmarkManager

from graph.connection import READ_ATTEMPTS, Graph, Params, driver_options, translate_errors


class _SharedBookmarks(AsyncBookmarkManager):
    """The sync driver's bookmark manager seen through the async interface."""

    def __init__(self, shared: BookmarkManager) -> None:
        self._shared = shared

    async def update_bookmarks(
        self, previous_bookmarks: Collection[str], new_bookmarks: Collection[str]
    ) -> None:
        self._shared.update_bookmarks(previous_bookmarks, new_bookmarks)

    async def get_bookmarks(self) -> Collection[str]:
        return self._shared.get_bookmarks()


class LoopReads:
    """``Graph.rows`` for coroutines of the loop it was opened on."""

    def __init__(self, graph: Graph) -> None:
        """Open on the running loop (call from a coroutine, e.g. the app's lifespan)."""
        self.graph = graph
        self.loop = asyncio.get_running_loop()
        self._driver = neo4j.AsyncGraphDatabase.driver(
            graph.config.uri, **driver_options(graph.config)
        )
        self._bookmarks = _SharedBookmarks(graph.bookmark_manager)
        self.closed = False

    def here(self) -> bool:
        """Whether these reads are open and the running loop is theirs."""
        if self.closed:
            return False
        try:
            return asyncio.get_running_loop() is self.loop
        except RuntimeError:
            return False

    async def rows(
        self, cypher: LiteralString, params: Params | None = None
    ) -> list[dict[str, Any]]:
        """As ``Graph.rows``: the rows of one read whose columns are maps, lists and values."""
        attempt = 1
        with translate_errors():
            while True:
                self.graph.count_statement()
                try:
                    return await self._read(cypher, dict(params or {}))
                except (neo4j_errors.Neo4jError, neo4j_errors.DriverError) as exc:
                    if attempt >= READ_ATTEMPTS or not exc.is_retryable():
                        raise
                    attempt += 1

    async def _read(self, cypher: LiteralString, params: dict[str, Any]) -> list[dict[str, Any]]:
        async with self._driver.session(
            database=self.graph.config.database,
            default_access_mode=neo4j.READ_ACCESS,
            bookmark_manager=self._bookmarks,
        ) as session:
            result = await session.run(
                neo4j.Query(cypher, timeout=self.graph.config.query_timeout), params
            )
            keys = result.keys()
            return [dict(zip(keys, record, strict=True)) async for record in result]

    async def close(self) -> None:
        self.closed = True
        await self._driver.close()
