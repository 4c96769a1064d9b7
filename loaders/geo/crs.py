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
