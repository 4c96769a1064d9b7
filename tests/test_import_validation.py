"""Imports validate everything before the first write (issue 14, item 7): Neo4j's key size
limits, plausible WGS84 coordinates (the likely CRS named), valid polygons, CSV syntax and
encodings. Every refusal names file, row and column in German and leaves the graph as it was.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from shapely.geometry import shape

from api.cli import main
from graph import Graph
from graph.admin import label_counts
from loaders.errors import ImportRejected, Issue
from tests.loader_helpers import EXAMPLE_BUNDLE, import_path

AREAS = "id;name;level;centroid_lat;centroid_lon\nstuttgart;Stuttgart;city;48,78;9,18\n"
TRAEGER = "id;name\ncaritas;Caritas\n"


def _bundle(tmp_path: Path, **files: str) -> Path:
    folder = tmp_path / "b"
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / f"{name}.csv").write_text(text, "utf-8")
    return folder


def _refused(db: Graph, path: Path, *args: str) -> list[Issue]:
    """The issues of a refused import, after checking that nothing at all was written."""
    before = label_counts(db)
    with pytest.raises(ImportRejected) as refused:
        import_path(db, path, **({"fmt": args[0]} if args else {}))
    assert label_counts(db) == before
    return refused.value.issues


def test_overlong_name_is_refused_before_anything_is_written(db: Graph, tmp_path: Path) -> None:
    import_path(db, EXAMPLE_BUNDLE, source="beispiel")
    bundle = tmp_path / "bundle"
    shutil.copytree(EXAMPLE_BUNDLE, bundle)
    traeger = bundle / "traeger.csv"
    name = "Verein " + "x" * 8_000
    traeger.write_text(traeger.read_text("utf-8") + f"neu;{name};frei;;;;\n", "utf-8")
    (issue,) = _refused(db, bundle)
    assert (issue.file, issue.row, issue.column) == ("bundle/traeger.csv", 6, "Träger")
    assert "zu lang: 8007 Zeichen, höchstens 300" in issue.message
    result = CliRunner().invoke(main, ["import", str(bundle)])
    assert result.exit_code == 1
    assert "bundle/traeger.csv, Zeile 6, Spalte „Träger“: zu lang" in result.output
    assert "Traceback" not in result.output


def test_overlong_id_is_refused(db: Graph, tmp_path: Path) -> None:
    (issue,) = _refused(db, _bundle(tmp_path, traeger=f"id;name\n{'a' * 500};A\n"))
    assert (issue.row, issue.column) == (2, "id")
    assert "höchstens 200" in issue.message


@pytest.mark.parametrize(
    ("lat", "lon", "crs"),
    [
        ("5820000", "390000", "EPSG:25833"),
        ("5405000", "513000", "EPSG:25832"),
        ("6800000", "1300000", "EPSG:3857"),
        ("5402000", "3513000", "Gauß-Krüger"),
    ],
)
def test_projected_coordinates_are_refused_with_the_likely_crs(
    db: Graph, tmp_path: Path, lat: str, lon: str, crs: str
) -> None:
    folder = _bundle(
        tmp_path,
        areas=AREAS,
        traeger=TRAEGER,
        standorte=f"id;name;Träger;Breite;Länge\ns1;Stelle;caritas;{lat};{lon}\n",
    )
    (issue,) = _refused(db, folder)
    assert (issue.file, issue.row, issue.column) == ("b/standorte.csv", 2, "Breite")
    assert "außerhalb von WGS84" in issue.message
    assert crs in issue.message


def test_swapped_and_far_away_points_are_refused(db: Graph, tmp_path: Path) -> None:
    folder = _bundle(
        tmp_path,
        areas=AREAS,
        traeger=TRAEGER,
        standorte="id;name;Träger;Breite;Länge\n"
        "s1;Stelle;caritas;9,18;48,78\ns2;Stelle;caritas;52,52;13,40\ns3;Stelle;caritas;48,7;9,2\n",
    )
    swapped, far = _refused(db, folder)
    assert swapped.row == 2
    assert "vertauscht" in swapped.message
    assert far.row == 3
    assert "weit außerhalb der Sozialräume" in far.message


def _geojson(tmp_path: Path, coordinates: list[list[list[float]]]) -> Path:
    feature = {
        "type": "Feature",
        "properties": {"id": "bezirk-1", "name": "Bezirk"},
        "geometry": {"type": "Polygon", "coordinates": coordinates},
    }
    path = tmp_path / "bezirke.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), "utf-8")
    return path


def test_geojson_in_utm_without_crs_is_refused(db: Graph, tmp_path: Path) -> None:
    square = [[390000, 5820000], [391000, 5820000], [391000, 5821000], [390000, 5820000]]
    (issue,) = _refused(db, _geojson(tmp_path, [square]))
    assert issue.file == "bezirke.geojson"
    assert issue.column == "geometry"
    assert "EPSG:25833" in issue.message


BOWTIE = [[[9.1, 48.7], [9.2, 48.8], [9.2, 48.7], [9.1, 48.8], [9.1, 48.7]]]


def test_self_intersecting_polygon_is_refused_with_the_place(db: Graph, tmp_path: Path) -> None:
    path = _geojson(tmp_path, BOWTIE)
    (issue,) = _refused(db, path)
    assert (issue.file, issue.row) == ("bezirke.geojson", 1)
    assert "schneidet sich selbst bei Länge 9.15, Breite 48.75" in issue.message
    assert "--repair-geometry" in issue.message
    result = CliRunner().invoke(main, ["import", str(path), "--repair-geometry"])
    assert result.exit_code == 0, result.output
    (row,) = db.query("MATCH (a:Area {id: 'bezirk-1'}) RETURN a.geometry AS g")
    assert shape(json.loads(row["g"])).is_valid


def test_unclosed_quote_is_refused_with_its_row(db: Graph, tmp_path: Path) -> None:
    folder = _bundle(
        tmp_path, traeger='id;name;description\na;A;"offen\nb;B;zwei\nc;C;drei\n', areas=AREAS
    )
    (issue,) = _refused(db, folder)
    assert (issue.file, issue.row) == ("b/traeger.csv", 2)
    assert "Anführungszeichen nicht geschlossen" in issue.message


def test_mixed_encodings_are_named(db: Graph, tmp_path: Path) -> None:
    folder = tmp_path / "b"
    folder.mkdir()
    text = "id;name\na;Träger Süd\n".encode() + "b;Bürgerhilfe\n".encode("cp1252")
    (folder / "traeger.csv").write_bytes(text)
    (issue,) = _refused(db, folder)
    assert (issue.file, issue.row) == ("b/traeger.csv", 3)
    assert "Zeichenkodierung gemischt" in issue.message
    (folder / "traeger.csv").write_bytes(b"id;name\na;A\nb;B\x81\n")
    (issue,) = _refused(db, folder)
    assert issue.row == 3
    assert "Zeichenkodierung nicht erkannt (Byte 0x81" in issue.message


def test_utf16_unicode_text_from_excel_is_read(db: Graph, tmp_path: Path) -> None:
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / "traeger.csv").write_bytes("id\tname\nsued\tTräger Süd\n".encode("utf-16"))
    import_path(db, folder)
    assert db.query("MATCH (o:Organization) RETURN o.name AS name") == [{"name": "Träger Süd"}]
