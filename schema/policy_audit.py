"""The audit of a GraphQL request, written through the audit gate before the answer leaves.

Both callers of the schema, ``/graphql`` (api/app.py, POST and GET) and the web pages
(api/web/data.py), run ``schema.execute``, so every operation passes ``AuditTrail``. What the
policies collected (schema/policy.py) becomes at most two kinds of entries: the read or
write, and the refused attempts ("denied", with their reasons). If they cannot be written
(``graph.audit.gate`` raises ``AuditFailed``), the answer's data is replaced by the error
``AUDIT_FAILED``: no household data leaves unrecorded.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from graph import audit
from schema.context import Context
from schema.policy import declared_purpose
from schema.principal import Principal

MAX_REASON = 2_000
"""Characters of the joined reasons kept in one entry (a request may refuse many fields)."""


def actor_of(principal: Principal) -> audit.Actor:
    return audit.Actor(
        subject=principal.subject,
        role=principal.role or "anonymous",
        organization_id=principal.organization_id,
        auth_method=principal.auth_method,
    )


def request_purpose(context: Context) -> str:
    """The purpose of the request's access, never a field name.

    In this order: the purpose the caller declared (``X-Verbund-Zweck``); for a partner who
    declared none, the purposes of the consents it read under; the purposes the operations
    themselves serve (their policies name them, e.g. "Überleitung"); else "nicht angegeben".
    """
    declared = declared_purpose(context)
    if declared is not None:
        return declared
    access = context.access
    if access.consent_purposes:
        return "Einwilligung: " + "; ".join(sorted(access.consent_purposes))
    own = sorted({purpose for purpose in access.operations.values() if purpose})
    return "; ".join(own) if own else audit.NO_PURPOSE


def request_events(context: Context) -> list[audit.AuditEvent]:
    """The request's entries: its read or write, and its refused attempts."""
    access = context.access
    touched = bool(access.records or (access.wrote and access.operations))
    if not touched and not access.denied:
        return []
    actor = actor_of(context.principal)
    operation = ",".join(sorted(access.operations))
    purpose = request_purpose(context)
    events: list[audit.AuditEvent] = []
    if touched:
        events += audit.events_for(
            actor,
            action="write" if access.wrote else "read",
            operation=operation,
            purpose=purpose,
            records=access.records,
        )
    if access.denied:
        reason = "; ".join(sorted(access.reasons))
        if len(reason) > MAX_REASON:
            reason = reason[: MAX_REASON - 1] + "…"
        events += audit.events_for(
            actor,
            action="denied",
            operation=operation,
            purpose=purpose,
            records=access.denied,
            reason=reason or None,
        )
    return events


def withhold(result: Any, failed: audit.AuditFailed) -> None:
    """Replace a result's data by the audit error, in place.

    In place, because strawberry returns the object the extension sees; and whatever its
    class: after execution it is graphql-core's ``ExecutionResult``, on other paths
    strawberry's. Both carry ``data`` and ``errors``.
    """
    if result is None:  # nothing was executed, so nothing can leave
        return
    result.data = None
    result.errors = [GraphQLError(str(failed), extensions={"code": failed.code})]


class AuditTrail(SchemaExtension):
    """Write the request's audit entries; if that fails, the request fails: no social data
    leaves unrecorded."""

    async def on_operation(self) -> AsyncIterator[None]:
        yield
        context = self.execution_context.context
        if not isinstance(context, Context):
            return
        events = request_events(context)
        if not events:
            return
        consequence = (
            # A mutation's write is committed before its entry: say so, a blind retry
            # could write twice.
            "die Antwort wird zurückgehalten, die Änderung kann aber gespeichert sein: bitte "
            "vor dem Wiederholen nachsehen"
            if context.access.wrote
            else "deshalb werden keine Daten ausgegeben"
        )
        try:
            await context.run(audit.gate, context.graph, events, consequence)
        except audit.AuditFailed as failed:
            withhold(self.execution_context.result, failed)
