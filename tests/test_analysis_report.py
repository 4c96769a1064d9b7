"""``verbund analyse`` in its three formats, and the HTML report's pictures."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from api.cli import main
from api.report_svg import area_shapes, ratio_colour
from graph import Graph
from graph.analysis.snapshot import AreaInfo
from graph.write import write_bundle
from tests.analysis_fixtures import tiny_city


def test_cli_table_json_html(db: Graph, tmp_path: Path) -> None:
    write_bundle(db, tiny_city())
    runner = CliRunner()
    table = runner.invoke(main, ["analyse"])
    assert table.exit_code == 0, table.output
    assert "Versorgungslücken (1)" in table.output
    assert "Suchtberatung" in table.output

    as_json = runner.invoke(main, ["analyse", "--format", "json", "--area", "st-a"])
    assert as_json.exit_code == 0, as_json.output
    data = json.loads(as_json.output)
    kinds = sorted({f["kind"] for f in data["findings"]})
    assert kinds == [
        "coverage_gap",
        "double_support",
        "duplicate_record",  # o1 has its Standort in st-a
        "duplicate_structure",
        "missing_cooperation",
    ]
    assert "hh-" not in as_json.output

    out = tmp_path / "bericht.html"
    html = runner.invoke(main, ["analyse", "--format", "html", "--output", str(out)])
    assert html.exit_code == 0, html.output
    page = out.read_text("utf-8")
    assert page.startswith("<!doctype html>")
    assert page.count('class="map"') == 2  # one map per category with demand or supply
    assert 'class="network"' in page
    assert "hh-" not in page

    unknown = runner.invoke(main, ["analyse", "--area", "nirgendwo"])
    assert unknown.exit_code == 1
    assert "Unbekannter Sozialraum: nirgendwo" in unknown.output
    assert "Traceback" not in unknown.output


def test_areas_with_geometry_are_drawn_from_it() -> None:
    square = '{"type": "Polygon", "coordinates": [[[13.0, 52.0], [13.1, 52.0], [13.1, 52.1], [13.0, 52.1], [13.0, 52.0]]]}'  # noqa: E501
    areas = [AreaInfo(id="x", name="X", level="district", geometry=square)]
    import networkx as nx

    shapes = area_shapes(areas, nx.Graph())
    assert not shapes.schematic
    assert shapes.shapes["x"].area > 0


def test_areas_without_geometry_get_voronoi_cells_around_centroids() -> None:
    import networkx as nx

    areas = [
        AreaInfo(id=i, name=i, level="district", centroid_lat=lat, centroid_lon=lon)
        for i, lat, lon in [("a", 48.77, 9.18), ("b", 48.80, 9.18), ("c", 48.78, 9.22)]
    ]
    shapes = area_shapes(areas, nx.Graph())
    assert shapes.schematic
    cells = shapes.shapes
    assert not cells["a"].intersection(cells["b"]).area  # cells tile, they do not overlap
    assert ratio_colour(None) != ratio_colour(0.0) != ratio_colour(3.0)
