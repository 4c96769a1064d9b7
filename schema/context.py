"""The typed per-request context: the process's graph handle plus per-request state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol, TypeVar

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response
from strawberry.types import Info as StrawberryInfo

from graph import Graph
from graph.repo.households import OrgScope
from schema.loaders import Loaders

T = TypeVar("T")


class Acting(Protocol):
    """Who is asking: what mutations record as "who" and scoping reads by organization."""

    @property
    def id(self) -> str: ...

    @property
    def organization_id(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class SystemPrincipal:
    """The acting user until authentication sets one: the system itself, unscoped."""

    id: str = "system"
    organization_id: str | None = None


SYSTEM = SystemPrincipal()


@dataclass
class Context:
    graph: Graph
    request: Request | None = None
    response: Response | None = None
    principal: Acting = SYSTEM
    # Household-level reads are limited to this organization's view (None: unrestricted).
    scope: OrgScope | None = None
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.graph, self.scope)

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking graph call off the event loop."""
        return await anyio.to_thread.run_sync(partial(fn, *args, **kwargs))


Info = StrawberryInfo[Context, None]
