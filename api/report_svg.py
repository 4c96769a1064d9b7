"""Inline SVG pictures for the analysis report: coverage maps and the cooperation network.

Areas are drawn from their GeoJSON geometry when they have one. Without geometry (the demo) the
map is schematic: Voronoi cells around the areas' centroids, clipped to their hull, or, without
centroids, circles placed by a layout of the adjacency graph. Nothing is downloaded.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape

import networkx as nx
import shapely
from shapely.geometry import MultiPoint, Point, shape
from shapely.geometry.base import BaseGeometry

from graph.analysis.coverage import AreaCoverage
from graph.analysis.snapshot import AreaInfo
from graph.analysis.weak_spots import NetworkStructure

# Coverage classes relative to the median of the map's areas with demand: absolute classes gave
# one colour to a whole map whenever the ratios lived on another scale (estimated demand in Berlin
# gives 0.01 places per person, the demo 2 per household). (upper bound of ratio / median,
# colour, label)
RELATIVE_CLASSES: tuple[tuple[float, str, str], ...] = (
    (0.5, "#f46d43", "weniger als die Hälfte des Medians"),
    (0.8, "#fdae61", "50 bis 80 % des Medians"),
    (1.25, "#ffffbf", "80 bis 125 % (um den Median)"),
    (2.0, "#abd9e9", "125 bis 200 % des Medians"),
    (math.inf, "#4575b4", "mehr als das Doppelte des Medians"),
)
NONE_REACHABLE = "#a50026"
NO_DEMAND = "#d9d9d9"


def median_ratio(rows: Iterable[AreaCoverage], min_count: int = 5) -> float | None:
    """The median accessibility of the areas with demand (>= min_count) and some supply."""
    values = sorted(
        r.ratio for r in rows if r.demand >= min_count and r.ratio is not None and r.ratio > 0
    )
    if not values:
        return None
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def ratio_colour(ratio: float | None, median: float | None) -> str:
    """Colour of an area: grey without demand, dark red without any reachable place, else its
    class relative to the map's median."""
    if ratio is None:
        return NO_DEMAND
    if ratio <= 0 or median is None:
        return NONE_REACHABLE
    relative = ratio / median
    for bound, colour, _ in RELATIVE_CLASSES:
        if relative < bound:
            return colour
    return RELATIVE_CLASSES[-1][1]


def legend_svg(gap_threshold: float, unit: str = "Haushalt") -> str:
    threshold = _number(gap_threshold)
    items = [
        (NO_DEMAND, "#555", "kein Bedarf (oder unter 5, nicht ausgewiesen)"),
        (NONE_REACHABLE, "#555", "Bedarf, aber kein erreichbares Angebot"),
        *((c, "#555", label) for _, c, label in RELATIVE_CLASSES),
        (
            "#fff",
            "#000",
            f"schwarz umrandet: Versorgungslücke (unter {threshold} Plätze je {unit})",
        ),
    ]
    rows = "".join(
        f'<g transform="translate(0,{18 * i + 18})"><rect width="14" height="14" fill="{c}" '
        f'stroke="{stroke}" stroke-width="{2 if stroke == "#000" else 0.5}"/>'
        f'<text x="20" y="11">{escape(t)}</text></g>'
        for i, (c, stroke, t) in enumerate(items)
    )
    title = f"Erreichbare Plätze je {unit}, im Vergleich zum Median der Karte"
    # Wide enough for the longest line at 11 px (about 6.5 px per character).
    width = 30 + int(6.5 * max(len(title), *(len(t) for _, _, t in items)))
    return (
        f'<svg class="legend" width="{width}" height="{18 * len(items) + 22}" '
        f'font-size="11" font-family="sans-serif" role="img" '
        f'aria-label="Legende der Versorgungskarten"><text x="0" y="11" font-weight="bold">'
        f"{escape(title)}</text>{rows}</svg>"
    )


