"""Browser tests: the real app on a live port, Debian's Chromium driven by Playwright.

Fixtures: ``live_server`` (base URL), ``demo`` (the small demo, loaded per module),
``browser``, ``watch`` (what the page did) and ``page`` (guarded: only the live server's
origin is reachable; foreign requests, console errors and page errors fail the test).
"""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from api.app import create_app
from api.settings import Settings
from graph import Graph
from loaders.demo import Demo
from tests.browser.helpers import BrowserWatch, guarded_context, load_demo, serve_in_thread

DEFAULT_CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def live_settings() -> Settings:
    """The test session's settings plus the web app's demo logins (VERBUND_DEMO_LOGINS=1).

    The variable is set only while the settings are read: other test modules build their own
    Settings() and must not see it. Settings ignores variables it does not know yet."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("VERBUND_DEMO_LOGINS", "1")
        return Settings()


@pytest.fixture(scope="session")
def live_server(live_settings: Settings, graph: Graph) -> Iterator[str]:
    """The real app (``create_app``) on a free 127.0.0.1 port, sharing the session's graph
    handle; yields the base URL without a trailing slash."""
    with serve_in_thread(create_app(live_settings, graph)) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def demo(graph: Graph) -> Demo:
    """The small demo in an emptied database, once per module: other modules clear the
    database, so each browser module starts from the same known state."""
    return load_demo(graph, "small")


# Package scope, not session: between its calls the sync Playwright API marks an asyncio loop
# as running in the main thread, and the rest of the suite calls asyncio.run() there
# ("cannot be called from a running event loop"). Playwright stops after tests/browser.
@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Chromium (or VERBUND_CHROMIUM), headless; Playwright's own download is not
    used. Chromium refuses to run as root with its sandbox, hence --no-sandbox only then."""
    executable = Path(os.environ.get("VERBUND_CHROMIUM", DEFAULT_CHROMIUM))
    if not executable.is_file():
        pytest.fail(
            f"Chromium fehlt: {executable}. `make test` installiert es (als root), "
            "sonst: apt-get install -y chromium",
            pytrace=False,
        )
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    launched = playwright.chromium.launch(executable_path=executable, headless=True, args=args)
    yield launched
    launched.close()


@pytest.fixture
def watch(live_server: str) -> BrowserWatch:
    """What the ``page`` did: foreign requests, console and page errors (``watch.allow(re)``
    accepts expected errors, ``watch.take_foreign_requests()`` expected foreign requests)."""
    return BrowserWatch(origin=live_server)


@pytest.fixture
def page(browser: Browser, watch: BrowserWatch) -> Iterator[Page]:
    """A page in a fresh guarded context; ``page.goto("/…")`` is relative to the live server."""
    context = guarded_context(browser, watch)
    yield context.new_page()
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """After a test that used ``page``: fail it (as the test, not as a teardown error) when the
    browser did something unexpected; a test that failed anyway gets the findings as a note."""
    found = getattr(item, "funcargs", {}).get("watch")
    watch = found if isinstance(found, BrowserWatch) else None
    try:
        result = yield
    except BaseException as exc:
        if watch is not None and watch.problems():
            exc.add_note(watch.report())
        raise
    if watch is not None and watch.problems():
        pytest.fail(watch.report(), pytrace=False)
    return result
