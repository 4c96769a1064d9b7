"""The planner's Trends page in Chromium: the chart's bars state the table's numbers, every chart
is a named image, and axe finds no serious violation."""

from __future__ import annotations

from playwright.sync_api import Page

from loaders.demo import Demo
from tests.browser.helpers import assert_accessible, login, screenshot


def test_trends_chart_states_the_numbers_of_the_table(
    page: Page, live_server: str, demo: Demo
) -> None:
    login(page, live_server, "planung")
    page.goto(f"{live_server}/planung/trends")
    rows = page.locator("[data-trends-table] tbody tr")
    charts = page.locator("[data-trend-chart]")
    assert rows.count() == charts.count() == len(demo.bundle.categories)
    shown_somewhere = 0
    for n in range(rows.count()):
        category = rows.nth(n).get_attribute("data-category")
        cells = rows.nth(n).locator("td").all_inner_texts()
        chart = page.locator(f'[data-trend-chart="{category}"]')
        svg = chart.locator("svg")
        assert svg.get_attribute("role") == "img"
        # Every quarter has its label in the chart: the number, or "<5" without a bar.
        values = chart.locator(".vb-trend-value").evaluate_all(
            "(texts) => texts.map((t) => t.textContent)"
        )
        assert len(values) == len(cells)
        for cell, value in zip(cells, values, strict=True):
            if cell == "unter 5":
                assert value == "<5"
            else:
                assert value == cell
                shown_somewhere += 1
        assert chart.locator("rect").count() == sum(1 for c in cells if c != "unter 5")
        # The image's description names the same numbers for screen readers.
        description = svg.locator("desc").text_content() or ""
        for cell in cells:
            assert cell in description
    assert shown_somewhere > 0  # the demo has quarters of 5 and more referrals
    assert_accessible(page)
    # build/screenshots/ only: the README's docs/screenshots/planung-trends.png is taken by hand
    # on the city demo, where most quarters are large enough to be shown.
    screenshot(page, "planung-trends")
