"""The planner's Versorgungskarte in Chromium: one shape per Sozialraum of the chosen level,
reachable by keyboard, figures on click, and axe without serious violations."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from graph import Graph
from loaders.demo import Demo
from tests.browser.helpers import (
    BrowserWatch,
    assert_accessible,
    guarded_context,
    login,
    screenshot,
)


@pytest.fixture
def no_script_page(browser: Browser, watch: BrowserWatch) -> Iterator[Page]:
    """A guarded page with JavaScript off."""
    context = guarded_context(browser, watch, java_script_enabled=False)
    yield context.new_page()
    context.close()


def _count(graph: Graph, level: str) -> int:
    rows = graph.query(
        "MATCH (a:Area {level: $level}) WHERE a.geometry IS NOT NULL RETURN count(a) AS n",
        {"level": level},
    )
    return int(rows[0]["n"])


@pytest.mark.parametrize(
    ("level", "stored"), [("bezirke", "district"), ("stadtteile", "subdistrict")]
)
def test_the_map_draws_one_shape_per_area_of_the_level(
    page: Page, live_server: str, demo: Demo, graph: Graph, level: str, stored: str
) -> None:
    expected = _count(graph, stored)
    assert expected > 20  # the demo has outlines for every Bezirk and Stadtteil
    login(page, live_server, "planung")
    page.goto(f"{live_server}/planung/karte?ebene={level}&leistungsbereich=wohnungsnotfallhilfe")
    shapes = page.locator("#karte path.leaflet-interactive")
    shapes.first.wait_for()
    assert shapes.count() == expected
    assert page.locator("#karte path[data-area]").count() == expected
    # The same areas are named in the shapes as in the stored outlines, each once.
    names = shapes.evaluate_all("(paths) => paths.map((p) => p.getAttribute('data-area'))")
    assert len(set(names)) == expected
    assert_accessible(page)


def test_keyboard_reaches_a_shape_and_shows_its_figures(
    page: Page, live_server: str, demo: Demo
) -> None:
    login(page, live_server, "planung")
    page.goto(f"{live_server}/planung/karte?leistungsbereich=schuldnerberatung")
    stammheim = page.locator('#karte path[data-area="stuttgart-stammheim"]')
    stammheim.focus()
    assert "Stammheim" in page.locator(".leaflet-tooltip").inner_text()
    page.keyboard.press("Enter")
    details = page.locator("[data-map-details]")
    assert "Stammheim" in details.inner_text()
    assert "zu wenige Plätze" in details.inner_text()
    # The planted gap has the legend's colour for it.
    assert stammheim.get_attribute("fill") == "#f46d43"
    # build/screenshots/planung-karte.png; docs/screenshots/ holds a reviewed copy of it.
    screenshot(page, "planung-karte")


def test_without_javascript_the_table_stands_alone(
    no_script_page: Page, live_server: str, demo: Demo
) -> None:
    page = no_script_page
    login(page, live_server, "planung")
    page.goto(f"{live_server}/planung/karte?leistungsbereich=wohnungsnotfallhilfe")
    assert page.locator("#karte").is_hidden()
    assert page.locator("[data-coverage-table] tbody tr").count() == 23
