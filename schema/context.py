"""The typed per-request context: the process's graph handle plus per-request state."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, LiteralString, TypeVar

from starlette.requests import Request
from starlette.responses import Response
from strawberry.types import Info as StrawberryInfo

from graph import Graph, capacity, overdue
from graph.connection import Params
from graph.idempotency import DEFAULT_HOURS, Claim
from graph.repo.households import OrgScope, scope_for
from schema.dataloaders import Loaders
from schema.limits import MAX_QUERY_COST
from schema.policy_state import RequestAccess
from schema.principal import ANONYMOUS, Principal
from schema.threads import in_thread

T = TypeVar("T")


@dataclass
class Context:
    graph: Graph
    request: Request | None = None
    response: Response | None = None
    # Who is asking (set by api/auth); schema/policy.py decides from it alone, mutations
    # record it as "who" in referral events.
    principal: Principal = ANONYMOUS
    access: RequestAccess = field(default_factory=RequestAccess)
    # Settings the API passes down (schema/ does not read api/settings.py): the days a
    # receiving Träger has to answer a referral (graph/overdue.py) and the key of household
    # pseudonyms (graph/pseudonym.py; None: households recorded here get a random one).
    referral_answer_days: int = overdue.DEFAULT_ANSWER_DAYS
    pseudonym_secret: str | None = None
    # Days after which a service's reported occupancy counts as unknown (graph/capacity.py,
    # VERBUND_CAPACITY_MAX_AGE_DAYS).
    capacity_max_age_days: int = capacity.DEFAULT_MAX_AGE_DAYS
    # The budget of an operation's estimated cost (schema/cost.py, schema/limits.py).
    max_query_cost: int = MAX_QUERY_COST
    # How long an idempotency key keeps its answer (VERBUND_IDEMPOTENCY_HOURS), and the
    # request's key once schema/idempotency.py took it (its writes are recorded on it).
    idempotency_hours: int = DEFAULT_HOURS
    idempotency: Claim | None = None
    # The request's clock: every "how long ago" of one request is measured from here.
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    # Answered by one compiled statement (schema/compiled_run.py), not by the resolvers.
    compiled: bool = False
    # Household-level reads in the repositories are limited to this organization's view
    # (derived from the principal: caseworkers see their own cases, partners what they
    # received), so lists and their counts agree with the policies.
    scope: OrgScope | None = field(init=False)

    def __post_init__(self) -> None:
        self.scope = scope_for(self.principal.role, self.principal.organization_id)

    @cached_property
    def loaders(self) -> Loaders:
        """The request's DataLoaders, made on first use (a compiled read needs none)."""
        return Loaders(self.graph, self.scope)

    @property
    def overdue_before(self) -> dt.datetime:
        """Referrals unchanged since before this moment and still waiting are overdue."""
        return overdue.cutoff(self.now, self.referral_answer_days)

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a blocking graph call off the event loop."""
        return await in_thread(fn, *args, **kwargs)

    async def rows(self, cypher: LiteralString, params: Params) -> list[dict[str, Any]]:
        """``Graph.rows``: on the event loop where the served app opened its loop reads
        (graph/loop_reads.py), else in a worker thread; the same answer and errors."""
        reads = self.graph.loop_reads
        if reads is not None and reads.here():
            return await reads.rows(cypher, params)
        return await in_thread(self.graph.rows, cypher, params)


Info = StrawberryInfo[Context, None]
