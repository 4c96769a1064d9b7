"""Expected failures: typed errors for result unions, and the exception for bad arguments.

Mutations return these types inside result unions; a read with a bad argument raises
``InvalidInputError``, which schema/errors.py shows with its code and field path (it is the
client's mistake, so nothing is masked).
"""

from __future__ import annotations

import strawberry


class ClientError(Exception):
    """Root of the errors a client caused and may see in full."""

    code = "BAD_USER_INPUT"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InvalidInputError(ClientError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, field)


@strawberry.interface(description="Ein erwarteter Fehler mit verständlicher Meldung.")
class Problem:
    message: str = strawberry.field(description="Meldung für die Benutzerin / den Benutzer.")


@strawberry.type(description="Nicht gefunden: der genannte Datensatz existiert nicht.")
class NotFound(Problem):
    kind: str = strawberry.field(description="Art des Datensatzes, z. B. `Service`.")
    id: strawberry.ID


@strawberry.type(description="Ein Eingabefehler in einem Feld.")
class FieldError:
    path: list[str] = strawberry.field(description="Pfad des Feldes in der Eingabe.")
    message: str


@strawberry.type(description="Ungültige Eingabe: welche Felder, und warum.")
class InvalidInput(Problem):
    fields: list[FieldError]


@strawberry.type(
    description="Konflikt: der Datensatz wurde inzwischen geändert oder existiert schon."
)
class Conflict(Problem):
    current_version: int | None = strawberry.field(
        description="Die aktuelle Version (bei gleichzeitiger Änderung)."
    )


@strawberry.type(description="Nicht erlaubt: der Vorgang ist in diesem Zustand unzulässig.")
class NotAllowed(Problem):
    reason: str = strawberry.field(description="Maschinenlesbarer Grund, z. B. `NO_CONSENT`.")


def invalid(path: str, message: str) -> InvalidInput:
    return InvalidInput(message=message, fields=[FieldError(path=path.split("."), message=message)])
