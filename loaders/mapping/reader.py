"""Run a mapping file over its input files: foreign lists in, a validated Bundle out.

Layers run in order. Area layers (GeoJSON polygons or CSV rows) create Sozialräume, nested by
an id rule or by containment, with geometry, centroid and adjacency from shared borders.
Indicator layers add attributes to those areas. Service layers turn each row into a Träger
(merged over all rows naming it, see ``organizations``), a Standort placed in its area by point
in polygon, and an Angebot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError
from shapely.geometry.base import BaseGeometry

from graph.records import Adjacency, Area, Category, Organization
from loaders.errors import Issue
from loaders.geo.crs import to_wgs84
from loaders.geo.features import read_features, scan_features
from loaders.geo.shapes import (
    Placer,
    Shape,
    adjacent_pairs,
    centroid,
    geometry_text,
)
from loaders.mapping.organizations import (
    ORGANIZATION_FIELDS,
    organization_headers,
    organization_merger,
)
from loaders.mapping.spec import Layer, Mapping, Value, slugify
from loaders.merge import RecordMerger
from loaders.messages import german_message
from loaders.tabular.reader import Origin, ParsedBundle
from loaders.tabular.tables import TABLES_BY_NAME
from loaders.textfile import CsvSyntaxError, read_rows
from loaders.values import (
    is_blank,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_float,
    parse_int,
    parse_list,
    parse_text,
)

AREA_GEOMETRIES = ("Polygon", "MultiPolygon")

AreaLookup = Callable[[str], list[Shape]]  # level -> shapes already in the graph

_PARSERS: dict[str, Callable[[Any], Any]] = {
    "text": parse_text,
    "int": parse_int,
    "float": parse_float,
    "bool": parse_bool,
    "date": parse_date,
    "datetime": parse_datetime,
    "list": parse_list,
    "indicators": lambda v: v,
}


@dataclass(slots=True)
class _Row:
    number: int
    values: dict[str, Any]
    geometry: BaseGeometry | None
    feature: bool = False  # a GeoJSON feature: messages speak of records and fields


@dataclass(slots=True)
class _State:
    source: str
    parsed: ParsedBundle
    areas: dict[str, Area] = field(default_factory=dict)
    area_origins: dict[str, Origin] = field(default_factory=dict)
    area_shapes: dict[str, BaseGeometry] = field(default_factory=dict)
    organizations: RecordMerger[Organization] = field(default_factory=organization_merger)
    service_ids: set[str] = field(default_factory=set)
    placers: dict[str, Placer] = field(default_factory=dict)
    lookup: AreaLookup | None = None

    @property
    def issues(self) -> list[Issue]:
        return self.parsed.issues


def load_mapping(path: Path) -> tuple[Mapping | None, list[Issue]]:
    try:
        raw = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        return None, [Issue(path.name, None, None, f"nicht lesbar: {exc}")]
    try:
        return Mapping.model_validate(raw), []
    except ValidationError as exc:
        return None, [
            Issue(
                path.name,
                None,
                ".".join(str(p) for p in e["loc"]),
                german_message(e),
                "",
                "Eintrag",
            )
            for e in exc.errors()
        ]


def read_mapped(
    mapping_path: Path, data: Path, source: str, lookup: AreaLookup | None = None
) -> ParsedBundle:
    """Everything the mapping describes, read from the files under ``data``."""
    mapping, issues = load_mapping(mapping_path)
    if mapping is None:
        return ParsedBundle(issues=issues)
    folder = data if data.is_dir() else data.parent
    return read_mapping(mapping, mapping_path.name, folder, source, lookup)


def read_mapping(
    mapping: Mapping,
    label: str,
    folder: Path,
    source: str,
    lookup: AreaLookup | None = None,
) -> ParsedBundle:
    """Run a loaded mapping (``label`` names it in messages) over the files in ``folder``."""
    parsed = ParsedBundle()
    state = _State(source, parsed, lookup=lookup)
    origin = Origin(label, 0, {})
    for fixed in mapping.areas:
        area = Area(**fixed.model_dump(), source=source)
        state.areas[area.id] = area
        state.area_origins[area.id] = origin
    for cat in mapping.categories:
        parsed.bundle.categories.append(Category(**cat.model_dump(), source=source))
        parsed.origins.setdefault("categories", []).append(origin)
    if mapping.categories:
        parsed.tables.add("categories")
    for layer in mapping.layers:
        _run_layer(state, layer, folder / layer.file)
    parsed.bundle.areas.extend(state.areas.values())
    parsed.origins["areas"] = [state.area_origins[a] for a in state.areas]
    parsed.bundle.organizations.extend(state.organizations.records())
    parsed.origins["organizations"] = state.organizations.origins()
    if state.areas:
        parsed.tables.update({"areas", "adjacencies"})
        if not mapping.areas:
            parsed.columns["areas"] = _area_columns(mapping.layers)
    if state.organizations:
        parsed.tables.add("organizations")
    services = [layer for layer in mapping.layers if layer.kind == "services"]
    if services:
        parsed.columns.update(_service_columns(services))
    return parsed


# Record field -> the layer option that fills it (unmapped: the stored value stays).
_SERVICE_OPTIONS = {
    "description": "description",
    "target_groups": "target_groups",
    "languages": "languages",
    "legal_basis": "legal_basis",
    "capacity": "capacity",
    "capacity_unit": "capacity_unit",
    "email": "email",
    "url": "url",
    "assured_date": "assured_date",
}
_LOCATION_OPTIONS = {
    "street": "street",
    "postal_code": "postal_code",
    "city": "city",
    "phone": "phone",
    "opening_hours": "opening_hours",
}
_ORGANIZATION_OPTIONS = {
    "sector": "sector",
    "description": "organization_description",
    "website": "organization_website",
    "email": "organization_email",
    "phone": "organization_phone",
}


def _service_columns(layers: list[Layer]) -> dict[str, frozenset[str]]:
    """The fields the service layers fill, per table (see ``_area_columns``)."""

    def given(options: dict[str, str]) -> set[str]:
        return {
            name for name, option in options.items() if any(getattr(la, option) for la in layers)
        }

    services = {"id", "organization_id", "name", "category_ids", "location_ids"}
    services |= given(_SERVICE_OPTIONS)
    locations = {"id", "name", "organization_id"} | given(_LOCATION_OPTIONS)
    for layer in layers:
        geojson = Path(layer.file).suffix.lower() in (".geojson", ".json")
        if geojson or (layer.x is not None and layer.y is not None):
            locations |= {"latitude", "longitude"}
        if layer.place_in is not None:
            locations.add("area_id")
            if layer.serve_placed_area:
                services.add("area_ids")
    organizations = {"id", "name"} | given(_ORGANIZATION_OPTIONS)
    return {
        "services": frozenset(services),
        "locations": frozenset(locations),
        "organizations": frozenset(organizations),
    }


def _area_columns(layers: list[Layer]) -> frozenset[str]:
    """The area fields the layers give; the others keep their stored values (an area layer
    without population must not erase the population an earlier import set)."""
    present = {"id", "name", "level"}
    for layer in layers:
        if layer.kind == "areas" and Path(layer.file).suffix.lower() in (".geojson", ".json"):
            present |= {"geometry", "centroid_lat", "centroid_lon"}
        if layer.parent is not None or layer.parent_by_containment is not None:
            present.add("parent_id")
        if layer.population is not None:
            present.add("population")
        present |= {f"indicators.{key}" for key in layer.indicators}
    return frozenset(present)


def _rows(path: Path, layer: Layer, issues: list[Issue]) -> Iterator[_Row]:
    """Rows of a CSV file or features of a GeoJSON file (geometry transformed to WGS84)."""
    if not path.is_file():
        issues.append(Issue(path.name, None, None, "Datei nicht gefunden"))
        return
    wanted = layer.columns()
    if path.suffix.lower() in (".geojson", ".json"):
        scan = scan_features(path, issues)
        if scan is None or not _check_properties(path, wanted, scan.present, issues):
            return
        for feature in read_features(path, layer.crs or scan.crs, issues):
            yield _Row(feature.number, feature.properties, feature.geometry, feature=True)
        return
    rows = read_rows(path)
    try:
        header = [h.strip() for h in next(rows, [])]
        if not _check_columns(path, wanted, set(header), issues):
            return
        for number, cells in enumerate(rows, start=2):
            if all(is_blank(c) for c in cells):
                continue
            yield _Row(number, dict(zip(header, cells, strict=False)), None)
    except CsvSyntaxError as exc:
        issues.append(Issue(path.name, exc.row, None, exc.message))


def _check_columns(path: Path, wanted: set[str], present: set[str], issues: list[Issue]) -> bool:
    """False (with an issue per column) when the file lacks a mapped column; its rows are then
    not read, since every one of them would repeat the error."""
    for column in sorted(wanted - present):
        issues.append(Issue(path.name, 1, column, "Spalte fehlt in der Datei"))
    return wanted <= present


def _check_properties(path: Path, wanted: set[str], present: set[str], issues: list[Issue]) -> bool:
    for name in sorted(wanted - present):
        issues.append(
            Issue(path.name, None, name, "Eigenschaft fehlt in allen Features", "", "Feld")
        )
    return wanted <= present


def _headers(layer: Layer) -> dict[str, str]:
    """Record field -> the column(s) it comes from, for error messages."""
    out: dict[str, str] = {}
    for name in type(layer).model_fields:
        value = getattr(layer, name)
        if isinstance(value, Value) and value.used_columns():
            out[name] = "+".join(value.used_columns())
    out["organization_id"] = out.get("organization_id", out.get("organization", ""))
    out["parent_id"] = out.get("parent", "geometry" if layer.parent_by_containment else "parent")
    xy = [c for v in (layer.x, layer.y) if v is not None for c in v.used_columns()]
    out["coordinates"] = "+".join(xy) if xy else "geometry"
    return out


@cache
def _adapter(table: str) -> TypeAdapter[Any]:
    # Building an adapter generates the record's schema: once per table, not once per row.
    return TypeAdapter(TABLES_BY_NAME[table].record)


def _validated(table: str, data: dict[str, Any], origin: Origin, issues: list[Issue]) -> Any:
    spec = TABLES_BY_NAME[table]
    clean = {
        k: _PARSERS[spec.kinds[k]](v) if k in spec.kinds else v
        for k, v in data.items()
        if v is not None
    }
    try:
        return _adapter(table).validate_python(clean)
    except ValidationError as exc:
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else ""
            issues.append(origin.issue(name, german_message(error)))
        return None


def _run_layer(state: _State, layer: Layer, path: Path) -> None:
    headers = _headers(layer)
    new_shapes: list[Shape] = []
    for row in _rows(path, layer, state.issues):
        origin = Origin(path.name, row.number, headers, json=row.feature)
        if layer.kind == "areas":
            shape = _area_row(state, layer, row, origin)
            if shape is not None:
                new_shapes.append(shape)
        elif layer.kind == "indicators":
            _indicator_row(state, layer, row, origin)
        else:
            _service_row(state, layer, row, origin)
    if layer.kind == "areas" and layer.adjacency and new_shapes:
        for a, b in adjacent_pairs(new_shapes):
            state.parsed.bundle.adjacencies.append(
                Adjacency(area_id=a, other_area_id=b, source=state.source)
            )
            state.parsed.origins.setdefault("adjacencies", []).append(
                Origin(path.name, 0, {"area_id": "Geometrie", "other_area_id": "Geometrie"})
            )


def _area_row(state: _State, layer: Layer, row: _Row, origin: Origin) -> Shape | None:
    assert layer.id is not None
    assert layer.name is not None
    data: dict[str, Any] = {
        "id": layer.id.get(row.values),
        "name": layer.name.get(row.values),
        "level": layer.level,
        "source": state.source,
    }
    if layer.parent is not None:
        data["parent_id"] = layer.parent.get(row.values)
    if layer.population is not None:
        data["population"] = layer.population.get(row.values)
    if row.geometry is not None and row.geometry.geom_type not in AREA_GEOMETRIES:
        kind = row.geometry.geom_type
        hint = (
            " (Einrichtungen als Punkte: Zuordnungsdatei mit kind: services)"
            if "Point" in kind
            else ""
        )
        state.issues.append(
            origin.issue("geometry", f"Fläche (Polygon) erwartet, {kind} gefunden{hint}")
        )
        return None
    if row.geometry is not None:
        data["geometry"] = geometry_text(row.geometry)
        data["centroid_lat"], data["centroid_lon"] = centroid(row.geometry)
        if layer.parent_by_containment is not None:
            placer = _placer(state, layer.parent_by_containment)
            data["parent_id"] = placer.container_of(row.geometry) if placer else None
    area = _validated("areas", data, origin, state.issues)
    if area is None:
        return None
    if area.id in state.areas:
        state.issues.append(origin.issue("id", f"Sozialraum „{area.id}“ doppelt"))
        return None
    state.areas[area.id] = area
    state.area_origins[area.id] = origin
    if row.geometry is None:
        return None
    state.area_shapes[area.id] = row.geometry
    state.placers.pop(area.level, None)
    return Shape(area.id, row.geometry)


def _indicator_row(state: _State, layer: Layer, row: _Row, origin: Origin) -> None:
    assert layer.area is not None
    area_id = layer.area.get(row.values)
    area = state.areas.get(str(area_id))
    if area is None:
        state.issues.append(
            origin.issue("area", f"Sozialraum „{area_id}“ ist nicht Teil dieses Imports")
        )
        return
    data: dict[str, Any] = {"indicators": {}}
    for key, value in layer.indicators.items():
        raw = value.get(row.values)
        if raw is not None:
            data["indicators"][key] = parse_float(raw)
    if layer.population is not None:
        data["population"] = layer.population.get(row.values)
    checked = _validated(
        "areas",
        {**_area_fields(area), **{k: v for k, v in data.items() if v}},
        origin,
        state.issues,
    )
    if checked is not None:
        state.areas[area.id] = replace(
            checked, indicators={**area.indicators, **checked.indicators}
        )


def _area_fields(area: Area) -> dict[str, Any]:
    return {
        "id": area.id,
        "name": area.name,
        "level": area.level,
        "parent_id": area.parent_id,
        "population": area.population,
        "geometry": area.geometry,
        "centroid_lat": area.centroid_lat,
        "centroid_lon": area.centroid_lon,
        "source": area.source,
    }


def _placer(state: _State, level: str) -> Placer | None:
    if level not in state.placers:
        shapes = [
            Shape(area_id, geometry)
            for area_id, geometry in state.area_shapes.items()
            if state.areas[area_id].level == level
        ]
        if not shapes and state.lookup is not None:
            shapes = state.lookup(level)
        if not shapes:
            return None
        state.placers[level] = Placer(shapes)
    return state.placers[level]


def _point(state: _State, layer: Layer, row: _Row, origin: Origin) -> tuple[float, float] | None:
    """(lon, lat) of the row: its point geometry, or x/y columns in the layer's CRS."""
    if row.geometry is not None:
        point = row.geometry.centroid
        return float(point.x), float(point.y)
    if layer.x is None or layer.y is None:
        return None
    x, y = parse_float(layer.x.get(row.values)), parse_float(layer.y.get(row.values))
    try:
        fx, fy = float(x), float(y)
    except (TypeError, ValueError):
        state.issues.append(
            origin.issue("coordinates", "Koordinaten fehlen oder sind keine Zahlen")
        )
        return None
    to_lonlat = to_wgs84(layer.crs or "EPSG:4326")
    return to_lonlat(fx, fy) if to_lonlat else (fx, fy)


