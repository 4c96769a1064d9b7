"""The audit of a GraphQL request: a write's entry in the write's own transaction, the rest
through the audit gate before the answer leaves.

Both callers of the schema, ``/graphql`` (api/app.py, api/graphql_post.py) and the web pages
(api/web/data.py), run ``schema.execute``, so every operation passes ``audit_request``
(schema/operation.py). A mutation's write carries its entry (``write_audit``,
graph/audit_unit.py): the policy opens the unit around a writing field, so the change and
its entry commit together or not at all.
What the policies collected beyond that (schema/policy.py) becomes at most two kinds of
entries at the end: the records read (or, for a write that committed no entry of its own,
e.g. a replay under an idempotency key, the write), and the refused attempts ("denied",
with their reasons). If they cannot be written (``graph.audit.gate`` raises
``AuditFailed``), the answer's data is replaced by the error ``AUDIT_FAILED``: no household
data leaves unrecorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from graphql import GraphQLError

from graph import audit
from graph.audit_unit import WriteAudit
from schema.context import Context
from schema.principal import Principal
from schema.purpose import declared_purpose

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


def write_audit(context: Context, operation: str) -> WriteAudit:
    """The audit unit of one writing field: each write commits an entry for the records
    named so far (by the guard, by the resolver before it writes) that no earlier entry of
    the request named; the first write always commits one, also without records (a
    directory change)."""
    access = context.access

    def entries() -> list[audit.AuditEvent]:
        records = set(access.records) - access.audited
        if access.write_audited and not records:
            return []
        return audit.events_for(
            actor_of(context.principal),
            action="write",
            operation=operation,
            purpose=request_purpose(context),
            records=records,
        )

    def committed(events: Sequence[audit.AuditEvent]) -> None:
        access.write_audited = True
        for event in events:
            access.audited.update(event.records)

    return WriteAudit(entries=entries, committed=committed)


def request_events(context: Context) -> list[audit.AuditEvent]:
    """The request's entries still to write: the records it read (or, for a write that
    committed no entry of its own, its write), and its refused attempts."""
    access = context.access
    unaudited = access.wrote and not access.write_audited
    records = access.records - access.audited
    touched = bool(records or (unaudited and access.operations))
    if not touched and not access.denied:
        return []
    actor = actor_of(context.principal)
    operation = ",".join(sorted(access.operations))
    purpose = request_purpose(context)
    events: list[audit.AuditEvent] = []
    if touched:
        events += audit.events_for(
            actor,
            action="write" if unaudited else "read",
            operation=operation,
            purpose=purpose,
            records=records,
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


async def audit_request(context: Context, result: Any) -> None:
    """Write the request's audit entries when its operation ends (schema/operation.py); if
    that fails, the request fails: no social data leaves unrecorded."""
    events = request_events(context)
    if not events:
        return
    access = context.access
    if access.wrote and not access.write_audited:
        # A replayed write is committed before this entry: say so, a blind retry
        # could write twice.
        consequence = (
            "die Antwort wird zurückgehalten, die Änderung kann aber gespeichert sein: "
            "bitte vor dem Wiederholen nachsehen"
        )
    elif access.wrote:
        consequence = (
            "die Änderung ist gespeichert und protokolliert, die Antwort wird aber "
            "zurückgehalten: bitte nachsehen, nicht wiederholen"
        )
    else:
        consequence = "deshalb werden keine Daten ausgegeben"
    try:
        await context.run(audit.gate, context.graph, events, consequence)
    except audit.AuditFailed as failed:
        withhold(result, failed)
