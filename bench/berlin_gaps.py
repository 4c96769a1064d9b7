"""Coverage gaps on real data: Berlin's youth centres against child poverty, per Prognoseraum.

    .venv/bin/python bench/berlin_gaps.py [--data ../shared/data/berlin] [--svg docs/berlin.svg]

Reads the open-data files in ``shared/data/berlin`` directly (the Berlin import into the graph
was not on main when this was written) and runs the same pure 2SFCA functions as the suite:

- areas: the 58 Prognoseräume (polygons from ``prognoseraeume_2021.geojson``), adjacency from
  shared borders; the Planungsräume of the social monitoring (MSS 2021) roll up into them by
  the first four digits of their id;
- demand: children in poverty, estimated per Planungsraum as residents x share of children
  (``--child-share``, default 0.14, an assumption: the MSS file has no age breakdown) x the
  child-poverty percentage, summed per Prognoseraum;
- supply: the places (``e_platz``) of every youth centre (Jugendfreizeiteinrichtung), placed
  in the Prognoseraum its coordinates fall in; centres without a number of places count with
  the median. Distance decay as in the suite: same area 1.0, neighbour 0.5.

The guide's absolute threshold (0.5 places per household in need) does not fit youth centres,
which serve far more children than they have places; so areas are flagged with the same rule
relative to the city: no reachable centre ("hoch") or less than half the Berlin median ratio
("mittel"). Prints a table, writes the map as SVG if asked.
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
from collections import defaultdict
from pathlib import Path

import networkx as nx
from pyproj import Transformer
from shapely.geometry import Point, shape
from shapely.strtree import STRtree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.report_svg import area_shapes, coverage_map, legend_svg  # noqa: E402
from graph.analysis.config import CoverageConfig  # noqa: E402
from graph.analysis.coverage import Supply, coverage_gaps, floating_catchment  # noqa: E402
from graph.analysis.snapshot import AreaInfo  # noqa: E402


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def load(
    data: Path, child_share: float
) -> tuple[list[AreaInfo], nx.Graph, dict[str, float], list[Supply], dict[str, int]]:
    features = json.loads((data / "prognoseraeume_2021.geojson").read_text("utf-8"))["features"]
    areas = [
        AreaInfo(
            id=f["properties"]["id"],
            name=f["properties"]["name"],
            level="district",
            geometry=json.dumps(f["geometry"]),
        )
        for f in features
    ]
    polygons = {a.id: shape(json.loads(a.geometry or "")) for a in areas}
    adjacency = nx.Graph()
    adjacency.add_nodes_from(polygons)
    ids = list(polygons)
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            # Borders in the open data do not always meet exactly: allow ~10 m.
            if polygons[a].distance(polygons[b]) < 1e-4:
                adjacency.add_edge(a, b)

    demand: dict[str, float] = defaultdict(float)
    with (data / "mss_2021_indikatoren.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            residents = _float(row["Resident Count"])
            poverty = _float(row["Child Poverty Percent"])
            if residents is None or poverty is None:
                continue
            demand[row["PLR_ID"][:4]] += residents * child_share * poverty / 100.0

    to_wgs84 = Transformer.from_crs("EPSG:25833", "EPSG:4326", always_xy=True)
    centres = json.loads((data / "jugendfreizeiteinrichtungen.geojson").read_text("utf-8"))
    places = [
        int(p) for f in centres["features"] if (p := f["properties"].get("e_platz")) and p.isdigit()
    ]
    median_places = int(statistics.median(places)) if places else 50
    tree = STRtree([polygons[i] for i in ids])
    supplies: list[Supply] = []
    unplaced = 0
    counted: dict[str, int] = defaultdict(int)
    for f in centres["features"]:
        x, y = f["geometry"]["coordinates"][:2]
        lon, lat = to_wgs84.transform(x, y)
        point = Point(lon, lat)
        hits = [ids[i] for i in tree.query(point) if polygons[ids[int(i)]].covers(point)]
        if not hits:
            unplaced += 1
            continue
        raw = f["properties"].get("e_platz")
        capacity = int(raw) if raw and raw.isdigit() and int(raw) > 0 else median_places
        supplies.append(
            Supply(
                service_id=f["properties"]["e_nr"],
                organization_id=f["properties"].get("t_name") or "",
                capacity=float(capacity),
                units=frozenset({hits[0]}),
            )
        )
        counted[hits[0]] += 1
    counted["_unplaced"] = unplaced
    return areas, adjacency, dict(demand), supplies, dict(counted)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent.parent / "shared/data/berlin")
    parser.add_argument("--child-share", type=float, default=0.14)
    parser.add_argument("--svg", type=Path, help="Karte als SVG-Datei schreiben.")
    args = parser.parse_args()
    data = args.data
    if not data.exists():
        data = Path("/work/shared/data/berlin")
    areas, adjacency, demand, supplies, counted = load(data, args.child_share)
    config = CoverageConfig()
    table = floating_catchment(adjacency, demand, supplies, config, category_id="jugendarbeit")
    ratios = [r.ratio for r in table.values() if r.ratio is not None]
    median = statistics.median(ratios)
    relative = CoverageConfig(min_ratio=median / 2)
    names = {a.id: a.name for a in areas}
    gaps = coverage_gaps(
        table.values(),
        relative,
        area_names=names,
        category_names={"jugendarbeit": "Jugendfreizeit"},
    )
    print(
        f"{len(areas)} Prognoseräume, {adjacency.number_of_edges()} Nachbarschaften, "
        f"{len(supplies)} Jugendfreizeiteinrichtungen ({counted.get('_unplaced', 0)} ohne "
        f"Prognoseraum), {sum(s.capacity for s in supplies):.0f} Plätze, "
        f"{sum(demand.values()):.0f} Kinder in Armut (geschätzt)"
    )
    print(f"Median: {median:.3f} Plätze je armutsgefährdetem Kind; Schwelle {median / 2:.3f}")
    print()
    print(f"{'Prognoseraum':<28} {'Kinder in Armut':>15} {'Einr.':>5} {'Quote':>7}")
    for row in sorted(table.values(), key=lambda r: r.ratio if r.ratio is not None else 9):
        ratio = "–" if row.ratio is None else f"{row.ratio:.3f}"
        print(
            f"{names[row.area_id]:<28} {row.demand:>15.0f} {counted.get(row.area_id, 0):>5} "
            f"{ratio:>7}"
        )
    print()
    for gap in gaps:
        why = (
            "keine Einrichtung im Gebiet oder in einem Nachbargebiet"
            if not gap.service_ids
            else f"{gap.ratio:.3f} Plätze je Kind, {gap.ratio / median:.0%} des Berliner Medians"
        )
        print(
            f"[{gap.severity}] {names[gap.area_ids[0]]}: geschätzt {gap.demand:.0f} Kinder "
            f"in Armut; {why}."
        )
    if args.svg:
        # The map's colour classes are relative to its median (api/report_svg.py).
        shapes = area_shapes(areas, adjacency)
        svg = coverage_map(
            shapes,
            list(table.values()),
            names,
            width=640,
            min_count=0,
            title="Plätze je armutsgefährdetem Kind, relativ zum Berliner Median",
            gaps=[g.area_ids[0] for g in gaps],
        )
        picture = svg.replace('<figure class="map">', "").split("<figcaption>")[0]
        height = int(picture.split('height="', 1)[1].split('"', 1)[0])
        legend = legend_svg(0.5 * median, "Kind in Armut").replace(
            "<svg ", f'<svg x="10" y="{height + 10}" ', 1
        )
        args.svg.write_text(
            '<?xml version="1.0" encoding="utf-8"?>\n'
            f'<svg xmlns="http://www.w3.org/2000/svg" width="640" height="{height + 190}" '
            f'font-family="sans-serif">{picture}{legend}</svg>\n',
            "utf-8",
        )
        print(f"Karte: {args.svg}")


if __name__ == "__main__":
    main()
