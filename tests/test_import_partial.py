"""A file that lacks columns never erases them (issue 14, item 8); the review shows each
changed field old → new, on the screen and as ``--report json``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from api.cli import main
from graph import Graph
from tests.loader_helpers import EXAMPLE_BUNDLE, ROOT, import_path, snapshot

CARITAS = "caritas-stuttgart"


def _org(db: Graph, ident: str) -> dict[str, object]:
    (row,) = db.query("MATCH (o:Organization {id: $id}) RETURN properties(o) AS p", {"id": ident})
    props: dict[str, object] = row["p"]
    return props


def _folder(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / "teil"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, "utf-8")
    return folder


def test_absent_columns_keep_values_and_empty_cells_clear(db: Graph, tmp_path: Path) -> None:
    import_path(db, EXAMPLE_BUNDLE, source="beispiel")
    before = _org(db, CARITAS)
    assert before["email"] == "info@caritas-stuttgart.de"
    # Only id and name: a rename must not erase e-mail, phone, website, description.
    partial = _folder(tmp_path, "traeger.csv", "ID;Träger\ncaritas-stuttgart;Caritas Stuttgart\n")
    report = import_path(db, partial, source="beispiel")
    after = _org(db, CARITAS)
    assert after["name"] == "Caritas Stuttgart"
    for key in ("email", "phone", "website", "description", "sector"):
        assert after[key] == before[key], key
    (changed,) = report.review.of("changed")
    assert [(c.field, c.old, c.new) for c in changed.changes] == [
        ("name", "Caritasverband für Stuttgart e.V.", "Caritas Stuttgart")
    ]
    # The column present with an empty cell: that clears the value.
    clearing = _folder(tmp_path, "traeger.csv", "ID;Träger;E-Mail\ncaritas-stuttgart;Caritas;\n")
    import_path(db, clearing, source="beispiel")
    assert _org(db, CARITAS).get("email") in (None, "")
    assert _org(db, CARITAS)["phone"] == before["phone"]


def test_absent_indicator_columns_and_history_are_kept(db: Graph, tmp_path: Path) -> None:
    import_path(db, EXAMPLE_BUNDLE, source="beispiel")
    events = db.query("MATCH (:Referral)-[:HAS_EVENT]->(e) RETURN count(e) AS n")
    partial = tmp_path / "teil"
    partial.mkdir()
    (partial / "areas.csv").write_text(
        "id;name;level;indicator_sgb2_quote\nstuttgart-mitte;Mitte;district;10,0\n", "utf-8"
    )
    shutil.copy(EXAMPLE_BUNDLE / "referrals.csv", partial / "referrals.csv")
    import_path(db, partial, source="beispiel")
    (area,) = db.query("MATCH (a:Area {id: 'stuttgart-mitte'}) RETURN properties(a) AS p")
    assert area["p"]["indicator_sgb2_quote"] == 10.0
    assert area["p"]["indicator_kinderarmut"] == 18.2  # no column: kept
    assert area["p"]["population"] == 23436
    assert db.query("MATCH (:Area {id: 'stuttgart-mitte'})-[:PART_OF]->(p) RETURN p.id AS id") == [
        {"id": "stuttgart"}
    ]
    # referrals.csv without referral_events.csv leaves the status history alone
    assert db.query("MATCH (:Referral)-[:HAS_EVENT]->(e) RETURN count(e) AS n") == events
    assert db.query("MATCH (e:ReferralEvent) RETURN count(e) AS n") == events


def test_dry_run_shows_old_and_new_per_field(db: Graph, tmp_path: Path) -> None:
    import_path(db, EXAMPLE_BUNDLE, source="beispiel")
    partial = _folder(
        tmp_path,
        "traeger.csv",
        "ID;Träger;Telefon\ncaritas-stuttgart;Caritas Stuttgart;0711 1\n"
        "eva-stuttgart;Evangelische Gesellschaft Stuttgart e.V.;\n",
    )
    before = snapshot(db)
    result = CliRunner().invoke(main, ["import", str(partial), "--source", "beispiel", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Organization „caritas-stuttgart“ (teil/traeger.csv, Zeile 2)" in result.output
    assert "name: „Caritasverband für Stuttgart e.V.“ → „Caritas Stuttgart“" in result.output
    assert "phone: „0711 7050-0“ → „0711 1“" in result.output
    assert "eva-stuttgart" not in result.output  # unchanged: not listed
    assert snapshot(db) == before


def test_report_json_lists_created_changed_unchanged(db: Graph, tmp_path: Path) -> None:
    import_path(db, EXAMPLE_BUNDLE, source="beispiel")
    partial = _folder(
        tmp_path,
        "traeger.csv",
        "ID;Träger\ncaritas-stuttgart;Caritas Stuttgart\n"
        "eva-stuttgart;Evangelische Gesellschaft Stuttgart e.V.\nneu-ev;Neuer Verein e.V.\n",
    )
    args = ["import", str(partial), "--source", "beispiel", "--report", "json"]
    result = CliRunner().invoke(main, [*args, "--dry-run"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["counts"] == {"created": 1, "changed": 1, "unchanged": 1, "errors": 0}
    assert [r["id"] for r in report["created"]] == ["neu-ev"]
    (changed,) = report["changed"]
    assert changed["type"] == "Organization"
    assert (changed["file"], changed["row"]) == ("teil/traeger.csv", 2)
    assert changed["fields"] == [
        {"field": "name", "old": "Caritasverband für Stuttgart e.V.", "new": "Caritas Stuttgart"}
    ]
    assert [r["id"] for r in report["unchanged"]] == ["eva-stuttgart"]
    assert report["errors"] == []
    # The real run reports the same and writes it.
    done = json.loads(CliRunner().invoke(main, args).stdout)
    assert done["counts"] == report["counts"]
    assert not done["dry_run"]
    assert _org(db, CARITAS)["email"] == "info@caritas-stuttgart.de"


def test_report_json_lists_errors_with_position(db: Graph, tmp_path: Path) -> None:
    import_path(db, EXAMPLE_BUNDLE, source="beispiel")
    before = snapshot(db)
    bad = _folder(
        tmp_path, "angebote.csv", "ID;Angebot;Träger;Kapazität\nx;X;caritas-stuttgart;viele\n"
    )
    result = CliRunner().invoke(main, ["import", str(bad), "--report", "json"])
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["counts"]["errors"] == 1
    (error,) = report["errors"]
    assert (error["file"], error["row"], error["column"]) == ("teil/angebote.csv", 2, "Kapazität")
    assert error["message"].startswith("ganze Zahl erwartet")
    assert snapshot(db) == before


def test_geojson_areas_keep_population_and_indicators(db: Graph, tmp_path: Path) -> None:
    import_path(db, EXAMPLE_BUNDLE, source="beispiel")
    square = [[[9.17, 48.77], [9.19, 48.77], [9.19, 48.79], [9.17, 48.79], [9.17, 48.77]]]
    feature = {
        "type": "Feature",
        "properties": {"id": "stuttgart-mitte", "name": "Mitte"},
        "geometry": {"type": "Polygon", "coordinates": square},
    }
    path = tmp_path / "mitte.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), "utf-8")
    import_path(db, path, source="beispiel")
    (area,) = db.query("MATCH (a:Area {id: 'stuttgart-mitte'}) RETURN properties(a) AS p")
    assert area["p"]["geometry"] is not None
    assert area["p"]["population"] == 23436
    assert area["p"]["indicator_kinderarmut"] == 18.2
    assert db.query("MATCH (:Area {id: 'stuttgart-mitte'})-[:PART_OF]->(p) RETURN p.id AS id") == [
        {"id": "stuttgart"}
    ]


def test_memberships_without_since_keep_it(db: Graph, tmp_path: Path) -> None:
    import_path(db, EXAMPLE_BUNDLE, source="beispiel")
    query = (
        "MATCH (:Organization {id: 'caritas-stuttgart'})-[m:MEMBER_OF]->"
        "(:Network {id: 'zentrale-schuldnerberatung'}) RETURN m.role AS role, m.since AS since"
    )
    before = db.query(query)
    assert before[0]["since"] is not None
    partial = _folder(
        tmp_path,
        "mitgliedschaften.csv",
        "Verbund;Träger\nzentrale-schuldnerberatung;caritas-stuttgart\n",
    )
    report = import_path(db, partial, source="beispiel")
    assert db.query(query) == before
    assert report.plan.unchanged == {"MEMBER_OF": 1}


def test_mapped_list_keeps_fields_it_does_not_map(db: Graph, tmp_path: Path) -> None:
    folder = ROOT / "tests" / "fixtures" / "traegerliste"
    mapping = folder / "zuordnung.yaml"
    import_path(db, folder / "liste.csv", mapping=mapping, source="beratungsliste")
    (org,) = db.query("MATCH (o:Organization) RETURN o.id AS id LIMIT 1")
    # Another source describes the Träger (the mapping has no description column) …
    described = _folder(tmp_path, "traeger.csv", f"id;name;description\n{org['id']};X;Beratung\n")
    import_path(db, described, source="beratungsliste")
    # … and the list's next import leaves the description alone.
    import_path(db, folder / "liste.csv", mapping=mapping, source="beratungsliste")
    assert _org(db, org["id"])["description"] == "Beratung"
