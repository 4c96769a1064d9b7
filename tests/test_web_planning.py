"""Sozialplanung pages on the small demo: the planted findings appear with their words, the
filters and orders work, downloads are formula-safe and hold the page's rows, and the map's
table equals ``verbund analyse --format json`` (suppressed cells suppressed in both)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from html import unescape

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from starlette.testclient import TestClient

from api.cli import main
from api.web.pages.planning_export import csv_bytes, xlsx_bytes
from api.web.pages.planning_findings import duration_text
from api.web.pages.planning_map import band_of, script_json
from graph import Graph
from loaders.demo import Demo
from schema.principal import Principal
from tests.apikit import execute
from tests.browser.helpers import load_demo
from tests.webclient import sign_in, web_client

PLANNER = Principal("t-planner", "planner", None, "token")
PAGES = (
    "karte",
    "luecken",
    "doppelstrukturen",
    "doppelbetreuung",
    "schwachstellen",
    "ueberleitungswege",
)


@pytest.fixture(scope="module")
def demo(graph: Graph) -> Demo:
    return load_demo(graph, "small")


@pytest.fixture(scope="module")
def planner(graph: Graph, demo: Demo) -> Iterator[TestClient]:
    with web_client(graph) as client:
        assert sign_in(client, "planung").status_code == 303
        yield client


def _csv(client: TestClient, path: str) -> list[dict[str, str]]:
    answer = client.get(path)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    text = answer.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def _names(demo: Demo) -> tuple[dict[str, str], dict[str, str]]:
    areas = {a.id: a.name for a in demo.bundle.areas}
    categories = {c.id: c.name for c in demo.bundle.categories}
    return areas, categories


def _people_cells(html: str) -> list[str]:
    return [unescape(c).strip() for c in re.findall(r"data-people[^>]*>([^<]*)<", html)]


def test_start_page_leads_to_every_planning_page(planner: TestClient) -> None:
    start = planner.get("/").text
    for slug in (*PAGES, "bericht"):
        assert f'href="/planung/{slug}"' in start


def test_other_roles_may_not_open_planning_pages(graph: Graph, demo: Demo) -> None:
    with web_client(graph) as client:
        assert sign_in(client, "fallmanagement").status_code == 303
        for slug in (*PAGES, "bericht"):
            assert client.get(f"/planung/{slug}").status_code == 403, slug


def test_gaps_page_lists_exactly_the_planted_gaps(planner: TestClient, demo: Demo) -> None:
    areas, categories = _names(demo)
    truth = {(areas[a], categories[c], "hoch") for a, c in demo.truth.hoch_gaps} | {
        (areas[a], categories[c], "mittel") for a, c in demo.truth.mittel_gaps
    }
    rows = _csv(planner, "/planung/luecken?format=csv")
    assert {(r["Sozialraum"], r["Leistungsbereich"], r["Dringlichkeit"]) for r in rows} == truth
    page = planner.get("/planung/luecken").text
    for row in rows:
        assert row["Befund"] in unescape(page)  # the explanation in words
    assert "weder im Gebiet noch in einem Nachbargebiet" in page


def test_filters_and_order(planner: TestClient, demo: Demo) -> None:
    areas, categories = _names(demo)
    area_id, category_id = sorted(demo.truth.hoch_gaps)[0]
    one = _csv(
        planner, f"/planung/luecken?format=csv&sozialraum={area_id}&leistungsbereich={category_id}"
    )
    assert [(r["Sozialraum"], r["Leistungsbereich"]) for r in one] == [
        (areas[area_id], categories[category_id])
    ]
    by_area = _csv(planner, "/planung/luecken?format=csv&sortierung=sozialraum")
    assert [r["Sozialraum"] for r in by_area] == sorted(
        (r["Sozialraum"] for r in by_area), key=str.casefold
    )
    by_severity = _csv(planner, "/planung/luecken?format=csv")
    assert [r["Dringlichkeit"] for r in by_severity] == sorted(
        (r["Dringlichkeit"] for r in by_severity), key=["hoch", "mittel"].index
    )
    wrong = planner.get("/planung/luecken?sozialraum=gibt-es-nicht")
    assert "Diesen Sozialraum gibt es nicht" in wrong.text
    assert planner.get("/planung/luecken?sozialraum=gibt-es-nicht&format=csv").status_code == 400


def test_duplicate_structures_and_double_support(planner: TestClient, demo: Demo) -> None:
    structures = _csv(planner, "/planung/doppelstrukturen?format=csv")
    assert len(structures) == len(demo.truth.duplicate_structures)
    services = {s.id: s for s in demo.bundle.services}
    _, categories = _names(demo)
    planted = sorted(
        categories[services[next(iter(group))].category_ids[0]]
        for group in demo.truth.duplicate_structures
    )
    assert sorted(r["Leistungsbereich"] for r in structures) == planted

    double = _csv(planner, "/planung/doppelbetreuung?format=csv")
    planted_categories = {categories[c] for _, c in demo.truth.double_support}
    assert double
    assert {r["Leistungsbereich"] for r in double} <= planted_categories
    assert any("ohne" in r["Befund"] or "Abstimmung" in r["Befund"] for r in double)


def test_weak_spots_and_pathways_are_the_planners_graphql_answer(
    planner: TestClient, graph: Graph
) -> None:
    asked = execute(
        graph,
        "{ networkWeakSpots { findings { explanation } } "
        "referralPathways { rates { referrals } } }",
        principal=PLANNER,
    ).data
    weak = _csv(planner, "/planung/schwachstellen?format=csv")
    assert sorted(r["Befund"] for r in weak) == sorted(
        f["explanation"] for f in asked["networkWeakSpots"]["findings"]
    )
    paths = _csv(planner, "/planung/ueberleitungswege?format=csv")
    assert len(paths) == len(asked["referralPathways"]["rates"]) > 0
    counts = [int(r["Überleitungen"].replace(".", "")) for r in paths]
    assert min(counts) >= 5
    assert counts == sorted(counts, reverse=True)  # most referrals first by default


def test_no_small_count_on_any_planning_page(planner: TestClient) -> None:
    seen = 0
    for slug in PAGES:
        html = planner.get(f"/planung/{slug}?leistungsbereich=").text
        assert not re.search(r"\bhh-[0-9a-z]+", html), slug
        for cell in _people_cells(html):
            seen += 1
            assert cell.startswith("unter 5") or int(cell.split()[0].replace(".", "")) >= 5, (
                slug,
                cell,
            )
    assert seen > 20


def test_downloads_are_formula_safe_and_equal(planner: TestClient) -> None:
    header = ["Befund", "Zahl"]
    rows: list[list[str | int | float | None]] = [['=HYPERLINK("x")', 3], ["-2+3", None]]
    text = csv_bytes(header, rows).decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert "'-2+3" in text
    sheet = load_workbook(io.BytesIO(xlsx_bytes("Test", header, rows))).active
    assert sheet is not None
    assert sheet["A2"].value == '\'=HYPERLINK("x")'
    assert sheet["B2"].value == 3

    answer = planner.get("/planung/doppelbetreuung?format=xlsx")
    assert answer.headers["content-type"].startswith("application/vnd.openxml")
    book = load_workbook(io.BytesIO(answer.content)).active
    assert book is not None
    from_xlsx = [[c.value for c in row] for row in book.iter_rows(min_row=2)]
    from_csv = _csv(planner, "/planung/doppelbetreuung?format=csv")
    assert [r[1] for r in from_xlsx] == [r["Befund"] for r in from_csv]


def _map_table(html: str) -> dict[str, tuple[str, str, str]]:
    """Sozialraum id -> (households, ratio, services) as the table's data-value attributes."""
    body = html.split("data-coverage-table", 1)[1]
    found = {}
    for area, cells in re.findall(
        r'<tr class="kern-table__row" data-area="([^"]+)">(.*?)</tr>', body, re.S
    ):
        values = re.findall(r'data-value="([^"]*)"', cells)
        found[area] = (values[0], values[1], values[2])
    return found


