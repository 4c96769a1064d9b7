"""One place for the directory's domain rules (graph/validation.py, issue #16 item 8).

GraphQL refused an occupancy above the places or an end before the start while an import of
the same record went through. Now both read the same rules: a known-answer test per rule, and
the same record refused by the importer (file, row, column; nothing written) and by GraphQL.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from graph import Graph, validation
from graph import records as rec
from graph.admin import label_counts
from loaders.errors import ImportRejected
from tests.apikit import load_network, run_query
from tests.loader_helpers import EXAMPLE_BUNDLE, import_path


def _service(**changes: object) -> rec.Service:
    return rec.Service(id="s", name="Schuldnerberatung", organization_id="o", **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (_service(capacity=10, capacity_used=10), []),
        (_service(capacity=10, capacity_used=11), [("capacity_used", "übersteigt")]),
        (_service(capacity=-1), [("capacity", "negativ")]),
        (_service(capacity_used=3), []),  # places unknown: occupancy alone is no contradiction
        (_service(languages=["DEU"]), []),  # normalised to "de" by the record
        (_service(languages=["de", "klingonisch"]), [("languages", "klingonisch")]),
        (
            _service(valid_from=date(2026, 5, 1), valid_to=date(2026, 4, 30)),
            [("valid_to", "vor gültig ab")],
        ),
        (_service(required_documents=["Ausweis", " "]), [("required_documents", "Leere")]),
    ],
)
def test_service_rules(record: rec.Service, expected: list[tuple[str, str]]) -> None:
    found = validation.service(record)
    assert [f for f, _ in found] == [f for f, _ in expected]
    for (_, message), (_, word) in zip(found, expected, strict=True):
        assert word in message


def test_availability_needs_places_for_an_occupancy() -> None:
    (problem,) = validation.service_availability(_service(capacity_used=3))
    assert problem[0] == "capacity"
    assert validation.service_availability(_service(capacity=3, capacity_used=3)) == []


def test_agreement_and_location_rules() -> None:
    one_sided = rec.Agreement(id="a", title="KV", party_ids=["x", "x"])
    assert [f for f, _ in validation.agreement(one_sided)] == ["party_ids"]
    nowhere = rec.Location(id="l", name="Büro", latitude=91.0, longitude=-181.0)
    assert [f for f, _ in validation.location(nowhere)] == ["latitude", "longitude"]
    assert validation.organization(rec.Organization(id="o", name=" ")) == [
        ("name", "Der Name darf nicht leer sein.")
    ]


def test_the_importer_refuses_what_graphql_refuses(db: Graph, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(EXAMPLE_BUNDLE, bundle)
    services = bundle / "angebote.csv"
    lines = services.read_text("utf-8").splitlines()
    header = lines[0].split(";")
    row = lines[1].split(";")
    row[header.index("Kapazität")], row[header.index("belegt")] = "40", "41"
    row[header.index("gültig ab")], row[header.index("gültig bis")] = "01.05.2026", "30.04.2026"
    lines[1] = ";".join(row)
    services.write_text("\n".join(lines) + "\n", "utf-8")
    before = label_counts(db)
    with pytest.raises(ImportRejected) as refused:
        import_path(db, bundle, source="beispiel")
    assert label_counts(db) == before
    found = {(i.file, i.row, i.column): i.message for i in refused.value.issues}
    assert found == {
        ("bundle/angebote.csv", 2, "belegt"): "Die Belegung übersteigt die Kapazität.",
        ("bundle/angebote.csv", 2, "gültig bis"): "Gültig bis liegt vor gültig ab.",
    }

    # The same values through GraphQL: the same rule, the same words, at the form's field.
    load_network(db)
    (service_id,) = [r["id"] for r in db.query("MATCH (s:Service) RETURN s.id AS id LIMIT 1")]
    (row,) = db.query("MATCH (s:Service {id: $id}) RETURN s.version AS v", {"id": service_id})
    answer = run_query(
        db,
        """mutation($id: ID!, $v: Int!) { updateService(id: $id, version: $v,
             input: {capacity: 40, capacityUsed: 41}) {
             __typename ... on InvalidInput { fields { path message } } } }""",
        {"id": service_id, "v": row["v"]},
    )
    result = answer["updateService"]
    assert result["__typename"] == "InvalidInput"
    expected = {
        "path": ["input", "capacityUsed"],
        "message": "Die Belegung übersteigt die Kapazität.",
    }
    assert expected in result["fields"]
