"""The one error root of the graph layer; api/ translates these into responses in one place."""

from __future__ import annotations


class GraphError(Exception):
    """Root of every error the graph layer raises on purpose."""

    code = "GRAPH_ERROR"


class GraphUnavailable(GraphError):
    """The graph database cannot be reached (stopped, restarting, network gone)."""

    code = "GRAPH_UNAVAILABLE"

    def __init__(self, detail: str = "") -> None:
        super().__init__("Graphdatenbank nicht erreichbar" + (f": {detail}" if detail else ""))
        self.detail = detail


class QueryTimeout(GraphError):
    """The server cancelled a read that ran longer than the configured timeout."""

    code = "QUERY_TIMEOUT"

    def __init__(self) -> None:
        super().__init__(
            "Die Abfrage hat zu lange gedauert und wurde abgebrochen. "
            "Bitte die Auswahl eingrenzen (Filter, kleinere Seiten) und erneut versuchen."
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