@pytest.mark.parametrize("category", ["schuldnerberatung", "wohnungsnotfallhilfe"])
def test_map_table_equals_the_cli_json(planner: TestClient, category: str) -> None:
    page = planner.get(f"/planung/karte?leistungsbereich={category}")
    assert page.status_code == 200
    table = _map_table(page.text)
    run = CliRunner().invoke(main, ["analyse", "--format", "json", "--category", category])
    assert run.exit_code == 0, run.output
    cli = [c for c in json.loads(run.output)["coverage"] if c["category"] == category]
    assert set(table) == {c["area"] for c in cli}
    suppressed = 0
    for c in cli:
        households, ratio, services = table[c["area"]]
        assert int(services) == c["reachable_services"]
        # The CLI hides 1 to 4 as null and shows 0; the planner's policy hides 0 to 4.
        if c["households_in_need"] is None or c["households_in_need"] == 0:
            assert households == "", c
            assert ratio == "", c
            suppressed += 1
        else:
            assert float(households) == c["households_in_need"]
            assert ratio != ""
            assert float(ratio) == pytest.approx(c["ratio"])
    assert suppressed
    assert suppressed < len(cli)
    assert "unter 5" in page.text


def test_map_page_embeds_one_shape_per_district(planner: TestClient, demo: Demo) -> None:
    html = planner.get("/planung/karte?leistungsbereich=schuldnerberatung").text
    block = html.split('id="karte-daten">', 1)[1].split("</script>", 1)[0]
    data = json.loads(block)
    districts = {a.id for a in demo.bundle.areas if a.level == "district"}
    assert {a["id"] for a in data["areas"]} == districts
    sub = planner.get("/planung/karte?leistungsbereich=schuldnerberatung&ebene=stadtteile").text
    block = sub.split('id="karte-daten">', 1)[1].split("</script>", 1)[0]
    subdistricts = {a.id for a in demo.bundle.areas if a.level == "subdistrict"}
    shapes = json.loads(block)["areas"]
    assert {a["id"] for a in shapes} == subdistricts
    # A Stadtteil carries its Bezirk's figures, and says whose.
    assert all(a["unit"] for a in shapes)


