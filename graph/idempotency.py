"""Idempotency keys: a mutation retried with the same key writes once and answers the same.

A key belongs to a caller (``scope``: the principal's subject) and is stored as one
``IdempotencyKey`` node, id = hash of scope and key (neither is stored in the clear), with
the hash of the request it was first used for, the results of the request's writes in order
and, once the request finished without errors, its answer (``outcome``, JSON text).

Why the results are written inside the write transactions themselves: the caller's write and
the key's record of it commit together or not at all. Every ``Graph.write`` (and
``Graph.query(..., write=True)``) run while a claim is active (``active``) appends its result
to the key in the same transaction. So whatever happens after a commit (the answer lost, the
process killed before the outcome was stored, a commit the driver reports as failed although
the server kept it) the retry finds the committed writes and *replays* them: the n-th write
of the retry returns the n-th stored result without writing, the resolvers build the same
answer from it, and only writes the first attempt never committed run for real. A write
records itself at position n only if the key holds exactly n results (checked under the
key's lock), so two attempts running at once cannot both write step n: the later one is
rolled back with ``KeyInUse``.

The results are pickled: they are the graph layer's own return values (records, rows with
driver temporal types), written and read only by this module; the key expires after the
configured hours (``expire_keys``, run by ``verbund retention apply``).
"""

from __future__ import annotations

import base64
import hashlib
import io
import pickle
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, LiteralString, TypeVar

import neo4j

from graph.errors import GraphError

if TYPE_CHECKING:
    # graph/connection.py asks this module for the active claim.
    from graph.connection import Graph

T = TypeVar("T")

DEFAULT_HOURS = 24
# Longer keys are refused: a key is a UUID or similar, not a payload.
MAX_KEY_LENGTH = 200


class KeyReused(GraphError):
    """The key was first used for a different request."""

    code = "IDEMPOTENCY_KEY_REUSED"

    def __init__(self) -> None:
        super().__init__(
            "Dieser Idempotency-Key wurde schon für eine andere Anfrage verwendet. "
            "Bitte für jeden neuen Vorgang einen neuen Key senden; für eine Wiederholung "
            "genau dieselbe Anfrage."
        )


class KeyInUse(GraphError):
    """Another attempt with the same key wrote the same step first."""

    code = "IDEMPOTENCY_IN_PROGRESS"

    def __init__(self) -> None:
        super().__init__(
            "Derselbe Vorgang wird gerade mit diesem Idempotency-Key ausgeführt. "
            "Bitte einige Sekunden warten und mit demselben Key erneut senden."
        )


def key_id(scope: str, key: str) -> str:
    return hashlib.sha256(f"{scope}\n{key}".encode()).hexdigest()


@dataclass
class Claim:
    """One request's use of a key (shared by every graph call of the request)."""

    scope: str
    key: str
    request_hash: str
    expires_at: datetime
    # The results a previous attempt committed, to be returned instead of writing again.
    replay: list[str] = field(default_factory=list)
    # Writes seen so far in this request (replayed and recorded).
    steps: int = 0

    @property
    def id(self) -> str:
        return key_id(self.scope, self.key)

    def next_replayed(self) -> tuple[bool, Any]:
        """(True, result) when the next write was committed by an earlier attempt."""
        if self.steps < len(self.replay):
            encoded = self.replay[self.steps]
            self.steps += 1
            # Our own pickles, read back from our own key node (see the module docstring).
            return True, pickle.loads(base64.b64decode(encoded))  # noqa: S301
        return False, None

    def recording(self, work: Callable[[neo4j.ManagedTransaction], T]) -> Callable[..., T]:
        """``work`` followed, in its transaction, by recording its result on the key."""

        def recorded(tx: neo4j.ManagedTransaction) -> T:
            result = work(tx)
            encoded = base64.b64encode(_dumps(result)).decode("ascii")
            _record(tx, self, encoded)
            return result

        return recorded

    def recorded(self) -> None:
        """The recorded write committed: the next one is the following step."""
        self.steps += 1


