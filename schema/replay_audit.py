"""The audit of a replayed answer: a stored answer sent again is a disclosure again.

A mutation retried under the same idempotency key (schema/idempotency.py) gets the first
attempt's stored answer without running anything, so neither the policies nor ``audit_request``
(schema/policy_audit.py) see it. The answer still carries the household-level records the
first attempt touched, and the audit rule (graph/audit.py) records *every* read of such data,
also the same caller reading its own records again (a query sent twice leaves two entries).
The replay is no exception: the key may be used up to ``VERBUND_IDEMPOTENCY_HOURS`` later, and
the log must show that the caller received the data again, not only that it once wrote it.

So the first attempt stores, beside its answer, what its audit named (``outcome``): the
operations, the purpose and the records. A replay (``replayed``) writes one ``read`` entry
for the same actor naming those records, operation ``replay <fields>``, through the audit
gate; if the entry cannot be written, the answer is withheld (``AUDIT_FAILED``) like any
other unrecorded disclosure. An answer that named no household-level records (a directory
change) replays without an entry, as a query touching none has none. An answer stored before
this list was kept (at most the key's lifetime ago) names no records: it is recorded as
``replay`` without records rather than not at all.
"""

from __future__ import annotations

import json
from typing import Any

from graphql import GraphQLError
from strawberry.types import ExecutionResult

from graph import audit
from schema.context import Context
from schema.policy_audit import actor_of, request_purpose

AUDIT_KEY = "audit"
"""Where the stored outcome keeps what the replay must record (beside ``data``)."""


def outcome(context: Context, result: ExecutionResult) -> str:
    """The text stored on the key: the answer's data and what its audit named."""
    access = context.access
    named = {
        "operation": ",".join(sorted(access.operations)),
        "purpose": request_purpose(context),
        "records": sorted(access.records),
    }
    return json.dumps({"data": result.data, AUDIT_KEY: named}, default=str)


def replay_events(context: Context, stored: dict[str, Any]) -> list[audit.AuditEvent]:
    """The entries a replay of ``stored`` (the parsed outcome) writes: one ``read`` entry
    naming the first attempt's records, none when it named none."""
    named = stored.get(AUDIT_KEY)
    if not isinstance(named, dict):
        operation, purpose, records = "replay", None, []
    else:
        records = list(named.get("records") or [])
        if not records:
            return []
        fields = named.get("operation") or ""
        operation = f"replay {fields}".strip()
        purpose = named.get("purpose")
    return audit.events_for(
        actor_of(context.principal),
        action="read",
        operation=operation,
        purpose=purpose,
        records=records,
    )


async def replayed(context: Context, stored_outcome: str) -> ExecutionResult:
    """The stored answer, once its replay is recorded; or ``AUDIT_FAILED`` without data."""
    stored = json.loads(stored_outcome)
    events = replay_events(context, stored)
    try:
        if events:
            await context.run(audit.gate, context.graph, events)
    except audit.AuditFailed as failed:
        error = GraphQLError(str(failed), extensions={"code": failed.code})
        return ExecutionResult(data=None, errors=[error], extensions=None)
    return ExecutionResult(data=stored.get("data"), errors=None, extensions=None)