@dataclass(frozen=True, slots=True)
class AreaShapes:
    """Areas as shapes in one planar frame (lon scaled by cos(lat)); schematic or real."""

    shapes: Mapping[str, BaseGeometry]
    schematic: bool


def area_shapes(areas: Sequence[AreaInfo], adjacency: nx.Graph) -> AreaShapes:
    """Shapes for the analysis units: real geometry, else centroid Voronoi, else a layout."""
    raw: dict[str, BaseGeometry] = {}
    for a in areas:
        if a.geometry:
            try:
                raw[a.id] = shape(json.loads(a.geometry))
            except (ValueError, TypeError, KeyError, AttributeError):
                continue
    # One scale for the whole map: scaled by each shape's own latitude, neighbouring shapes
    # no longer meet (visible on a county's grid of Kommunen).
    lat0 = sum(g.centroid.y for g in raw.values()) / len(raw) if raw else None
    geometry = {k: _planar(g, lat0) for k, g in raw.items()}
    if len(geometry) == len(areas) and areas:
        minx, miny, maxx, maxy = MultiPoint(
            [c for g in geometry.values() for c in g.envelope.exterior.coords]
        ).bounds
        # Official borders have far more vertices than a 600-pixel picture can show.
        tolerance = max(maxx - minx, maxy - miny) / 1500
        simple = {k: g.simplify(tolerance, preserve_topology=True) for k, g in geometry.items()}
        return AreaShapes(simple, schematic=False)
    points = {
        a.id: _planar(Point(a.centroid_lon, a.centroid_lat))
        for a in areas
        if a.centroid_lat is not None and a.centroid_lon is not None
    }
    if len(points) == len(areas) and len(areas) >= 3:
        return AreaShapes(_voronoi(points), schematic=True)
    layout = nx.spring_layout(adjacency, seed=3) if adjacency.number_of_nodes() else {}
    return AreaShapes(
        {a.id: Point(*layout.get(a.id, (0.0, 0.0))).buffer(0.09) for a in areas},
        schematic=True,
    )


def _planar(geom: BaseGeometry, lat0: float | None = None) -> BaseGeometry:
    """Equirectangular projection around ``lat0`` (default: the geometry's own latitude);
    good enough for a city or a county."""
    lat = geom.centroid.y if lat0 is None else lat0
    k = math.cos(math.radians(lat))
    return shapely.transform(geom, lambda xy: xy * [k, 1.0])


def _voronoi(points: Mapping[str, BaseGeometry]) -> dict[str, BaseGeometry]:
    ids = list(points)
    cloud = MultiPoint([points[i] for i in ids])
    spread = max(cloud.bounds[2] - cloud.bounds[0], cloud.bounds[3] - cloud.bounds[1]) or 1.0
    hull = cloud.convex_hull.buffer(spread * 0.08)
    cells = shapely.voronoi_polygons(cloud, extend_to=hull)
    out: dict[str, BaseGeometry] = {}
    for cell in cells.geoms:
        for i in ids:
            if cell.contains(points[i]):
                out[i] = cell.intersection(hull)
                break
    for i in ids:  # duplicate centroids: fall back to a small disc
        out.setdefault(i, points[i].buffer(spread * 0.03))
    return out


def _path(geom: BaseGeometry, to_xy: Callable[[float, float], tuple[float, float]]) -> str:
    parts: list[str] = []
    polygons = getattr(geom, "geoms", [geom])
    for poly in polygons:
        if poly.geom_type != "Polygon":
            continue
        for ring in [poly.exterior, *poly.interiors]:
            coords = [to_xy(x, y) for x, y in ring.coords]
            parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in coords) + "Z")
    return "".join(parts)


