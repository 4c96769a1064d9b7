"""Authentication: API tokens, OpenID Connect JWTs, 401s, what stays reachable, hardening."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from starlette.testclient import TestClient

from api.app import create_app
from api.auth.api_tokens import create_token, hash_token
from api.auth.token_cache import TokenCache
from api.cli import main
from api.settings import Settings
from graph import Graph
from graph.tokens import list_tokens, revoke_token
from schema.principal import Principal

QUERY = {"query": "{ serverInfo { edition } }"}
ISSUER = "https://id.example.de/realms/stadt"
AUDIENCE = "verbund"


def test_graphql_without_credentials_is_401_but_graphiql_and_health_stay_reachable(
    db: Graph,
) -> None:
    with TestClient(create_app()) as client:
        answer = client.post("/graphql", json=QUERY)
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"].startswith("Bearer")
        assert "data" not in answer.json()
        assert (
            client.get("/graphql", params={"query": "{ serverInfo { edition } }"}).status_code
            == 401
        )
        page = client.get("/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 200
        assert "graphiql" in page.text.lower()
        assert "community" not in page.text
        health = client.get("/health")
        assert health.status_code == 200
        assert health.json() == {"status": "ok"}


def test_api_token_authenticates_and_revocation_ends_it(db: Graph, settings: Settings) -> None:
    record, token = create_token(db, role="coordinator", name="skript")
    headers = {"Authorization": f"Bearer {token}"}
    uncached = settings.model_copy(update={"api_token_cache_seconds": 0})
    with TestClient(create_app(uncached), headers=headers) as client:
        answer = client.post("/graphql", json=QUERY)
        assert answer.status_code == 200
        assert answer.json() == {"data": {"serverInfo": {"edition": "community"}}}
        assert client.get("/health").json()["neo4j"]["reachable"] is True
        assert revoke_token(db, record.id)
        assert client.post("/graphql", json=QUERY).status_code == 401


def test_a_verified_token_is_trusted_for_the_cache_time_only(db: Graph, settings: Settings) -> None:
    """A token that held is taken from the cache (no database read): a revocation by another
    process reaches the running server only when the entry expires."""
    record, token = create_token(db, role="coordinator", name="skript")
    cached = settings.model_copy(update={"api_token_cache_seconds": 60})
    with TestClient(create_app(cached), headers={"Authorization": f"Bearer {token}"}) as client:
        assert client.post("/graphql", json=QUERY).status_code == 200
        assert revoke_token(db, record.id)
        assert client.post("/graphql", json=QUERY).status_code == 200  # from the cache
    now = [0.0]
    cache = TokenCache(5, max_entries=2, clock=lambda: now[0])
    principal = Principal("token:t", "planner", None, "token")
    cache.put("a", principal)
    assert cache.get("a") is principal
    now[0] = 4.9
    assert cache.get("a") is principal
    now[0] = 5.0
    assert cache.get("a") is None  # expired: the next request reads the database again
    cache.put("a", principal)
    cache.put("b", principal)
    cache.put("c", principal)
    assert cache.get("a") is None  # bounded: the oldest entry gave way
    assert TokenCache(0).get("a") is None


def _organization(db: Graph, organization_id: str) -> None:
    """Tokens are only made for organizations in the graph."""
    db.query("MERGE (:Organization {id: $id, name: $id})", {"id": organization_id}, write=True)


def test_tokens_are_stored_only_as_hashes(db: Graph) -> None:
    _organization(db, "caritas-stuttgart")
    _, token = create_token(db, role="partner", organization_id="caritas-stuttgart")
    (row,) = db.query("MATCH (t:ApiToken) RETURN properties(t) AS t")
    assert token not in json.dumps(row["t"], default=str)
    assert row["t"]["token_hash"] == hash_token(token)
    assert row["t"]["organization_id"] == "caritas-stuttgart"


def test_token_cli_creates_lists_and_revokes(db: Graph) -> None:
    _organization(db, "jc")
    runner = CliRunner()
    created = runner.invoke(
        main, ["token", "create", "--role", "caseworker", "--organization", "jc", "--name", "n"]
    )
    assert created.exit_code == 0, created.output
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("vbd_")
    (record,) = list_tokens(db)
    listed = runner.invoke(main, ["token", "list"])
    assert record.id in listed.output
    assert token not in listed.output
    assert "aktiv" in listed.output
    assert runner.invoke(main, ["token", "revoke", record.id]).exit_code == 0
    assert "widerrufen" in runner.invoke(main, ["token", "list"]).output
    missing_org = runner.invoke(main, ["token", "create", "--role", "partner"])
    assert missing_org.exit_code != 0
    assert "Organisation" in missing_org.output
    assert len(list_tokens(db)) == 1


def test_unknown_and_malformed_credentials_are_401(db: Graph) -> None:
    with TestClient(create_app()) as client:
        for value in ("Bearer vbd_falsch", "Basic YWJj", "Bearer", "Bearer a.b.c"):
            answer = client.post("/graphql", json=QUERY, headers={"Authorization": value})
            assert answer.status_code == 401, value


# -- OpenID Connect ---------------------------------------------------------------------------


@pytest.fixture
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def oidc_settings(settings: Settings, rsa_key: rsa.RSAPrivateKey, tmp_path: Path) -> Settings:
    jwk = json.loads(RSAAlgorithm.to_jwk(rsa_key.public_key()))
    jwk.update({"kid": "k1", "use": "sig", "alg": "RS256"})
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [jwk]}), "utf-8")
    return settings.model_copy(
        update={
            "oidc_jwks": str(jwks),
            "oidc_issuer": ISSUER,
            "oidc_audience": AUDIENCE,
            "auth_failure_limit": 1000,
        }
    )


def make_jwt(key: rsa.RSAPrivateKey, kid: str = "k1", **overrides: Any) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "f3a1",
        "preferred_username": "m.muster",
        "iat": now,
        "exp": now + 300,
        "realm_access": {"roles": ["offline_access", "verbund-caseworker"]},
        "organization": "jobcenter-stuttgart",
    }
    claims.update(overrides)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


@pytest.fixture
def oidc_client(oidc_settings: Settings, graph: Graph) -> Iterator[TestClient]:
    with TestClient(create_app(oidc_settings)) as client:
        yield client


def ask(client: TestClient, token: str) -> int:
    return client.post(
        "/graphql", json=QUERY, headers={"Authorization": f"Bearer {token}"}
    ).status_code


def test_valid_oidc_token_maps_role_and_organization(
    oidc_settings: Settings, rsa_key: rsa.RSAPrivateKey, oidc_client: TestClient
) -> None:
    from api.auth.oidc import OidcVerifier

    principal = OidcVerifier(oidc_settings).verify(make_jwt(rsa_key))
    assert (principal.role, principal.organization_id, principal.subject) == (
        "caseworker",
        "jobcenter-stuttgart",
        "m.muster",
    )
    assert principal.auth_method == "oidc"
    assert ask(oidc_client, make_jwt(rsa_key)) == 200


@pytest.mark.parametrize(
    "overrides",
    [
        {"aud": "anderer-dienst"},
        {"iss": "https://boese.example/realms/x"},
        {"exp": int(time.time()) - 3600},
        {"exp": None},
        {"realm_access": {"roles": ["offline_access"]}},
        {"realm_access": {"roles": ["verbund-admin", "verbund-planner"]}},
        {"organization": None},  # a caseworker without organization
    ],
    ids=["audience", "issuer", "expired", "no-expiry", "no-role", "two-roles", "no-org"],
)
def test_invalid_oidc_tokens_are_401(
    rsa_key: rsa.RSAPrivateKey, oidc_client: TestClient, overrides: dict[str, Any]
) -> None:
    assert ask(oidc_client, make_jwt(rsa_key, **overrides)) == 401


def test_oidc_token_signed_by_another_key_or_unsigned_is_401(
    rsa_key: rsa.RSAPrivateKey, oidc_client: TestClient
) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert ask(oidc_client, make_jwt(other)) == 401
    assert ask(oidc_client, make_jwt(other, kid="unbekannt")) == 401
    unsigned = jwt.encode(
        {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "x",
            "exp": int(time.time()) + 60,
            "realm_access": {"roles": ["verbund-admin"]},
        },
        key="",
        algorithm="none",
    )
    assert ask(oidc_client, unsigned) == 401


def test_role_claim_is_configurable(oidc_settings: Settings, rsa_key: rsa.RSAPrivateKey) -> None:
    from api.auth.oidc import OidcVerifier

    custom = oidc_settings.model_copy(
        update={
            "oidc_role_claim": "groups",
            "oidc_role_prefix": "",
            "oidc_organization_claim": "org.id",
        }
    )
    token = make_jwt(
        rsa_key, groups=["planner"], realm_access=None, organization=None, org={"id": "stadt"}
    )
    principal = OidcVerifier(custom).verify(token)
    assert (principal.role, principal.organization_id) == ("planner", "stadt")


# -- hardening --------------------------------------------------------------------------------


def test_repeated_failures_are_rate_limited(settings: Settings, graph: Graph) -> None:
    limited = settings.model_copy(
        update={"auth_failure_limit": 3, "auth_failure_window_seconds": 60}
    )
    with TestClient(create_app(limited)) as client:
        bad = {"Authorization": "Bearer vbd_falsch"}
        codes = [client.post("/graphql", json=QUERY, headers=bad).status_code for _ in range(5)]
        assert codes == [401, 401, 401, 429, 429]


def test_security_headers_size_limit_and_cors(
    settings: Settings, graph: Graph, auth_headers: Callable[..., dict[str, str]]
) -> None:
    configured = settings.model_copy(
        update={"cors_origins": "https://verbund.stadt.example", "max_request_bytes": 2048}
    )
    with TestClient(create_app(configured), headers=auth_headers("admin")) as client:
        answer = client.post("/graphql", json=QUERY)
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["cache-control"] == "no-store"
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
        big = client.post("/graphql", json={"query": "{ serverInfo { edition } }" + " " * 4000})
        assert big.status_code == 413
        allowed = client.options(
            "/graphql",
            headers={
                "Origin": "https://verbund.stadt.example",
                "Access-Control-Request-Method": "POST",
            },
        )
        assert allowed.headers["access-control-allow-origin"] == "https://verbund.stadt.example"
        other = client.post("/graphql", json=QUERY, headers={"Origin": "https://boese.example"})
        assert "access-control-allow-origin" not in other.headers


def test_security_headers_keep_an_answers_own_and_replace_its_cache_control() -> None:
    from api.security import with_security_headers

    own = [(b"Content-Security-Policy", b"default-src 'none'"), (b"cache-control", b"max-age=60")]
    page = dict(with_security_headers(own, no_store=False))
    assert page[b"Content-Security-Policy"] == b"default-src 'none'"
    assert b"content-security-policy" not in page  # its own policy counts, none added
    assert page[b"cache-control"] == b"max-age=60"
    assert page[b"x-frame-options"] == b"DENY"
    graphql = with_security_headers(own, no_store=True)
    assert [v for k, v in graphql if k.lower() == b"cache-control"] == [b"no-store"]


def test_failure_limiter_counts_per_client_in_a_sliding_window() -> None:
    from api.auth.middleware import FailureLimiter

    now = [0.0]
    limiter = FailureLimiter(limit=2, window=60, clock=lambda: now[0])
    limiter.fail("10.0.0.1")
    limiter.fail("10.0.0.1")
    assert limiter.blocked("10.0.0.1")
    assert not limiter.blocked("10.0.0.2")  # another address keeps its own count
    now[0] += 61
    assert not limiter.blocked("10.0.0.1")  # the window slid past both failures


def test_several_workers_are_warned_that_the_failure_limit_is_per_process(
    settings: Settings, graph: Graph, caplog: pytest.LogCaptureFixture, monkeypatch: Any
) -> None:
    import logging

    monkeypatch.setenv("WEB_CONCURRENCY", "4")
    with (
        caplog.at_level(logging.WARNING, logger="verbund.auth"),
        TestClient(create_app(settings)) as client,
    ):
        client.get("/health")  # the middleware stack is built on the first request
    assert any("je Prozess" in r.getMessage() for r in caplog.records)


# -- failure limits per credential and per address, trusted proxies ---------------------------


def _limited(settings: Settings, **update: Any) -> Settings:
    return settings.model_copy(
        update={"auth_failure_limit": 10, "auth_failure_window_seconds": 60, **update}
    )


def test_a_valid_token_works_from_an_address_others_have_blocked(
    settings: Settings, db: Graph
) -> None:
    _, token = create_token(db, role="coordinator", name="skript")
    with TestClient(create_app(_limited(settings))) as client:
        codes = [
            client.post(
                "/graphql", json=QUERY, headers={"Authorization": f"Bearer vbd_falsch{n}"}
            ).status_code
            for n in range(20)
        ]
        # 20 different wrong tokens from one address: the address is over its limit ...
        assert codes == [401] * 10 + [429] * 10
        # ... but a valid token from the same address (the same Jobcenter) still works,
        ok = client.post("/graphql", json=QUERY, headers={"Authorization": f"Bearer {token}"})
        assert ok.status_code == 200
        assert ok.json() == {"data": {"serverInfo": {"edition": "community"}}}
        # and the next wrong one is still refused with 429.
        again = client.post("/graphql", json=QUERY, headers={"Authorization": "Bearer vbd_x"})
        assert again.status_code == 429
        assert again.json()["errors"][0]["extensions"]["code"] == "TOO_MANY_FAILURES"


def test_one_wrong_token_is_limited_whatever_address_it_comes_from(
    settings: Settings, graph: Graph
) -> None:
    proxied = _limited(settings, trusted_proxies="10.0.0.5")
    with TestClient(create_app(proxied), client=("10.0.0.5", 4711)) as client:
        bad = {"Authorization": "Bearer vbd_immer_dasselbe"}
        codes = [
            client.post(
                "/graphql", json=QUERY, headers={**bad, "X-Forwarded-For": f"203.0.113.{n}"}
            ).status_code
            for n in range(12)
        ]
        assert codes == [401] * 10 + [429] * 2


def test_rotating_x_forwarded_for_without_a_trusted_proxy_does_not_help(
    settings: Settings, graph: Graph
) -> None:
    with TestClient(create_app(_limited(settings)), client=("10.0.0.5", 4711)) as client:
        codes = [
            client.post(
                "/graphql",
                json=QUERY,
                headers={
                    "Authorization": f"Bearer vbd_falsch{n}",
                    "X-Forwarded-For": f"203.0.113.{n}",
                },
            ).status_code
            for n in range(20)
        ]
        assert codes == [401] * 10 + [429] * 10


def test_x_forwarded_for_is_believed_from_a_trusted_proxy_only(
    settings: Settings, graph: Graph
) -> None:
    proxied = _limited(settings, trusted_proxies="192.0.2.1, 10.0.0.0/8")
    with TestClient(create_app(proxied), client=("10.0.0.5", 4711)) as client:

        def attempt(n: int, forwarded: str) -> int:
            headers = {"Authorization": f"Bearer vbd_falsch{n}", "X-Forwarded-For": forwarded}
            return client.post("/graphql", json=QUERY, headers=headers).status_code

        assert [attempt(n, "203.0.113.7") for n in range(11)] == [401] * 10 + [429]
        # another client behind the same proxy keeps its own count
        assert attempt(11, "203.0.113.8") == 401
        # what the client itself wrote to the left is not believed; trusted hops are skipped
        assert attempt(12, "198.51.100.1, 203.0.113.7") == 429
        assert attempt(13, "203.0.113.7, 10.1.2.3") == 429
        assert attempt(14, "198.51.100.1, 203.0.113.9, 10.1.2.3") == 401


def test_trusted_proxies_setting_is_checked() -> None:
    from api.auth.client_address import InvalidTrustedProxies, TrustedProxies

    proxies = TrustedProxies.parse(" 10.0.0.0/8 , ::1,")
    assert proxies.trusts("10.9.8.7")
    assert proxies.trusts("::1")
    assert not proxies.trusts("11.0.0.1")
    assert not proxies.trusts("testclient")
    assert not TrustedProxies.parse("").trusts("127.0.0.1")
    with pytest.raises(InvalidTrustedProxies, match="keine IP-Adresse"):
        TrustedProxies.parse("10.0.0.1, proxy.intern")


def test_token_for_an_unknown_organization_is_refused(db: Graph) -> None:
    from graph.tokens import UnknownOrganization

    with pytest.raises(UnknownOrganization, match="„gibt-es-nicht“ gibt es nicht"):
        create_token(db, role="caseworker", organization_id="gibt-es-nicht")
    answer = CliRunner().invoke(
        main, ["token", "create", "--role", "caseworker", "--organization", "gibt-es-nicht"]
    )
    assert answer.exit_code != 0
    assert "Organisation „gibt-es-nicht“ gibt es nicht im Verbund" in answer.output
    assert list_tokens(db) == []
    _organization(db, "jobcenter-stuttgart")
    record, _ = create_token(db, role="caseworker", organization_id="jobcenter-stuttgart")
    assert record.organization_id == "jobcenter-stuttgart"
