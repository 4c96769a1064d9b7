"""Netzwerkkoordination pages without a browser: who may open them, what the tables list,
the GEXF download written by the CLI's exporter from the same records."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import networkx as nx
import pytest
from starlette.testclient import TestClient

from graph import Graph
from loaders.demo import Demo
from tests.browser.helpers import load_demo
from tests.webclient import sign_in, web_client

_NODE_ROW = re.compile(
    r'<th class="kern-table__cell" scope="row"><a class="kern-link" href="/traeger/([^"]+)"'
)


@pytest.fixture(scope="module")
def demo(graph: Graph) -> Demo:
    return load_demo(graph, "small")


@pytest.fixture
def coordinator(graph: Graph, demo: Demo) -> Iterator[TestClient]:
    with web_client(graph) as client:
        sign_in(client, "koordination")
        yield client


def _rows(html: str) -> list[str]:
    return _NODE_ROW.findall(html)


def test_network_table_lists_every_traeger(coordinator: TestClient, demo: Demo) -> None:
    page = coordinator.get("/netzwerk")
    assert page.status_code == 200
    assert sorted(_rows(page.text)) == sorted(o.id for o in demo.bundle.organizations)
    assert "Vorschläge für neue Kooperationen" in page.text
    # The analysis' weak spots in words: the demo plants isolated Träger and brokers.
    assert "<strong>Isoliert:</strong>" in page.text
    assert "<strong>Vermittler:</strong> Jobcenter Stuttgart vermittelt" in page.text


def test_category_filter_and_ego_view_narrow_the_network(coordinator: TestClient) -> None:
    everyone = _rows(coordinator.get("/netzwerk").text)
    debts = _rows(coordinator.get("/netzwerk?bereich=schuldnerberatung").text)
    assert 0 < len(debts) < len(everyone)
    around = coordinator.get("/netzwerk?traeger=caritas-stuttgart")
    assert "Umfeld von Caritasverband" in around.text
    ego = _rows(around.text)
    assert "caritas-stuttgart" in ego
    assert 1 < len(ego) < len(everyone)


def test_unknown_filter_is_named_at_its_field(coordinator: TestClient) -> None:
    page = coordinator.get("/netzwerk?bereich=gibt-es-nicht")
    assert page.status_code == 400
    assert "Diesen Leistungsbereich gibt es nicht" in page.text


def test_gexf_download_has_the_pictures_traeger(coordinator: TestClient, demo: Demo) -> None:
    answer = coordinator.get("/netzwerk/kooperationsnetz.gexf?bereich=schuldnerberatung")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/gexf+xml")
    shown = set(_rows(coordinator.get("/netzwerk?bereich=schuldnerberatung").text))
    network = nx.read_gexf(io.BytesIO(answer.content))
    organizations = {n for n, kind in network.nodes(data="type") if kind == "organization"}
    assert organizations == shown


_SVG = "{http://www.w3.org/2000/svg}"
_EDGE_ROW = re.compile(r'<tr class="kern-table__row" data-edge="[^"]+"(\s+hidden)?>')


def _svg(coordinator: TestClient, query: str) -> ET.Element:
    answer = coordinator.get(f"/netzwerk/kooperationsnetz.svg?{query}")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("image/svg+xml")
    assert "attachment" in answer.headers["content-disposition"]
    return ET.fromstring(answer.content)  # noqa: S314 (the app's own answer, in a test)


@pytest.mark.parametrize("query", ["", "bereich=schuldnerberatung", "traeger=caritas-stuttgart"])
def test_svg_download_draws_the_tables_traeger_and_connections(
    coordinator: TestClient, query: str
) -> None:
    page = coordinator.get(f"/netzwerk?{query}").text
    svg = _svg(coordinator, query)
    nodes = svg.findall(f".//{_SVG}g[@class='node']")
    assert [n.get("data-id") for n in nodes] == _rows(page)
    assert all(n.find(f"{_SVG}circle") is not None for n in nodes)
    visible = [m for m in _EDGE_ROW.findall(page) if not m]
    lines = svg.findall(f".//{_SVG}line")
    drawn = [line for line in lines if "suggestion" not in (line.get("class") or "")]
    assert len(drawn) == len(visible)
    assert svg.get("role") == "img"
    assert (svg.findtext(f"{_SVG}title") or "").startswith("Kooperationsnetz")


def test_svg_download_follows_the_year(coordinator: TestClient) -> None:
    page = coordinator.get("/netzwerk").text
    earliest = re.search(r'data-year-slider[^>]*min="(\d{4})"', page) or re.search(
        r'min="(\d{4})"[^>]*data-year-slider', page
    )
    assert earliest is not None
    year = earliest.group(1)
    now = _svg(coordinator, "").findall(f".//{_SVG}line[@class='edge agreement']")
    then_page = coordinator.get(f"/netzwerk?jahr={year}").text
    then = _svg(coordinator, f"jahr={year}")
    agreements = then.findall(f".//{_SVG}line[@class='edge agreement']")
    assert len(agreements) < len(now)
    visible = [m for m in _EDGE_ROW.findall(then_page) if not m]
    drawn = [
        x for x in then.findall(f".//{_SVG}line") if "suggestion" not in (x.get("class") or "")
    ]
    assert len(drawn) == len(visible)


@pytest.mark.parametrize("user", ["fallmanagement", "traeger", "planung"])
def test_other_roles_may_not_open_the_network(graph: Graph, demo: Demo, user: str) -> None:
    with web_client(graph) as client:
        sign_in(client, user)
        assert client.get("/netzwerk").status_code == 403
        assert client.get("/netzwerk/kooperationsnetz.gexf").status_code == 403
        assert client.get("/netzwerk/kooperationsnetz.svg").status_code == 403


_AREA_ROW = re.compile(r'<a class="kern-link" href="/sozialraeume/([^"]+)">')


def test_area_tree_lists_every_area_with_its_neighbours(
    coordinator: TestClient, demo: Demo
) -> None:
    page = coordinator.get("/sozialraeume")
    assert page.status_code == 200
    assert sorted(_AREA_ROW.findall(page.text)) == sorted(a.id for a in demo.bundle.areas)
    district = next(a for a in demo.bundle.areas if a.level == "district")
    neighbours = {
        (b if a == district.id else a)
        for a, b in ((x.area_id, x.other_area_id) for x in demo.bundle.adjacencies)
        if district.id in (a, b)
    }
    detail = coordinator.get(f"/sozialraeume/{district.id}")
    assert detail.status_code == 200
    linked = set(_AREA_ROW.findall(detail.text.split("<dt>Nachbarn</dt>")[1].split("</dd>")[0]))
    assert linked == neighbours
    served = [s for s in demo.bundle.services if district.id in s.area_ids and s.status == "active"]
    assert served, "die Demo versorgt jeden Bezirk"
    for service in served:
        assert f'href="/pflege/angebot/{service.id}?' in detail.text
