"""The official Open Referral HSDS 3 examples (../shared/data/hsds/examples) import without
refusal, and every value they hold comes out of verbund's export again, at the same place."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from graph import Graph
from graph.readback import read_bundle
from loaders.errors import ImportRejected
from loaders.export import export
from loaders.hsds.schemas import schema_errors
from loaders.hsds.writer import (
    location_record,
    organization_record,
    service_records,
    taxonomy_terms,
)
from tests.loader_helpers import first_per_field, import_path, shared_data

EXAMPLES = shared_data() / "hsds" / "examples"

pytestmark = pytest.mark.skipif(not EXAMPLES.is_dir(), reason="../shared/data/hsds fehlt")

Json = Any


def leaves(value: Json, path: str = "") -> Iterator[tuple[str, Json]]:
    """Every scalar of a JSON value with its path (``phones.0.number``)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from leaves(item, f"{path}.{index}")
    else:
        yield path, value


def missing_leaves(received: Json, exported: Json) -> list[str]:
    """The input's scalars the export lacks or gives otherwise, as ``path: in -> out``."""
    out = dict(leaves(exported))
    return [
        f"{path}: {value!r} -> {out.get(path, '<fehlt>')!r}"
        for path, value in leaves(received)
        if path not in out or out[path] != value or isinstance(value, bool) != _is_bool(out[path])
    ]


def _is_bool(value: Json) -> bool:
    return isinstance(value, bool)


def _contents(path: Path) -> list[Json]:
    data = json.loads(path.read_text("utf-8"))
    return data["contents"] if isinstance(data, dict) and "contents" in data else [data]


def exported(graph: Graph, kind: str) -> list[Json]:
    """The graph's directory in the shape of the example's kind, built by the HSDS mapping."""
    bundle = read_bundle(graph)
    services = list(service_records(bundle))
    if kind == "service":
        return services
    if kind == "service_at_location":
        return [
            {**sal, "service": {k: v for k, v in s.items() if k != "service_at_locations"}}
            for s in services
            for sal in s["service_at_locations"]
        ]
    if kind == "location":
        return [location_record(loc) for loc in bundle.locations]
    if kind == "taxonomy_term":
        return taxonomy_terms(bundle.categories)[: len(bundle.categories)]
    return [
        {
            **organization_record(org),
            "locations": [
                location_record(loc) for loc in bundle.locations if loc.organization_id == org.id
            ],
            "services": [
                {k: v for k, v in s.items() if k != "organization"}
                for s in services
                if s["organization"]["id"] == org.id
            ],
        }
        for org in bundle.organizations
    ]


CASES = [
    ("service_full.json", "service"),
    ("service_list.json", "service"),
    ("organization_full.json", "organization"),
    ("organization_list.json", "organization"),
    ("service_at_location_full.json", "service_at_location"),
    ("service_at_location_list.json", "service_at_location"),
    ("location.json", "location"),
    ("taxonomy_term.json", "taxonomy_term"),
    ("taxonomy_term_list.json", "taxonomy_term"),
]


@pytest.mark.parametrize(("name", "kind"), CASES)
def test_example_imports_and_every_value_comes_out_again(db: Graph, name: str, kind: str) -> None:
    path = EXAMPLES / name
    report = import_path(db, path, source="hsds-beispiel")
    assert sum(report.plan.created.values()) > 0
    out = {record["id"]: record for record in exported(db, kind)}
    for received in _contents(path):
        # A Träger's locations are Standorte of their own, listed with the Träger
        # (/organizations/{id}), not repeated inside every one of its services.
        if kind == "service":
            received = _without_org_locations(received)
        if kind == "service_at_location":
            received = {**received, "service": _without_org_locations(received["service"])}
        assert missing_leaves(received, out[received["id"]]) == []
    for record in out.values():
        assert schema_errors(kind, record) == []


def _without_org_locations(service: Json) -> Json:
    org = {k: v for k, v in service["organization"].items() if k != "locations"}
    return {**service, "organization": org}


@pytest.mark.parametrize(("name", "kind"), CASES)
def test_example_reimported_is_a_no_op(db: Graph, name: str, kind: str) -> None:
    import_path(db, EXAMPLES / name, source="hsds-beispiel")
    report = import_path(db, EXAMPLES / name, source="hsds-beispiel")
    assert report.is_no_op, report.plan


def test_free_text_legal_status_is_kept_with_a_warning(db: Graph) -> None:
    report = import_path(db, EXAMPLES / "organization_full.json", source="hsds-beispiel")
    (row,) = db.query("MATCH (o:Organization) RETURN o.legal_status AS l, o.sector AS s")
    assert row == {"l": "Limited Company", "s": "private"}
    assert not [w for w in report.warnings if w.column == "legal_status"]


def test_unmatched_service_area_is_kept_unlinked_with_a_warning(db: Graph) -> None:
    report = import_path(db, EXAMPLES / "service_full.json", source="hsds-beispiel")
    (warning,) = [w for w in report.warnings if w.column == "service_areas.0"]
    assert "ohne Sozialraum behalten" in warning.message
    assert db.query("MATCH (:Service)-[r:SERVES]->() RETURN count(r) AS n") == [{"n": 0}]


