"""The README's second walk-through: Berlin's LOR areas and real directories, imported with
the checked-in mapping file, from the team's shared open data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import main
from graph import Graph
from graph.admin import clear
from loaders.errors import LoaderError
from loaders.export import export
from tests.loader_helpers import ROOT, graph_bundle, import_path, shared_data

BERLIN = shared_data() / "berlin"
MAPPING = ROOT / "examples" / "berlin" / "mapping.yaml"
COMMAND = "verbund import ../shared/data/berlin --mapping examples/berlin/mapping.yaml"

pytestmark = pytest.mark.skipif(
    not BERLIN.is_dir(),
    reason=f"shared open data not found at {BERLIN} (set VERBUND_SHARED_DATA)",
)


def _one(graph: Graph, cypher: str) -> object:
    (row,) = graph.query(cypher)
    return next(iter(row.values()))


def test_readme_documents_the_walk_through() -> None:
    assert COMMAND in (ROOT / "README.md").read_text("utf-8")


def test_berlin_walk_through(db: Graph, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["import", str(BERLIN), "--mapping", str(MAPPING)])
    assert result.exit_code == 0, result.output
    # Träger named on many rows with differing websites or kinds: kept from the first row,
    # the differences listed below the summary.
    assert "36 Hinweise (übernommen, bitte prüfen):" in result.output
    assert (
        "Träger „berlin-traeger-fipp-e-v“: „http://www.fippev.de“ weicht ab von"
        " „https://www.fippev.de/willkommen“" in result.output
    )
    levels = db.query("MATCH (a:Area) RETURN a.level AS level, count(*) AS n ORDER BY level")
    assert levels == [
        {"level": "city", "n": 1},
        {"level": "district", "n": 12},
        {"level": "planning", "n": 542},
        {"level": "subdistrict", "n": 58},
    ]
    # Bezirke and Prognoseräume keep their shapes and centroids and know their neighbours.
    assert (
        _one(
            db,
            "MATCH (a:Area) WHERE a.level IN ['district', 'subdistrict'] "
            "AND a.geometry IS NOT NULL AND a.centroid IS NOT NULL RETURN count(a)",
        )
        == 70
    )
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
    assert (
        _one(
            db,
            "MATCH (a:Area {level: 'subdistrict'}) WHERE NOT (a)-[:ADJACENT_TO]-() RETURN count(a)",
        )
        == 0
    )
    # Planungsräume nested by id: 8 digits, the first four are the Prognoseraum.
    assert (
        _one(
            db,
            "MATCH (p:Area {level: 'planning'})-[:PART_OF]->(g:Area {level: 'subdistrict'})"
            "-[:PART_OF]->(:Area {level: 'district'})-[:PART_OF]->(:Area {id: 'berlin'}) "
            "WHERE p.id STARTS WITH g.id RETURN count(p)",
        )
        == 542
    )
    # Social monitoring 2021 as area attributes (a few Planungsräume have too few residents).
    (mss,) = db.query(
        "MATCH (a:Area {level: 'planning'}) WHERE a.indicator_kinderarmut IS NOT NULL "
        "RETURN count(a) AS n, sum(a.population) AS residents"
    )
    assert 520 <= mss["n"] < 542
    assert 3_600_000 < mss["residents"] < 3_900_000
    (stueler,) = db.query(
        "MATCH (a:Area {id: 'berlin-01100101'}) RETURN a.name AS name, a.population AS p, "
        "a.indicator_arbeitslosigkeit AS u"
    )
    assert stueler == {"name": "Stülerstraße", "p": 3419, "u": 4.22594}
    # Youth centres and care homes: services of their Träger, placed in their Prognoseraum.
    placed = db.query(
        "MATCH (o:Organization)-[:PROVIDES]->(s:Service)-[:AT_LOCATION]->(:Location)"
        "-[:IN_AREA]->(a:Area {level: 'subdistrict'}), (s)-[:SERVES]->(a) "
        "RETURN [c IN [(s)-[:IN_CATEGORY]->(c) | c.id]][0] AS category, count(s) AS n "
        "ORDER BY category"
    )
    assert placed == [{"category": "jugendfreizeit", "n": 407}, {"category": "pflege", "n": 274}]
    (mauerpark,) = db.query(
        "MATCH (o)-[:PROVIDES]->(s:Service {id: 'berlin-jfe-01010003'})-[:SERVES]->(a) "
        "RETURN o.name AS org, o.sector AS sector, s.capacity AS places, a.id AS area"
    )
    assert _one(db, "MATCH (o:Organization {id: 'berlin-traeger-fipp-e-v'}) RETURN o.website") == (
        "https://www.fippev.de/willkommen"
    )
    assert mauerpark == {
        "org": "BA Mitte von Berlin",
        "sector": "public",
        "places": 98,
        "area": "berlin-0110",
    }
    again = CliRunner().invoke(main, ["import", str(BERLIN), "--mapping", str(MAPPING)])
    assert again.exit_code == 0, again.output
    assert (
        _one(
            db,
            "MATCH (r:ImportRun) WITH r ORDER BY r.started_at DESC LIMIT 1 "
            "RETURN r.created + r.changed",
        )
        == 0
    )


def test_berlin_round_trips_through_csv_and_hsds(db: Graph, tmp_path: Path) -> None:
    """Real data through every export that can hold it: geometries of megabytes in CSV cells,
    681 services with their Träger and Standorte in HSDS; XLSX refuses them by name."""
    import_path(db, BERLIN, source="berlin-lor", mapping=MAPPING)
    original = graph_bundle(db)
    export(db, "csv", tmp_path / "csv")
    export(db, "hsds", tmp_path / "angebote.json")
    with pytest.raises(LoaderError, match="areas, Zeile 3: Wert länger als 32767 Zeichen"):
        export(db, "xlsx", tmp_path / "berlin.xlsx")
    assert not (tmp_path / "berlin.xlsx").exists()
    clear(db)
    import_path(db, tmp_path / "csv", source="berlin-lor")
    assert graph_bundle(db) == original
    assert import_path(db, tmp_path / "csv", source="berlin-lor").is_no_op
    db.query(
        "MATCH (n) WHERE n:Service OR n:Location OR n:Organization OR n:Category DETACH DELETE n",
        write=True,
    )
    import_path(db, tmp_path / "angebote.json", source="berlin-lor")
    assert graph_bundle(db) == original
    export(db, "hsds", tmp_path / "wieder.json")
    assert json.loads((tmp_path / "wieder.json").read_text("utf-8")) == json.loads(
        (tmp_path / "angebote.json").read_text("utf-8")
    )
