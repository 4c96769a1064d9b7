"""``verbund import x.geojson``: polygons become Sozialräume without a mapping file."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pyproj import Transformer

from api.cli import main
from graph import Graph
from loaders.errors import ImportRejected, Issue, LoaderError
from loaders.formats import detect_format, graph_areas, parse_input
from loaders.geo.features import read_features, scan_features
from loaders.geo.reader import GeoJsonOptions
from loaders.importer import ImportReport, run_import
from tests.loader_helpers import EXAMPLE_BUNDLE, ROOT, shared_data, snapshot

BERLIN = shared_data() / "berlin"
UTM = "urn:ogc:def:crs:EPSG::25833"


def _utm_box(west: float, south: float, east: float, north: float) -> list[list[list[float]]]:
    """A rectangle given in degrees, written in ETRS89 / UTM 33N as offices deliver it."""
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:25833", always_xy=True)
    corners = [(west, south), (east, south), (east, north), (west, north), (west, south)]
    return [[list(to_utm.transform(lon, lat)) for lon, lat in corners]]


def _collection(features: list[dict[str, Any]], crs: str | None = UTM) -> str:
    data: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if crs:
        data["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(data)


def _feature(properties: dict[str, Any], ring: Any, kind: str = "Polygon") -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {"type": kind, "coordinates": ring},
    }


def _districts(tmp_path: Path) -> Path:
    path = tmp_path / "bezirke.geojson"
    path.write_text(
        _collection(
            [
                _feature({"Nr": "1", "Bezeichnung": "West"}, _utm_box(13.0, 52.3, 13.3, 52.7)),
                _feature({"Nr": "2", "Bezeichnung": "Ost"}, _utm_box(13.3, 52.3, 13.8, 52.7)),
                _feature({"Nr": "3", "Bezeichnung": "Insel"}, _utm_box(14.0, 52.3, 14.2, 52.4)),
            ]
        ),
        "utf-8",
    )
    return path


def _import(
    graph: Graph, path: Path, options: GeoJsonOptions | None, source: str = "gebiete"
) -> ImportReport:
    parsed, used = parse_input(path, "auto", source, lookup=graph_areas(graph), geojson=options)
    return run_import(graph, parsed, source=source, format=used)


def test_polygons_become_nested_neighbouring_areas(db: Graph, tmp_path: Path) -> None:
    # the city `stuttgart` to hang them below
    _import(db, EXAMPLE_BUNDLE / "areas.csv", None, source="stadt")
    path = _districts(tmp_path)
    assert detect_format(path) == "geojson"
    options = GeoJsonOptions(id_prefix="b-", parent_id="stuttgart")
    report = _import(db, path, options)
    assert (report.format, report.plan.created["Area"], report.plan.created["ADJACENT_TO"]) == (
        "geojson",
        3,
        1,
    )
    rows = db.query(
        "MATCH (a:Area {source: 'gebiete'})-[:PART_OF]->(p) "
        "RETURN a.id AS id, a.name AS name, a.level AS level, p.id AS parent, "
        "round(a.centroid.y, 2) AS lat, round(a.centroid.x, 2) AS lon, "
        "a.geometry AS geometry, a.imported_at IS NOT NULL AS stamped ORDER BY id"
    )
    assert [{k: v for k, v in r.items() if k != "geometry"} for r in rows] == [
        {"id": "b-1", "name": "West", "level": "district", "parent": "stuttgart", "lat": 52.5,
         "lon": 13.15, "stamped": True},
        {"id": "b-2", "name": "Ost", "level": "district", "parent": "stuttgart", "lat": 52.5,
         "lon": 13.55, "stamped": True},
        {"id": "b-3", "name": "Insel", "level": "district", "parent": "stuttgart", "lat": 52.35,
         "lon": 14.1, "stamped": True},
    ]  # fmt: skip
    # The geometry is kept in WGS84 (transformed from UTM), as GeoJSON text for maps.
    west = json.loads(rows[0]["geometry"])
    assert west["type"] == "Polygon"
    assert [round(c, 4) for c in west["coordinates"][0][0]] == [13.0, 52.3]
    assert db.query(
        "MATCH (a:Area)-[:ADJACENT_TO]-(b:Area) WHERE a.id < b.id RETURN a.id AS a, b.id AS b"
    ) == [{"a": "b-1", "b": "b-2"}]
    assert _import(db, path, options).is_no_op


def _subdistricts(tmp_path: Path) -> Path:
    path = tmp_path / "teile.geojson"
    path.write_text(
        _collection(
            [
                # the feature-level id of RFC 7946 counts as property `id`
                {**_feature({"name": "West-Nord"}, _utm_box(13.0, 52.5, 13.3, 52.7)), "id": "11"},
                {**_feature({"name": "West-Süd"}, _utm_box(13.0, 52.3, 13.3, 52.5)), "id": "12"},
                {**_feature({"name": "Ost-Mitte"}, _utm_box(13.4, 52.4, 13.7, 52.6)), "id": "21"},
            ]
        ),
        "utf-8",
    )
    return path


@pytest.mark.parametrize(
    "nesting",
    [{"parent_prefix": 1}, {"parent_level": "district"}],
    ids=["by-id-prefix", "by-containment"],
)
def test_nesting_by_id_prefix_or_containment(
    db: Graph, tmp_path: Path, nesting: dict[str, Any]
) -> None:
    _import(db, _districts(tmp_path), GeoJsonOptions(id_prefix="b-"))
    options = GeoJsonOptions(level="subdistrict", id_prefix="b-", **nesting)
    _import(db, _subdistricts(tmp_path), options, source="teile")
    rows = db.query(
        "MATCH (a:Area {level: 'subdistrict'})-[:PART_OF]->(p:Area {level: 'district'}) "
        "RETURN a.id AS id, p.id AS parent ORDER BY id"
    )
    assert rows == [
        {"id": "b-11", "parent": "b-1"},
        {"id": "b-12", "parent": "b-1"},
        {"id": "b-21", "parent": "b-2"},
    ]
    assert db.query(
        "MATCH (a:Area {level: 'subdistrict'})-[:ADJACENT_TO]-(b) WHERE a.id < b.id "
        "RETURN a.id AS a, b.id AS b"
    ) == [{"a": "b-11", "b": "b-12"}]


def test_missing_values_name_file_feature_and_property(db: Graph, tmp_path: Path) -> None:
    _import(db, _districts(tmp_path), GeoJsonOptions(id_prefix="b-"))
    before = snapshot(db)
    path = tmp_path / "teile.geojson"
    path.write_text(
        _collection(
            [
                _feature({"Nr": "11", "Name": "Nord"}, _utm_box(13.0, 52.5, 13.3, 52.7)),
                _feature({"Nr": "12", "Name": ""}, _utm_box(13.0, 52.3, 13.3, 52.5)),
                _feature({"Nr": "13", "Name": "Punkt"}, [390_000.0, 5_820_000.0], "Point"),
                _feature({"Nr": "91", "Name": "Fern"}, _utm_box(13.4, 52.4, 13.7, 52.6)),
            ]
        ),
        "utf-8",
    )
    options = GeoJsonOptions(level="subdistrict", id_prefix="b-", parent_prefix=1)
    with pytest.raises(ImportRejected) as rejected:
        _import(db, path, options, source="teile")
    assert [str(i) for i in rejected.value.issues] == [
        "teile.geojson, Datensatz 2, Feld „Name“: Pflichtfeld ist leer",
        "teile.geojson, Datensatz 3, Feld „geometry“: Fläche (Polygon) erwartet, Point gefunden"
        " (Einrichtungen als Punkte: Zuordnungsdatei mit kind: services)",
        "teile.geojson, Datensatz 4, Feld „Nr“: Sozialraum „b-9“ gibt es weder in der Eingabe"
        " noch in der Datenbank",
    ]
    assert snapshot(db) == before


def test_undetectable_or_absent_properties_are_named(db: Graph, tmp_path: Path) -> None:
    path = tmp_path / "flaechen.geojson"
    path.write_text(
        _collection([_feature({"schl": "1", "titel_lang": "A"}, _utm_box(13, 52, 13.1, 52.1))]),
        "utf-8",
    )
    with pytest.raises(ImportRejected) as rejected:
        _import(db, path, None)
    assert [str(i) for i in rejected.value.issues] == [
        "flaechen.geojson: keine Eigenschaft für die Id gefunden (gesucht: id, nr, nummer,"
        " schluessel, schlüssel, code, key, ags, ars; vorhanden: schl, titel_lang); bitte"
        " „Eigenschaft mit der Id“ (--id-property) angeben",
        "flaechen.geojson: keine Eigenschaft für den Namen gefunden (gesucht: name,"
        " bezeichnung, gen, titel, label, namlang; vorhanden: schl, titel_lang); bitte"
        " „Eigenschaft mit dem Namen“ (--name-property) angeben",
    ]
    with pytest.raises(ImportRejected) as rejected:
        _import(db, path, GeoJsonOptions(id_property="schl", name_property="titel"))
    assert [str(i) for i in rejected.value.issues] == [
        "flaechen.geojson, Feld „titel“: Eigenschaft fehlt in allen Features"
    ]
    report = _import(db, path, GeoJsonOptions(id_property="schl", name_property="titel_lang"))
    assert report.plan.created == {"Area": 1}
    with pytest.raises(LoaderError, match="nur eine Regel für den Elternraum"):
        _import(db, path, GeoJsonOptions(parent_id="x", parent_prefix=1))
    with pytest.raises(LoaderError, match="nur für GeoJSON-Dateien"):
        _import(db, EXAMPLE_BUNDLE / "areas.csv", GeoJsonOptions(level="city"))


def test_not_geojson_is_refused_cleanly(db: Graph, tmp_path: Path) -> None:
    path = tmp_path / "kaputt.geojson"
    path.write_text('{"type": "FeatureCollection",\n "features": [}', "utf-8")
    with pytest.raises(ImportRejected) as rejected:
        _import(db, path, None)
    assert [str(i) for i in rejected.value.issues] == [
        "kaputt.geojson, Zeile 2: kein JSON: Expecting value"
    ]
    path.write_text('{"type": "Feature"}', "utf-8")
    with pytest.raises(ImportRejected) as rejected:
        _import(db, path, None)
    assert [str(i) for i in rejected.value.issues] == [
        "kaputt.geojson: GeoJSON-FeatureCollection erwartet"
    ]


@pytest.mark.skipif(not BERLIN.is_dir(), reason=f"shared open data not found at {BERLIN}")
def test_berlin_shapes_through_the_cli(db: Graph) -> None:
    runner = CliRunner()
    first = runner.invoke(
        main,
        ["import", str(BERLIN / "bezirke.geojson"), "--id-prefix", "berlin-"],
    )
    assert first.exit_code == 0, first.output
    second = runner.invoke(
        main,
        [
            "import",
            str(BERLIN / "prognoseraeume_2021.geojson"),
            "--level",
            "subdistrict",
            "--id-prefix",
            "berlin-",
            "--parent-prefix",
            "2",
        ],
    )
    assert second.exit_code == 0, second.output
    assert "ADJACENT_TO" in second.output
    levels = db.query("MATCH (a:Area) RETURN a.level AS level, count(*) AS n ORDER BY level")
    assert levels == [{"level": "district", "n": 12}, {"level": "subdistrict", "n": 58}]
    mitte = db.query(
        "MATCH (:Area {id: 'berlin-01'})-[:ADJACENT_TO]-(b) RETURN b.name AS n ORDER BY n"
    )
    assert [row["n"] for row in mitte] == [
        "Charlottenburg-Wilmersdorf",
        "Friedrichshain-Kreuzberg",
        "Pankow",
        "Reinickendorf",
        "Tempelhof-Schöneberg",
    ]
    (nested,) = db.query(
        "MATCH (p:Area {level: 'subdistrict'})-[:PART_OF]->(b:Area {level: 'district'}) "
        "WHERE p.id STARTS WITH b.id AND p.geometry IS NOT NULL AND p.centroid IS NOT NULL "
        "RETURN count(p) AS n"
    )
    assert nested == {"n": 58}
    (sources,) = db.query("MATCH (a:Area) RETURN collect(DISTINCT a.source) AS s")
    assert sorted(sources["s"]) == ["bezirke.geojson", "prognoseraeume_2021.geojson"]


def test_features_are_streamed_not_loaded_whole(tmp_path: Path) -> None:
    """Scanning and reading a GeoJSON file holds one feature at a time, not the file."""
    path = tmp_path / "einrichtungen.geojson"
    with path.open("w", encoding="utf-8") as fh:
        fh.write('{"type": "FeatureCollection", "features": [\n')
        for i in range(2_000):
            point = {"type": "Point", "coordinates": [390_000.0 + i, 5_820_000.0]}
            feature = {"type": "Feature", "properties": {"nr": i, "text": "x" * 8_000}}
            fh.write(("," if i else "") + json.dumps({**feature, "geometry": point}) + "\n")
        # the reference system after the features, as some tools write it
        fh.write('], "crs": {"type": "name", "properties": {"name": "EPSG:25833"}}}\n')
    size = path.stat().st_size
    issues: list[Issue] = []
    tracemalloc.start()
    try:
        scan = scan_features(path, issues)
        assert scan is not None
        count = 0
        for feature in read_features(path, scan.crs, issues):
            assert feature.geometry is not None
            count += 1
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert (scan.count, count, issues) == (2_000, 2_000, [])
    assert (scan.crs, scan.filled["text"]) == ("EPSG:25833", 2_000)
    # transformed from UTM to WGS84: the last point lies in Berlin-Mitte
    assert (round(feature.geometry.x, 2), round(feature.geometry.y, 2)) == (13.41, 52.52)
    assert peak < size / 20


def test_format_detection(tmp_path: Path) -> None:
    """``.geojson`` is GeoJSON; a ``.json`` file is GeoJSON when it starts as a
    FeatureCollection (as many portals name their downloads), else HSDS."""
    shapes = tmp_path / "flaechen.json"
    shapes.write_text(_collection([]), "utf-8")
    assert detect_format(shapes) == "geojson"
    assert detect_format(_districts(tmp_path)) == "geojson"
    assert detect_format(ROOT / "examples" / "hsds" / "services.json") == "hsds"
    with pytest.raises(LoaderError, match="nicht mit --mapping"):
        parse_input(shapes, "auto", "x", mapping=shapes, geojson=GeoJsonOptions())
