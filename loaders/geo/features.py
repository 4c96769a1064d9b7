"""Reading GeoJSON FeatureCollections: properties and WGS84 geometry of each feature, with
every problem reported as an issue naming the file and the feature's number.

Files are streamed twice (``loaders.jsonstream``): a scan for the reference system (``crs`` may
follow the features) and the properties present, then the features one at a time, so only the
geometries kept for the import are ever in memory, never the decoded file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from shapely.errors import GEOSException
from shapely.geometry.base import BaseGeometry

from loaders.errors import Issue
from loaders.geo.crs import arrays_to_wgs84, crs_of
from loaders.geo.shapes import geometry_of
from loaders.jsonstream import JsonDocument, JsonRecord, JsonSyntaxError, json_records
from loaders.values import is_blank


@dataclass(frozen=True, slots=True)
class Feature:
    """One feature: its number (1-based, file order), properties and geometry in WGS84."""

    number: int
    properties: dict[str, Any]
    geometry: BaseGeometry | None


def feature_issue(path: Path, number: int, field: str | None, message: str) -> Issue:
    return Issue(path.name, number, field, message, "Datensatz", "Feld")


@dataclass(slots=True)
class FeatureScan:
    """A first streaming pass over a FeatureCollection: its reference system, the number of
    features, the properties any feature has and how many features fill each."""

    crs: str = "EPSG:4326"
    count: int = 0
    present: set[str] = field(default_factory=set)
    filled: Counter[str] = field(default_factory=Counter)


def _records(path: Path, issues: list[Issue], document: JsonDocument) -> Iterator[JsonRecord]:
    """The features streamed (one at a time in memory); syntax errors become issues."""
    try:
        with path.open(encoding="utf-8-sig") as fh:
            yield from json_records(fh, "features", document, whole=False)
    except JsonSyntaxError as exc:
        issues.append(Issue(path.name, exc.line, None, f"kein JSON: {exc.message}"))
    except UnicodeDecodeError as exc:
        issues.append(Issue(path.name, None, None, f"nicht UTF-8: {exc.reason}"))


def scan_features(path: Path, issues: list[Issue]) -> FeatureScan | None:
    """The scan, or None (with an issue) when the file is not a readable FeatureCollection."""
    before = len(issues)
    document = JsonDocument()
    scan = FeatureScan()
    for record in _records(path, issues, document):
        properties = properties_of(record.value)
        scan.count += 1
        scan.present.update(properties)
        scan.filled.update(k for k, v in properties.items() if not is_blank(v))
    if len(issues) > before:
        return None
    if document.shape != "{" or document.members.get("type") != "FeatureCollection":
        issues.append(Issue(path.name, None, None, "GeoJSON-FeatureCollection erwartet"))
        return None
    if not document.streamed:
        issues.append(Issue(path.name, None, "features", "Liste der Features fehlt"))
        return None
    scan.crs = crs_of(document.members)
    return scan


def properties_of(feature: Any) -> dict[str, Any]:
    """The feature's properties; a feature-level ``id`` (RFC 7946) counts as property ``id``."""
    if not isinstance(feature, dict):
        return {}
    properties = feature.get("properties")
    out = dict(properties) if isinstance(properties, dict) else {}
    if "id" not in out and feature.get("id") is not None:
        out["id"] = feature["id"]
    return out


def read_features(path: Path, crs: str, issues: list[Issue]) -> Iterator[Feature]:
    """Every feature of a scanned file, streamed, its geometry transformed from ``crs``."""
    to_lonlat = arrays_to_wgs84(crs)
    for record in _records(path, issues, JsonDocument()):
        raw, number = record.value, record.number
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
        yield Feature(number, properties_of(raw), geometry)
