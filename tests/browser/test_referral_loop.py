"""The referral loop in Chromium, as people do it: the caseworker finds a service, creates a
referral for a new family with its consent; the Träger sees it in its Eingang and accepts;
the caseworker sees the new status. Then the Doppelbetreuung warning, and a decline with a
reason. axe on every page of the loop; nothing leaves the origin (the page fixture)."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from loaders.demo import Demo
from tests.browser.helpers import (
    BrowserWatch,
    assert_accessible,
    guarded_context,
    login,
    screenshot,
)


def _logout(page: Page) -> None:
    page.get_by_role("button", name="Abmelden").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Anmelden")


def _create_referral(
    page: Page, live_server: str, shots: bool = False, provider: str = "Caritasverband"
) -> str:
    """Search → the provider's first Schuldnerberatung → wizard with a new family → id."""
    login(page, live_server, "fallmanagement", next_path="/angebote")
    page.get_by_label("Bedarf").select_option(label="Schuldnerberatung")
    page.get_by_label("Sozialraum").fill("Bad Cannstatt")
    page.get_by_role("button", name="Angebote suchen").click()
    card = page.locator(".vb-results > li", has_text=provider).first
    expect(card).to_be_visible()
    card.get_by_role("link", name=re.compile("Überleitung anlegen")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Für welche Familie?")
    if shots:
        screenshot(page, "ueberleitung-1-familie")
        assert_accessible(page)
    page.get_by_label("Nein, neu anlegen").check()
    page.get_by_label("Sozialraum, in dem die Familie wohnt").fill("Bad Cannstatt")
    page.get_by_label("Wie lebt die Familie zusammen?").select_option(value="alleinerziehend")
    page.get_by_label("25–34 Jahre").check()
    page.get_by_label("3–5 Jahre").check()
    page.get_by_role("button", name="Weiter").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Um welchen Bedarf geht es?")
    if shots:
        assert_accessible(page)
    page.get_by_label("Neuen Bedarf erfassen").check()
    page.get_by_label("Leistungsbereich des neuen Bedarfs").select_option(label="Schuldnerberatung")
    page.get_by_role("button", name="Weiter").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Hat die Familie eingewilligt?")
    if shots:
        screenshot(page, "ueberleitung-3-einwilligung")
        assert_accessible(page)
    page.get_by_label("Neue Einwilligung erfassen").check()
    page.get_by_label("Heute im Gespräch erteilt und unterschrieben").check()
    page.get_by_role("button", name="Weiter").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Angaben prüfen")
    if shots:
        screenshot(page, "ueberleitung-4-pruefen")
        assert_accessible(page)
    page.get_by_label("Notiz an den Träger").fill("Mahnungen seit drei Monaten")
    page.get_by_role("button", name="Überleitung anlegen").click()
    page.wait_for_url(re.compile(r"/ueberleitungen/ref-[^/?]+"))
    referral = page.url.split("/ueberleitungen/")[1].split("?")[0]
    expect(page.get_by_text("Neu – wartet auf Antwort").first).to_be_visible()
    if shots:
        screenshot(page, "ueberleitung-angelegt")
        assert_accessible(page)
    return referral


def test_caseworker_refers_partner_accepts_caseworker_sees_it(
    page: Page, live_server: str, demo: Demo
) -> None:
    referral = _create_referral(page, live_server, shots=True)
    household = page.locator("body").inner_text()
    pseudonym = re.search(r"\bhh-[0-9a-f]+\b", household)
    assert pseudonym, "Das Pseudonym der neuen Familie steht auf der Seite"
    _logout(page)

    login(page, live_server, "traeger", next_path="/eingang")
    row = page.locator("tr", has_text=pseudonym.group(0))
    expect(row).to_be_visible()
    screenshot(page, "eingang")
    assert_accessible(page)
    row.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(f"/eingang/{referral}"))
    expect(page.get_by_text("Mahnungen seit drei Monaten")).to_be_visible()
    screenshot(page, "eingang-ueberleitung")
    assert_accessible(page)
    page.get_by_role("button", name="Annehmen", exact=True).click()
    expect(page.get_by_text("Überleitung angenommen")).to_be_visible()
    _logout(page)

    login(page, live_server, "fallmanagement", next_path=f"/ueberleitungen/{referral}")
    expect(page.get_by_text("Angenommen").first).to_be_visible()
    screenshot(page, "ueberleitung-angenommen")
    page.goto(f"{live_server}/ueberleitungen")
    expect(page.locator("tr", has_text=pseudonym.group(0))).to_contain_text("Angenommen")
    screenshot(page, "meine-ueberleitungen")
    assert_accessible(page)


