"""Schematic outlines of the demo's Sozialräume, so maps can draw the demo city.

The demo has no official outlines (and must not copy them), so each Stadtbezirk is the
Voronoi cell of its centroid within the hull of all centroids (grown by ~2 km), and each
Stadtteil a wedge of its Bezirk's cell around the cell's centre: Stadtteile tile their
Bezirk exactly, and Bezirke tile the city. Fixed by the centroids, not by the seed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import shapely
from shapely.geometry import MultiPoint, Point, Polygon
from shapely.geometry.base import BaseGeometry

from loaders.geo.shapes import geometry_text

# Degrees around the outer centroids: the city's edge lies beyond its outer Bezirke.
_MARGIN = 0.02
# Coordinates rounded to ~1 m: enough for a map, and the GeoJSON text stays small.
_DIGITS = 5


def _rounded(geometry: BaseGeometry) -> BaseGeometry:
    return shapely.set_precision(geometry, 10**-_DIGITS)


def district_cells(centroids: Mapping[str, tuple[float, float]]) -> dict[str, BaseGeometry]:
    """Id -> cell of each (lat, lon) centroid; together they cover the city."""
    points = {k: Point(lon, lat) for k, (lat, lon) in centroids.items()}
    hull = MultiPoint(list(points.values())).convex_hull.buffer(_MARGIN)
    cells = shapely.voronoi_polygons(MultiPoint(list(points.values())), extend_to=hull)
    out: dict[str, BaseGeometry] = {}
    for cell in cells.geoms:
        owner = next(k for k, p in points.items() if cell.contains(p))
        out[owner] = _rounded(cell.intersection(hull))
    return out


def wedges(cell: BaseGeometry, count: int) -> list[BaseGeometry]:
    """``count`` parts of a convex cell, cut like a cake around its centre."""
    if count <= 1:
        return [cell]
    centre = cell.centroid
    reach = 1.0  # degrees: far beyond any cell
    parts = []
    for n in range(count):
        a, b = (2 * math.pi * n / count, 2 * math.pi * (n + 1) / count)
        steps = [a + (b - a) * i / 8 for i in range(9)]
        ring = [(centre.x, centre.y)] + [
            (centre.x + reach * math.cos(t), centre.y + reach * math.sin(t)) for t in steps
        ]
        parts.append(_rounded(cell.intersection(Polygon(ring))))
    return parts


def outlines(
    districts: Mapping[str, tuple[float, float]], subdistricts: Mapping[str, Sequence[str]]
) -> dict[str, str]:
    """Area id -> GeoJSON geometry text for the Bezirke (by centroid) and their Stadtteile
    (``subdistricts``: Bezirk id -> its Stadtteil ids, in order)."""
    cells = district_cells(districts)
    out = {k: geometry_text(cell) for k, cell in cells.items()}
    for district, parts in subdistricts.items():
        for area_id, part in zip(parts, wedges(cells[district], len(parts)), strict=True):
            out[area_id] = geometry_text(part)
    return out
