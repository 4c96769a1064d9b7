"""Safe retries (issue 14, item 3): a mutation sent with an ``Idempotency-Key`` writes once.

Against the real Neo4j through the real app over HTTP. The ambiguous commit is a real commit
made to fail at the graph layer: ``CommitFails`` hands ``Graph.write`` sessions whose
``execute_write`` runs the transaction for real and then raises the driver's own
``neo4j.exceptions.IncompleteCommit``, either after the server committed (the answer lost on
the way back) or instead of committing (the transaction rolled back). Stopping Neo4j during a
commit is not reproducible on a shared machine; this is the driver's exception at the point
where the driver raises it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import neo4j
import pytest
from neo4j.exceptions import IncompleteCommit
from starlette.testclient import TestClient

from api.app import create_app
from graph import Graph
from graph.idempotency import expire_keys
from tests.apikit import load_network

CREATE = (
    "mutation($input: CreateReferralInput!) { createReferral(input: $input) { __typename "
    "... on Referral { id status history { status } } ... on NotAllowed { reason } } }"
)


def _body(**overrides: Any) -> dict[str, Any]:
    values = {
        "household": "hh-1",
        "fromOrganization": "jobcenter",
        "toService": "sb-1-0",
        "consent": "c-1",
        "need": "n-1",
    }
    values.update(overrides)
    return {"query": CREATE, "variables": {"input": values}}


def _api_referrals(graph: Graph) -> list[str]:
    rows = graph.query("MATCH (r:Referral {source: 'api'}) RETURN r.id AS id ORDER BY id")
    return [row["id"] for row in rows]


def _post(client: TestClient, key: str | None, body: dict[str, Any]) -> Any:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post("/graphql", json=body, headers=headers)


@pytest.fixture
def caseworker(db: Graph, client_as: Callable[..., TestClient]) -> Iterator[TestClient]:
    load_network(db)
    with client_as("caseworker", "jobcenter", app=create_app(graph=db)) as client:
        yield client


def test_a_retried_create_referral_writes_once_and_answers_the_same(
    db: Graph, caseworker: TestClient
) -> None:
    first = _post(caseworker, "k-1", _body())
    assert first.status_code == 200
    created = first.json()["data"]["createReferral"]
    assert created["__typename"] == "Referral"
    again = _post(caseworker, "k-1", _body())
    assert again.status_code == 200
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _api_referrals(db) == [created["id"]]


def test_the_same_key_with_another_request_is_refused_in_german(
    db: Graph, caseworker: TestClient
) -> None:
    created = _post(caseworker, "k-2", _body()).json()["data"]["createReferral"]
    other = _post(caseworker, "k-2", _body(toService="sb-2-0"))
    assert other.status_code == 409
    (error,) = other.json()["errors"]
    assert error["extensions"]["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert "neuen Key" in error["message"]
    assert _api_referrals(db) == [created["id"]]


def test_without_a_key_every_request_writes(db: Graph, caseworker: TestClient) -> None:
    one = _post(caseworker, None, _body()).json()["data"]["createReferral"]["id"]
    two = _post(caseworker, None, _body()).json()["data"]["createReferral"]["id"]
    assert one != two
    assert _api_referrals(db) == sorted([one, two])


def test_a_key_belongs_to_its_caller(
    db: Graph, caseworker: TestClient, client_as: Callable[..., TestClient]
) -> None:
    mine = _post(caseworker, "shared", _body()).json()["data"]["createReferral"]["id"]
    with client_as("caseworker", "jobcenter", app=create_app(graph=db)) as colleague:
        theirs = _post(colleague, "shared", _body()).json()["data"]["createReferral"]["id"]
    assert mine != theirs
    assert len(_api_referrals(db)) == 2


def test_queries_ignore_the_key(caseworker: TestClient) -> None:
    body = {"query": "{ referrals(first: 1) { totalCount } }"}
    one = _post(caseworker, "q", body)
    assert one.status_code == 200
    assert "errors" not in one.json()
    assert "Idempotent-Replayed" not in _post(caseworker, "q", body).headers


def test_a_bad_key_is_refused(caseworker: TestClient) -> None:
    answer = _post(caseworker, "x" * 201, _body()).json()
    assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "Idempotency-Key" in answer["errors"][0]["message"]


class _CommitFailsSession:
    def __init__(self, real: neo4j.Session, committed: bool) -> None:
        self._real = real
        self._committed = committed

    def execute_write(self, work: Callable[[Any], Any]) -> Any:
        if self._committed:
            self._real.execute_write(work)
        else:

            def then_lost(tx: Any) -> Any:
                work(tx)
                # Raised inside the transaction function: the driver rolls back.
                raise IncompleteCommit("Verbindung beim Commit verloren (Test)")

            self._real.execute_write(then_lost)
        raise IncompleteCommit("Verbindung beim Commit verloren (Test)")

    def __enter__(self) -> _CommitFailsSession:
        self._real.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._real.__exit__(*exc)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)


class CommitFails(Graph):
    """A real graph whose next write transactions report a lost commit."""

    def __init__(self, graph: Graph, committed: bool) -> None:
        super().__init__(graph.config)
        self.committed = committed
        self.failing = False

    def _session(self, access_mode: str = neo4j.WRITE_ACCESS) -> Any:
        real = super()._session(access_mode)
        if self.failing and access_mode == neo4j.WRITE_ACCESS:
            return _CommitFailsSession(real, self.committed)
        return real

    @contextmanager
    def commits_fail(self) -> Iterator[None]:
        self.failing = True
        try:
            yield
        finally:
            self.failing = False


@pytest.mark.parametrize("committed", [True, False], ids=["kept", "rolled-back"])
def test_a_lost_commit_answers_outcome_unknown_and_the_retry_writes_once(
    db: Graph, client_as: Callable[..., TestClient], committed: bool
) -> None:
    load_network(db)
    faulty = CommitFails(db, committed)
    try:
        with client_as("caseworker", "jobcenter", app=create_app(graph=faulty)) as client:
            with faulty.commits_fail():
                answer = _post(client, "k-lost", _body())
            # Come back later with the same key: 503 with Retry-After, as every fault that
            # may pass (api/faults.py).
            assert answer.status_code == 503
            assert answer.headers["retry-after"] == "30"
            lost = answer.json()
            (error,) = lost["errors"]
            assert error["extensions"]["code"] == "OUTCOME_UNKNOWN"
            assert "Ergebnis unbekannt" in error["message"]
            assert "demselben Idempotency-Key" in error["message"]
            assert "Traceback" not in str(lost)
            saved = _api_referrals(db)
            assert len(saved) == (1 if committed else 0)
            retry = _post(client, "k-lost", _body()).json()
            created = retry["data"]["createReferral"]
            assert created["__typename"] == "Referral"
            assert created["history"] == [{"status": "CREATED"}]
            assert _api_referrals(db) == [created["id"]]
            if committed:
                assert saved == [created["id"]]
            # And from now on the stored answer.
            assert _post(client, "k-lost", _body()).json() == retry
    finally:
        faulty.close()


def test_a_lost_commit_without_a_key_is_not_reported_as_failed(
    db: Graph, client_as: Callable[..., TestClient]
) -> None:
    load_network(db)
    faulty = CommitFails(db, committed=True)
    try:
        app = create_app(graph=faulty)
        with client_as("caseworker", "jobcenter", app=app) as client, faulty.commits_fail():
            lost = _post(client, None, _body()).json()
        assert lost["errors"][0]["extensions"]["code"] == "OUTCOME_UNKNOWN"
    finally:
        faulty.close()


def test_expired_keys_are_deleted_and_free_again(db: Graph, caseworker: TestClient) -> None:
    first = _post(caseworker, "k-old", _body()).json()["data"]["createReferral"]["id"]
    later = datetime.now(UTC) + timedelta(hours=25)
    assert expire_keys(db, later, dry_run=True) == 1
    assert expire_keys(db, datetime.now(UTC)) == 0
    assert expire_keys(db, later) == 1
    second = _post(caseworker, "k-old", _body()).json()["data"]["createReferral"]["id"]
    assert second != first


def test_client_mutation_id_works_as_the_key(db: Graph, caseworker: TestClient) -> None:
    body = _body(clientMutationId="cm-1")
    first = _post(caseworker, None, body).json()
    again = _post(caseworker, None, body).json()
    assert again == first
    assert _api_referrals(db) == [first["data"]["createReferral"]["id"]]
    inline = CREATE.replace("$input: CreateReferralInput!", "$h: ID!").replace(
        "input: $input",
        'input: {household: $h, fromOrganization: "jobcenter", toService: "sb-2-0", '
        'consent: "c-1", clientMutationId: "cm-2"}',
    )
    one = _post(caseworker, None, {"query": inline, "variables": {"h": "hh-1"}}).json()
    two = _post(caseworker, None, {"query": inline, "variables": {"h": "hh-1"}}).json()
    assert one == two
    assert len(_api_referrals(db)) == 2


def test_the_same_key_sent_at_once_writes_once(db: Graph, caseworker: TestClient) -> None:
    """Four sends of one keyed request at the same time: one referral; every answer is it or
    "in progress, retry" (never a second referral, never an error without a code)."""
    with ThreadPoolExecutor(4) as pool:
        responses = list(pool.map(lambda _: _post(caseworker, "k-race", _body()), range(4)))
    (saved,) = _api_referrals(db)
    for response in responses:
        answer = response.json()
        if answer.get("errors"):
            assert answer["errors"][0]["extensions"]["code"] == "IDEMPOTENCY_IN_PROGRESS"
            assert response.status_code == 409
        else:
            assert answer["data"]["createReferral"]["id"] == saved
            assert response.status_code == 200
    assert _post(caseworker, "k-race", _body()).json()["data"]["createReferral"]["id"] == saved


def test_retention_apply_deletes_expired_keys(db: Graph, caseworker: TestClient) -> None:
    from click.testing import CliRunner

    from api.cli import main

    _post(caseworker, "k-cli", _body())
    _post(caseworker, "k-cli-2", _body(toService="sb-2-0"))
    db.query(
        "MATCH (k:IdempotencyKey) WITH k LIMIT 1 SET k.expires_at = $past",
        {"past": datetime.now(UTC) - timedelta(hours=1)},
        write=True,
    )
    runner = CliRunner()
    dry = runner.invoke(main, ["retention", "apply", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Abgelaufene Idempotency-Keys: würde löschen 1." in dry.output
    done = runner.invoke(main, ["retention", "apply"])
    assert "Abgelaufene Idempotency-Keys: gelöscht 1." in done.output
    assert db.query("MATCH (k:IdempotencyKey) RETURN count(k) AS n")[0]["n"] == 1
