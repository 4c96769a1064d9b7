"""The live app in Chromium: start page, /health, sign-in, GraphiQL offline, accessibility
and the origin guard itself."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from graph import Graph
from graph.admin import label_counts
from loaders.demo import Demo
from tests.browser.helpers import (
    BrowserWatch,
    assert_accessible,
    axe,
    format_violations,
    guarded_context,
    login,
    screenshot,
)


def test_start_page_signed_out(page: Page, live_server: str) -> None:
    response = page.goto(f"{live_server}/")
    assert response is not None
    assert response.status == 200
    expect(page).to_have_title("Start – verbund")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_have_text("verbund")
    expect(page.get_by_text("Wohin kann eine Familie übergeleitet werden")).to_be_visible()
    expect(page.locator("main").get_by_role("link", name="Anmelden")).to_have_attribute(
        "href", "/anmelden"
    )
    assert screenshot(page, "startseite").stat().st_size > 0


def test_health_link_leads_to_status(page: Page) -> None:
    page.goto("/")
    with page.expect_response("**/health") as answer:
        page.get_by_role("link", name="Systemzustand").click()
    assert answer.value.status == 200
    # Without credentials /health says only that the service is up.
    assert answer.value.json() == {"status": "ok"}
    expect(page.locator("body")).to_contain_text('"status":"ok"')
    screenshot(page, "systemzustand")


@pytest.mark.parametrize("path", ["/", "/anmelden"])
def test_signed_out_pages_accessible(page: Page, path: str) -> None:
    page.goto(path)
    assert_accessible(page)


def test_search_page_accessible(demo: Demo, page: Page, live_server: str) -> None:
    login(page, live_server, "fallmanagement", next_path="/angebote")
    assert_accessible(page)


def test_axe_check_finds_a_missing_label(page: Page) -> None:
    """The check is not vacuous: an unlabelled input is a critical violation (rule "label")."""
    page.goto("/")
    page.set_content(
        '<!doctype html><html lang="de"><head><title>Probe</title></head>'
        '<body><main><h1>Probe</h1><input type="text"></main></body></html>'
    )
    violations = axe(page)
    assert [(v["id"], v["impact"]) for v in violations] == [("label", "critical")]
    assert format_violations(violations, page.url).splitlines()[1].startswith("- label [critical]")


def test_origin_guard_aborts_and_reports_foreign_requests(
    browser: Browser, live_server: str
) -> None:
    # A context of its own without the app's CSP: CSP alone would already refuse the image,
    # and this test is about the guard, the second line (and the only one on /graphql).
    watch = BrowserWatch(origin=live_server)
    context = guarded_context(browser, watch, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto("/")
        with page.expect_event("requestfailed") as failed:
            page.set_content('<img alt="" src="https://example.org/x.png">')
        assert failed.value.url == "https://example.org/x.png"
        # Aborted in the browser (Chromium appends ".Inspector" for the DevTools route).
        assert (failed.value.failure or "").startswith("net::ERR_BLOCKED_BY_CLIENT")
        assert watch.problems() == ["fremde Anfrage / foreign request: https://example.org/x.png"]
        assert "https://example.org/x.png" in watch.report()
    finally:
        context.close()


def test_graphiql_loads_nothing_from_elsewhere(
    demo: Demo, page: Page, live_server: str, watch: BrowserWatch
) -> None:
    """GraphiQL comes from the vendored assets: the IDE renders with no foreign request,
    console error or script error (the guard and the page fixture check that). Signed in:
    its schema request is refused (401) to anonymous callers."""
    login(page, live_server, "fallmanagement", next_path="/graphql")
    expect(page.locator(".graphiql-container")).to_be_visible()
    assert watch.foreign_requests == []
    screenshot(page, "graphiql")


def test_demo_fixture_loads_the_small_demo(demo: Demo, graph: Graph) -> None:
    counts = label_counts(graph)
    assert counts.get("Organization") == demo.bundle.counts()["organizations"]
    assert counts.get("Household") == demo.bundle.counts()["households"]


def test_login_lands_on_start_page(demo: Demo, page: Page, live_server: str) -> None:
    login(page, live_server, "fallmanagement")
    expect(page.get_by_role("heading", level=1)).to_have_text("Guten Tag")
    expect(page.locator(".vb-user")).to_contain_text("Fallmanagement (Jobcenter Stuttgart)")
    expect(page.get_by_role("link", name="Angebot finden").first).to_be_visible()
    assert_accessible(page)
    screenshot(page, "start-fallmanagement")


def test_login_goes_on_to_the_page_asked_for(demo: Demo, page: Page, live_server: str) -> None:
    login(page, live_server, "fallmanagement", next_path="/angebote")
    expect(page).to_have_url(f"{live_server}/angebote")
    expect(page.locator(".vb-user")).to_contain_text("Fallmanagement (Jobcenter Stuttgart)")
    screenshot(page, "angebote-fallmanagement")
