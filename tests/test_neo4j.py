"""The real server: version and edition, auth, idempotent migrations."""

from __future__ import annotations

import stat

import pytest

from api.localneo4j import LocalNeo4j, neo4j_version
from graph import Graph, GraphAuthError, Neo4jConfig
from graph.admin import server_info
from graph.migrations import existing_schema, migrate, schema_items


def test_dbms_components_reports_5_26_community(graph: Graph) -> None:
    rows = graph.query("CALL dbms.components() YIELD name, versions, edition RETURN *")
    assert rows[0]["edition"] == "community"
    assert rows[0]["versions"][0].startswith("5.26.")
    assert server_info(graph).version == neo4j_version()


def test_migrations_are_idempotent_and_complete(db: Graph) -> None:
    first = migrate(db)
    second = migrate(db)
    assert first == second
    assert existing_schema(db) == {item.name for item in schema_items()}


def test_id_constraint_refuses_duplicates(db: Graph) -> None:
    from graph import ConflictError

    db.query("CREATE (:Organization {id: 'x'})", write=True)
    with pytest.raises(ConflictError):
        db.query("CREATE (:Organization {id: 'x'})", write=True)


def test_local_server_binds_loopback_with_private_password(local_server: LocalNeo4j | None) -> None:
    if local_server is None:
        pytest.skip("Tests laufen gegen NEO4J_URI")
    config = local_server.config()
    assert config.uri.startswith("bolt://127.0.0.1:")
    mode = stat.S_IMODE(local_server.password_file.stat().st_mode)
    assert mode == 0o600
    conf = (local_server.conf_dir / "neo4j.conf").read_text()
    assert "dbms.security.auth_enabled=true" in conf
    assert "server.default_listen_address=127.0.0.1" in conf


def test_wrong_password_is_refused(graph: Graph) -> None:
    bad = Neo4jConfig(graph.config.uri, graph.config.user, "falsch-" + "x" * 8)
    with Graph(bad) as other, pytest.raises(GraphAuthError):
        other.verify()


def test_second_start_reuses_running_server(local_server: LocalNeo4j | None, graph: Graph) -> None:
    if local_server is None:
        pytest.skip("Tests laufen gegen NEO4J_URI")
    pid = local_server.pid()
    local_server.start()
    assert local_server.pid() == pid
