"""Every page as every role: who may open it, and that no household or referral appears on a
page that the same principal could not read through GraphQL (the policy is GraphQL's)."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from starlette.testclient import TestClient

from api.web.demo_logins import DEMO_USERS, DemoLogins
from graph import Graph
from graph.imports import ImportRun, record_import_run
from schema import Context, schema
from schema.principal import Principal
from tests.browser.helpers import load_demo
from tests.webclient import sign_in, web_client

_HOUSEHOLD = re.compile(r"\bhh-[0-9a-z]+\b")
_REFERRAL = re.compile(r"\bref-[0-9a-z-]+\b")

# page -> roles that may open it (others: 403; anonymous: to the login).
PAGES: dict[str, frozenset[str]] = {
    "/": frozenset({"caseworker", "partner", "coordinator", "planner"}),
    "/angebote": frozenset({"caseworker"}),
    "/angebote?bedarf=schuldnerberatung&sozialraum=Mitte": frozenset({"caseworker"}),
    "/angebote/{service}": frozenset({"caseworker", "partner", "coordinator"}),
    "/angebote/{service}/handzettel": frozenset({"caseworker"}),
    "/ueberleitungen": frozenset({"caseworker"}),
    "/ueberleitungen/{sent}": frozenset({"caseworker"}),
    "/eingang": frozenset({"partner"}),
    "/eingang/{received}": frozenset({"partner"}),
    "/unsere-angebote": frozenset({"partner"}),
    "/planung/karte": frozenset({"planner"}),
    "/planung/karte?ebene=stadtteile&leistungsbereich=schuldnerberatung": frozenset({"planner"}),
    "/planung/luecken": frozenset({"planner"}),
    "/planung/doppelstrukturen": frozenset({"planner"}),
    "/planung/doppelbetreuung": frozenset({"planner"}),
    "/planung/schwachstellen": frozenset({"planner"}),
    "/planung/ueberleitungswege": frozenset({"planner"}),
    "/planung/luecken?format=csv": frozenset({"planner"}),
    "/planung/doppelbetreuung?format=xlsx": frozenset({"planner"}),
    "/planung/bericht": frozenset({"planner"}),
    "/planung/trends": frozenset({"planner"}),
    "/planung/trends?format=csv": frozenset({"planner"}),
    "/netzwerk": frozenset({"coordinator"}),
    "/traeger": frozenset({"coordinator"}),
    "/traeger/caritas-stuttgart": frozenset({"coordinator"}),
    "/pflege/angebot/{service}": frozenset({"coordinator"}),
    "/sozialraeume": frozenset({"coordinator"}),
    "/dubletten": frozenset({"coordinator"}),
    "/import": frozenset({"coordinator"}),
    "/import/lauf/{run}": frozenset({"coordinator"}),
}


@pytest.fixture(scope="module")
def demo_graph(graph: Graph) -> Graph:
    load_demo(graph, "small")
    return graph


def _one(graph: Graph, cypher: str) -> str:
    rows = graph.query(cypher)  # type: ignore[arg-type]
    assert rows, cypher
    return str(rows[0]["id"])


@pytest.fixture(scope="module")
def ids(demo_graph: Graph) -> dict[str, str]:
    """A service, a referral sent by the demo caseworker's Jobcenter and one received by the
    demo partner (both visible to their side)."""
    return {
        "service": _one(
            demo_graph,
            "MATCH (:Organization {id: 'caritas-stuttgart'})-[:PROVIDES]->(s:Service) "
            "RETURN s.id AS id ORDER BY id LIMIT 1",
        ),
        "sent": _one(
            demo_graph,
            "MATCH (r:Referral)-[:FROM_ORGANIZATION]->(:Organization {id: 'jobcenter-stuttgart'}) "
            "RETURN r.id AS id ORDER BY id LIMIT 1",
        ),
        "received": _one(
            demo_graph,
            "MATCH (r:Referral)-[:TO_SERVICE]->(:Service)<-[:PROVIDES]-"
            "(o:Organization {id: 'caritas-stuttgart'}), (r)-[:UNDER_CONSENT]->(c:Consent)"
            "-[:GRANTS_TO]->(o) WHERE c.revoked_at IS NULL AND (c.valid_to IS NULL OR "
            "c.valid_to >= date()) RETURN r.id AS id ORDER BY r.created_at DESC LIMIT 1",
        ),
        "run": _import_run(demo_graph),
    }


def _import_run(graph: Graph) -> str:
    """A finished import (the demo is written without one)."""
    run = ImportRun(
        id=str(uuid.uuid4()),
        source="demo",
        format="csv",
        started_at=datetime.now(UTC),
        finished_at=datetime.now(UTC),
        state="finished",
        by="cli:demo",
        file="demo.zip",
        created={"Organization": 3},
    )
    record_import_run(graph, run)
    return run.id


def _readable(graph: Graph, principal: Principal, field: str, ident: str) -> bool:
    """Can this principal read the record through GraphQL?"""
    result = asyncio.run(
        schema.execute(
            f"query($id: ID!) {{ {field}(id: $id) {{ id }} }}",
            variable_values={"id": ident},
            context_value=Context(graph, principal=principal),
        )
    )
    return bool(result.data and result.data.get(field))


@pytest.fixture
def clients(demo_graph: Graph) -> Iterator[dict[str, TestClient]]:
    signed: dict[str, TestClient] = {}
    for name in DEMO_USERS:
        client = web_client(demo_graph).__enter__()
        assert sign_in(client, name).status_code == 303
        signed[name] = client
    yield signed
    for client in signed.values():
        client.__exit__(None, None, None)


def test_every_page_as_every_role(
    demo_graph: Graph, ids: dict[str, str], clients: dict[str, TestClient]
) -> None:
    checked = 0
    for name, client in clients.items():
        user = DEMO_USERS[name]
        principal = DemoLogins.principal(user)
        for template, allowed in PAGES.items():
            path = template.format(**ids)
            answer = client.get(path)
            if user.role not in allowed:
                assert answer.status_code == 403, (name, path, answer.status_code)
                continue
            assert answer.status_code == 200, (name, path, answer.status_code)
            for pseudonym in set(_HOUSEHOLD.findall(answer.text)):
                assert _readable(demo_graph, principal, "household", pseudonym), (
                    name,
                    path,
                    pseudonym,
                )
                checked += 1
            for referral in set(_REFERRAL.findall(answer.text)):
                assert _readable(demo_graph, principal, "referral", referral), (
                    name,
                    path,
                    referral,
                )
                checked += 1
    # The walk saw household-level data at all (else it proves nothing).
    assert checked > 10


def test_anonymous_is_sent_to_the_login_from_every_page(
    demo_graph: Graph, ids: dict[str, str]
) -> None:
    with web_client(demo_graph) as client:
        for template in PAGES:
            path = template.format(**ids)
            answer = client.get(path)
            if path == "/":
                assert answer.status_code == 200
                assert "hh-" not in answer.text
                continue
            assert answer.status_code == 303, path
            assert answer.headers["location"].startswith("/anmelden?weiter=")
