"""Area shapes: centroids, adjacency from shared borders, nesting by containment, placement."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from shapely import STRtree, to_geojson
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

# In degrees (WGS84): borders drawn by different offices rarely match exactly, so two areas
# count as neighbours when their outlines run within ~1 m of each other for more than ~20 m.
BORDER_TOLERANCE = 1e-5
MIN_SHARED_BORDER = 2e-4
# Points up to ~150 m outside every polygon (geocoding at the border) go to the nearest one.
PLACEMENT_TOLERANCE = 2e-3


@dataclass(frozen=True, slots=True)
class Shape:
    """An area's id and its geometry (WGS84)."""

    id: str
    geometry: BaseGeometry


def geometry_of(geojson_geometry: dict[str, Any]) -> BaseGeometry:
    return shape(geojson_geometry)


def geometry_text(geometry: BaseGeometry) -> str:
    """The geometry as compact GeoJSON text (what Area.geometry keeps for maps)."""
    return str(to_geojson(geometry))


def parse_geometry_text(text: str) -> BaseGeometry:
    return shape(json.loads(text))


def centroid(geometry: BaseGeometry) -> tuple[float, float]:
    """(lat, lon) of the centroid, rounded to ~1 cm."""
    point = geometry.centroid
    return round(float(point.y), 7), round(float(point.x), 7)


def adjacent_pairs(shapes: Sequence[Shape]) -> list[tuple[str, str]]:
    """Pairs (a, b), a < b, of areas that share a border of some length (not just a corner)."""
    tree = STRtree([s.geometry for s in shapes])
    pairs: set[tuple[str, str]] = set()
    for i, item in enumerate(shapes):
        grown = item.geometry.buffer(BORDER_TOLERANCE)
        for j in tree.query(grown):
            other = shapes[int(j)]
            if int(j) <= i or other.id == item.id:
                continue
            shared = grown.intersection(other.geometry.boundary)
            if shared.length > MIN_SHARED_BORDER:
                a, b = sorted((item.id, other.id))
                pairs.add((a, b))
    return sorted(pairs)


class Placer:
    """Finds the area a point lies in (point in polygon, nearest within a small tolerance)."""

    def __init__(self, shapes: Sequence[Shape]) -> None:
        self._shapes = list(shapes)
        self._tree = STRtree([s.geometry for s in self._shapes])

    def place(self, lon: float, lat: float) -> str | None:
        point = Point(lon, lat)
        hits = [self._shapes[int(i)] for i in self._tree.query(point, predicate="intersects")]
        if hits:
            # Points on a shared border: the smallest id wins, so placement is deterministic.
            return min(h.id for h in hits)
        nearest = self._tree.query_nearest(point, max_distance=PLACEMENT_TOLERANCE)
        if len(nearest):
            return min(self._shapes[int(i)].id for i in nearest)
        return None

    def container_of(self, geometry: BaseGeometry) -> str | None:
        """The area containing most of ``geometry`` (nesting by containment)."""
        best: tuple[float, str] | None = None
        probe = geometry.representative_point()
        for i in self._tree.query(probe, predicate="intersects"):
            candidate = self._shapes[int(i)]
            overlap = candidate.geometry.intersection(geometry).area
            if best is None or overlap > best[0]:
                best = (overlap, candidate.id)
        return best[1] if best else None