def _proxy(values: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(values)


def _dumps(result: Any) -> bytes:
    """Pickle a write's result; records keep read-only mappings, which pickle lacks."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out)
    pickler.dispatch_table = {MappingProxyType: lambda m: (_proxy, (dict(m),))}
    pickler.dump(result)
    return out.getvalue()


_ACTIVE: ContextVar[Claim | None] = ContextVar("verbund_idempotency_claim", default=None)


def current() -> Claim | None:
    """The claim of the running request's mutations, if it sent a key."""
    return _ACTIVE.get()


@contextmanager
def active(claim: Claim | None) -> Iterator[None]:
    """Record (or replay) every write made inside on ``claim``."""
    token = _ACTIVE.set(claim)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


_RECORD: LiteralString = """
MERGE (k:IdempotencyKey {id: $id})
ON CREATE SET k.request_hash = $hash, k.created_at = $now, k.expires_at = $expires,
              k.results = []
SET k._lock = true
// An expired key is free again (the retention run deletes it later).
FOREACH (_ IN CASE WHEN k.expires_at <= $now THEN [1] ELSE [] END |
  SET k.request_hash = $hash, k.results = [], k.outcome = null,
      k.created_at = $now, k.expires_at = $expires)
WITH k, k.request_hash = $hash AS same, size(k.results) = $step AS next
SET k.results = CASE WHEN same AND next THEN k.results + [$result] ELSE k.results END
REMOVE k._lock
RETURN same, next
"""


def _record(tx: neo4j.ManagedTransaction, claim: Claim, encoded: str) -> None:
    row = tx.run(
        _RECORD,
        id=claim.id,
        hash=claim.request_hash,
        now=datetime.now(claim.expires_at.tzinfo),
        expires=claim.expires_at,
        step=claim.steps,
        result=encoded,
    ).single()
    assert row is not None
    # Raising here rolls the caller's write back with the key's record of it.
    if not row["same"]:
        raise KeyReused()
    if not row["next"]:
        raise KeyInUse()


@dataclass(frozen=True, slots=True)
class StoredKey:
    request_hash: str
    results: list[str]
    outcome: str | None


def lookup(graph: Graph, scope: str, key: str, now: datetime) -> StoredKey | None:
    """The key's record, unless it is unknown or expired."""
    rows = graph.query(
        "MATCH (k:IdempotencyKey {id: $id}) WHERE k.expires_at > $now "
        "RETURN k.request_hash AS hash, k.results AS results, k.outcome AS outcome",
        {"id": key_id(scope, key), "now": now},
    )
    if not rows:
        return None
    row = rows[0]
    return StoredKey(str(row["hash"]), list(row["results"] or []), row["outcome"])


_OUTCOME: LiteralString = """
MERGE (k:IdempotencyKey {id: $id})
ON CREATE SET k.request_hash = $hash, k.created_at = $now, k.expires_at = $expires,
              k.results = []
SET k._lock = true
// An expired key is free again (the retention run deletes it later).
FOREACH (_ IN CASE WHEN k.expires_at <= $now THEN [1] ELSE [] END |
  SET k.request_hash = $hash, k.results = [], k.outcome = null,
      k.created_at = $now, k.expires_at = $expires)
WITH k
CALL (k) {
  WITH k WHERE k.request_hash = $hash AND size(k.results) = $steps AND k.outcome IS NULL
  SET k.outcome = $outcome
}
REMOVE k._lock
"""


def save_outcome(graph: Graph, claim: Claim, outcome: str, now: datetime) -> None:
    """Keep the answer for retries; only if no other attempt wrote more steps meanwhile."""
    graph.query(
        _OUTCOME,
        {
            "id": claim.id,
            "hash": claim.request_hash,
            "now": now,
            "expires": claim.expires_at,
            "steps": claim.steps,
            "outcome": outcome,
        },
        write=True,
        revise=False,  # bookkeeping of the key, not data the analyses read
    )


def expires(now: datetime, hours: int) -> datetime:
    return now + timedelta(hours=hours)


def expire_keys(graph: Graph, now: datetime, *, dry_run: bool = False) -> int:
    """Delete (or, dry run, count) the keys past their period."""
    if dry_run:
        (row,) = graph.query(
            "MATCH (k:IdempotencyKey) WHERE k.expires_at <= $now RETURN count(k) AS n",
            {"now": now},
        )
        return int(row["n"])
    (row,) = graph.query(
        "MATCH (k:IdempotencyKey) WHERE k.expires_at <= $now DETACH DELETE k RETURN count(*) AS n",
        {"now": now},
        write=True,
        revise=False,
    )
    return int(row["n"])