def test_second_referral_for_the_same_need_is_warned(
    page: Page, live_server: str, demo: Demo
) -> None:
    referral = _create_referral(page, live_server)
    text = page.locator("body").inner_text()
    pseudonym = re.search(r"\bhh-[0-9a-f]+\b", text)
    assert pseudonym
    page.goto(f"{live_server}/angebote")
    page.get_by_label("Bedarf").select_option(label="Schuldnerberatung")
    page.get_by_label("Sozialraum").fill("Bad Cannstatt")
    page.get_by_role("button", name="Angebote suchen").click()
    page.locator(".vb-results > li", has_text="Caritasverband").first.get_by_role(
        "link", name=re.compile("Überleitung anlegen")
    ).click()
    page.get_by_label("Ja, mit Pseudonym").check()
    page.get_by_label("Pseudonym der Familie").fill(pseudonym.group(0))
    page.get_by_role("button", name="Weiter").click()
    page.get_by_role("radio").first.check()  # the open need of the first referral
    page.get_by_role("button", name="Weiter").click()
    page.get_by_role("radio").first.check()  # the consent given for the first referral
    page.get_by_role("button", name="Weiter").click()
    warning = page.get_by_text("schon eine offene Überleitung für diesen Bedarf")
    expect(warning).to_be_visible()
    expect(page.locator(f'a[href="/ueberleitungen/{referral}"]')).to_be_visible()
    screenshot(page, "ueberleitung-doppelt")
    assert_accessible(page)


def test_partner_declines_with_a_reason(
    browser: Browser, page: Page, live_server: str, demo: Demo, watch: BrowserWatch
) -> None:
    referral = _create_referral(page, live_server)
    _logout(page)
    login(page, live_server, "traeger", next_path=f"/eingang/{referral}")
    watch.allow(r"status of 400")  # the form again, with the missing reason
    page.get_by_role("button", name="Ablehnen", exact=True).click()
    expect(page.locator(".kern-error").first).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Keine freien Plätze").check()
    page.get_by_role("button", name="Ablehnen", exact=True).click()
    expect(page.get_by_text("Keine freien Plätze").first).to_be_visible()
    expect(page.get_by_text("Abgelehnt").first).to_be_visible()
    _logout(page)
    # The caseworker sees the decline and its reason in the timeline.
    other = guarded_context(browser, watch).new_page()
    login(other, live_server, "fallmanagement", next_path=f"/ueberleitungen/{referral}")
    expect(other.get_by_text("Abgelehnt").first).to_be_visible()
    expect(other.get_by_text("Keine freien Plätze").first).to_be_visible()
    other.context.close()


def test_a_consent_that_does_not_name_the_traeger_hides_the_referral_from_it(
    page: Page, live_server: str, demo: Demo, watch: BrowserWatch
) -> None:
    # To another Träger's service: the consent the wizard records names only that Träger.
    referral = _create_referral(page, live_server, provider="PräventSozial")
    _logout(page)
    login(page, live_server, "traeger", next_path="/eingang")
    expect(page.locator(f'a[href="/eingang/{referral}"]')).to_have_count(0)
    watch.allow(r"status of 404")
    page.goto(f"{live_server}/eingang/{referral}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Seite nicht gefunden")
