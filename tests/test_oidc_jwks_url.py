"""OpenID Connect keys from a JWKS URL: a real HTTP server on 127.0.0.1 in a thread serves keys
generated here; signature check, caching, key rotation, the refetch bound, timeouts and an
unreachable provider (503 with a code, logged, no stack trace)."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from starlette.testclient import TestClient

from api.app import create_app
from api.auth.errors import AuthError, KeysUnavailable
from api.auth.jwks import JwksCache, check_url
from api.settings import Settings
from graph import Graph
from tests.test_auth import AUDIENCE, ISSUER, QUERY, make_jwt


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_jwk(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": kid, "use": "sig", "alg": "RS256"})
    return jwk


class Provider:
    """What the identity provider's certs endpoint serves, and how often it was asked."""

    def __init__(self) -> None:
        self.keys: list[dict[str, Any]] = []
        self.requests = 0
        self.delay = 0.0
        self.status = 200


@pytest.fixture
def provider() -> Iterator[tuple[Provider, str]]:
    state = Provider()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests += 1
            if state.delay:
                time.sleep(state.delay)
            body = json.dumps({"keys": state.keys}).encode()
            try:
                self.send_response(state.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (the timeout test)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}/realms/stadt/certs"
    finally:
        server.shutdown()
        server.server_close()


def url_settings(settings: Settings, url: str, **extra: Any) -> Settings:
    return settings.model_copy(
        update={
            "oidc_jwks": url,
            "oidc_issuer": ISSUER,
            "oidc_audience": AUDIENCE,
            "auth_failure_limit": 1000,
            "oidc_jwks_timeout_seconds": 2.0,
            **extra,
        }
    )


def post(client: TestClient, token: str) -> Any:
    return client.post("/graphql", json=QUERY, headers={"Authorization": f"Bearer {token}"})


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_tokens_are_checked_against_the_served_keys_and_cached(
    provider: tuple[Provider, str], settings: Settings, graph: Graph
) -> None:
    state, url = provider
    key = new_key()
    state.keys = [public_jwk(key, "k1")]
    with TestClient(create_app(url_settings(settings, url))) as client:
        answers = [post(client, make_jwt(key)).status_code for _ in range(4)]
        assert answers == [200] * 4
        assert state.requests == 1  # fetched once, then cached
        # Same key id, wrong key: the signature check fails.
        assert post(client, make_jwt(new_key())).status_code == 401
        assert state.requests == 1


def test_rotation_unknown_kid_refetches_once_within_the_minimum_interval(
    provider: tuple[Provider, str],
) -> None:
    state, url = provider
    old, rotated = new_key(), new_key()
    state.keys = [public_jwk(old, "k1")]
    now = [1000.0]
    cache = JwksCache(url, timeout=2.0, min_refresh_seconds=30.0, clock=lambda: now[0])
    assert cache.key("k1") is not None
    assert state.requests == 1
    # The provider rotates; a token with the new kid arrives after the minimum interval.
    state.keys = [public_jwk(rotated, "k2"), public_jwk(old, "k1")]
    now[0] += 31
    assert cache.key("k2") is not None
    assert state.requests == 2
    # Unknown kids (an attacker's random ones) do not refetch within the interval.
    for kid in ("x1", "x2", "x3"):
        with pytest.raises(AuthError, match="unbekannte Schlüssel-ID"):
            cache.key(kid)
    assert state.requests == 2
    now[0] += 31
    with pytest.raises(AuthError):
        cache.key("x4")
    assert state.requests == 3  # one more refetch after the interval, no more
    # Known keys are served from the cache meanwhile.
    assert cache.key("k1") is not None
    assert state.requests == 3


def test_encryption_keys_are_never_used_to_verify(provider: tuple[Provider, str]) -> None:
    state, url = provider
    key = new_key()
    state.keys = [{**public_jwk(key, "enc1"), "use": "enc", "alg": "RSA-OAEP"}]
    state.keys.append(public_jwk(new_key(), "k1"))
    cache = JwksCache(url, min_refresh_seconds=30)
    assert cache.key("k1") is not None
    with pytest.raises(AuthError):
        cache.key("enc1")


