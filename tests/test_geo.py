"""Geodata known answers: adjacency from shared borders, placement across reference systems,
and a foreign CSV list imported through a mapping file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from shapely.geometry import box

from graph import Graph
from loaders.errors import ImportRejected
from loaders.geo.crs import to_wgs84
from loaders.geo.shapes import Placer, Shape, adjacent_pairs
from tests.loader_helpers import import_path


def test_adjacency_needs_a_shared_border_not_a_corner() -> None:
    shapes = [
        Shape("a", box(0, 0, 1, 1)),
        Shape("b", box(1, 0, 2, 1)),  # shares the edge x=1 with a
        Shape("c", box(2, 1, 3, 2)),  # touches b only at the corner (2, 1)
        Shape("d", box(0, 1.000001, 1, 2)),  # a hair's breadth from a: drawn by another office
        Shape("e", box(5, 5, 6, 6)),
    ]
    assert adjacent_pairs(shapes) == [("a", "b"), ("a", "d")]


def test_point_in_polygon_after_transforming_from_utm() -> None:
    to_lonlat = to_wgs84("urn:ogc:def:crs:EPSG::25833")
    assert to_lonlat is not None
    # Brandenburger Tor in ETRS89 / UTM 33N
    lon, lat = to_lonlat(389_916.0, 5_819_818.0)
    assert (round(lon, 2), round(lat, 2)) == (13.38, 52.52)
    placer = Placer(
        [Shape("west", box(13.0, 52.3, 13.3, 52.7)), Shape("ost", box(13.3, 52.3, 13.8, 52.7))]
    )
    assert placer.place(lon, lat) == "ost"
    assert placer.place(14.5, 52.5) is None
    assert to_wgs84("urn:ogc:def:crs:OGC:1.3:CRS84") is None


MAPPING = """
source: beratungsliste
areas:
  - {id: stadt, name: Stadt, level: city}
categories:
  - {id: schuldnerberatung, name: Schuldnerberatung}
layers:
  - file: bezirke.geojson
    kind: areas
    level: district
    id: {column: nr, prefix: "b-"}
    name: name
    parent: {value: stadt}
  - file: liste.csv
    kind: services
    crs: "EPSG:25833"
    id: {column: Nr, prefix: "sb-"}
    name: Einrichtung
    organization: Träger
    organization_id: {column: Träger, slug: true}
    capacity: Plätze
    category: {value: schuldnerberatung}
    x: Rechtswert
    y: Hochwert
    place_in: district
"""


def _square(nr: str, name: str, west: float, east: float) -> dict[str, object]:
    ring = [[west, 52.3], [east, 52.3], [east, 52.7], [west, 52.7], [west, 52.3]]
    return {
        "type": "Feature",
        "properties": {"nr": nr, "name": name},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }


GEOJSON = json.dumps(
    {
        "type": "FeatureCollection",
        "features": [_square("1", "West", 13.0, 13.3), _square("2", "Ost", 13.3, 13.8)],
    }
)


def _foreign_list(tmp_path: Path, rows: str) -> tuple[Path, Path]:
    data = tmp_path / "daten"
    data.mkdir()
    (data / "bezirke.geojson").write_text(GEOJSON, "utf-8")
    header = "Nr;Einrichtung;Träger;Plätze;Rechtswert;Hochwert\n"
    (data / "liste.csv").write_bytes((header + rows).encode("cp1252"))
    mapping = tmp_path / "zuordnung.yaml"
    mapping.write_text(MAPPING, "utf-8")
    return data, mapping


def test_foreign_list_through_a_mapping_file(db: Graph, tmp_path: Path) -> None:
    data, mapping = _foreign_list(
        tmp_path,
        "7;Schuldnerberatung am Tor;Diakonie Süd e.V.;1.200;389916,0;5819818,0\n"
        "8;Beratung West;Diakonie Süd e.V.;12;380000;5819818\n",
    )
    report = import_path(db, data, source="beratungsliste", mapping=mapping)
    assert report.plan.created["ADJACENT_TO"] == 1
    rows = db.query(
        "MATCH (o:Organization)-[:PROVIDES]->(s:Service)-[:SERVES]->(a:Area), "
        "(s)-[:AT_LOCATION]->(:Location)-[:IN_AREA]->(a) "
        "RETURN o.id AS org, s.id AS id, s.capacity AS c, a.id AS area ORDER BY id"
    )
    assert rows == [
        {"org": "diakonie-sued-e-v", "id": "sb-7", "c": 1200, "area": "b-2"},
        {"org": "diakonie-sued-e-v", "id": "sb-8", "c": 12, "area": "b-1"},
    ]
    assert import_path(db, data, source="beratungsliste", mapping=mapping).is_no_op


def test_mapping_errors_name_file_row_and_column(db: Graph, tmp_path: Path) -> None:
    data, mapping = _foreign_list(
        tmp_path,
        "7;Schuldnerberatung am Tor;Diakonie;viele;389916;5819818\n"
        "8;Weit draußen;Diakonie;3;900000;5819818\n",
    )
    with pytest.raises(ImportRejected) as rejected:
        import_path(db, data, source="beratungsliste", mapping=mapping)
    assert [str(i) for i in rejected.value.issues] == [
        "liste.csv, Zeile 2, Spalte „Plätze“: ganze Zahl erwartet (Wert: „viele“)",
        "liste.csv, Zeile 3, Spalte „Rechtswert+Hochwert“: liegt in keinem Sozialraum der"
        " Ebene district",
    ]
    assert db.query("MATCH (n) RETURN count(n) AS n") == [{"n": 0}]
