"""Netzwerkkoordination in Chromium: the network picture draws as many Träger as its table
lists, the year slider hides agreements in picture and table alike, a click opens a Träger's
Umfeld; the directory forms change what a caseworker finds."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from playwright.sync_api import Page, expect

from loaders.demo import Demo
from tests.browser.helpers import SCREENSHOTS, BrowserWatch, assert_accessible, login, screenshot


def _drawn(page: Page, attribute: str) -> int:
    picture = page.locator("[data-network]")
    expect(picture).to_have_attribute(attribute, re.compile(r"^\d+$"))
    return int(picture.get_attribute(attribute) or "-1")


def test_network_picture_shows_the_tables_nodes(page: Page, live_server: str, demo: Demo) -> None:
    login(page, live_server, "koordination")
    page.goto("/netzwerk")
    rows = page.locator("[data-network-nodes] tbody tr")
    assert rows.count() == len(demo.bundle.organizations)
    assert _drawn(page, "data-drawn-nodes") == rows.count()
    drawn_nodes = page.evaluate("window.verbundNetwork.nodes(':visible').length")
    assert drawn_nodes == rows.count()
    # The drawn connections are the table's visible rows.
    visible_edges = page.locator("[data-network-edges] tbody tr:not([hidden])").count()
    assert _drawn(page, "data-drawn-edges") == visible_edges
    screenshot(page, "netzwerk")
    # The first screen (filters, picture, legend) as a coordinator sees it: the one the README
    # shows is copied from here to docs/screenshots/netzwerk.png by hand, not by each run.
    page.set_viewport_size({"width": 1280, "height": 1150})
    page.screenshot(path=SCREENSHOTS / "netzwerk-bild.png", full_page=False)
    assert_accessible(page)


def test_year_slider_hides_agreements_in_picture_and_table(
    page: Page, live_server: str, demo: Demo
) -> None:
    login(page, live_server, "koordination")
    page.goto("/netzwerk")
    slider = page.locator("[data-year-slider]")
    now = int(slider.input_value())
    earliest = int(slider.get_attribute("min") or now)
    assert earliest < now, "die Demo hat Vereinbarungen aus früheren Jahren"
    before = _drawn(page, "data-drawn-edges")
    slider.fill(str(earliest))
    after = _drawn(page, "data-drawn-edges")
    assert after < before
    assert page.locator("[data-network-edges] tbody tr:not([hidden])").count() == after
    expect(page.locator("[data-network-summary]")).to_contain_text(f"im Jahr {earliest}")


def test_svg_download_has_a_shape_per_table_row_for_the_sliders_year(
    page: Page, live_server: str, demo: Demo
) -> None:
    login(page, live_server, "koordination")
    page.goto("/netzwerk")
    slider = page.locator("[data-year-slider]")
    earliest = int(slider.get_attribute("min") or "0")
    slider.fill(str(earliest))
    edges = _drawn(page, "data-drawn-edges")
    with page.expect_download() as info:
        page.get_by_role("link", name="Bild als SVG herunterladen").click()
    download = info.value
    assert download.suggested_filename == f"kooperationsnetz-{earliest}.svg"
    path = download.path()
    svg = ET.parse(path).getroot()  # noqa: S314 (the app's own file, in a test)
    ns = "{http://www.w3.org/2000/svg}"
    rows = page.locator("[data-network-nodes] tbody tr").count()
    assert len(svg.findall(f".//{ns}g[@class='node']/{ns}circle")) == rows
    lines = svg.findall(f".//{ns}line")
    assert sum(1 for x in lines if "suggestion" not in (x.get("class") or "")) == edges
    # The file as a picture, for people to look at (not committed by each run).
    page.set_content(path.read_text(encoding="utf-8").split("?>", 1)[1])
    page.screenshot(path=SCREENSHOTS / "netzwerk-svg.png", full_page=True)


def test_click_on_a_traeger_opens_its_surroundings(
    page: Page, live_server: str, demo: Demo
) -> None:
    login(page, live_server, "koordination")
    page.goto("/netzwerk")
    _drawn(page, "data-drawn-nodes")
    position = page.evaluate(
        "(() => { const n = window.verbundNetwork.getElementById('caritas-stuttgart');"
        " const p = n.renderedPosition(); const b = window.verbundNetwork.container()"
        ".getBoundingClientRect(); return {x: b.left + p.x, y: b.top + p.y}; })()"
    )
    page.mouse.click(position["x"], position["y"])
    page.wait_for_url("**traeger=caritas-stuttgart**")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Umfeld von Caritasverband")
    rows = page.locator("[data-network-nodes] tbody tr")
    assert 1 < rows.count() < len(demo.bundle.organizations)
    assert _drawn(page, "data-drawn-nodes") == rows.count()


def test_coordinator_edits_a_service_and_the_caseworker_finds_it(
    page: Page, live_server: str, demo: Demo
) -> None:
    service = next(
        s
        for s in sorted(demo.bundle.services, key=lambda s: s.id)
        if s.organization_id == "caritas-stuttgart"
        and "schuldnerberatung" in s.category_ids
        and s.status == "active"
    )
    renamed = f"{service.name} (neu geordnet)"
    login(page, live_server, "koordination")
    page.goto("/traeger")
    page.get_by_label("Name oder Beschreibung enthält").fill("Caritas")
    page.get_by_role("button", name="Suchen").click()
    page.get_by_role("link", name="Caritasverband für Stuttgart e.V.").click()
    page.get_by_role("link", name=f"{service.name} bearbeiten").click()
    page.get_by_label("Name", exact=True).fill(renamed)
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("status")).to_contain_text("Gespeichert")
    assert_accessible(page)
    page.get_by_role("button", name="Abmelden").click()

    area = next(a for a in demo.bundle.areas if a.id in service.area_ids)
    login(page, live_server, "fallmanagement")
    page.goto(f"/angebote?bedarf=schuldnerberatung&sozialraum={area.name}")
    expect(page.get_by_text(renamed).first).to_be_visible()


def test_stale_edit_shows_both_versions(
    page: Page, live_server: str, demo: Demo, watch: BrowserWatch
) -> None:
    # The conflict page answers 409 on purpose; Chromium logs that as a console error.
    watch.allow(r"status of 409")
    login(page, live_server, "koordination")
    page.goto("/pflege/traeger/eva-stuttgart")
    other = page.context.new_page()
    other.goto("/pflege/traeger/eva-stuttgart")
    other.get_by_label("Telefon").fill("0711 2054-0")
    other.get_by_role("button", name="Speichern").click()
    expect(other.get_by_role("status")).to_contain_text("Gespeichert")
    other.close()
    page.get_by_label("Telefon").fill("0711 99999")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("inzwischen geändert")
    table = page.locator("[data-conflict]")
    expect(table).to_contain_text("0711 99999")
    expect(table).to_contain_text("0711 2054-0")
    screenshot(page, "konflikt")
    assert_accessible(page)
    page.get_by_role("link", name="Aktuelle Fassung behalten").click()
    expect(page.get_by_text("0711 2054-0")).to_be_visible()
