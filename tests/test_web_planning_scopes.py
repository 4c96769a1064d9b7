"""A city and a Landkreis in one graph: the planner pages, the map, the CLI report and GraphQL
name each finding's Gebiet, filter by it, and draw only the chosen Gebiet's areas."""

from __future__ import annotations

import json
from collections.abc import Iterator
from html import unescape

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from api.cli import main
from graph import Graph
from graph.write import write_bundle
from loaders.demo import Demo
from loaders.demo.county import KOMMUNEN, county_bundle
from loaders.demo.county import ROOT as COUNTY
from schema.principal import Principal
from tests.apikit import execute
from tests.browser.helpers import load_demo
from tests.webclient import sign_in, web_client

PLANNER = Principal("t-planner", "planner", None, "token")


@pytest.fixture(scope="module")
def demo(graph: Graph) -> Demo:
    demo = load_demo(graph, "small")
    write_bundle(graph, county_bundle())
    return demo


@pytest.fixture(scope="module")
def planner(graph: Graph, demo: Demo) -> Iterator[TestClient]:
    with web_client(graph) as client:
        assert sign_in(client, "planung").status_code == 303
        yield client


def _map_areas(client: TestClient, query: str) -> set[str]:
    html = client.get(f"/planung/karte?leistungsbereich=schuldnerberatung{query}").text
    block = html.split('id="karte-daten">', 1)[1].split("</script>", 1)[0]
    return {a["id"] for a in json.loads(block)["areas"]}


def test_map_draws_one_gebiet_the_first_by_default(planner: TestClient, demo: Demo) -> None:
    kommunen = {f"{COUNTY}-{k.lower().replace('ü', 'ue')}" for k in KOMMUNEN}
    districts = {a.id for a in demo.bundle.areas if a.level == "district"}
    page = planner.get("/planung/karte?leistungsbereich=schuldnerberatung").text
    assert 'name="gebiet"' in page
    assert _map_areas(planner, "") == kommunen  # "Landkreis Lindenau" before "Stuttgart"
    assert _map_areas(planner, "&gebiet=stuttgart") == districts
    # A Sozialraum brings its own Gebiet.
    assert _map_areas(planner, "&sozialraum=stuttgart-mitte") == {"stuttgart-mitte"}
    wrong = planner.get("/planung/karte?gebiet=hamburg")
    assert "Wählen Sie ein Gebiet aus der Liste." in wrong.text


def test_findings_pages_name_and_filter_the_gebiet(planner: TestClient) -> None:
    page = unescape(planner.get("/planung/luecken").text)
    assert "Alle Gebiete" in page
    assert "(Landkreis Lindenau)" in page
    assert "(Stuttgart)" in page
    county = unescape(planner.get(f"/planung/luecken?gebiet={COUNTY}").text)
    assert "(Landkreis Lindenau)" in county
    assert "(Stuttgart)" not in county
    rows = planner.get(f"/planung/luecken?gebiet={COUNTY}&format=csv").content.decode("utf-8-sig")
    assert rows.splitlines()[0].split(";")[:4] == [
        "Dringlichkeit",
        "Befund",
        "Sozialraum",
        "Gebiet",
    ]
    report = unescape(planner.get(f"/planung/bericht?gebiet={COUNTY}").text)
    assert "Analysebericht für Landkreis Lindenau" in report
    bad = planner.get("/planung/luecken?gebiet=hamburg")
    assert "Dieses Gebiet gibt es nicht." in unescape(bad.text)


def test_graphql_lists_gebiete_and_filters_by_them(graph: Graph, demo: Demo) -> None:
    answer = execute(
        graph,
        "{ analysisScopes { id name demandEstimated } "
        f'coverageGaps(scope: "{COUNTY}") {{ scope {{ id name }} area {{ id }} }} }}',
        principal=PLANNER,
    )
    assert answer.errors is None, answer.errors
    assert answer.data is not None
    assert answer.data["analysisScopes"] == [
        {"id": COUNTY, "name": "Landkreis Lindenau", "demandEstimated": False},
        {"id": "stuttgart", "name": "Stuttgart", "demandEstimated": False},
    ]
    gaps = answer.data["coverageGaps"]
    assert gaps
    assert {g["scope"]["name"] for g in gaps} == {"Landkreis Lindenau"}
    assert all(g["area"]["id"].startswith(COUNTY) for g in gaps)


def test_cli_report_for_one_gebiet(demo: Demo) -> None:
    run = CliRunner().invoke(main, ["analyse", "--format", "html"])
    assert run.exit_code == 0, run.output
    assert "Analysebericht für Landkreis Lindenau" in run.output
    assert "Weitere Gebiete (mit --scope wählen): stuttgart (Stuttgart)" in run.output
    assert "Zuffenhausen" not in run.output  # no district of the city on the county's map
    city = CliRunner().invoke(main, ["analyse", "--format", "html", "--scope", "stuttgart"])
    assert "Analysebericht für Stuttgart" in city.output
    assert "Zuffenhausen" in city.output
    assert "Aubach" not in city.output
    data = json.loads(
        CliRunner().invoke(main, ["analyse", "--format", "json"], catch_exceptions=False).output
    )
    assert {f["scope"]["id"] for f in data["findings"]} == {COUNTY, "stuttgart"}
    table = CliRunner().invoke(main, ["analyse", "--scope", "hamburg"])
    assert table.exit_code != 0
    assert "Unbekanntes Gebiet: hamburg" in table.output
