"""Open Referral HSDS 3.x: import and export of full service records, both round trips."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph import Graph
from loaders.errors import ImportRejected
from loaders.export import export
from tests.loader_helpers import EXAMPLE_BUNDLE, ROOT, graph_bundle, import_path, snapshot

HSDS_EXAMPLE = ROOT / "examples" / "hsds" / "services.json"
AREAS = EXAMPLE_BUNDLE / "areas.csv"


def _directory_part(graph: Graph) -> dict[str, list[object]]:
    """What HSDS carries: services and the Träger, Standorte, Leistungsbereiche they use."""
    bundle = graph_bundle(graph)
    used_orgs = {s.organization_id for s in bundle.services}
    used_locs = {loc for s in bundle.services for loc in s.location_ids}
    used_cats = {c for s in bundle.services for c in s.category_ids}
    return {
        "services": list(bundle.services),
        "organizations": [o for o in bundle.organizations if o.id in used_orgs],
        "locations": [loc for loc in bundle.locations if loc.id in used_locs],
        "categories": [c for c in bundle.categories if c.id in used_cats],
    }


def test_export_then_import_gives_the_same_graph(db: Graph, tmp_path: Path) -> None:
    import_path(db, EXAMPLE_BUNDLE, source="beispiel")
    original = _directory_part(db)
    target = tmp_path / "services.json"
    export(db, "hsds", target)
    db.query("MATCH (n) DETACH DELETE n", write=True)
    import_path(db, AREAS, source="beispiel")
    import_path(db, target, source="beispiel")
    assert _directory_part(db) == original
    assert len(original["services"]) == 3


def test_import_then_export_gives_the_same_records(db: Graph, tmp_path: Path) -> None:
    import_path(db, AREAS, source="gebiete")
    report = import_path(db, HSDS_EXAMPLE, source="hsds")
    assert report.plan.created == {"Category": 2, "Location": 2, "Organization": 2, "Service": 3}
    target = tmp_path / "out.json"
    export(db, "hsds", target)
    assert json.loads(target.read_text("utf-8")) == json.loads(HSDS_EXAMPLE.read_text("utf-8"))
    # HSDS ids are the node ids
    (row,) = db.query(
        "MATCH (o:Organization)-[:PROVIDES]->(s:Service {id: 'sb-caritas-mitte'})"
        "-[:AT_LOCATION]->(l:Location)-[:IN_AREA]->(a:Area) "
        "RETURN o.id AS o, l.id AS l, a.id AS a, s.capacity AS c, s.capacity_used AS u"
    )
    assert row == {
        "o": "caritas-stuttgart",
        "l": "caritas-sb-mitte",
        "a": "stuttgart-mitte-1",
        "c": 40,
        "u": 31,
    }


@pytest.mark.parametrize("shape", ["ndjson", "page"])
def test_ndjson_and_paged_responses_read_the_same(db: Graph, tmp_path: Path, shape: str) -> None:
    records = json.loads(HSDS_EXAMPLE.read_text("utf-8"))
    if shape == "ndjson":
        path = tmp_path / "services.ndjson"
        path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    else:
        path = tmp_path / "page.json"
        page = {
            "total_items": len(records),
            "total_pages": 1,
            "page_number": 1,
            "size": len(records),
            "first_page": True,
            "last_page": True,
            "empty": False,
            "contents": records,
        }
        path.write_text(json.dumps(page), "utf-8")
    import_path(db, AREAS, source="gebiete")
    import_path(db, path, source="hsds")
    expected_path = tmp_path / "expected.json"
    export(db, "hsds", expected_path)
    assert json.loads(expected_path.read_text("utf-8")) == records


def test_reimport_is_a_no_op(db: Graph) -> None:
    import_path(db, AREAS, source="gebiete")
    import_path(db, HSDS_EXAMPLE, source="hsds")
    before = [r for r in snapshot(db) if "ImportRun" not in r.get("labels", [])]
    report = import_path(db, HSDS_EXAMPLE, source="hsds")
    assert report.is_no_op
    assert [r for r in snapshot(db) if "ImportRun" not in r.get("labels", [])] == before


def test_bad_record_among_valid_ones_is_refused(db: Graph, tmp_path: Path) -> None:
    import_path(db, AREAS, source="gebiete")
    records = json.loads(HSDS_EXAMPLE.read_text("utf-8"))
    records[1]["capacities"][0]["available"] = "viele"
    records[2]["service_areas"][0]["uri"] = "urn:verbund:area:gibt-es-nicht"
    path = tmp_path / "services.json"
    text = json.dumps(records, indent=2)
    path.write_text(text, "utf-8")
    # Each record starts on a line "  {"; messages name the record and that line.
    starts = [n for n, line in enumerate(text.splitlines(), start=1) if line == "  {"]
    before = snapshot(db)
    with pytest.raises(ImportRejected) as rejected:
        import_path(db, path, source="hsds")
    shown = [str(i) for i in rejected.value.issues]
    assert shown == [
        f"services.json, Datensatz 2 (Zeile {starts[1]}), Feld „capacities.0.available“:"
        " Zahl erwartet (z. B. 12,5) (Wert: „viele“)",
        f"services.json, Datensatz 3 (Zeile {starts[2]}), Feld „area_ids“: Sozialraum"
        " „gibt-es-nicht“ gibt es weder in der Eingabe noch in der Datenbank",
    ]
    assert snapshot(db) == before


def _directory_nodes(graph: Graph) -> list[dict[str, object]]:
    """The imported directory without bookkeeping (import runs and their times)."""
    return [
        {k: v for k, v in row.items() if k != "props"}
        | {"props": {k: v for k, v in (row["props"] or {}).items() if k not in _STAMPS}}
        for row in snapshot(graph)
        if "ImportRun" not in row.get("labels", [])
    ]


_STAMPS = {"imported_at", "created_at", "updated_at"}


def test_array_ndjson_and_page_import_the_same_graph(db: Graph, tmp_path: Path) -> None:
    records = json.loads(HSDS_EXAMPLE.read_text("utf-8"))
    shapes = {
        "liste.json": json.dumps(records, indent=4),
        "zeilen.ndjson": "".join(json.dumps(r) + "\n" for r in records),
        "seite.json": json.dumps({"page_number": 1, "contents": records, "last_page": True}),
    }
    graphs = []
    for name, text in shapes.items():
        db.query("MATCH (n) DETACH DELETE n", write=True)
        import_path(db, AREAS, source="gebiete")
        path = tmp_path / name
        path.write_text(text, "utf-8")
        report = import_path(db, path, source="hsds")
        assert report.plan.created["Service"] == 3
        graphs.append(_directory_nodes(db))
    assert graphs[0] == graphs[1] == graphs[2]


def test_broken_json_is_refused_with_its_line(db: Graph, tmp_path: Path) -> None:
    records = json.loads(HSDS_EXAMPLE.read_text("utf-8"))
    text = json.dumps(records, indent=2)
    cut = text.rindex('"status"')  # the third record breaks off in the middle
    path = tmp_path / "services.json"
    path.write_text(text[:cut], "utf-8")
    import_path(db, AREAS, source="gebiete")
    before = snapshot(db)
    with pytest.raises(ImportRejected) as rejected:
        import_path(db, path, source="hsds")
    line = text[:cut].count("\n") + 1
    assert [str(i) for i in rejected.value.issues] == [
        f"services.json, Zeile {line}: kein JSON: Expecting property name enclosed in double quotes"
    ]
    assert snapshot(db) == before


def test_repeated_organizations_and_locations_are_merged_with_warnings(
    db: Graph, tmp_path: Path
) -> None:
    """Feeds embed the same organization in every service, not always alike: the reduced
    copy takes nothing away, the complete one fills gaps, a differing value is a warning."""
    import_path(db, AREAS, source="gebiete")
    records = json.loads(HSDS_EXAMPLE.read_text("utf-8"))
    full = records[0]["organization"]
    # service 1 embeds Caritas without phones and email (as some publishers do)
    records[0]["organization"] = {k: v for k, v in full.items() if k not in ("phones", "email")}
    # service 3 embeds it completely, but with another website
    records[2]["organization"] = {**full, "website": "https://www.caritas-stuttgart.de/sucht"}
    path = tmp_path / "services.json"
    path.write_text(json.dumps(records, indent=1), "utf-8")
    report = import_path(db, path, source="hsds")
    (org,) = db.query(
        "MATCH (o:Organization {id: 'caritas-stuttgart'}) "
        "RETURN o.phone AS phone, o.email AS email, o.website AS website"
    )
    assert org == {
        "phone": full["phones"][0]["number"],
        "email": full["email"],
        "website": full["website"],
    }
    (warning,) = [str(w) for w in report.warnings]
    assert warning.startswith("services.json, Datensatz 3 (Zeile ")
    assert warning.endswith(
        "Feld „organization.website“: Träger „caritas-stuttgart“:"
        " „https://www.caritas-stuttgart.de/sucht“ weicht ab von"
        " „https://www.caritas-stuttgart.de“ (services.json, Datensatz 1);"
        " übernommen: „https://www.caritas-stuttgart.de“"
    )