def test_schema_errors_name_the_json_path_and_write_nothing(db: Graph, tmp_path: Path) -> None:
    record = json.loads((EXAMPLES / "service_full.json").read_text("utf-8"))
    record["phones"][0]["number"] = 5
    record["status"] = "offen"
    del record["name"]
    record["lieblingsfarbe"] = "grün"
    path = tmp_path / "service.json"
    path.write_text(json.dumps(record), "utf-8")
    with pytest.raises(ImportRejected) as rejected:
        import_path(db, path, source="hsds-beispiel")
    assert [(i.column, i.message.split(" ")[0]) for i in rejected.value.issues] == [
        ("$.name", "Pflichtfeld"),
        ("$.phones[0].number", "Text"),
        ("$.status", "Wert"),
    ]
    assert db.query("MATCH (n) RETURN count(n) AS n") == [{"n": 0}]


def test_unknown_fields_are_kept_with_a_warning(db: Graph, tmp_path: Path) -> None:
    record = json.loads((EXAMPLES / "service_full.json").read_text("utf-8"))
    record["lieblingsfarbe"] = "grün"
    record["phones"][0]["fax_hint"] = "nur vormittags"
    path = tmp_path / "service.json"
    path.write_text(json.dumps(record), "utf-8")
    report = import_path(db, path, source="hsds-beispiel")
    (warning,) = [w for w in report.warnings if "nicht kennt" in w.message]
    assert "$.lieblingsfarbe" in warning.message
    assert "$.phones[0].fax_hint" in warning.message
    (out,) = exported(db, "service")
    assert out["lieblingsfarbe"] == "grün"
    assert out["phones"][0]["fax_hint"] == "nur vormittags"


@pytest.mark.parametrize("name", ["service_full.json", "organization_full.json"])
def test_export_into_a_fresh_database_and_out_again_is_identical(
    db: Graph, tmp_path: Path, name: str
) -> None:
    import_path(db, EXAMPLES / name, source="hsds-beispiel")
    first = tmp_path / "erste.json"
    export(db, "hsds", first)
    db.query("MATCH (n) DETACH DELETE n", write=True)
    report = import_path(db, first, source="hsds-beispiel")
    assert not [w for w in report.warnings if "nicht kennt" in w.message]
    second = tmp_path / "zweite.json"
    export(db, "hsds", second)
    assert json.loads(second.read_text("utf-8")) == json.loads(first.read_text("utf-8"))


def test_tabular_package_imports_and_every_cell_comes_out_again(db: Graph) -> None:
    folder = EXAMPLES / "csv"
    report = import_path(db, folder, source="hsds-tabellen")
    assert report.format == "hsds"
    assert report.plan.created == {"Category": 1, "Location": 1, "Organization": 1, "Service": 1}
    unplaced = {w.file for w in report.warnings if "gehört zu keinem Datensatz" in w.message}
    # Rows pointing at ids the package does not hold (the example's attribute and metadata
    # rows do) are named, not silently lost.
    assert unplaced == {
        "attributes.csv",
        "metadata.csv",
        "meta_table_descriptions.csv",
        "taxonomies.csv",
    }
    out = {
        str(value)
        for kind in ("service", "organization", "location", "taxonomy_term")
        for record in exported(db, kind)
        for _, value in leaves(record)
    }
    for table in sorted(folder.glob("*.csv")):
        if table.name in unplaced:
            continue
        with table.open(encoding="utf-8-sig", newline="") as fh:
            cells = {cell for row in csv.DictReader(fh) for cell in row.values() if cell}
        assert cells - out == set(), table.name
    again = import_path(db, folder, source="hsds-tabellen")
    assert again.is_no_op


@pytest.mark.parametrize(
    ("full", "partial"),
    [
        ("service_full.json", "service_list.json"),
        ("organization_full.json", "organization_list.json"),
        ("service_at_location_full.json", "service_at_location_list.json"),
    ],
)
def test_a_list_answer_never_erases_what_the_full_record_gave(
    db: Graph, full: str, partial: str
) -> None:
    kind = "service" if full.startswith("service_full") else full.rsplit("_full", 1)[0]
    import_path(db, EXAMPLES / full, source="hsds-beispiel")
    before = exported(db, kind)
    report = import_path(db, EXAMPLES / partial, source="hsds-beispiel")
    assert report.is_no_op, report.plan
    assert exported(db, kind) == before


def test_a_partial_record_changes_what_it_gives_and_keeps_the_rest(
    db: Graph, tmp_path: Path
) -> None:
    import_path(db, EXAMPLES / "organization_full.json", source="hsds-beispiel")
    (org,) = exported(db, "organization")
    path = tmp_path / "org.json"
    path.write_text(
        json.dumps(
            {
                "id": org["id"],
                "name": org["name"],
                "description": org["description"],
                "email": "neu@example.org",
            }
        ),
        "utf-8",
    )
    import_path(db, path, source="hsds-beispiel")
    (after,) = exported(db, "organization")
    assert after == {**org, "email": "neu@example.org"}


