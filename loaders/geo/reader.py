"""``verbund import areas.geojson``: polygons become Sozialräume without writing a mapping file.

The options describe one area layer of the mapping machinery (``loaders.mapping``), so a
GeoJSON import behaves exactly like the same layer in a mapping file: geometry kept, centroid,
ADJACENT_TO from shared borders, nesting by id prefix, a parent property, one fixed parent or
containment in areas of another level already in the graph, and CRS transformation to WGS84.
Id and name properties are found by their usual names when not given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from graph.records import AreaLevel
from loaders.errors import Issue, LoaderError
from loaders.geo.features import FeatureScan, scan_features
from loaders.mapping.reader import AreaLookup, read_mapping
from loaders.mapping.spec import Layer, Mapping
from loaders.messages import german_message
from loaders.tabular.reader import ParsedBundle

# Property names offices and statistics offices use, compared without regard to case.
ID_PROPERTIES = ("id", "nr", "nummer", "schluessel", "schlüssel", "code", "key", "ags", "ars")
NAME_PROPERTIES = ("name", "bezeichnung", "gen", "titel", "label", "namlang")


@dataclass(frozen=True, slots=True)
class GeoJsonOptions:
    """How the features of a GeoJSON file become areas (CLI: ``--level``, ``--id-property`` …)."""

    level: AreaLevel = "district"
    id_property: str | None = None
    name_property: str | None = None
    id_prefix: str = ""
    parent_id: str | None = None
    parent_prefix: int | None = None
    parent_property: str | None = None
    parent_level: AreaLevel | None = None
    crs: str | None = None

    def parent(self) -> dict[str, Any]:
        """The layer's nesting rule; at most one may be given."""
        rules: dict[str, dict[str, Any]] = {}
        if self.parent_id is not None:
            rules["--parent-id"] = {"parent": {"value": self.parent_id}}
        if self.parent_prefix is not None:
            rules["--parent-prefix"] = {
                "parent": {
                    "column": self.id_property,
                    "length": self.parent_prefix,
                    "prefix": self.id_prefix,
                }
            }
        if self.parent_property is not None:
            rules["--parent-property"] = {
                "parent": {"column": self.parent_property, "prefix": self.id_prefix}
            }
        if self.parent_level is not None:
            rules["--parent-level"] = {"parent_by_containment": self.parent_level}
        if len(rules) > 1:
            raise LoaderError(f"nur eine Regel für den Elternraum angeben: {', '.join(rules)}")
        return next(iter(rules.values()), {})


def detect_property(scan: FeatureScan, candidates: Sequence[str]) -> str | None:
    """The first candidate (any case) that every feature fills, else the first any feature has
    (then the features without a value are reported one by one)."""
    names = {name.casefold(): name for name in scan.present}
    present = [names[c] for c in candidates if c in names]
    for name in present:
        if scan.filled[name] == scan.count:
            return name
    return present[0] if present else None


def _missing(
    path: Path, what: str, option: str, candidates: Sequence[str], seen: set[str]
) -> Issue:
    present = ", ".join(sorted(seen)) or "keine"
    return Issue(
        path.name,
        None,
        None,
        f"keine Eigenschaft für {what} gefunden (gesucht: {', '.join(candidates)};"
        f" vorhanden: {present}); bitte {option} angeben",
    )


def read_geojson(
    path: Path, source: str, options: GeoJsonOptions, lookup: AreaLookup | None = None
) -> ParsedBundle:
    """The areas of a GeoJSON FeatureCollection of polygons, validated."""
    options.parent()  # conflicting nesting options are a usage error, before reading
    if not path.is_file():
        return ParsedBundle(issues=[Issue(path.name, None, None, "Datei nicht gefunden")])
    issues: list[Issue] = []
    scan = scan_features(path, issues)
    if scan is None:
        return ParsedBundle(issues=issues)
    if not scan.count:
        return ParsedBundle(issues=[Issue(path.name, None, None, "keine Features in der Datei")])
    seen = scan.present
    id_property = options.id_property or detect_property(scan, ID_PROPERTIES)
    name_property = options.name_property or detect_property(scan, NAME_PROPERTIES)
    if id_property is None:
        issues.append(_missing(path, "die Id", "--id-property", ID_PROPERTIES, seen))
    if name_property is None:
        issues.append(_missing(path, "den Namen", "--name-property", NAME_PROPERTIES, seen))
    if issues:
        return ParsedBundle(issues=issues)
    resolved = replace(options, id_property=id_property, name_property=name_property)
    try:
        layer = Layer.model_validate(
            {
                "file": path.name,
                "kind": "areas",
                "level": options.level,
                "crs": options.crs,
                "id": {"column": id_property, "prefix": options.id_prefix},
                "name": name_property,
                **resolved.parent(),
            }
        )
    except ValidationError as exc:
        raise LoaderError("; ".join(german_message(e) for e in exc.errors())) from None
    return read_mapping(Mapping(layers=[layer]), path.name, path.parent, source, lookup)
