"""What an HSDS import looks up in the graph: Sozialräume by name (a service area names its
place, not verbund's id) or by the areas its ``extent`` overlaps, and which taxonomy terms
and Träger exist (a term's parent, a location's Träger may be stored already)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from shapely import wkt
from shapely.errors import ShapelyError
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union

from loaders.geo.shapes import Shape
from loaders.mapping.spec import slugify

# Finest first: a service area is matched to the smallest Sozialräume that have a geometry.
LEVELS = ("planning", "subdistrict", "district", "city")
# An area counts as served when this share of it lies in the extent (borders drawn by
# different offices never match exactly; a sliver along the edge is no service).
OVERLAP = 0.2


@dataclass(slots=True)
class Directory:
    """Lookups into the graph; without them (``Directory()``) only the input itself counts."""

    area_names: Callable[[], list[tuple[str, str]]] = list
    existing: Callable[[str, Iterable[str]], set[str]] = lambda label, ids: set()
    shapes: Callable[[str], list[Shape]] = lambda level: []
    _by_name: dict[str, list[str]] | None = field(default=None, init=False)
    _names: dict[str, str] = field(default_factory=dict, init=False)
    _shapes: dict[str, list[Shape]] = field(default_factory=dict, init=False)

    def areas_named(self, name: str) -> list[str]:
        """The Sozialräume a service area's name means: by id (a Gemeindeschlüssel or LOR
        number is the id) or by name, spelling variants alike; several where names repeat."""
        by_name = self._index()
        text = name.strip()
        if text in self._names:
            return [text]
        return list(by_name.get(slugify(text), []))

    def area_name(self, area_id: str) -> str | None:
        self._index()
        return self._names.get(area_id)

    def _index(self) -> dict[str, list[str]]:
        if self._by_name is None:
            self._by_name = {}
            for area_id, area_name in self.area_names():
                self._names[area_id] = area_name
                self._by_name.setdefault(slugify(area_name), []).append(area_id)
        return self._by_name

    def areas_in(self, extent: str, extent_type: str | None) -> list[str] | str:
        """The Sozialräume an ``extent`` (GeoJSON or WKT, WGS84) covers, or why none can be
        told (German)."""
        found = _geometry(extent, (extent_type or "").casefold())
        if isinstance(found, str):
            return found
        for level in LEVELS:
            if level not in self._shapes:  # read once per import, not once per record
                self._shapes[level] = self.shapes(level)
            shapes = self._shapes[level]
            if not shapes:
                continue
            return [
                s.id
                for s in shapes
                if s.geometry.area > 0
                and s.geometry.intersection(found).area >= OVERLAP * s.geometry.area
            ]
        return "keine Sozialräume mit Fläche in der Datenbank"


def _geometry(text: str, kind: str) -> BaseGeometry | str:
    try:
        if kind == "wkt":
            return wkt.loads(text)
        if kind in ("geojson", ""):
            data = json.loads(text)
            if data.get("type") == "FeatureCollection":
                return unary_union([shape(f["geometry"]) for f in data["features"]])
            return shape(data["geometry"] if data.get("type") == "Feature" else data)
    except (ValueError, TypeError, KeyError, AttributeError, ShapelyError):
        return f"extent ist kein lesbares {kind or 'GeoJSON'}"
    return f"extent_type „{kind}“ wird nicht gelesen (GeoJSON oder WKT angeben)"
