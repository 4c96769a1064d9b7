"""Signing in on the web pages with the Dienstkonto (OpenID Connect, code flow with PKCE),
against a real OpenID provider: oidc-provider under Node (tests/oidc/provider.mjs), started
once per test session. The app runs in the starlette TestClient; the provider's pages are driven
with httpx like a browser, and the app's own calls to the provider (discovery, token endpoint,
keys) are real HTTP."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import httpx
import pytest
from pydantic import SecretStr
from starlette.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from api.web.oidc import code_challenge
from graph import Graph
from graph.audit import query_events
from tests.privacy_world import load
from tests.test_access_matrix import REFERRALS, VISIBLE_REFERRALS, ids

PROVIDER_DIR = Path(__file__).parent / "oidc"
BASE = "http://127.0.0.1"  # plain http to this machine: the session cookie is not Secure
RETURN = f"{BASE}/anmelden/oidc/rueckkehr"
PUBLIC_RETURN = f"{BASE}/zurueck-vom-anbieter"  # registered too, for VERBUND_OIDC_REDIRECT_URL
CLIENT_ID, CLIENT_SECRET, PUBLIC_CLIENT_ID = "verbund", "geheim-nur-test", "verbund-oeffentlich"
NOT_POSSIBLE = "Anmeldung beim Dienstkonto nicht möglich"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def oidc_issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A running oidc-provider (``npm ci`` first if its node_modules are missing); its issuer."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("Node.js (node, npm) fehlt: der OpenID-Anbieter der Tests läuft mit Node 20")
    if not (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir():
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=PROVIDER_DIR, check=True, timeout=600
        )
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    output = tmp_path_factory.mktemp("oidc") / "provider.log"
    env = {
        **os.environ,
        "PORT": str(port),
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "PUBLIC_CLIENT_ID": PUBLIC_CLIENT_ID,
        "REDIRECT_URIS": f"{RETURN},{PUBLIC_RETURN}",
    }
    with output.open("wb") as log:
        process = subprocess.Popen(
            [node, "provider.mjs"], cwd=PROVIDER_DIR, env=env, stdout=log, stderr=log
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"oidc-provider beendet:\n{output.read_text('utf-8')}")
            try:
                if httpx.get(f"{issuer}/.well-known/openid-configuration").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"oidc-provider nicht bereit:\n{output.read_text('utf-8')}")
            time.sleep(0.1)
        yield issuer
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def web_settings(settings: Settings, issuer: str, **changes: object) -> Settings:
    return settings.model_copy(
        update={
            "oidc_issuer": issuer,
            "oidc_client_id": CLIENT_ID,
            "oidc_client_secret": SecretStr(CLIENT_SECRET),
            "oidc_redirect_url": None,
            "oidc_jwks": None,  # bearer tokens stay off: this is only the web sign-in
            "demo_logins": False,
            **changes,
        }
    )


@pytest.fixture
def client(settings: Settings, oidc_issuer: str, graph: Graph) -> Iterator[TestClient]:
    app = create_app(web_settings(settings, oidc_issuer), graph=graph)
    with TestClient(app, base_url=BASE, follow_redirects=False) as found:
        yield found


def at_provider(url: str, account: str, *, consent: bool = True) -> str:
    """Go through the provider's own login and consent pages like a browser; the address it
    finally sends the browser back to (verbund's callback)."""
    provider = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}"
    with httpx.Client(timeout=5) as browser:
        response = browser.get(url)
        for _ in range(12):
            if response.is_redirect:
                location = urljoin(str(response.url), response.headers["location"])
                if not location.startswith(provider + "/"):
                    return location
                response = browser.get(location)
                continue
            assert response.status_code == 200, response.text
            prompt = re.search(r'name="prompt" value="(\w+)"', response.text)
            action = re.search(r'<form[^>]* action="([^"]+)"', response.text)
            assert prompt, response.text
            assert action, response.text
            if prompt[1] == "login":
                form = {"prompt": "login", "login": account, "password": "beliebig"}
            elif consent:
                form = {"prompt": "consent"}
            else:
                cancel = re.search(r'<a href="([^"]+)">\[ Cancel \]', response.text)
                assert cancel, response.text
                response = browser.get(urljoin(str(response.url), cancel[1]))
                continue
            response = browser.post(urljoin(str(response.url), action[1]), data=form)
    raise AssertionError("der Anbieter hat nicht zurückgeleitet")


