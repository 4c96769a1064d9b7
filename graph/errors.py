"""The one error root of the graph layer, and the one place that classifies Neo4j's faults.

Every driver exception maps onto exactly one class below (``from_driver``); api/faults.py
turns each class into one HTTP answer. The driver's own message stays out of what a user
reads (it may hold property values, i.e. personal data, and server internals): it is kept
as ``neo4j_code`` for the one log line of the fault.
"""

from __future__ import annotations

from neo4j import exceptions as neo4j_errors


class GraphError(Exception):
    """Root of every error the graph layer raises on purpose."""

    code = "GRAPH_ERROR"
    # The Neo4j status code (or driver exception name) behind it, for the log only.
    neo4j_code = ""


class GraphUnavailable(GraphError):
    """The graph database cannot be reached (stopped, restarting, network gone)."""

    code = "GRAPH_UNAVAILABLE"

    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "Die Datenbank ist gerade nicht erreichbar. Bitte in einigen Minuten erneut versuchen."
        )
        self.detail = detail  # for the log


class GraphBusy(GraphError):
    """Neo4j refused for now (locks, deadlock, a transient state) after the driver's retries."""

    code = "GRAPH_BUSY"

    def __init__(self) -> None:
        super().__init__(
            "Die Datenbank ist gerade ausgelastet; nichts wurde geändert. "
            "Bitte in einigen Sekunden erneut versuchen."
        )


class QueryTimeout(GraphError):
    """The server cancelled a read that ran longer than the configured timeout."""

    code = "QUERY_TIMEOUT"

    def __init__(self) -> None:
        super().__init__(
            "Die Abfrage hat zu lange gedauert und wurde abgebrochen. "
            "Bitte die Auswahl eingrenzen (Filter, kleinere Seiten) und erneut versuchen."
        )


class MemoryLimit(GraphError):
    """The transaction needed more memory than one transaction (or the server) may use."""

    code = "MEMORY_LIMIT"

    def __init__(self) -> None:
        super().__init__(
            "Die Abfrage braucht mehr Arbeitsspeicher, als einer Anfrage zusteht, und wurde "
            "abgebrochen. Bitte die Auswahl eingrenzen (Filter, kleinere Seiten)."
        )


class StorageFull(GraphError):
    """Neo4j cannot write its store or transaction log: the disk is full."""

    code = "STORAGE_FULL"

    def __init__(self) -> None:
        super().__init__(
            "Die Datenbank kann nicht schreiben, weil ihr Speicherplatz voll ist; die Änderung "
            "wurde nicht gespeichert. Bitte dem IT-Betrieb melden und später erneut versuchen."
        )


class DatabaseFault(GraphError):
    """Neo4j failed inside (a DatabaseError that is not a full disk): not the caller's fault."""

    code = "DATABASE_ERROR"

    def __init__(self) -> None:
        super().__init__(
            "Die Datenbank hat einen internen Fehler gemeldet; die Änderung wurde nicht "
            "gespeichert. Bitte später erneut versuchen und bei Wiederholung dem IT-Betrieb "
            "die Vorgangsnummer nennen."
        )


class InvalidValue(GraphError):
    """Neo4j refused a value (too large for a property or an index key, wrong type)."""

    code = "INVALID_VALUE"

    def __init__(self) -> None:
        super().__init__(
            "Ein Wert wurde von der Datenbank abgelehnt (zu lang oder vom falschen Typ); "
            "nichts wurde gespeichert. Bitte die Eingabe kürzen oder prüfen."
        )


class GraphAuthError(GraphError):
    """The configured credentials were refused."""

    code = "GRAPH_AUTH_FAILED"


class ConflictError(GraphError):
    """A write collided with a constraint or a concurrent change."""

    code = "CONFLICT"


class IntegrityError(GraphError):
    """A write names nodes that do not exist (dangling references)."""

    code = "INTEGRITY"

    def __init__(self, message: str, missing: list[tuple[str, str]]) -> None:
        super().__init__(message)
        self.missing = missing