def test_printable_report_holds_every_finding_of_the_pages(planner: TestClient) -> None:
    answer = planner.get("/planung/bericht")
    assert answer.status_code == 200
    report = unescape(answer.text)
    for slug in PAGES[1:]:
        for row in _csv(planner, f"/planung/{slug}?format=csv"):
            assert row["Befund"] in report, (slug, row["Befund"])
    assert "data-print" in report
    assert not re.search(r"\bhh-[0-9a-z]+", report)


def test_gap_index_bands() -> None:
    shown = {"householdsInNeed": 12, "ratio": 0.8}
    assert band_of(shown, "hoch", 0.5).key == "keines"
    assert band_of(shown, "mittel", 0.5).key == "zuwenig"
    assert band_of(shown, None, 0.5).key == "knapp"
    assert band_of({"householdsInNeed": 12, "ratio": 1.0}, None, 0.5).key == "gut"
    assert band_of({"householdsInNeed": None, "ratio": None}, None, 0.5).key == "verborgen"


def test_script_json_cannot_end_its_block() -> None:
    text = script_json({"name": "</script><script>alert(1)</script>"})
    assert "</" not in text
    assert json.loads(text)["name"] == "</script><script>alert(1)</script>"


def test_pathways_page_fits_by_leaving_out_words_that_repeat_its_columns(
    planner: TestClient,
) -> None:
    page = unescape(planner.get("/planung/ueberleitungswege").text)
    table = page.split('data-findings="ueberleitungswege"', 1)[1].split("</table>", 1)[0]
    assert ">Befund<" not in table
    rows = _csv(planner, "/planung/ueberleitungswege?format=csv")
    assert rows
    cells = re.findall(r'<tr class="kern-table__row">(.*?)</tr>', table, re.S)[1:]
    assert len(cells) == len(rows)
    # Every figure of the words is in the row's columns: nothing is lost.
    for row, html in zip(rows, cells, strict=True):
        texts = [t.strip() for t in re.findall(r"<td[^>]*>([^<]*)<", html)]
        assert texts[:2] == [row["Sozialraum"], row["Leistungsbereich"]]
        figures = [
            row[c] for c in ("Überleitungen", "abgelehnt", "abgebrochen", "Antwort (Median)")
        ]
        assert texts[2:] == figures
        for figure in figures:
            if figure not in ("nicht ausgewiesen", "unter 5"):
                assert figure in row["Befund"]


def test_response_times_read_in_hours_then_days() -> None:
    assert duration_text(1.0) == "1 Stunde"
    assert duration_text(0.5) == "0,5 Stunden"
    assert duration_text(47.94) == "47,9 Stunden"
    assert duration_text(48.0) == "2 Tage"
    assert duration_text(186.7) == "7,8 Tage"
