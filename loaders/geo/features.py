"""Reading GeoJSON FeatureCollections: properties and WGS84 geometry of each feature, with
every problem reported as an issue naming the file and the feature's number."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import shapely
from shapely.errors import GEOSException
from shapely.geometry.base import BaseGeometry

from loaders.errors import Issue
from loaders.geo.crs import arrays_to_wgs84, crs_of
from loaders.geo.shapes import geometry_of


@dataclass(frozen=True, slots=True)
class Feature:
    """One feature: its number (1-based, file order), properties and geometry in WGS84."""

    number: int
    properties: dict[str, Any]
    geometry: BaseGeometry | None


def feature_issue(path: Path, number: int, field: str | None, message: str) -> Issue:
    return Issue(path.name, number, field, message, "Datensatz", "Feld")


def load_collection(path: Path, issues: list[Issue]) -> dict[str, Any] | None:
    """The decoded FeatureCollection, or None (with an issue) when it is not one."""
    try:
        with path.open(encoding="utf-8-sig") as fh:
            data = json.load(fh)
    except json.JSONDecodeError as exc:
        issues.append(Issue(path.name, exc.lineno, None, f"kein JSON: {exc.msg}"))
        return None
    except UnicodeDecodeError as exc:
        issues.append(Issue(path.name, None, None, f"nicht UTF-8: {exc.reason}"))
        return None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        issues.append(Issue(path.name, None, None, "GeoJSON-FeatureCollection erwartet"))
        return None
    if not isinstance(data.get("features"), list):
        issues.append(Issue(path.name, None, "features", "Liste der Features fehlt"))
        return None
    return data


def properties_of(feature: Any) -> dict[str, Any]:
    """The feature's properties; a feature-level ``id`` (RFC 7946) counts as property ``id``."""
    if not isinstance(feature, dict):
        return {}
    properties = feature.get("properties")
    out = dict(properties) if isinstance(properties, dict) else {}
    if "id" not in out and feature.get("id") is not None:
        out["id"] = feature["id"]
    return out


def read_features(path: Path, crs: str | None, issues: list[Issue]) -> list[Feature]:
    """Every feature of the file, geometry transformed from the file's (or ``crs``) system."""
    collection = load_collection(path, issues)
    if collection is None:
        return []
    to_lonlat = arrays_to_wgs84(crs or crs_of(collection))
    features = []
    for number, raw in enumerate(collection["features"], start=1):
        if not isinstance(raw, dict) or raw.get("type") != "Feature":
            issues.append(feature_issue(path, number, None, "kein GeoJSON-Feature"))
            continue
        geometry = None
        if raw.get("geometry"):
            try:
                geometry = geometry_of(raw["geometry"])
                if to_lonlat is not None:
                    geometry = shapely.transform(geometry, to_lonlat, interleaved=False)
            except (GEOSException, ValueError, TypeError, AttributeError, KeyError) as exc:
                issues.append(feature_issue(path, number, "geometry", f"ungültig: {exc}"))
                continue
        features.append(Feature(number, properties_of(raw), geometry))
    return features