def begin(client: TestClient, weiter: str = "/") -> str:
    """Start a sign-in; the provider's authorization URL verbund sends the browser to."""
    response = client.get("/anmelden/oidc", params={"weiter": weiter})
    assert response.status_code == 303, response.text
    return response.headers["location"]


def callback(client: TestClient, url: str) -> httpx.Response:
    parts = urlsplit(url)
    return client.get(f"{parts.path}?{parts.query}")


def signed_in_name(client: TestClient) -> str | None:
    found = re.search(r"Angemeldet: <strong>([^<]*)</strong>", client.get("/").text)
    return found[1] if found else None


def test_code_challenge_is_s256_of_the_verifier() -> None:
    # RFC 7636, Appendix B.
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert code_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_caseworker_signs_in_and_the_session_answers_as_her(
    db: Graph, client: TestClient, oidc_issuer: str
) -> None:
    load(db)
    login_page = client.get("/anmelden")
    assert "Mit dem Dienstkonto anmelden" in login_page.text

    authorize = begin(client, "/?von=anmeldung")
    assert authorize.startswith(f"{oidc_issuer}/auth?")
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["redirect_uri"] == [RETURN]  # built from the request
    assert query["scope"] == ["openid profile"]
    assert {"state", "nonce", "code_challenge"} <= query.keys()

    back = at_provider(authorize, "fm-test")
    assert back.startswith(RETURN + "?")
    done = callback(client, back)
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/?von=anmeldung"

    start = client.get("/")
    assert "Angemeldet: <strong>Frieda Muster</strong>" in start.text
    assert "Meine Überleitungen" in start.text  # the caseworker's start page
    csrf = re.search(r'<meta name="csrf-token" content="([^"]+)"', start.text)
    assert csrf
    answer = client.post("/graphql", json={"query": REFERRALS}, headers={"X-CSRF-Token": csrf[1]})
    assert answer.status_code == 200, answer.text
    assert "errors" not in answer.json()
    assert ids(answer.json()["data"]) == VISIBLE_REFERRALS["cw-jobcenter"]
    event = query_events(db, subject="fm-test")[0]
    assert (event.auth_method, event.role, event.organization_id) == (
        "oidc",
        "caseworker",
        "jobcenter-stuttgart",
    )


def test_public_client_with_configured_redirect_url(
    settings: Settings, oidc_issuer: str, graph: Graph
) -> None:
    """No client secret (PKCE alone); the callback path as registered at the provider."""
    changes = {
        "oidc_client_id": PUBLIC_CLIENT_ID,
        "oidc_client_secret": None,
        "oidc_redirect_url": PUBLIC_RETURN,
    }
    app = create_app(web_settings(settings, oidc_issuer, **changes), graph=graph)
    with TestClient(app, base_url=BASE, follow_redirects=False) as client:
        authorize = begin(client)
        assert parse_qs(urlsplit(authorize).query)["redirect_uri"] == [PUBLIC_RETURN]
        back = at_provider(authorize, "fm-test")
        assert back.startswith(PUBLIC_RETURN + "?")
        # A reverse proxy maps the registered address onto verbund's route.
        done = client.get(f"/anmelden/oidc/rueckkehr?{urlsplit(back).query}")
        assert done.status_code == 303, done.text
        assert signed_in_name(client) == "Frieda Muster"


