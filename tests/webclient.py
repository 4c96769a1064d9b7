"""Helpers for the web page tests: a client of the real app signed in through the real
login form (demo logins on), and the CSRF token of a page."""

from __future__ import annotations

import re

from httpx import Response
from starlette.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from graph import Graph

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def web_settings() -> Settings:
    return Settings(VERBUND_DEMO_LOGINS=True)  # type: ignore[call-arg]


def csrf_of(html: str) -> str:
    found = _CSRF.search(html) or _META.search(html)
    assert found, "keine CSRF-Marke auf der Seite"
    return found.group(1)


def web_client(graph: Graph) -> TestClient:
    """A browser-like client (no redirects followed); 127.0.0.1 so the cookie is not Secure."""
    return TestClient(
        create_app(web_settings(), graph), base_url="http://127.0.0.1", follow_redirects=False
    )


def sign_in(
    client: TestClient, username: str, password: str = "demo", next_path: str = "/"
) -> Response:
    form = client.get("/anmelden")
    return client.post(
        "/anmelden",
        data={
            "csrf_token": csrf_of(form.text),
            "benutzername": username,
            "passwort": password,
            "weiter": next_path,
        },
    )
