"""The graph's blocking calls off the event loop: one thread pool of the schema's own.

The driver is synchronous, so every graph call of a request runs in a worker thread. anyio's
``to_thread.run_sync`` (used before) costs more per call than the hop itself needs (a
capacity limiter, cancel scopes and its own worker queue on top of the thread switch:
bench/README.md, "Eighth session"); here it is the event loop's ``run_in_executor`` with the
same two guarantees: the call sees the caller's context variables (the idempotency record
and the write audit live in them, graph/audit_unit.py), and a cancelled caller waits for the
call to finish before the cancellation goes on, so no write is left running unseen.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

T = TypeVar("T")

# As many calls at once as anyio's default limiter allowed; the request concurrency limit
# (api/backpressure.py) and the driver's pool bound them first.
WORKERS = 40

_pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="verbund-graph")


async def in_thread(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args, **kwargs)`` in a worker thread, with a copy of the caller's context."""
    call = partial(contextvars.copy_context().run, fn, *args, **kwargs)
    future = asyncio.get_running_loop().run_in_executor(_pool, call)
    try:
        return await asyncio.shield(future)
    except asyncio.CancelledError:
        # As anyio without abandon_on_cancel: the call ends first (its result is dropped).
        await asyncio.wait((future,))
        raise
