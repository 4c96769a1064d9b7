"""Die Seite einer Familie in Chromium: from a referral to the family, change its details
(first wrong, then right), end a need, close the case after the confirmation page; axe on
every page, screenshots for people to look at. The partner's login gets no family page."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from graph import Graph
from loaders.demo import Demo
from tests.browser.helpers import BrowserWatch, assert_accessible, login, screenshot

OWN = "jobcenter-stuttgart"


def _family_with_open_need(graph: Graph) -> tuple[str, str]:
    """A family the demo's Jobcenter referred, with an open need, and one of its referrals."""
    (row,) = graph.query(
        "MATCH (o:Organization {id: $o})<-[:FROM_ORGANIZATION]-(r:Referral)"
        "-[:FOR_HOUSEHOLD]->(h:Household) "
        "WHERE h.closed_on IS NULL AND EXISTS { (h)-[:HAS_NEED]->(:Need {status: 'open'}) } "
        "AND size([(h)-[:HAS_NEED]->(n:Need {status: 'open'}) | n]) >= 2 "
        "RETURN h.id AS household, min(r.id) AS referral ORDER BY household LIMIT 1",
        {"o": OWN},
    )
    return str(row["household"]), str(row["referral"])


def test_a_caseworker_changes_a_family_and_closes_the_case(
    page: Page, live_server: str, demo: Demo, graph: Graph, watch: BrowserWatch
) -> None:
    # A form with errors is answered 400 (the form again): Chromium logs it as an error.
    watch.allow(r"status of 400")
    household, referral = _family_with_open_need(graph)
    login(page, live_server, "fallmanagement", next_path=f"/ueberleitungen/{referral}")
    page.get_by_role("link", name=household).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(household)
    expect(page.get_by_role("heading", level=2, name="Handlungsbedarfe")).to_be_visible()
    screenshot(page, "familie")
    assert_accessible(page)

    # Change the details: a place that does not exist first, then a real one.
    page.get_by_role("link", name="Angaben der Familie ändern").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Angaben der Familie ändern")
    assert_accessible(page)
    page.get_by_label("Sozialraum, in dem die Familie wohnt").fill("Atlantis")
    page.get_by_role("button", name="Änderungen speichern").click()
    expect(page.locator(".vb-error-summary")).to_contain_text("Bitte prüfen Sie Ihre Angaben")
    expect(page.locator("#wohnort-fehler")).to_contain_text("Sozialraum")
    expect(page.get_by_label("Sozialraum, in dem die Familie wohnt")).to_have_attribute(
        "aria-invalid", "true"
    )
    screenshot(page, "familie-aendern-fehler")
    assert_accessible(page)
    page.get_by_label("Sozialraum, in dem die Familie wohnt").fill("Bad Cannstatt")
    page.get_by_label("Wie lebt die Familie zusammen?").select_option("paar-mit-kindern")
    page.get_by_role("button", name="Änderungen speichern").click()
    expect(page.locator(".kern-alert--success")).to_contain_text("Angaben der Familie gespeichert.")
    expect(page.get_by_text("Paar mit Kindern")).to_be_visible()

    # End one need as met.
    page.get_by_role("link", name="Beenden").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bedarf beenden")
    assert_accessible(page)
    page.get_by_label("Erfüllt: der Bedarf ist gedeckt").check()
    page.get_by_role("button", name="Bedarf beenden").click()
    expect(page.locator(".kern-alert--success")).to_contain_text("Bedarf beendet.")

    # Record how the consent was given.
    page.get_by_role("link", name="Einwilligung einschränken oder Nachweis ergänzen").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Einwilligung einschränken")
    page.get_by_label("Schriftlich (unterschrieben)").check()
    page.get_by_label("Erteilt am").fill("01.12.2026")
    screenshot(page, "einwilligung-aendern")
    assert_accessible(page)
    page.get_by_role("button", name="Änderungen speichern").click()
    expect(page.locator(".kern-alert--success")).to_contain_text("Einwilligung gespeichert.")
    expect(page.get_by_text("schriftlich am 01.12.2026").first).to_be_visible()

    # Close the case: the confirmation says what happens.
    page.get_by_role("link", name="Fall abschließen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fall abschließen?")
    expect(page.get_by_text("bleibt der Verlauf erhalten")).to_be_visible()
    expect(page.get_by_text("werden die offenen Bedarfe beendet")).to_be_visible()
    screenshot(page, "fall-abschliessen")
    assert_accessible(page)
    page.get_by_role("button", name="Ja, Fall abschließen").click()
    expect(page.locator(".kern-alert--success")).to_contain_text("Fall abgeschlossen.")
    expect(page.get_by_role("heading", level=2, name="Fall abgeschlossen am")).to_be_visible()
    expect(page.get_by_role("link", name="Angaben der Familie ändern")).to_have_count(0)
    screenshot(page, "familie-abgeschlossen")
    assert_accessible(page)
    (row,) = graph.query(
        "MATCH (h:Household {id: $id}) RETURN h.closed_on IS NOT NULL AS closed, "
        "size([(h)-[:HAS_NEED]->(n:Need {status: 'open'}) | n]) AS open",
        {"id": household},
    )
    assert (row["closed"], row["open"]) == (True, 0)


def test_a_partner_gets_no_family_page(
    page: Page, live_server: str, demo: Demo, graph: Graph, watch: BrowserWatch
) -> None:
    watch.allow(r"status of 403")
    household, _ = _family_with_open_need(graph)
    login(page, live_server, "traeger")
    answer = page.goto(f"{live_server}/familien/{household}")
    assert answer is not None
    assert answer.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Kein Zugriff")
    assert_accessible(page)
