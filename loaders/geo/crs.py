"""Coordinate reference systems: everything verbund stores is WGS84 (lon/lat)."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from loaders.errors import LoaderError

WGS84_NAMES = {"urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:EPSG::4326", "EPSG:4326"}

XY = Callable[[float, float], tuple[float, float]]
Arrays = Callable[[Any, Any], tuple[Any, Any]]


def crs_of(geojson: dict[str, Any], default: str = "EPSG:4326") -> str:
    """The (legacy) ``crs`` member of a GeoJSON object, or the default (RFC 7946: WGS84)."""
    member = geojson.get("crs") or {}
    name = (member.get("properties") or {}).get("name")
    return str(name) if name else default


@lru_cache(maxsize=16)
def to_wgs84(crs_name: str) -> XY | None:
    """A transform (x, y) -> (lon, lat), or None when the data is WGS84 already."""
    if crs_name in WGS84_NAMES:
        return None
    try:
        source = CRS.from_user_input(crs_name)
    except CRSError as exc:
        raise LoaderError(f"unbekanntes Koordinatensystem {crs_name!r}") from exc
    transformer = Transformer.from_crs(source, "EPSG:4326", always_xy=True)

    def transform(x: float, y: float) -> tuple[float, float]:
        lon, lat = transformer.transform(x, y)
        return float(lon), float(lat)

    return transform


@lru_cache(maxsize=16)
def arrays_to_wgs84(crs_name: str) -> Arrays | None:
    """Like ``to_wgs84``, for whole coordinate arrays (geometries)."""
    if to_wgs84(crs_name) is None:
        return None
    transformer = Transformer.from_crs(CRS.from_user_input(crs_name), "EPSG:4326", always_xy=True)

    def transform(xs: Any, ys: Any) -> tuple[Any, Any]:
        lons, lats = transformer.transform(xs, ys)
        return lons, lats

    return transform


def likely_crs(x: float, y: float) -> str | None:
    """The projected system coordinates (x = easting / longitude column, y = northing /
    latitude column) most likely come from, for a German office's data; None if no guess.

    Ranges for Germany: UTM (ETRS89) eastings 250 000–950 000 m and northings
    5 200 000–6 150 000 m; Gauß-Krüger eastings with the zone digit in front (2.5–5.6 million);
    Web Mercator x 600 000–1 700 000, y 5 900 000–7 450 000 (overlapping UTM only in the north).
    """
    x, y = abs(x), abs(y)
    if 5_200_000 <= x <= 6_150_000 and y < 1_000_000:
        x, y = y, x  # northing and easting swapped: name the system all the same
    if 32_000_000 <= x <= 33_950_000 and 5_200_000 <= y <= 6_150_000:
        return "UTM mit Zonenziffer vor dem Rechtswert (EPSG:4647 oder EPSG:5650)"
    if 2_500_000 <= x <= 5_600_000 and 5_200_000 <= y <= 6_150_000:
        return "Gauß-Krüger (EPSG:31466, 31467, 31468 oder 31469)"
    if 250_000 <= x <= 950_000 and 5_200_000 <= y <= 6_150_000:
        return "UTM (ETRS89 / UTM 32N EPSG:25832 oder 33N EPSG:25833)"
    if 600_000 <= x <= 1_700_000 and 5_900_000 <= y <= 7_450_000:
        return "Web Mercator (EPSG:3857)"
    return None
