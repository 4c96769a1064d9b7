"""A write and its audit entry in one transaction (issue #16): both commit or neither.

Whoever changes data on behalf of a caller (the GraphQL policies for ``/graphql`` and the web
pages, a CLI command) opens a ``WriteAudit`` around the work with ``auditing``. Every
``Graph.write`` that bumps the data revision (every data write; not the bookkeeping of the
audit itself, idempotency keys or the schema) then appends the entries ``WriteAudit.entries``
builds to its own transaction, as its last statement before the revision. If the entries
cannot be written, the write is rolled back and ``AuditFailed`` is raised: a change never
stands without its entry, and no entry names a change that was not made.

The entries are built when the write runs, not when the unit is opened: a create learns the
id of its new record only in the resolver. ``WriteAudit.committed`` hears which entries were
committed, so the caller does not write them again (and writes the rest, e.g. the records a
mutation's answer reads, through the audit gate as before).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar

import neo4j
from neo4j import exceptions as neo4j_errors

from graph.audit import APPEND, AuditEvent, AuditFailed, props

log = logging.getLogger("verbund.audit")

T = TypeVar("T")

NOT_WRITTEN = "deshalb wurde nichts gespeichert"
"""What the caller is told when a write's entry failed: the write was rolled back."""


@dataclass(frozen=True, slots=True)
class WriteAudit:
    """The audit of one operation's writes.

    ``entries``: the entries the next write commits with itself (empty: nothing new to
    record, e.g. a second write of the same records). ``committed``: called after a commit
    with the entries it carried; also with none when a write was replayed under an
    idempotency key (its first attempt committed its entries with it)."""

    entries: Callable[[], Sequence[AuditEvent]]
    committed: Callable[[Sequence[AuditEvent]], None]

    def recording(
        self, work: Callable[[neo4j.ManagedTransaction], T]
    ) -> tuple[Callable[[neo4j.ManagedTransaction], T], list[AuditEvent]]:
        """``work`` followed by the entries, in the same transaction; and the list that
        holds the entries of the attempt that ran last (a retried transaction builds them
        anew: a rolled-back attempt wrote none)."""
        carried: list[AuditEvent] = []

        def audited(tx: neo4j.ManagedTransaction) -> T:
            done = work(tx)
            events = list(self.entries())
            carried[:] = events
            if events:
                append_in(tx, events)
            return done

        return audited, carried


_ACTIVE: ContextVar[WriteAudit | None] = ContextVar("verbund_write_audit", default=None)


def current() -> WriteAudit | None:
    """The unit the running code writes under (graph/connection.py asks), or None."""
    return _ACTIVE.get()


@contextmanager
def auditing(unit: WriteAudit) -> Iterator[WriteAudit]:
    """Every data write inside the block carries ``unit``'s entries (threads started with
    a copy of the context, as ``anyio.to_thread`` does, included)."""
    token = _ACTIVE.set(unit)
    try:
        yield unit
    finally:
        _ACTIVE.reset(token)


def append_in(tx: neo4j.ManagedTransaction, events: Sequence[AuditEvent]) -> None:
    """Write the entries in ``tx``; if Neo4j refuses them, raise ``AuditFailed`` (the
    transaction function then fails and the driver rolls the write back). A transient
    error is re-raised as it is: the driver retries the whole transaction."""
    try:
        tx.run(APPEND, {"events": [props(e) for e in events]}).consume()
    except neo4j_errors.Neo4jError as exc:
        # Only the server's refusals: a lost connection stays what it is (the write's
        # outcome may be unknown, graph/connection.py).
        if exc.is_retryable():
            raise
        log.error("Protokollierung einer Änderung fehlgeschlagen", exc_info=exc)
        raise AuditFailed(NOT_WRITTEN) from exc