def _service_row(state: _State, layer: Layer, row: _Row, origin: Origin) -> None:
    assert layer.id is not None
    assert layer.name is not None
    assert layer.organization is not None
    assert layer.category is not None
    get = row.values
    org_name = layer.organization.get(get)
    org_id = layer.organization_id.get(get) if layer.organization_id else None
    if org_id is None and org_name:
        org_id = slugify(str(org_name))
    area_id = None
    lonlat = _point(state, layer, row, origin)
    if layer.place_in is not None:
        placer = _placer(state, layer.place_in)
        if placer is None:
            state.issues.append(
                origin.issue(
                    "place_in", f"keine Sozialräume der Ebene {layer.place_in} mit Geometrie"
                )
            )
            return
        if lonlat is None:
            state.issues.append(origin.issue("coordinates", "ohne Koordinaten nicht zuzuordnen"))
            return
        area_id = placer.place(*lonlat)
        if area_id is None:
            state.issues.append(
                origin.issue(
                    "coordinates", f"liegt in keinem Sozialraum der Ebene {layer.place_in}"
                )
            )
            return
    service_id = layer.id.get(get)
    org_data = {
        "id": org_id,
        "name": org_name,
        "sector": _opt(layer.sector, get),
        "description": _opt(layer.organization_description, get),
        "website": _opt(layer.organization_website, get),
        "email": _opt(layer.organization_email, get),
        "phone": _opt(layer.organization_phone, get),
    }
    org_origin = replace(origin, headers=organization_headers(origin.headers))
    org = _validated(
        "organizations", {**org_data, "source": state.source}, org_origin, state.issues
    )
    location = _validated(
        "locations",
        {
            "id": service_id,
            "name": layer.name.get(get),
            "organization_id": org_id,
            "street": _opt(layer.street, get),
            "postal_code": _opt(layer.postal_code, get),
            "city": _opt(layer.city, get),
            "latitude": round(lonlat[1], 7) if lonlat else None,
            "longitude": round(lonlat[0], 7) if lonlat else None,
            "area_id": area_id,
            "phone": _opt(layer.phone, get),
            "opening_hours": _opt(layer.opening_hours, get),
            "source": state.source,
        },
        origin,
        state.issues,
    )
    service = _validated(
        "services",
        {
            "id": service_id,
            "organization_id": org_id,
            "name": layer.name.get(get),
            "description": _opt(layer.description, get),
            "category_ids": (layer.category.get(get),),
            "target_groups": tuple(layer.target_groups),
            "languages": tuple(layer.languages),
            "legal_basis": _opt(layer.legal_basis, get),
            "capacity": _opt(layer.capacity, get),
            "capacity_unit": _opt(layer.capacity_unit, get),
            "area_ids": (area_id,) if area_id and layer.serve_placed_area else (),
            "location_ids": (service_id,),
            "email": _opt(layer.email, get),
            "url": _opt(layer.url, get),
            "assured_date": _opt(layer.assured_date, get),
            "source": state.source,
        },
        origin,
        state.issues,
    )
    if org is None or location is None or service is None:
        return
    if service.id in state.service_ids:
        state.issues.append(origin.issue("id", f"Angebot „{service.id}“ doppelt"))
        return
    state.service_ids.add(service.id)
    given = {k for k, v in org_data.items() if k in ORGANIZATION_FIELDS and not is_blank(v)}
    state.organizations.add(org, given, org_origin, state.parsed.warnings)
    bundle, origins = state.parsed.bundle, state.parsed.origins
    for table, record in (("locations", location), ("services", service)):
        getattr(bundle, table).append(record)
        origins.setdefault(table, []).append(origin)
        state.parsed.tables.add(table)


def _opt(value: Value | None, row: dict[str, Any]) -> Any:
    return value.get(row) if value is not None else None
