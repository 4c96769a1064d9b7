"""Trends page on the small demo: the numbers are the demo's referrals per quarter and
Leistungsbereich, counted independently here from the generated records; small counts and what
would give them back are hidden; the chart, the table and the downloads agree."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator
from html import unescape

import pytest
from openpyxl import load_workbook
from starlette.testclient import TestClient

from api.web import german
from graph import Graph, clock
from graph.analysis.trends import Quarter, window
from graph.disclosure import is_small
from loaders.demo import Demo
from schema.principal import Principal
from tests.apikit import execute
from tests.browser.helpers import load_demo
from tests.webclient import sign_in, web_client

PLANNER = Principal("t-planner", "planner", None, "token")
TRENDS = """
query($area: String, $category: String) {
  referralTrends(area: $area, category: $category) {
    quarters { year number label } area { id name }
    series { category { id name } referrals }
  }
}
"""


@pytest.fixture(scope="module")
def demo(graph: Graph) -> Demo:
    return load_demo(graph, "small")


@pytest.fixture(scope="module")
def planner(graph: Graph, demo: Demo) -> Iterator[TestClient]:
    with web_client(graph) as client:
        assert sign_in(client, "planung").status_code == 303
        yield client


def _raw(demo: Demo, district: str | None = None) -> Counter[tuple[str, Quarter | None]]:
    """Referrals per (category, quarter) from the generated records, optionally of the
    households living in one Bezirk (a Stadtteil's parent)."""
    parent = {a.id: a.parent_id for a in demo.bundle.areas}
    categories = {s.id: s.category_ids for s in demo.bundle.services}
    home = {h.id: h.area_id for h in demo.bundle.households}
    counts: Counter[tuple[str, Quarter | None]] = Counter()
    for r in demo.bundle.referrals:
        area: str | None = home[r.household_id]
        if district is not None and district not in (area, parent.get(area or "")):
            continue
        for c in categories[r.to_service_id]:
            counts[(c, Quarter.of(r.created_at.date()))] += 1
    return counts


def _table(html: str) -> dict[str, list[str]]:
    rows = re.findall(r'<tr class="kern-table__row" data-category="([^"]+)">(.*?)</tr>', html, re.S)
    return {
        category: [unescape(v).strip() for v in re.findall(r"data-people>([^<]*)<", body)]
        for category, body in rows
    }


def test_city_trends_are_the_demo_counts_with_small_ones_hidden(
    planner: TestClient, demo: Demo
) -> None:
    page = planner.get("/planung/trends")
    assert page.status_code == 200
    table = _table(page.text)
    quarters = window(clock.today())  # the window's day, as referral_trends takes it
    raw = _raw(demo)
    assert set(table) == {c.id for c in demo.bundle.categories}
    shown = 0
    for category, cells in table.items():
        assert len(cells) == len(quarters)
        total = sum(n for (c, _), n in raw.items() if c == category)
        visible = 0
        for quarter, cell in zip(quarters, cells, strict=True):
            count = raw[(category, quarter)]
            if cell == "unter 5":
                continue
            assert cell == german.zahl(count), (category, quarter)
            assert not is_small(count)
            visible += count
            shown += 1
        for quarter, cell in zip(quarters, cells, strict=True):
            if is_small(raw[(category, quarter)]):
                assert cell == "unter 5", (category, quarter)
        # The Überleitungswege publish the category's total: what it leaves for the hidden
        # quarters (and those before the window) must not be a small count.
        rest = total - visible
        hidden = cells.count("unter 5")
        assert (rest == 0 and hidden == 0) or not is_small(rest), category
    assert shown >= 10  # the demo spreads referrals over the quarters


def test_page_table_chart_and_downloads_show_what_graphql_gives_the_planner(
    planner: TestClient, graph: Graph, demo: Demo
) -> None:
    answer = execute(graph, TRENDS, {"area": None, "category": None}, principal=PLANNER)
    assert answer.errors is None
    data = answer.data["referralTrends"]
    page = planner.get("/planung/trends").text
    table = _table(page)
    for s in data["series"]:
        expected = ["unter 5" if v is None else german.zahl(v) for v in s["referrals"]]
        assert table[s["category"]["id"]] == expected
        # The chart says the same numbers, as image description too.
        chart = page.split(f'data-trend-chart="{s["category"]["id"]}"', 1)[1].split("</figure>")[0]
        assert '<svg role="img"' in chart
        values = [unescape(v) for v in re.findall(r'class="vb-trend-value">([^<]*)<', chart)]
        assert values == [("<5" if e == "unter 5" else e) for e in expected]
        assert chart.count("<rect") == sum(1 for v in s["referrals"] if v is not None)
    files = planner.get("/planung/trends?format=csv")
    assert files.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(files.content.decode("utf-8-sig")), delimiter=";"))
    assert lines[0][:2] == ["Leistungsbereich", "Gebiet"]
    assert [q["label"] for q in data["quarters"]] == [
        h.removesuffix(" (laufend)") for h in lines[0][2:]
    ]
    names = {s["category"]["name"]: s["category"]["id"] for s in data["series"]}
    assert {names[line[0]]: line[2:] for line in lines[1:]} == table
    xlsx = planner.get("/planung/trends?format=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    for row in rows[1:]:
        want = table[names[str(row[0])]]
        assert [v if isinstance(v, str) else german.zahl(v) for v in row[2:]] == want


def test_a_district_shows_its_own_counts_and_a_stadtteil_its_districts(
    planner: TestClient, graph: Graph, demo: Demo
) -> None:
    districts = [a for a in demo.bundle.areas if a.level == "district"]
    quarters = window(clock.today())  # the window's day, as referral_trends takes it
    for district in districts:
        raw = _raw(demo, district.id)
        page = planner.get(f"/planung/trends?sozialraum={district.id}")
        assert f"Gebiet: Stadtbezirk {district.name}" in unescape(page.text)
        for category, cells in _table(page.text).items():
            for quarter, cell in zip(quarters, cells, strict=True):
                count = raw[(category, quarter)]
                if is_small(count):
                    assert cell == "unter 5", (district.id, category, quarter)
                elif cell != "unter 5":  # else hidden so that a small neighbour cannot follow
                    assert cell == german.zahl(count), (district.id, category, quarter)
    stadtteil = next(a for a in demo.bundle.areas if a.level == "subdistrict")
    page = unescape(planner.get(f"/planung/trends?sozialraum={stadtteil.id}").text)
    assert "Trends werden je Stadtbezirk gezählt" in page
    parent = next(a for a in districts if a.id == stadtteil.parent_id)
    assert f"Stadtbezirk {parent.name}" in page


def test_category_filter_keeps_one_series_with_the_same_cells(planner: TestClient) -> None:
    whole = _table(planner.get("/planung/trends").text)
    one = _table(planner.get("/planung/trends?leistungsbereich=schuldnerberatung").text)
    assert one == {"schuldnerberatung": whole["schuldnerberatung"]}


def test_bad_filters_say_what_to_do_and_other_roles_may_not_look(
    planner: TestClient, graph: Graph, demo: Demo
) -> None:
    page = planner.get("/planung/trends?sozialraum=gibt-es-nicht")
    assert page.status_code == 200
    assert "Diesen Sozialraum gibt es nicht. Wählen Sie einen aus der Liste." in page.text
    assert "data-trends-table" not in page.text
    assert planner.get("/planung/trends?sozialraum=gibt-es-nicht&format=csv").status_code == 400
    assert planner.get("/planung/trends?format=pdf").status_code == 404
    with web_client(graph) as client:
        assert sign_in(client, "fallmanagement").status_code == 303
        assert client.get("/planung/trends").status_code == 403
    answer = execute(
        graph,
        TRENDS,
        {"area": None, "category": None},
        principal=Principal("t-cw", "caseworker", "org-x", "token"),
    )
    assert answer.errors is not None
