"""Helpers for the browser tests: the live server, the origin guard, axe, screenshots, login.

The fixtures in ``conftest.py`` put these together; tests may also call them directly,
e.g. ``guarded_context(browser, watch, bypass_csp=True)`` for a context of their own.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote, urlsplit

import pytest
import uvicorn
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Route,
    WebError,
    WebSocketRoute,
)
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from starlette.types import ASGIApp

from graph import Graph
from graph.admin import clear
from graph.write import write_bundle
from loaders.demo import Demo, Size, generate

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# Vendored on the `assets` branch (not committed here); the tests never fetch it from a CDN.
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
SCREENSHOTS = PROJECT_ROOT / "build" / "screenshots"

# What every test context looks like: a German user in Berlin on a laptop screen.
CONTEXT_OPTIONS: dict[str, Any] = {
    "locale": "de-DE",
    "timezone_id": "Europe/Berlin",
    "viewport": {"width": 1280, "height": 900},
    # A service worker could answer requests that context.route() never sees.
    "service_workers": "block",
}
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
BLOCKING_IMPACTS = frozenset({"serious", "critical"})
# The password of every demo account of the web app (VERBUND_DEMO_LOGINS=1).
DEMO_PASSWORD = "demo"
# Chromium's wording when a request was aborted by the origin guard (errorCode "blockedbyclient").
BLOCKED = "net::ERR_BLOCKED_BY_CLIENT"


# --- the live server -------------------------------------------------------------------------


@contextmanager
def serve_in_thread(app: ASGIApp, startup_timeout: float = 30.0) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free 127.0.0.1 port in a background thread and yield
    its base URL (``http://127.0.0.1:PORT``); stop the server and join the thread afterwards."""
    # Bound here and handed to uvicorn: no window in which another process takes the port
    # between "find a free port" and "listen on it".
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    # ws="none": the app has no websockets, and importing them only adds warnings.
    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on", ws="none")
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="live-server", daemon=True
    )
    thread.start()
    try:
        _wait_until_started(server, thread, startup_timeout)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


def _wait_until_started(server: uvicorn.Server, thread: threading.Thread, timeout: float) -> None:
    """uvicorn sets ``started`` after the lifespan startup; a thread that ended before
    that means the app did not start (uvicorn has logged why)."""
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("Der Testserver ist beim Start beendet worden (siehe Log).")
        if time.monotonic() > deadline:
            raise RuntimeError(f"Der Testserver ist nach {timeout:.0f} s nicht gestartet.")
        time.sleep(0.02)


def load_demo(graph: Graph, size: Size = "small", seed: int = 2026) -> Demo:
    """What ``verbund demo load --size SIZE --reset`` does, without the CLI: empty the
    database and write the deterministic demo (same generator, same writer)."""
    clear(graph)
    demo = generate(size, seed)
    write_bundle(graph, demo.bundle)
    return demo


# --- the origin guard and the page's errors --------------------------------------------------


def origin_of(url: str) -> str:
    """``scheme://host:port``; WebSocket URLs count as their HTTP origin."""
    parts = urlsplit(url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme, parts.scheme)
    return f"{scheme}://{parts.netloc}"


@dataclass
class BrowserWatch:
    """What the browser did that a test must not ignore: requests to any origin but the
    live server's (aborted, so nothing leaves the machine), console errors and uncaught
    JavaScript errors. The ``page`` fixture fails the test when any of them remain."""

    origin: str
    foreign_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    allowed: list[re.Pattern[str]] = field(default_factory=list)
    # Every URL the guard blocked, also after take_foreign_requests(): Chromium reports the
    # aborted load as a console error too, which would only repeat the guard's finding.
    blocked: set[str] = field(default_factory=set)

    def allow(self, pattern: str) -> None:
        """Accept console and page errors matching this regex (a test that expects one)."""
        self.allowed.append(re.compile(pattern))

    def take_foreign_requests(self) -> list[str]:
        """The foreign requests so far; forgotten afterwards, for a test that provokes them."""
        taken, self.foreign_requests = self.foreign_requests, []
        return taken

    def is_own(self, url: str) -> bool:
        # data: and blob: URLs are made by the page itself; nothing goes over the network.
        return url.startswith(("data:", "blob:")) or origin_of(url) == self.origin

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        source = message.location.get("url", "")
        # "Failed to load resource: net::ERR_BLOCKED_BY_CLIENT…", located at the blocked URL.
        if BLOCKED in message.text and source in self.blocked:
            return
        self.console_errors.append(f"{message.text} ({source or 'ohne Quelle'})")

    def on_page_error(self, error: WebError) -> None:
        self.page_errors.append(f"{error.error.name}: {error.error.message}")

    def problems(self) -> list[str]:
        """Everything left to complain about, one line each."""
        found = [f"fremde Anfrage / foreign request: {url}" for url in self.foreign_requests]
        found += [
            f"Konsole / console error: {text}" for text in self._unexpected(self.console_errors)
        ]
        found += [
            f"Skriptfehler / page error: {text}" for text in self._unexpected(self.page_errors)
        ]
        return found

    def report(self) -> str:
        lines = "\n".join(f"  - {problem}" for problem in self.problems())
        return f"Browser-Befunde (nur {self.origin} ist erlaubt):\n{lines}"

    def _unexpected(self, texts: list[str]) -> list[str]:
        return [t for t in texts if not any(p.search(t) for p in self.allowed)]


