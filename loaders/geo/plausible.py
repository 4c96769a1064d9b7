"""Coordinates and polygons checked before the first write.

Everything verbund stores is WGS84. A point outside WGS84's ranges is refused with the
system its values look like (UTM, Gauß-Krüger, Web Mercator); a point far outside the areas
of the import and the graph is refused as probably swapped or in another system. A polygon
that crosses itself is refused with where it does, unless the import asks to repair it
(``--repair-geometry``: shapely's ``make_valid``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from shapely import make_valid
from shapely.errors import GEOSException
from shapely.validation import explain_validity

from loaders.errors import Issue
from loaders.geo.crs import likely_crs
from loaders.geo.shapes import geometry_text, parse_geometry_text
from loaders.tabular.reader import Origin, ParsedBundle

# How far (degrees) a point may lie outside the box around the known areas: a Träger's
# office just beyond the city border is fine, a point 100 km away is not.
MARGIN = 0.5


@dataclass(frozen=True, slots=True)
class Extent:
    """A lon/lat box."""

    west: float
    south: float
    east: float
    north: float

    def holds(self, lon: float, lat: float) -> bool:
        return (
            self.west - MARGIN <= lon <= self.east + MARGIN
            and self.south - MARGIN <= lat <= self.north + MARGIN
        )

    def union(self, other: Extent | None) -> Extent:
        if other is None:
            return self
        return Extent(
            min(self.west, other.west),
            min(self.south, other.south),
            max(self.east, other.east),
            max(self.north, other.north),
        )

    def __str__(self) -> str:
        return (
            f"Breite {self.south:.2f} bis {self.north:.2f}, Länge {self.west:.2f} bis "
            f"{self.east:.2f}"
        )


def check_places(
    parsed: ParsedBundle, graph_extent: Extent | None, *, repair_geometry: bool = False
) -> list[Issue]:
    """Every implausible coordinate and invalid polygon of the bundle; with
    ``repair_geometry`` invalid polygons are repaired in place instead."""
    issues: list[Issue] = []
    extent = _geometries(parsed, issues, repair_geometry)
    for area in parsed.bundle.areas:
        lat, lon = area.centroid_lat, area.centroid_lon
        if lat is not None and lon is not None and _implausible(lat, lon, None) is None:
            extent = Extent(lon, lat, lon, lat).union(extent)
    extent = extent.union(graph_extent) if extent is not None else graph_extent
    for origin, field_name, lat, lon in _points(parsed):
        message = _implausible(lat, lon, extent)
        if message is not None:
            issues.append(_issue(origin, field_name, message))
    return issues


def _geometries(parsed: ParsedBundle, issues: list[Issue], repair: bool) -> Extent | None:
    """Check the areas' polygons (repairing them if asked); the box around the valid ones."""
    extent: Extent | None = None
    areas = parsed.bundle.areas
    origins = parsed.origins.get("areas", [])
    for index, area in enumerate(areas):
        if not area.geometry:
            continue
        origin = origins[index] if index < len(origins) else None
        try:
            shape = parse_geometry_text(area.geometry)
        except (ValueError, TypeError, KeyError, AttributeError, GEOSException) as exc:
            issues.append(_issue(origin, "geometry", f"keine lesbare GeoJSON-Geometrie ({exc})"))
            continue
        west, south, east, north = shape.bounds
        corner = _implausible(south, west, None) or _implausible(north, east, None)
        if corner is not None:
            issues.append(_issue(origin, "geometry", "Fläche: " + corner))
            continue
        if not shape.is_valid:
            if repair:
                areas[index] = replace(area, geometry=geometry_text(make_valid(shape)))
            else:
                issues.append(_issue(origin, "geometry", _invalid(explain_validity(shape))))
                continue
        box = Extent(west, south, east, north)
        extent = box.union(extent)
    return extent


def _invalid(reason: str) -> str:
    """shapely's reason (``Self-intersection[9.18 48.77]``) in German, with the place."""
    kind, _, where = reason.partition("[")
    place = ""
    if where:
        parts = where.rstrip("]").split()
        if len(parts) == 2:
            place = f" bei Länge {parts[0]}, Breite {parts[1]}"
    words = {
        "Self-intersection": "Fläche schneidet sich selbst",
        "Ring Self-intersection": "Ring der Fläche schneidet sich selbst",
        "Too few points in geometry component": "zu wenige Punkte",
        "Hole lies outside shell": "Loch liegt außerhalb der Fläche",
        "Nested shells": "Flächen ineinander verschachtelt",
        "Interior is disconnected": "Inneres der Fläche zerfällt",
        "Duplicate Rings": "Ring doppelt",
    }
    text = words.get(kind.strip(), f"ungültige Fläche ({kind.strip()})")
    return (
        f"{text}{place} – bitte in einem GIS korrigieren oder beim Import "
        "--repair-geometry angeben (repariert automatisch)"
    )


def _points(parsed: ParsedBundle) -> Iterator[tuple[Origin | None, str, float, float]]:
    bundle = parsed.bundle
    for table, records, lat_field, lon_field in (
        ("locations", bundle.locations, "latitude", "longitude"),
        ("areas", bundle.areas, "centroid_lat", "centroid_lon"),
    ):
        origins = parsed.origins.get(table, [])
        for index, record in enumerate(records):
            lat, lon = getattr(record, lat_field), getattr(record, lon_field)
            if lat is None or lon is None or getattr(record, "geometry", None):
                continue  # an area's centroid comes from its polygon, checked as such
            origin = origins[index] if index < len(origins) else None
            yield origin, lat_field, float(lat), float(lon)


def _implausible(lat: float, lon: float, extent: Extent | None) -> str | None:
    shown = f"Breite {lat:g}, Länge {lon:g}"
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        guess = likely_crs(lon, lat)
        hint = f"; die Werte sehen nach {guess} aus" if guess else ""
        return (
            f"Koordinaten {shown} liegen außerhalb von WGS84 (Breite −90…90, Länge −180…180)"
            f"{hint} – bitte in WGS84 (Grad) umrechnen oder bei GeoJSON/Zuordnung das "
            "Koordinatensystem angeben (--crs bzw. crs:)"
        )
    if extent is None or extent.holds(lon, lat):
        return None
    if extent.holds(lat, lon):
        return f"Koordinaten {shown}: Breite und Länge sind wohl vertauscht – bitte tauschen"
    return (
        f"Koordinaten {shown} liegen weit außerhalb der Sozialräume ({extent}) – bitte "
        "prüfen (anderes Koordinatensystem oder Tippfehler?)"
    )


def _issue(origin: Origin | None, field_name: str, message: str) -> Issue:
    if origin is None or not origin.row:
        return Issue(origin.file if origin else "areas", None, field_name, message)
    return origin.issue(field_name, message)