def _square(west: float, south: float, size: float) -> dict[str, Any]:
    ring = [
        [west, south],
        [west + size, south],
        [west + size, south + size],
        [west, south + size],
        [west, south],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


def test_service_areas_are_matched_by_name_id_or_extent(db: Graph, tmp_path: Path) -> None:
    areas = tmp_path / "areas.csv"
    rows = [
        ("stadt", "Musterstadt", "city", "", _square(9.0, 48.0, 0.2)),
        ("nord", "Nordstadt", "district", "stadt", _square(9.0, 48.1, 0.1)),
        ("sued", "Südstadt", "district", "stadt", _square(9.0, 48.0, 0.1)),
        ("ost", "Oststadt", "district", "stadt", _square(9.1, 48.0, 0.1)),
    ]
    areas.write_text(
        "id;name;level;parent_id;geometry\n"
        + "".join(f"{i};{n};{lv};{p};{json.dumps(g)}\n" for i, n, lv, p, g in rows),
        "utf-8",
    )
    import_path(db, areas, source="gebiete")
    record = json.loads((EXAMPLES / "service_full.json").read_text("utf-8"))
    record["service_areas"] = [
        {"id": "a1", "name": "Nordstadt"},
        {"id": "a2", "name": "sued"},
        {
            "id": "a3",
            "name": "Wo wir helfen",
            "extent": json.dumps(_square(9.1, 48.0, 0.1)),
            "extent_type": "geojson",
        },
        {"id": "a4", "name": "Irgendwo", "extent": "POINT (1 1)", "extent_type": "wkt"},
    ]
    path = tmp_path / "service.json"
    path.write_text(json.dumps(record), "utf-8")
    report = import_path(db, path, source="hsds-beispiel")
    served = db.query("MATCH (:Service)-[:SERVES]->(a:Area) RETURN a.id AS id ORDER BY id")
    assert [row["id"] for row in served] == ["nord", "ost", "sued"]
    (unmatched,) = [w for w in report.warnings if w.column == "service_areas.3"]
    assert "„Irgendwo“ ist kein bekannter Sozialraum" in unmatched.message
    (out,) = exported(db, "service")
    assert missing_leaves(record["service_areas"], out["service_areas"]) == []


def _mutations(record: Json, every_leaf: bool = True) -> Iterator[Json]:
    """The record with one scalar at a time replaced by a value of another type (only the
    first scalar of each top-level field unless ``every_leaf``)."""
    paths = list(leaves(record))
    if not every_leaf:
        paths = first_per_field(paths, lambda leaf: leaf[0].split(".")[0])
    for path, value in paths:
        for other in (5, "fünf", True, None):
            if other == value and type(other) is type(value):
                continue
            copy = json.loads(json.dumps(record))
            *parents, last = path.split(".")
            target = copy
            for part in parents:
                target = target[int(part)] if isinstance(target, list) else target[part]
            target[int(last) if isinstance(target, list) else last] = other
            yield copy


# Every leaf (1,600 checks) only in `make test`; `make test-fast` mutates the first leaf of
# each top-level field.
@pytest.mark.parametrize(
    "every_leaf",
    [pytest.param(False, id="sample"), pytest.param(True, id="every-leaf", marks=pytest.mark.slow)],
)
def test_the_quick_schema_check_agrees_with_jsonschema(every_leaf: bool) -> None:
    from jsonschema import Draft202012Validator

    from loaders.hsds.schemas import _registry

    for name, kind in (("service_full.json", "service"), ("location.json", "location")):
        record = _contents(EXAMPLES / name)[0]
        full = Draft202012Validator({"$ref": f"{kind}.json"}, registry=_registry())
        checked = 0
        for mutated in _mutations(record, every_leaf):
            assert (schema_errors(kind, mutated) == []) == full.is_valid(mutated)
            checked += 1
        assert checked > (100 if every_leaf else 30)


def test_a_changed_schedule_is_reviewed_by_member_name(db: Graph, tmp_path: Path) -> None:
    import_path(db, EXAMPLES / "service_full.json", source="hsds-beispiel")
    record = json.loads((EXAMPLES / "service_full.json").read_text("utf-8"))
    record["schedules"][0]["notes"] = "Mittagspause 12–13 Uhr"
    path = tmp_path / "service.json"
    path.write_text(json.dumps(record), "utf-8")
    report = import_path(db, path, source="hsds-beispiel", dry_run=True)
    (changed,) = [r for r in report.review.records if r.outcome == "changed"]
    assert changed.id == record["id"]
    assert [(c.field, c.old, c.new) for c in changed.changes] == [
        ("hsds", ["schedules"], ["schedules"])
    ]


def test_the_api_gives_the_free_text_legal_status(db: Graph) -> None:
    from starlette.testclient import TestClient

    from tests.test_hsds_api import app_with

    import_path(db, EXAMPLES / "organization_full.json", source="hsds-beispiel")
    org_id = _contents(EXAMPLES / "organization_full.json")[0]["id"]
    with TestClient(app_with(db, "public")) as client:
        answer = client.get(f"/hsds/organizations/{org_id}")
    assert answer.status_code == 200, answer.text
    assert answer.json()["legal_status"] == "Limited Company"
