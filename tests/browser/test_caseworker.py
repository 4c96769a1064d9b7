"""Fallmanagement in Chromium: find a service, open it, start a referral; the sign-in and
GraphiQL pages; axe on every page visited; nothing leaves the origin (the page fixture)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from loaders.demo import Demo
from tests.browser.helpers import BrowserWatch, assert_accessible, login, screenshot


def test_login_page_is_accessible_and_german(
    page: Page, live_server: str, demo: Demo, watch: BrowserWatch
) -> None:
    # A wrong password is answered with 400 (the form again, with the error): Chromium logs
    # every non-2xx document as a console error.
    watch.allow(r"status of 400")
    page.goto(f"{live_server}/anmelden")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmelden")
    screenshot(page, "anmelden")
    assert_accessible(page)
    page.get_by_label("Benutzername", exact=True).fill("fallmanagement")
    page.get_by_label("Passwort", exact=True).fill("falsch")
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page.locator(".kern-error").first).to_contain_text("stimmen nicht")
    assert_accessible(page)


def test_caseworker_finds_a_service_and_opens_it(page: Page, live_server: str, demo: Demo) -> None:
    login(page, live_server, "fallmanagement", next_path="/angebote")
    assert_accessible(page)
    page.get_by_label("Bedarf").select_option(label="Schuldnerberatung")
    page.get_by_label("Sozialraum").fill("Bad Cannstatt")
    page.get_by_role("button", name="Angebote suchen").click()
    heading = page.locator("#treffer")
    expect(heading).to_contain_text("für Schuldnerberatung in Bad Cannstatt")
    assert re.match(r"\d+ passende", heading.inner_text())
    first = page.locator(".vb-results > li").first
    expect(first).to_contain_text("Warum hier:")
    screenshot(page, "angebot-finden")
    assert_accessible(page)
    first.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=2, name="Plätze")).to_be_visible()
    expect(page.get_by_text("Zuletzt geprüft")).to_be_visible()
    screenshot(page, "angebot")
    assert_accessible(page)


def test_search_works_without_javascript(browser, live_server: str, demo: Demo) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False, locale="de-DE")
    page = context.new_page()
    login(page, live_server, "fallmanagement", next_path="/angebote")
    page.get_by_label("Bedarf").select_option(label="Suchtberatung")
    page.get_by_label("Sozialraum").fill("Mitte")
    page.get_by_role("button", name="Angebote suchen").click()
    expect(page.locator("#treffer")).to_contain_text("Suchtberatung in Mitte")
    context.close()


def test_unknown_area_is_an_error_tied_to_the_field(
    page: Page, live_server: str, demo: Demo
) -> None:
    # (The search answers 200 with the error: htmx swaps only 2xx answers.)
    login(page, live_server, "fallmanagement", next_path="/angebote")
    page.get_by_label("Bedarf").select_option(label="Schuldnerberatung")
    page.get_by_label("Sozialraum").fill("Atlantis")
    page.get_by_role("button", name="Angebote suchen").click()
    error = page.locator("#sozialraum-fehler")
    expect(error).to_contain_text("kennen wir nicht")
    expect(page.get_by_label("Sozialraum")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)


def test_graphiql_renders_offline_for_a_signed_in_user(
    page: Page, live_server: str, demo: Demo
) -> None:
    login(page, live_server, "fallmanagement")
    page.goto(f"{live_server}/graphql")
    expect(page.locator(".graphiql-container")).to_be_visible(timeout=15_000)
    screenshot(page, "graphiql")
