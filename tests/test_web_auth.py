"""Sign-in, session and CSRF of the web pages, against the real app and Neo4j."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from graph import Graph
from tests.browser.helpers import load_demo
from tests.webclient import csrf_of, sign_in, web_client


@pytest.fixture(scope="module")
def demo_graph(graph: Graph) -> Graph:
    load_demo(graph, "small")
    return graph


@pytest.fixture
def client(demo_graph: Graph) -> Iterator[TestClient]:
    with web_client(demo_graph) as c:
        yield c


def test_login_form_is_german_with_labelled_fields(client: TestClient) -> None:
    page = client.get("/anmelden")
    assert page.status_code == 200
    assert '<html lang="de">' in page.text
    assert '<label class="kern-label" for="benutzername">Benutzername' in page.text
    assert '<label class="kern-label" for="passwort">Passwort' in page.text
    assert ">Anmelden</span></button>" in page.text
    # The four demo logins are listed while demo logins are on.
    for user in ("fallmanagement", "traeger", "koordination", "planung"):
        assert f"<code>{user}</code>" in page.text


def test_sign_in_lands_on_the_page_asked_for_and_sign_out_ends_it(client: TestClient) -> None:
    answer = sign_in(client, "fallmanagement", next_path="/angebote")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/angebote"
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    # Plain http to this machine (make run): not Secure, or the browser would drop it.
    assert "Secure" not in cookie
    assert "Fallmanagement (Jobcenter Stuttgart)" in client.get("/angebote").text
    out = client.post("/abmelden", data={"csrf_token": csrf_of(client.get("/").text)})
    assert out.status_code == 303
    again = client.get("/angebote")
    assert again.status_code == 303
    assert again.headers["location"].startswith("/anmelden?weiter=")


def test_cookie_is_secure_outside_localhost(demo_graph: Graph) -> None:
    from api.app import create_app
    from tests.webclient import web_settings

    with TestClient(
        create_app(web_settings(), demo_graph), base_url="https://verbund.example.de"
    ) as c:
        assert "Secure" in c.get("/anmelden").headers["set-cookie"]


def test_wrong_password_says_what_to_do_and_the_limiter_counts_per_user(
    client: TestClient,
) -> None:
    wrong = sign_in(client, "planung", password="falsch")
    assert wrong.status_code == 400
    assert "Benutzername oder Passwort stimmen nicht" in wrong.text
    assert 'aria-describedby="benutzername-fehler"' in wrong.text
    for _ in range(12):
        sign_in(client, "planung", password="falsch")
    blocked = sign_in(client, "planung")
    assert blocked.status_code == 429
    assert "Zu viele fehlgeschlagene Versuche" in blocked.text


def test_form_without_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/anmelden")
    answer = client.post("/anmelden", data={"benutzername": "fallmanagement", "passwort": "demo"})
    assert answer.status_code == 400
    assert "Anfrage nicht verständlich" in answer.text
    assert "Traceback" not in answer.text


def test_graphql_with_the_session_needs_the_csrf_header(client: TestClient) -> None:
    sign_in(client, "fallmanagement")
    query = {"query": "{ referrals(first: 1) { totalCount } }"}
    refused = client.post("/graphql", json=query)
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["extensions"]["code"] == "CSRF_TOKEN_INVALID"
    token = csrf_of(client.get("/").text)
    answer = client.post("/graphql", json=query, headers={"X-CSRF-Token": token})
    assert answer.status_code == 200
    assert answer.json()["data"]["referrals"]["totalCount"] >= 0


def test_idle_session_returns_to_the_login_and_then_to_the_page(
    demo_graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    with web_client(demo_graph) as client:
        sign_in(client, "fallmanagement")
        assert client.get("/angebote").status_code == 200
        later = time.time() + 31 * 60  # past the 30 minutes idle timeout
        monkeypatch.setattr(time, "time", lambda: later)
        expired = client.get("/angebote?bedarf=suchtberatung")
        assert expired.status_code == 303
        assert expired.headers["location"] == (
            "/anmelden?weiter=/angebote%3Fbedarf%3Dsuchtberatung&abgelaufen=1"
        )
        login = client.get(expired.headers["location"])
        assert "Ihre Sitzung ist abgelaufen" in login.text
        back = sign_in(client, "fallmanagement", next_path="/angebote?bedarf=suchtberatung")
        assert back.headers["location"] == "/angebote?bedarf=suchtberatung"


def test_error_pages_are_german_with_a_request_id(client: TestClient) -> None:
    missing = client.get("/gibt-es-nicht")
    assert missing.status_code == 404
    assert "Seite nicht gefunden" in missing.text
    assert missing.headers["x-request-id"] in missing.text
    sign_in(client, "planung")
    forbidden = client.get("/angebote")
    assert forbidden.status_code == 403
    assert "Kein Zugriff" in forbidden.text


def test_open_redirects_are_not_followed(client: TestClient) -> None:
    answer = sign_in(client, "fallmanagement", next_path="https://evil.example/")
    assert answer.headers["location"] == "/"
    answer = sign_in(client, "fallmanagement", next_path="//evil.example/")
    assert answer.headers["location"] == "/"


def test_demo_logins_switch_off(demo_graph: Graph) -> None:
    from api.app import create_app
    from api.settings import Settings

    off = Settings(VERBUND_DEMO_LOGINS=False)  # type: ignore[call-arg]
    with TestClient(create_app(off, demo_graph), base_url="http://127.0.0.1") as c:
        page = c.get("/anmelden")
        assert "<code>fallmanagement</code>" not in page.text
        assert "Anmeldung nicht eingerichtet" in page.text
        assert sign_in(c, "fallmanagement").status_code == 400


def test_login_limit_per_address_uses_x_forwarded_for_only_from_a_trusted_proxy(
    demo_graph: Graph,
) -> None:
    """The web form counts per address like the API (api/auth/client_address): behind a
    trusted proxy each forwarded client has its own count; without one the header is ignored."""
    from api.app import create_app
    from api.settings import Settings

    def failures(client: TestClient, forwarded: str, names: range) -> list[int]:
        client.headers["X-Forwarded-For"] = forwarded
        return [sign_in(client, f"niemand{n}", password="falsch").status_code for n in names]

    proxied = Settings(  # type: ignore[call-arg]
        VERBUND_DEMO_LOGINS=True, VERBUND_TRUSTED_PROXIES="10.0.0.5", VERBUND_AUTH_FAILURE_LIMIT=5
    )
    with TestClient(
        create_app(proxied, demo_graph),
        base_url="http://127.0.0.1",
        follow_redirects=False,
        client=("10.0.0.5", 4711),
    ) as client:
        assert failures(client, "203.0.113.7", range(6)) == [400] * 5 + [429]
        assert failures(client, "203.0.113.8", range(6, 7)) == [400]

    direct = Settings(VERBUND_DEMO_LOGINS=True, VERBUND_AUTH_FAILURE_LIMIT=5)  # type: ignore[call-arg]
    with TestClient(
        create_app(direct, demo_graph),
        base_url="http://127.0.0.1",
        follow_redirects=False,
        client=("10.0.0.5", 4711),
    ) as client:
        codes = [failures(client, f"203.0.113.{n}", range(n, n + 1))[0] for n in range(6)]
        assert codes == [400] * 5 + [429]
