"""Which reader handles an input: a mapping file, ``--format``, or the file's suffix."""

from __future__ import annotations

from pathlib import Path

from graph.connection import Graph
from graph.imports import area_geometries, area_names, existing_ids
from loaders.errors import LoaderError
from loaders.geo.reader import GeoJsonOptions, read_geojson
from loaders.geo.shapes import Shape, parse_geometry_text
from loaders.hsds.directory import Directory
from loaders.hsds.package import is_package
from loaders.hsds.reader import read_hsds, read_hsds_package
from loaders.mapping.reader import AreaLookup, load_mapping, read_mapped
from loaders.tabular.reader import ParsedBundle, read_bundle

IMPORT_FORMATS: tuple[str, ...] = ("auto", "csv", "xlsx", "hsds", "geojson")

_BY_SUFFIX = {
    ".csv": "csv",
    ".xlsx": "xlsx",
    ".json": "hsds",
    ".ndjson": "hsds",
    ".jsonl": "hsds",
    ".geojson": "geojson",
}
_SNIFF = 4096


def detect_format(path: Path) -> str:
    if path.is_dir():
        return "hsds" if is_package(path) else "csv"
    suffix = path.suffix.lower()
    if suffix not in _BY_SUFFIX:
        raise LoaderError(f"{path.name}: Format nicht erkennbar, bitte --format angeben")
    if suffix == ".json" and _is_feature_collection(path):
        return "geojson"
    return _BY_SUFFIX[suffix]


def _is_feature_collection(path: Path) -> bool:
    """A ``.json`` file whose beginning says it is GeoJSON (HSDS records never do)."""
    try:
        with path.open(encoding="utf-8-sig", errors="replace") as fh:
            head = fh.read(_SNIFF)
    except OSError:
        return False
    return '"FeatureCollection"' in head


def default_source(path: Path, mapping: Path | None = None) -> str:
    """The source name when none is given: the mapping's ``source``, else the input's name."""
    if mapping is not None:
        spec, _ = load_mapping(mapping)
        if spec is not None and spec.source:
            return spec.source
    return path.resolve().name


def graph_directory(graph: Graph) -> Directory:
    """The graph's Sozialräume and taxonomy terms, as an HSDS import looks them up."""
    return Directory(
        area_names=lambda: area_names(graph),
        existing=lambda label, ids: existing_ids(graph, label, ids),
        shapes=graph_areas(graph),
    )


def graph_areas(graph: Graph) -> AreaLookup:
    """Areas with geometry already in the graph, for placing points of a later import."""

    def lookup(level: str) -> list[Shape]:
        return [
            Shape(area_id, parse_geometry_text(text))
            for area_id, text in area_geometries(graph, level)
        ]

    return lookup


def parse_input(
    path: Path,
    fmt: str,
    source: str,
    *,
    mapping: Path | None = None,
    lookup: AreaLookup | None = None,
    geojson: GeoJsonOptions | None = None,
    directory: Directory | None = None,
) -> tuple[ParsedBundle, str]:
    """The parsed, validated bundle and the format actually used.

    ``geojson`` (the area options) is only allowed for a GeoJSON import.
    """
    if mapping is not None:
        if geojson is not None:
            raise LoaderError("die GeoJSON-Optionen gelten nicht mit --mapping")
        return read_mapped(mapping, path, source, lookup), "mapping"
    if fmt == "auto":
        fmt = detect_format(path)
    if fmt == "geojson":
        return read_geojson(path, source, geojson or GeoJsonOptions(), lookup), fmt
    if geojson is not None:
        raise LoaderError(
            "die GeoJSON-Optionen gelten nur für GeoJSON-Dateien (--format geojson), diese "
            f"Datei ist {fmt}; Optionen leeren oder eine GeoJSON-Datei wählen"
        )
    if fmt in ("csv", "xlsx"):
        return read_bundle(path, source), fmt
    if fmt == "hsds":
        if path.is_dir():
            return read_hsds_package(path, source, directory), fmt
        return read_hsds(path, source, directory), fmt
    raise LoaderError(f"unbekanntes Format {fmt!r}")
