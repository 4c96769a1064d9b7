"""The launcher's failure paths: a server that dies or does not answer in time gives a clear
message with the last lines of its log, and leaves nothing running."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.localneo4j import LocalNeo4j, LocalServerError
from api.settings import Settings


def _server(tmp_path: Path, **overrides: object) -> LocalNeo4j:
    settings = Settings(VERBUND_STATE_DIR=tmp_path / "state", **overrides)  # type: ignore[arg-type]
    return LocalNeo4j(settings)


# Starts a JVM (15 s on a busy machine): `make test` only.
@pytest.mark.slow
def test_server_that_exits_at_start_reports_its_log(tmp_path: Path) -> None:
    server = _server(tmp_path, VERBUND_NEO4J_HEAP="kein-speicher")
    with pytest.raises(LocalServerError) as err:
        server.start()
    message = str(err.value)
    assert "beim Start beendet" in message
    assert "console.log (letzte Zeilen)" in message
    assert "kein-speicher" in message  # the JVM's own complaint, from the log tail
    assert server.pid() is None


# Starts a JVM and waits for its deadline: `make test` only.
@pytest.mark.slow
def test_server_that_misses_the_deadline_is_stopped_and_reported(tmp_path: Path) -> None:
    server = _server(tmp_path, VERBUND_NEO4J_START_TIMEOUT=0.5)
    with pytest.raises(LocalServerError) as err:
        server.start()
    assert "antwortet nach" in str(err.value)
    assert server.pid() is None


def test_generated_passwords_are_never_read_as_options(tmp_path: Path) -> None:
    passwords = set()
    for i in range(200):
        server = _server(tmp_path / str(i))
        passwords.add(server._password())
    assert len(passwords) == 200
    assert all(p.isalnum() and len(p) >= 32 for p in passwords)