def guarded_context(browser: Browser, watch: BrowserWatch, **options: Any) -> BrowserContext:
    """A fresh context (German locale, Berlin, 1280×900, relative URLs against the live
    server) in which only the live server's origin is reachable; ``options`` override."""
    context = browser.new_context(**{**CONTEXT_OPTIONS, "base_url": watch.origin, **options})
    context.route("**/*", lambda route: _guard(route, watch))
    context.route_web_socket(re.compile(".*"), lambda ws: _guard_web_socket(ws, watch))
    # On the context, not the page: popups and new tabs are watched as well.
    context.on("console", watch.on_console)
    context.on("weberror", watch.on_page_error)
    return context


def _guard(route: Route, watch: BrowserWatch) -> None:
    """Let the app's own requests through; abort anything else and remember it, so a page
    that needs a CDN, a web font or a tracker fails its test instead of phoning out."""
    url = route.request.url
    if watch.is_own(url):
        route.continue_()
        return
    watch.foreign_requests.append(url)
    watch.blocked.add(url)
    route.abort("blockedbyclient")


def _guard_web_socket(ws: WebSocketRoute, watch: BrowserWatch) -> None:
    """context.route() does not see WebSockets; the same rule for them."""
    if watch.is_own(ws.url):
        ws.connect_to_server()
        return
    watch.foreign_requests.append(ws.url)
    watch.blocked.add(ws.url)
    ws.close()


# --- accessibility ---------------------------------------------------------------------------

_RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return result.violations;
}"""


def axe(page: Page) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.1 A/AA check of the current page: the violations with impact
    serious or critical (moderate and minor ones are left to review, not to CI)."""
    if not AXE_JS.is_file():
        pytest.fail(
            f"axe-core fehlt: {AXE_JS.relative_to(PROJECT_ROOT)} (kommt mit dem Zweig `assets`)",
            pytrace=False,
        )
    # evaluate() rather than add_script_tag(): the app's CSP (script-src 'self') refuses
    # inline scripts, and the check must not need a looser policy than production has.
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    violations = cast(list[dict[str, Any]], page.evaluate(_RUN_AXE, list(WCAG_TAGS)))
    return [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]


def format_violations(violations: list[dict[str, Any]], url: str) -> str:
    """One block per rule: id, impact, what to do, where (CSS selectors), link to the rule."""
    lines = [
        f"Barrierefreiheit / accessibility (axe, WCAG 2.1 A/AA): "
        f"{len(violations)} schwerwiegende Verstöße / serious violations auf {url}"
    ]
    for violation in violations:
        lines.append(f"- {violation['id']} [{violation['impact']}]: {violation['help']}")
        for node in violation.get("nodes", []):
            lines.append(f"    {' '.join(str(t) for t in node.get('target', []))}")
        lines.append(f"    {violation.get('helpUrl', '')}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """Fail with a readable summary when axe finds serious or critical violations."""
    violations = axe(page)
    if violations:
        pytest.fail(format_violations(violations, page.url), pytrace=False)


# --- screenshots and login -------------------------------------------------------------------


def screenshot(page: Page, name: str) -> Path:
    """A full-page PNG in build/screenshots/ (gitignored) for people to look at."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "seite"
    path = SCREENSHOTS / f"{safe}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=path, full_page=True)
    return path


def login(
    page: Page,
    base_url: str,
    username: str,
    password: str = DEMO_PASSWORD,
    next_path: str | None = None,
) -> None:
    """Sign in through the login page (GET /anmelden: fields „Benutzername“ and „Passwort“,
    button „Anmelden“) and wait until the browser lands on ``next_path`` or ``/``."""
    query = f"?weiter={quote(next_path, safe='/')}" if next_path else ""
    page.goto(f"{base_url}/anmelden{query}")
    page.get_by_label("Benutzername", exact=True).fill(username)
    page.get_by_label("Passwort", exact=True).fill(password)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    target = f"{base_url}{next_path or '/'}"
    try:
        page.wait_for_url(target, timeout=10_000)
    except PlaywrightTimeoutError as exc:
        raise AssertionError(
            f"Anmeldung als {username!r} nicht gelungen: erwartet {target}, Seite ist {page.url}"
        ) from exc