def coverage_map(
    shapes: AreaShapes,
    rows: Iterable[AreaCoverage],
    names: Mapping[str, str],
    *,
    title: str,
    gaps: Iterable[str] = (),
    width: int = 300,
    min_count: int = 5,
) -> str:
    """One map: each area coloured by its accessibility relative to the map's median; gaps
    outlined; the median itself in the caption."""
    rows = list(rows)
    by_area = {r.area_id: r for r in rows}
    median = median_ratio(rows, min_count)
    flagged = set(gaps)
    geoms = shapes.shapes
    if not geoms:
        return ""
    minx, miny, maxx, maxy = MultiPoint(
        [c for g in geoms.values() for c in g.envelope.exterior.coords]
    ).bounds
    scale = (width - 10) / max(maxx - minx, 1e-9)
    height = int((maxy - miny) * scale) + 10

    def to_xy(x: float, y: float) -> tuple[float, float]:
        return 5 + (x - minx) * scale, 5 + (maxy - y) * scale

    cells: list[str] = []
    labels: list[str] = []
    for area_id, geom in sorted(geoms.items()):
        row = by_area.get(area_id)
        small = row is None or row.demand < min_count
        colour = NO_DEMAND if small else ratio_colour(row.ratio if row else None, median)
        stroke = (
            ' stroke="#000" stroke-width="2.5"'
            if area_id in flagged
            else (' stroke="#fff" stroke-width="0.8"')
        )
        name = names.get(area_id, area_id)
        ratio = ""
        if not small and row is not None and row.ratio is not None:
            ratio = f": {_number(row.ratio)} Plätze je Bedarf"
            if median:
                ratio += f" ({100 * row.ratio / median:.0f} % des Medians)"
        cells.append(
            f'<path d="{_path(geom, to_xy)}" fill="{colour}"{stroke}>'
            f"<title>{escape(name)}{escape(ratio)}</title></path>"
        )
        cx, cy = to_xy(geom.representative_point().x, geom.representative_point().y)
        labels.append(
            f'<text x="{cx:.1f}" y="{cy:.1f}" text-anchor="middle">{escape(name[:14])}</text>'
        )
    note = " (schematisch)" if shapes.schematic else ""
    note += f", Median {_number(median)}" if median else ", kein erreichbares Angebot"
    return (
        f'<figure class="map"><svg width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-size="7" font-family="sans-serif" '
        f'role="img" aria-label="{escape(title)}">{"".join(cells)}'
        f'<g fill="#222" pointer-events="none">{"".join(labels)}</g></svg>'
        f"<figcaption>{escape(title)}{note}</figcaption></figure>"
    )


def _number(value: float) -> str:
    """German decimal comma with three significant digits (ratios range from 0.001 to 10)."""
    return f"{value:.3g}".replace(".", ",")


