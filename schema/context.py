"""The typed per-request context: the process's graph handle plus per-request state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response
from strawberry.types import Info as StrawberryInfo

from graph import Graph
from schema.policy_state import RequestAccess
from schema.principal import ANONYMOUS, Principal

T = TypeVar("T")


@dataclass
class Context:
    graph: Graph
    request: Request | None = None
    response: Response | None = None
    # Per-request caches (dataloaders) register themselves here by name.
    loaders: dict[str, Any] = field(default_factory=dict)
    # Who is asking (set by api/auth); schema/policy.py decides from it alone.
    principal: Principal = ANONYMOUS
    access: RequestAccess = field(default_factory=RequestAccess)

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking graph call off the event loop."""
        return await anyio.to_thread.run_sync(partial(fn, *args, **kwargs))


Info = StrawberryInfo[Context, None]
