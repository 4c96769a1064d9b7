"""One Neo4j driver per process, behind a small wrapper that translates driver errors.

Everything above this module sees plain dicts and our own errors, never driver records or
driver exceptions. The wrapper also counts round trips, which tests use to prove that a
GraphQL request costs a fixed number of queries.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, LiteralString, TypeVar

import neo4j
from neo4j import exceptions as neo4j_errors
from neo4j.api import BookmarkManager

from graph import audit_unit, idempotency, revision
from graph.audit import AuditEvent
from graph.errors import CONNECTION_LOST, GraphError, OutcomeUnknown, from_driver

if TYPE_CHECKING:
    from graph.loop_reads import LoopReads

T = TypeVar("T")

# The driver warns about every retry it makes; without logging set up, Python prints those
# to stderr (a CLI's one German line drowned in English). A fault is logged once, with its
# request id, where it reaches the caller (api/faults.py); an operator who configures
# logging still gets the driver's lines through the root logger.
logging.getLogger("neo4j").addHandler(logging.NullHandler())

Params = Mapping[str, Any]

# Seconds a read may run before the server cancels it (VERBUND_QUERY_TIMEOUT_SECONDS).
DEFAULT_QUERY_TIMEOUT = 10.0
DEFAULT_ANALYSIS_TIMEOUT = 120.0
# The analysis cache (graph/analysis/cache.py): a result is reused at most this many seconds
# (writes outside verbund are seen at the latest then), and this many results are kept.
DEFAULT_ANALYSIS_CACHE_SECONDS = 600.0
DEFAULT_ANALYSIS_CACHE_ENTRIES = 4

DEFAULT_POOL_SIZE = 100


@dataclass(frozen=True, slots=True)
class Neo4jConfig:
    """Where and how to reach Neo4j (a local server, a user's own server, a cluster or Aura)."""

    uri: str
    user: str
    password: str
    database: str = "neo4j"
    connection_timeout: float = 5.0
    max_transaction_retry_time: float = 5.0
    # Reads (query without write, rows, read) are cancelled by the server after this long;
    # None: the server's own db.transaction.timeout. Writes are not limited here.
    query_timeout: float | None = DEFAULT_QUERY_TIMEOUT
    # The analyses' one snapshot read covers the whole graph: bounded, but on a large city
    # longer than a request's query (graph/analysis/projection.py).
    analysis_timeout: float | None = DEFAULT_ANALYSIS_TIMEOUT
    # 0 seconds: every request runs the analyses anew.
    analysis_cache_seconds: float = DEFAULT_ANALYSIS_CACHE_SECONDS
    analysis_cache_entries: int = DEFAULT_ANALYSIS_CACHE_ENTRIES
    # Worker processes for the analyses of several Gebiete (0: one per core; 1: none). Off by
    # default: on a busy 2-core machine the Land took longer with workers (bench/README.md).
    analysis_processes: int = 1
    # Connections the driver keeps at most (its own default is 100); the API sizes its
    # backpressure from this (api/backpressure.py).
    pool_size: int = DEFAULT_POOL_SIZE


_SCHEMA_COMMAND = re.compile(
    r"\s*(CREATE|DROP)\s+((RANGE|TEXT|POINT|FULLTEXT|LOOKUP|VECTOR)\s+)?(CONSTRAINT|INDEX)\b",
    re.IGNORECASE,
)

# Attempts of an auto-commit read (Graph.rows) when the driver calls a failure retryable.
READ_ATTEMPTS = 2


@contextmanager
def translate_errors() -> Iterator[None]:
    """Map driver exceptions onto the graph layer's error root (graph/errors.py decides
    which); a defect of ours (Cypher syntax) is raised as it is."""
    try:
        yield
    except GraphError:
        raise
    except Exception as exc:
        found = from_driver(exc)
        if found is None:
            raise
        raise found from exc


def driver_options(config: Neo4jConfig) -> dict[str, Any]:
    """How verbund's drivers connect: this handle's and the loop reads' (graph/loop_reads.py)."""
    return {
        "auth": (config.user, config.password),
        "connection_timeout": config.connection_timeout,
        "max_transaction_retry_time": config.max_transaction_retry_time,
        # Short acquisition so a dead server turns into a fast 503, not a hung request.
        "connection_acquisition_timeout": config.connection_timeout * 2,
        "liveness_check_timeout": 30.0,
        "max_connection_pool_size": config.pool_size,
        "user_agent": "verbund",
        "notifications_min_severity": "OFF",
    }


class Graph:
    """The process-wide handle on Neo4j."""

    def __init__(self, config: Neo4jConfig) -> None:
        self.config = config
        self._driver = neo4j.GraphDatabase.driver(config.uri, **driver_options(config))
        self._lock = threading.Lock()
        self._roundtrips = 0
        # The hot read on the served app's event loop, while the app runs (graph/loop_reads.py).
        self.loop_reads: LoopReads | None = None

    @property
    def roundtrips(self) -> int:
        """How many queries or transactions this handle has sent so far."""
        return self._roundtrips

    def _count(self) -> None:
        with self._lock:
            self._roundtrips += 1

    def count_statement(self) -> None:
        """Count a statement sent another way (graph/loop_reads.py) in ``roundtrips``."""
        self._count()

    @property
    def bookmark_manager(self) -> BookmarkManager:
        """The bookmarks every session of this handle shares (see ``_session``)."""
        return self._driver.execute_query_bookmark_manager

    def query(
        self,
        cypher: LiteralString,
        params: Params | None = None,
        *,
        write: bool = False,
        revise: bool = True,
    ) -> list[dict[str, Any]]:
        """Run one auto-retried query and return its rows as plain dicts.

        A write bumps the data revision in its transaction (graph/revision.py) unless
        ``revise=False``: for writes the analyses never read."""
        # A schema command changes no data and cannot share a transaction with a data write.
        revise = write and revise and not _SCHEMA_COMMAND.match(cypher)
        if write and (revise or idempotency.current() is not None):
            # Under an idempotency key a write is recorded with its result (graph/idempotency.py);
            # the revision bump needs a transaction function too.
            return self.write(
                lambda tx: [record.data() for record in tx.run(cypher, dict(params or {}))],
                revise=revise,
            )
        self._count()
        with translate_errors():
            records, _, _ = self._driver.execute_query(
                cypher if write else self._timed(cypher),
                parameters_=dict(params or {}),
                database_=self.config.database,
                routing_=neo4j.RoutingControl.WRITE if write else neo4j.RoutingControl.READ,
            )
        return [record.data() for record in records]

    def rows(self, cypher: LiteralString, params: Params | None = None) -> list[dict[str, Any]]:
        """Run one read query whose columns hold only map projections, lists and plain
        values, and return its rows as dicts: the API's hot read path.

        Unlike ``query`` it skips ``Record.data()``, which walks every value of every row to
        turn nodes, relationships and paths into dicts: such statements return none, and
        on a large nested answer that walk cost as much as the statement itself. And it
        runs as an auto-commit read (one round trip; a transaction function needs a second
        for its commit, about a third of a small read's time), with the driver's bookmarks
        (a read still sees every write committed before it, also on a cluster) and one
        retry when the driver calls the failure retryable, as a transaction function would.
        """
        attempt = 1
        with translate_errors():
            while True:
                self._count()
                try:
                    return self._auto_read(cypher, dict(params or {}))
                except (neo4j_errors.Neo4jError, neo4j_errors.DriverError) as exc:
                    if attempt >= READ_ATTEMPTS or not exc.is_retryable():
                        raise
                    attempt += 1

    def _auto_read(self, cypher: LiteralString, params: dict[str, Any]) -> list[dict[str, Any]]:
        with self._session(neo4j.READ_ACCESS) as session:
            result = session.run(self._timed(cypher), params)
            keys = result.keys()
            return [dict(zip(keys, record, strict=True)) for record in result]

    def _timed(self, cypher: LiteralString) -> neo4j.Query:
        return neo4j.Query(cypher, timeout=self.config.query_timeout)

    def run_implicit(self, cypher: LiteralString, params: Params | None = None) -> None:
        """Run one statement in an auto-commit transaction (needed by CALL ... IN TRANSACTIONS).

        It commits in many transactions, none of which can bump the data revision: it is
        bumped once afterwards (also when the statement failed part way)."""
        self._count()
        try:
            with translate_errors(), self._session() as session:
                session.run(cypher, dict(params or {})).consume()
        finally:
            revision.bump_after(self)

    def read(
        self, work: Callable[[neo4j.ManagedTransaction], T], *, timeout: float | None = None
    ) -> T:
        """Run a read transaction function (retried on transient errors), cancelled by the
        server after ``timeout`` seconds (default: the configured query timeout)."""
        self._count()
        limit = self.config.query_timeout if timeout is None else timeout
        timed = neo4j.unit_of_work(timeout=limit)(work)
        with translate_errors(), self._session() as session:
            return session.execute_read(timed)

    def write(self, work: Callable[[neo4j.ManagedTransaction], T], *, revise: bool = True) -> T:
        """Run a write transaction function (retried on transient errors).

        The data revision (graph/revision.py) is bumped as the transaction's last statement
        unless ``revise=False`` (writes the analyses never read: audit, idempotency, schema).
        Under a ``WriteAudit`` (graph/audit_unit.py) a revising write also carries its audit
        entries: if they cannot be written, nothing is (``AuditFailed``).

        A connection lost after ``work`` ran (during the commit) raises ``OutcomeUnknown``:
        the server may have committed. Under an idempotency key (graph/idempotency.py) a write
        an earlier attempt committed is not run again: its recorded result is returned.
        """
        # A data write on a caller's behalf carries its audit entries (graph/audit_unit.py).
        unit = audit_unit.current() if revise else None
        claim = idempotency.current()
        if claim is not None:
            replayed, result = claim.next_replayed()
            if replayed:
                if unit is not None:
                    unit.committed(())  # the first attempt committed its entries with it
                return result  # type: ignore[no-any-return]
            work = claim.recording(work)
        carried: list[AuditEvent] = []
        if unit is not None:
            work, carried = unit.recording(work)
        ran = [False]

        def tracked(tx: neo4j.ManagedTransaction) -> T:
            ran[0] = False
            done = work(tx)
            if revise:
                revision.bump_in(tx)
            ran[0] = True
            return done

        self._count()
        with translate_errors(), self._session() as session:
            try:
                written = session.execute_write(tracked)
            except CONNECTION_LOST as exc:
                if ran[0] or isinstance(exc, neo4j_errors.IncompleteCommit):
                    raise OutcomeUnknown(type(exc).__name__) from exc
                raise
        if claim is not None:
            claim.recorded()
        if unit is not None:
            unit.committed(carried)
        return written

    def _session(self, access_mode: str = neo4j.WRITE_ACCESS) -> neo4j.Session:
        # Every session shares execute_query's bookmark manager: a read then sees every
        # write committed before it through any method, also on a cluster's followers.
        return self._driver.session(
            database=self.config.database,
            default_access_mode=access_mode,
            bookmark_manager=self._driver.execute_query_bookmark_manager,
        )

    def verify(self) -> None:
        """Raise GraphUnavailable or GraphAuthError unless the server answers."""
        with translate_errors():
            self._driver.verify_connectivity()

    def close(self) -> None:
        self._driver.close()

    def __enter__(self) -> Graph:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def run(tx: neo4j.ManagedTransaction, cypher: LiteralString, **params: Any) -> list[dict[str, Any]]:
    """Run one statement inside a transaction function and return plain dict rows."""
    return [record.data() for record in tx.run(cypher, params)]