def test_tampered_state_is_refused(client: TestClient) -> None:
    back = at_provider(begin(client), "fm-test")
    query = parse_qs(urlsplit(back).query)
    state = query["state"][0]
    query["state"] = [("y" if state[0] == "x" else "x") + state[1:]]  # one in 64 began with x
    refused = client.get(f"/anmelden/oidc/rueckkehr?{urlencode(query, doseq=True)}")
    assert refused.status_code == 400
    assert NOT_POSSIBLE in refused.text
    assert "Bitte erneut versuchen oder IT-Service kontaktieren." in refused.text
    assert signed_in_name(client) is None

    # The genuine answer in another browser (no pending sign-in there): refused as well.
    with TestClient(client.app, base_url=BASE, follow_redirects=False) as other:
        assert callback(other, back).status_code == 400
        assert signed_in_name(other) is None


def test_account_without_verbund_role_is_refused(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    refused = callback(client, at_provider(begin(client), "ohne-rolle"))
    assert refused.status_code == 403
    assert NOT_POSSIBLE in refused.text
    assert "nicht freigeschaltet" in refused.text
    assert "IT-Service kontaktieren" in refused.text
    assert "Traceback" not in refused.text
    assert signed_in_name(client) is None
    assert any("ohne verbund-Rolle" in r.getMessage() for r in caplog.records)


def test_denied_consent_is_refused(client: TestClient) -> None:
    back = at_provider(begin(client), "fm-test", consent=False)
    assert parse_qs(urlsplit(back).query)["error"] == ["access_denied"]
    refused = callback(client, back)
    assert refused.status_code == 400
    assert "Freigabe für verbund nicht erteilt" in refused.text
    assert signed_in_name(client) is None


def test_code_cannot_be_replayed(client: TestClient) -> None:
    back = at_provider(begin(client), "fm-test")
    assert callback(client, back).status_code == 303
    # The same answer again: its state was used up by the first.
    again = callback(client, back)
    assert again.status_code == 400
    assert NOT_POSSIBLE in again.text
    # The old code under a new, valid state: the provider refuses it at the token endpoint.
    fresh = parse_qs(urlsplit(begin(client)).query)["state"][0]
    old = parse_qs(urlsplit(back).query)
    old["state"] = [fresh]
    replayed = client.get(f"/anmelden/oidc/rueckkehr?{urlencode(old, doseq=True)}")
    assert replayed.status_code == 400
    assert "nicht bestätigt" in replayed.text


def test_provider_unreachable_is_503_in_german(
    settings: Settings, graph: Graph, caplog: pytest.LogCaptureFixture
) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"
    app = create_app(web_settings(settings, nowhere), graph=graph)
    with TestClient(app, base_url=BASE, follow_redirects=False) as client:
        answer = client.get("/anmelden/oidc", params={"weiter": "/ueberleitungen"})
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "30"
    assert NOT_POSSIBLE in answer.text
    assert "Der Anmeldedienst ist gerade nicht erreichbar" in answer.text
    assert "Traceback" not in answer.text
    # The button to try again keeps the page to return to.
    assert "/anmelden/oidc?weiter=/ueberleitungen" in answer.text
    assert any(r.levelname == "ERROR" and "Discovery" in r.getMessage() for r in caplog.records)


def test_without_client_id_there_is_no_dienstkonto_login(settings: Settings, graph: Graph) -> None:
    plain = web_settings(settings, "https://idp.example/realms/stadt", oidc_client_id=None)
    with TestClient(create_app(plain, graph=graph), base_url=BASE) as client:
        assert "Mit dem Dienstkonto anmelden" not in client.get("/anmelden").text
        assert client.get("/anmelden/oidc").status_code == 404


def test_issuer_must_be_https(settings: Settings) -> None:
    with pytest.raises(ValueError, match="VERBUND_OIDC_ISSUER muss eine https-URL sein"):
        create_app(web_settings(settings, "http://idp.example/realms/stadt"))