# What the server answers when it cancelled a transaction over its timeout (Neo4j 5).
_TIMED_OUT = frozenset(
    {
        "Neo.ClientError.Transaction.TransactionTimedOut",
        "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
    }
)
# Over db.memory.transaction.max (per transaction), db.memory.transaction.total.max (all of
# them) or the heap.
_OUT_OF_MEMORY = frozenset(
    {
        "Neo.TransientError.General.MemoryPoolOutOfMemoryError",
        "Neo.TransientError.General.TransactionMemoryLimit",
        "Neo.TransientError.General.OutOfMemoryError",
    }
)
# Neo4j reports a full disk as a DatabaseError (or a failed log append) whose cause names it.
_DISK_FULL_CODES = frozenset({"Neo.DatabaseError.Transaction.TransactionLogError"})
_DISK_FULL_WORDS = ("no space left on device", "not enough space", "disk full", "disk space")
# The value, not our Cypher, is wrong: too large for a property or an index entry, wrong type.
_TOO_LARGE_WORDS = ("too large to index", "property value is too large")
_INVALID_VALUE = frozenset(
    {
        "Neo.ClientError.Statement.ArgumentError",
        "Neo.ClientError.Statement.TypeError",
        "Neo.ClientError.Statement.ArithmeticError",
        "Neo.ClientError.Schema.IndexKeyTooLarge",
        "Neo.ClientError.General.ValueTooLarge",
    }
)

CONNECTION_LOST = (
    neo4j_errors.ServiceUnavailable,
    neo4j_errors.SessionExpired,
    neo4j_errors.IncompleteCommit,
    ConnectionError,
    OSError,
)


def from_driver(exc: BaseException) -> GraphError | None:
    """The graph error for a driver exception; None for a defect of ours (Cypher syntax,
    a missing parameter): those stay unexpected and are logged with their traceback."""
    found = _classify(exc)
    if found is not None:
        found.neo4j_code = getattr(exc, "code", None) or type(exc).__name__
    return found


def _classify(exc: BaseException) -> GraphError | None:
    if isinstance(exc, neo4j_errors.AuthError):
        return GraphAuthError(f"Anmeldung an Neo4j abgelehnt: {exc.message}")
    if isinstance(exc, neo4j_errors.ConstraintError):
        return ConflictError(
            "Ein Eintrag mit diesem Schlüssel existiert bereits; nichts wurde gespeichert. "
            "Bitte den vorhandenen Eintrag öffnen oder einen anderen Schlüssel wählen."
        )
    if isinstance(exc, neo4j_errors.Neo4jError):
        return _classify_server(exc)
    if isinstance(exc, neo4j_errors.IncompleteCommit):
        # The connection broke during the commit: the write may be saved.
        return OutcomeUnknown(type(exc).__name__)
    if isinstance(exc, (*CONNECTION_LOST, neo4j_errors.DriverError)):
        # Driver-side failures (closed pool, routing) mean the database is out of reach.
        return GraphUnavailable(type(exc).__name__)
    return None


def _classify_server(exc: neo4j_errors.Neo4jError) -> GraphError | None:
    code = exc.code or ""
    if code in _TIMED_OUT:
        return QueryTimeout()
    if code in _OUT_OF_MEMORY:
        return MemoryLimit()
    if code in _DISK_FULL_CODES or _names(exc, _DISK_FULL_WORDS):
        return StorageFull()
    if code in _INVALID_VALUE or _names(exc, _TOO_LARGE_WORDS):
        # A too long value for an index comes as a DatabaseError, but the value is at fault.
        return InvalidValue()
    if isinstance(exc, neo4j_errors.DatabaseUnavailable):
        return GraphUnavailable(type(exc).__name__)
    if isinstance(exc, neo4j_errors.TransientError):
        return GraphBusy()
    if isinstance(exc, neo4j_errors.DatabaseError):
        return DatabaseFault()
    return None


def _names(exc: BaseException, words: tuple[str, ...]) -> bool:
    """Whether the server's message names the cause (Neo4j has no own code for it)."""
    text = str(getattr(exc, "message", None) or exc).lower()
    return any(word in text for word in words)


class OutcomeUnknown(GraphError):
    """The connection broke while a write was being committed: it may or may not be saved."""

    code = "OUTCOME_UNKNOWN"

    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "Ergebnis unbekannt: die Verbindung zur Datenbank brach beim Speichern ab, der "
            "Vorgang ist vielleicht gespeichert. Bitte mit demselben Idempotency-Key erneut "
            "senden (ohne Key erst prüfen, ob er gespeichert wurde)."
        )
        self.detail = detail