def test_rotation_through_the_app(
    provider: tuple[Provider, str], settings: Settings, graph: Graph
) -> None:
    state, url = provider
    old, rotated = new_key(), new_key()
    state.keys = [public_jwk(old, "k1")]
    config = url_settings(settings, url, oidc_jwks_min_refresh_seconds=0.0)
    with TestClient(create_app(config)) as client:
        assert post(client, make_jwt(old)).status_code == 200
        state.keys = [public_jwk(rotated, "k2")]
        assert post(client, make_jwt(rotated, kid="k2")).status_code == 200
        assert state.requests == 2


def test_cache_expires_and_stale_keys_survive_an_outage(provider: tuple[Provider, str]) -> None:
    state, url = provider
    key = new_key()
    state.keys = [public_jwk(key, "k1")]
    now = [0.0]
    cache = JwksCache(url, cache_seconds=300, min_refresh_seconds=30, clock=lambda: now[0])
    cache.key("k1")
    now[0] += 301
    state.status = 500
    state.keys = []
    # The refetch fails; the known key keeps working instead of locking everyone out.
    assert cache.key("k1") is not None
    assert state.requests == 2


def test_slow_provider_times_out_with_503(
    provider: tuple[Provider, str],
    settings: Settings,
    graph: Graph,
    caplog: pytest.LogCaptureFixture,
) -> None:
    state, url = provider
    key = new_key()
    state.keys = [public_jwk(key, "k1")]
    state.delay = 1.0
    config = url_settings(settings, url, oidc_jwks_timeout_seconds=0.2)
    with (
        TestClient(create_app(config)) as client,
        caplog.at_level(logging.INFO, logger="verbund.auth"),
    ):
        started = time.monotonic()
        answer = post(client, make_jwt(key))
        assert time.monotonic() - started < 1.0
    assert answer.status_code == 503
    assert answer.json()["errors"][0]["extensions"]["code"] == "OIDC_KEYS_UNAVAILABLE"
    assert "Traceback" not in answer.text
    messages = [r.getMessage() for r in caplog.records]
    assert any("JWKS" in m and "nicht geladen" in m for m in messages)


def test_unreachable_provider_is_503_with_a_code_and_logged(
    settings: Settings, graph: Graph, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"http://127.0.0.1:{free_port()}/certs"
    key = new_key()
    with (
        TestClient(create_app(url_settings(settings, url))) as client,
        caplog.at_level(logging.INFO, logger="verbund.auth"),
    ):
        answer = post(client, make_jwt(key))
        assert answer.status_code == 503
        assert answer.headers["retry-after"]
        body = answer.json()
        assert body["errors"][0]["extensions"] == {"code": "OIDC_KEYS_UNAVAILABLE"}
        assert "Traceback" not in answer.text
        assert "data" not in body
        # GraphiQL and /health stay reachable meanwhile.
        assert client.get("/health").status_code == 200
    messages = [r.getMessage() for r in caplog.records]
    assert any("nicht geladen" in m for m in messages)
    assert any("nicht prüfbar" in m for m in messages)


def test_no_second_attempt_within_the_interval_after_a_failure() -> None:
    url = f"http://127.0.0.1:{free_port()}/certs"
    now = [0.0]
    cache = JwksCache(url, timeout=0.5, min_refresh_seconds=30, clock=lambda: now[0])
    with pytest.raises(KeysUnavailable):
        cache.key("k1")
    with pytest.raises(KeysUnavailable):
        cache.key("k1")
    assert cache.fetches == 1


@pytest.mark.parametrize(
    "url",
    ["http://id.stadt.example/certs", "file:///etc/passwd", "ftp://127.0.0.1/x", "https://"],
)
def test_only_https_or_loopback_http_urls(url: str) -> None:
    with pytest.raises(ValueError, match="https"):
        check_url(url)


def test_loopback_http_and_https_are_accepted() -> None:
    for url in ("https://id.stadt.example/certs", "http://127.0.0.1:8080/certs", "http://[::1]/c"):
        check_url(url)
