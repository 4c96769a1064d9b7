"""``verbund import areas.geojson``: polygons become Sozialräume without writing a mapping file.

The options describe one area layer of the mapping machinery (``loaders.mapping``), so a
GeoJSON import behaves exactly like the same layer in a mapping file: geometry kept, centroid,
ADJACENT_TO from shared borders, nesting by id prefix, a parent property, one fixed parent or
containment in areas of another level already in the graph, and CRS transformation to WGS84.
Id and name properties are found by their usual names when not given.
"""

from __future__ import annotations

from collections.abc import Mapping as MappingOf
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, get_args

from pydantic import ValidationError

from graph.records import AreaLevel
from graph.vocabulary import labelled
from loaders.errors import Issue, LoaderError
from loaders.geo.features import FeatureScan, scan_features
from loaders.mapping.reader import AreaLookup, read_mapping
from loaders.mapping.spec import Layer, Mapping
from loaders.messages import german_message
from loaders.tabular.reader import ParsedBundle

# Property names offices and statistics offices use, compared without regard to case.
ID_PROPERTIES = ("id", "nr", "nummer", "schluessel", "schlüssel", "code", "key", "ags", "ars")
NAME_PROPERTIES = ("name", "bezeichnung", "gen", "titel", "label", "namlang")


# Each option as the import page labels it and as the CLI spells it: messages name both.
OPTION_NAMES: dict[str, tuple[str, str]] = {
    "level": ("Ebene", "--level"),
    "id_property": ("Eigenschaft mit der Id", "--id-property"),
    "name_property": ("Eigenschaft mit dem Namen", "--name-property"),
    "id_prefix": ("Vorsatz vor jeder Id", "--id-prefix"),
    "parent_id": ("Alle Flächen liegen in", "--parent-id"),
    "parent_prefix": ("Elternraum aus den ersten Zeichen der Id", "--parent-prefix"),
    "parent_property": ("Eigenschaft mit dem Elternraum", "--parent-property"),
    "parent_level": ("Elternraum nach Lage in Ebene", "--parent-level"),
    "crs": ("Koordinatensystem", "--crs"),
}
AREA_LEVELS: tuple[str, ...] = get_args(AreaLevel)


def option_name(name: str) -> str:
    """``„Eigenschaft mit der Id“ (--id-property)``: for the page and the CLI alike."""
    label, flag = OPTION_NAMES[name]
    return f"„{label}“ ({flag})"


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
            rules[option_name("parent_id")] = {"parent": {"value": self.parent_id}}
        if self.parent_prefix is not None:
            rules[option_name("parent_prefix")] = {
                "parent": {
                    "column": self.id_property,
                    "length": self.parent_prefix,
                    "prefix": self.id_prefix,
                }
            }
        if self.parent_property is not None:
            rules[option_name("parent_property")] = {
                "parent": {"column": self.parent_property, "prefix": self.id_prefix}
            }
        if self.parent_level is not None:
            rules[option_name("parent_level")] = {"parent_by_containment": self.parent_level}
        if len(rules) > 1:
            raise LoaderError(f"nur eine Regel für den Elternraum angeben: {', '.join(rules)}")
        return next(iter(rules.values()), {})


def geojson_options(given: MappingOf[str, Any]) -> GeoJsonOptions | None:
    """The GeoJSON options from the CLI's or the import page's values (empty ones left out),
    or None when none was given; a value out of range raises ``LoaderError`` naming it."""
    known = {f.name for f in fields(GeoJsonOptions)}
    values = {k: v for k, v in given.items() if k in known and v is not None and v != ""}
    if not values:
        return None
    for name in ("level", "parent_level"):
        if name in values and values[name] not in AREA_LEVELS:
            raise LoaderError(
                f"{option_name(name)}: unbekannte Ebene „{values[name]}“; erlaubt: "
                + ", ".join(labelled(list(AREA_LEVELS)))
            )
    if "parent_prefix" in values:
        try:
            values["parent_prefix"] = int(values["parent_prefix"])
        except (TypeError, ValueError):
            values["parent_prefix"] = 0
        if values["parent_prefix"] < 1:
            raise LoaderError(f"{option_name('parent_prefix')}: eine ganze Zahl ab 1 angeben")
    return GeoJsonOptions(**values)


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
        issues.append(_missing(path, "die Id", option_name("id_property"), ID_PROPERTIES, seen))
    if name_property is None:
        issues.append(
            _missing(path, "den Namen", option_name("name_property"), NAME_PROPERTIES, seen)
        )
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