def network_picture(
    g: nx.Graph,
    structure: NetworkStructure,
    names: Mapping[str, str],
    *,
    width: int = 900,
    height: int = 620,
    max_labels: int = 40,
) -> str:
    """The cooperation network: brokers large and orange, articulation points red, isolated
    partners grey; bridges dashed red; agreements dark, shared networks blue, referrals light."""
    if g.number_of_nodes() == 0:
        return ""
    isolated = [n for n in sorted(g.nodes) if g.degree(n) == 0]
    core = g.subgraph(n for n in g.nodes if g.degree(n) > 0)
    # Isolated Träger go into a row at the bottom instead of being flung to the margins.
    n = core.number_of_nodes()
    pos = dict(nx.spring_layout(core, seed=11, k=2.5 / math.sqrt(n), iterations=300)) if n else {}
    left, top, right = 250, 30, 60
    bottom = 70 if isolated else 30
    xs = [p[0] for p in pos.values()] or [0.0]
    ys = [p[1] for p in pos.values()] or [0.0]
    minx, maxx, miny, maxy = min(xs), max(xs), min(ys), max(ys)
    coords: dict[str, tuple[float, float]] = {}
    for node, (x, y) in pos.items():
        coords[node] = (
            left + (x - minx) / max(maxx - minx, 1e-9) * (width - left - right),
            top + (y - miny) / max(maxy - miny, 1e-9) * (height - top - bottom),
        )
    step = (width - left - right) / max(len(isolated), 1)
    for i, node in enumerate(isolated):
        coords[node] = (left + step * (i + 0.5), height - 25)

    def to_xy(node: str) -> tuple[float, float]:
        return coords[node]

    bridges = {(a, b) for a, b, _ in structure.bridges} | {(b, a) for a, b, _ in structure.bridges}
    points = structure.articulation_points
    central = structure.betweenness
    brokers = {o for o, v in sorted(central.items(), key=lambda x: -x[1])[:5] if v > 0.0}
    edges: list[str] = []
    for a, b, data in g.edges(data=True):
        (x1, y1), (x2, y2) = to_xy(a), to_xy(b)
        if data.get("agreements"):
            colour, w = "#333", 1.6
        elif data.get("networks"):
            colour, w = "#4f81bd", 1.0
        else:
            colour, w = "#bbb", 0.4 + min(float(data.get("referrals", 0)), 50.0) / 25
        dash = ""
        if (a, b) in bridges:
            colour, w, dash = "#d7301f", 2.2, ' stroke-dasharray="6 3"'
        edges.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke="{colour}" stroke-width="{w:.2f}"{dash}/>'
        )
    nodes: list[str] = []
    ranked = sorted(g.nodes, key=lambda n: -central.get(n, 0.0))
    labelled = set(ranked[:max_labels]) | set(points) | set(structure.isolated_ids)
    for node in sorted(g.nodes):
        x, y = to_xy(node)
        r = 5 + 28 * math.sqrt(central.get(node, 0.0))
        fill, stroke = "#9ecae1", "#3182bd"
        if node in brokers:
            fill, stroke = "#fd8d3c", "#a63603"
        if node in points:
            stroke = "#d7301f"
        if node in structure.isolated_ids:
            fill, stroke = "#f0f0f0", "#999"
        width_px = 3 if node in points else 1.2
        name = names.get(node, node)
        nodes.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{fill}" stroke="{stroke}" '
            f'stroke-width="{width_px}"><title>{escape(name)}</title></circle>'
        )
        if node in labelled:
            nodes.append(
                f'<text x="{x:.1f}" y="{y - r - 2:.1f}" text-anchor="middle">'
                f"{escape(name[:28])}</text>"
            )
    legend = (
        '<g font-size="11" transform="translate(10,10)">'
        '<circle cx="6" cy="6" r="6" fill="#fd8d3c" stroke="#a63603"/>'
        '<text x="16" y="10">Vermittler (viele Wege laufen über ihn)</text>'
        '<circle cx="6" cy="24" r="6" fill="#9ecae1" stroke="#d7301f" stroke-width="3"/>'
        '<text x="16" y="28">Schnittpunkt (ohne ihn zerfällt das Netz)</text>'
        '<circle cx="6" cy="42" r="6" fill="#f0f0f0" stroke="#999"/>'
        '<text x="16" y="46">isolierter Träger</text>'
        '<line x1="0" y1="60" x2="12" y2="60" stroke="#d7301f" stroke-width="2.2" '
        'stroke-dasharray="6 3"/><text x="16" y="64">Brücke</text>'
        '<line x1="0" y1="78" x2="12" y2="78" stroke="#333" stroke-width="1.6"/>'
        '<text x="16" y="82">Kooperationsvereinbarung</text>'
        '<line x1="0" y1="96" x2="12" y2="96" stroke="#4f81bd"/>'
        '<text x="16" y="100">gemeinsamer Verbund</text>'
        '<line x1="0" y1="114" x2="12" y2="114" stroke="#bbb" stroke-width="2"/>'
        '<text x="16" y="118">Überleitungen</text>'
        + (f'<text x="0" y="{height - 40}">isolierte Träger:</text>' if isolated else "")
        + "</g>"
    )
    return (
        f'<svg class="network" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        'font-size="9" font-family="sans-serif" role="img" '
        'aria-label="Kooperationsnetz der Träger">'
        f"<g>{''.join(edges)}</g><g>{''.join(nodes)}</g>{legend}</svg>"
    )
