"""What every operation passes on its way out: the idempotency key's write record around it,
then the audit, then the errors as the client sees them; one schema extension.

strawberry creates each extension anew for every request and asks each one for each of its
hooks (with ``inspect`` and a ``contextlib`` wrapper per hook), so the three steps are plain
functions in their own modules (schema/idempotency.py, schema/policy_audit.py,
schema/errors.py) called from ONE hook of one extension (bench/README.md, "Fixed cost per
request"). The order is the one the three extensions had: writes recorded only while the
operation runs (the audit entry after it is written for every attempt, never replayed);
the audit before the errors are presented, so an ``AUDIT_FAILED`` replaces the data first.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from strawberry.extensions import SchemaExtension

from schema.context import Context
from schema.errors import present_result
from schema.idempotency import recording
from schema.policy_audit import audit_request


class OperationRules(SchemaExtension):
    """Idempotent writes, audit trail and error codes of one operation."""

    async def on_operation(self) -> AsyncIterator[None]:
        run = self.execution_context
        context = run.context
        ours = isinstance(context, Context)
        with recording(context.idempotency if ours else None):
            yield
        if ours:
            await audit_request(context, run.result)
        present_result(run.result)
