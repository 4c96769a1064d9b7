"""Test set-up: the real Neo4j (the project's local one, or NEO4J_URI), migrated once,
emptied before each test that asks for ``db``."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient
from starlette.types import ASGIApp

from api.app import create_app
from api.auth.api_tokens import create_token
from api.localneo4j import LocalNeo4j, ensure_started
from api.settings import Settings, get_settings
from graph import Graph
from graph.admin import clear
from graph.migrations import migrate
from schema.principal import Role


@pytest.fixture(scope="session")
def settings() -> Settings:
    return get_settings()


@pytest.fixture(scope="session")
def local_server(settings: Settings) -> LocalNeo4j | None:
    """The project's own server, or None when the tests run against NEO4J_URI."""
    return None if settings.neo4j_uri else LocalNeo4j(settings)


@pytest.fixture(scope="session")
def graph(settings: Settings) -> Iterator[Graph]:
    if settings.neo4j_uri and os.environ.get("VERBUND_TESTS_MAY_CLEAR") != "1":
        pytest.exit(
            "Die Tests leeren die Datenbank. Gegen NEO4J_URI nur mit VERBUND_TESTS_MAY_CLEAR=1.",
            returncode=2,
        )
    config = ensure_started(settings)
    with Graph(config) as handle:
        migrate(handle)
        yield handle


@pytest.fixture
def db(graph: Graph) -> Graph:
    """An empty, migrated database."""
    clear(graph)
    return graph


@pytest.fixture
def auth_headers(graph: Graph) -> Callable[..., dict[str, str]]:
    """``auth_headers("partner", "caritas-stuttgart")``: headers with a fresh real API token."""

    def make(role: Role, organization_id: str | None = None) -> dict[str, str]:
        _, token = create_token(
            graph, role=role, organization_id=organization_id, name=f"test-{role}"
        )
        return {"Authorization": f"Bearer {token}"}

    return make


@pytest.fixture
def client_as(auth_headers: Callable[..., dict[str, str]]) -> Callable[..., TestClient]:
    """``with client_as("caseworker", "jobcenter-stuttgart") as client:`` a client of the app
    authenticated with a real API token for that role (and organization)."""

    def make(
        role: Role, organization_id: str | None = None, app: ASGIApp | None = None
    ) -> TestClient:
        return TestClient(app or create_app(), headers=auth_headers(role, organization_id))

    return make


# `make test-fast` (the edit–test loop): the tests that need no database, no browser and no
# server restart. Those that need one are everything else of `make test`.
def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--fast",
        action="store_true",
        help="nur die schnellen Tests: ohne Neo4j, ohne Browser, ohne 'slow'/'fault'",
    )


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    # The browser tests are never fast: not even imported (Playwright alone takes a second).
    if config.getoption("--fast") and collection_path.name == "browser":
        return True
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--fast"):
        return
    keep: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        needs_more = (
            "graph" in getattr(item, "fixturenames", ())
            or item.get_closest_marker("slow") is not None
            or item.get_closest_marker("fault") is not None
            or "browser" in item.path.parts
        )
        (dropped if needs_more else keep).append(item)
    config.hook.pytest_deselected(items=dropped)
    items[:] = keep
