"""Documents generated from schema.graphql by hypothesis-graphql, sent over HTTP to the app
as every role (issue 14, item 11).

Valid queries and mutations and invalid ones (one schema violation each: a wrong argument
type, a missing required argument, an unknown enum value), against the real Neo4j holding
tests/apikit.py's small network. Whatever comes: no HTTP 500, no traceback in the answer or
the log, and every error has ``extensions.code`` and a German message (no "Interner
Fehler": that would be an unexpected server error). Derandomized (the same examples every
run, so CI does not find something new on its own) and kept small enough to run in well
under a minute.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import graphql
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, mutations, queries
from starlette.testclient import TestClient

from api.app import create_app
from api.auth.api_tokens import create_token
from graph import Graph
from graph.admin import clear
from tests.apikit import load_network

SDL = (Path(__file__).resolve().parent.parent / "schema.graphql").read_text("utf-8")

ROLES: dict[str, tuple[str, str | None]] = {
    "admin": ("admin", None),
    "coordinator": ("coordinator", None),
    "planner": ("planner", None),
    "caseworker": ("caseworker", "jobcenter"),
    "partner": ("partner", "caritas"),
}
EXAMPLES_PER_ROLE = 100


def _string(value: str) -> graphql.StringValueNode:
    return graphql.StringValueNode(value=value)


# The two custom scalars: mostly valid values, sometimes any text (an invalid date).
SCALARS = {
    "Date": st.one_of(
        st.dates(date(1990, 1, 1), date(2040, 12, 31)).map(lambda d: _string(d.isoformat())),
        st.text(max_size=12).map(_string),
    ),
    "DateTime": st.one_of(
        st.datetimes(datetime(2000, 1, 1), datetime(2040, 1, 1))
        .map(lambda d: d.isoformat() + "+01:00")
        .map(_string),
        st.text(max_size=12).map(_string),
    ),
}

DOCUMENTS = st.one_of(
    queries(SDL, custom_scalars=SCALARS),
    mutations(SDL, custom_scalars=SCALARS),
    queries(SDL, custom_scalars=SCALARS, mode=Mode.NEGATIVE),
    mutations(SDL, custom_scalars=SCALARS, mode=Mode.NEGATIVE),
)

# English words of graphql-core's and strawberry's messages; names quoted „so“ are removed
# before looking (a field may be called anything).
_ENGLISH = re.compile(
    r"\b(Expected|expected|Cannot|cannot|Unknown|unknown|must|found|Syntax Error|Variable|"
    r"Field|Did you mean|not allowed|Internal|invalid|Invalid|required|provided|exceeds|"
    r"represent|value|type)\b"
)
_QUOTED = re.compile(r"„[^“]*“")


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def clients(graph: Graph) -> Iterator[dict[str, TestClient]]:
    clear(graph)
    load_network(graph)
    app = create_app(graph=graph)
    made: dict[str, TestClient] = {}
    for name, (role, org) in ROLES.items():
        _, token = create_token(graph, role=role, organization_id=org, name=f"fuzz-{name}")  # type: ignore[arg-type]
        made[name] = TestClient(
            app, headers={"Authorization": f"Bearer {token}"}, raise_server_exceptions=False
        )
    with made["admin"]:
        yield made


def _check(answer: Any, document: str) -> None:
    context = f"\n{document}\n{answer.text[:2000]}"
    assert answer.status_code < 500, context
    assert "Traceback" not in answer.text, context
    if answer.status_code != 200:
        # strawberry's own refusals (plain text), German (schema/messages.py).
        assert not _ENGLISH.search(_QUOTED.sub("", answer.text)), context
        return
    body = answer.json()
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        assert code, context
        assert code != "INTERNAL", context
        message = error["message"]
        assert message, context
        assert not _ENGLISH.search(_QUOTED.sub("", message)), context


@pytest.mark.slow
@pytest.mark.parametrize("role", list(ROLES))
def test_generated_documents_get_typed_german_answers(
    clients: dict[str, TestClient], role: str
) -> None:
    client = clients[role]
    logged = _Records()
    watched = logging.getLogger("verbund")
    watched.addHandler(logged)

    @settings(
        max_examples=EXAMPLES_PER_ROLE,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(document=DOCUMENTS)
    def send(document: str) -> None:
        logged.records.clear()
        answer = client.post("/graphql", json={"query": document})
        _check(answer, document)
        assert not [r for r in logged.records if r.levelno >= logging.ERROR or r.exc_info], (
            document,
            [r.getMessage() for r in logged.records],
        )

    try:
        send()
    finally:
        watched.removeHandler(logged)


def test_the_fuzz_check_recognises_english(clients: dict[str, TestClient]) -> None:
    """The check above is not vacuous: graphql-core's own message fails it."""

    class _Answer:
        status_code = 200
        text = ""

        def json(self) -> Any:
            return {
                "errors": [
                    {
                        "message": "Int cannot represent non-integer value: 'x'",
                        "extensions": {"code": "BAD_USER_INPUT"},
                    }
                ]
            }

    with pytest.raises(AssertionError):
        _check(_Answer(), "{ __typename }")
