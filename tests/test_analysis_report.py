"""``verbund analyse`` in its three formats, and the HTML report's pictures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import main
from api.report_svg import (
    NO_DEMAND,
    NONE_REACHABLE,
    RELATIVE_CLASSES,
    area_shapes,
    legend_svg,
    median_ratio,
    ratio_colour,
)
from graph import Graph
from graph.analysis.coverage import AreaCoverage
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
    assert "Überleitungswege" in table.output  # the table shows the pathways too

    def kinds_for(category: str) -> set[str]:
        found = runner.invoke(main, ["analyse", "--format", "json", "--category", category])
        assert found.exit_code == 0, found.output
        return {f["kind"] for f in json.loads(found.output)["findings"]}

    # --category applies to every finding type: the missing cooperation of o1 and o2 rests on
    # households with Schuldnerberatung needs, not on Erziehungsberatung.
    assert "missing_cooperation" in kinds_for("schuldnerberatung")
    assert "missing_cooperation" not in kinds_for("erziehungsberatung")

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
    assert "Median" in page  # the maps' classes are relative, and the page says so
    assert "Doppelt erfasste Angebote" in page
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
    assert ratio_colour(None, 1.0) != ratio_colour(0.0, 1.0) != ratio_colour(3.0, 1.0)


def row(area: str, demand: float, ratio: float | None) -> AreaCoverage:
    return AreaCoverage(
        area_id=area, category_id="c", demand=demand, ratio=ratio, reachable_service_ids=()
    )


def test_map_classes_are_relative_to_the_median_of_the_map() -> None:
    # Ratios on a tiny scale (estimated demand): absolute classes would paint all one colour.
    rows = [row("a", 50, 0.0015), row("b", 50, 0.004), row("c", 50, 0.010), row("d", 50, 0.0)]
    rows += [row("small", 3, 0.001), row("none", 0, None)]
    assert median_ratio(rows) == 0.004  # of a, b, c: no supply and small cells do not count
    colours = {r.area_id: ratio_colour(r.ratio, 0.004) for r in rows}
    assert colours["a"] == RELATIVE_CLASSES[0][1]  # under half the median: lowest class
    assert colours["b"] == RELATIVE_CLASSES[2][1]  # the median
    assert colours["c"] == RELATIVE_CLASSES[4][1]  # 2.5 x the median
    assert colours["d"] == NONE_REACHABLE
    assert colours["none"] == NO_DEMAND
    # The same picture one thousand times larger: the classes do not change.
    scaled = [row(r.area_id, r.demand, None if r.ratio is None else r.ratio * 1000) for r in rows]
    assert median_ratio(scaled) == pytest.approx(4.0)
    assert {r.area_id: ratio_colour(r.ratio, 4.0) for r in scaled} == colours
    assert median_ratio([row("x", 9, 1.0), row("y", 9, 3.0)]) == 2.0
    assert median_ratio([row("d", 50, 0.0)]) is None


def test_legend_says_what_the_classes_mean() -> None:
    legend = legend_svg(0.5)
    assert "Median" in legend
    for _, colour, label in RELATIVE_CLASSES:
        assert colour in legend
        assert label in legend
    assert "kein erreichbares Angebot" in legend
    assert "unter 0,5 Plätze je Haushalt" in legend
