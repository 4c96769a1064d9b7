"""A Träger named on many rows of a foreign list: empty fields are filled from later rows,
differing values are kept out and listed as warnings in the import summary."""

from __future__ import annotations

from click.testing import CliRunner

from api.cli import main
from graph import Graph
from graph.imports import import_runs
from tests.loader_helpers import ROOT, import_path

FIXTURE = ROOT / "tests" / "fixtures" / "traegerliste"
DATA = FIXTURE / "liste.csv"
MAPPING = FIXTURE / "zuordnung.yaml"

WARNINGS = [
    "liste.csv, Zeile 4, Spalte „Träger-Telefon“: Träger „diakonie-sued-e-v“: „0711 1234-99“"
    " weicht ab von „0711 1234-0“ (liste.csv, Zeile 3); übernommen: „0711 1234-0“",
    "liste.csv, Zeile 6, Spalte „Träger-Web“: Träger „diakonie-sued-e-v“:"
    " „https://www.diakonie-sued.de/beratung“ weicht ab von „https://diakonie-sued.de“"
    " (liste.csv, Zeile 4); übernommen: „https://diakonie-sued.de“",
]


def _organizations(graph: Graph) -> list[dict[str, object]]:
    return graph.query(
        "MATCH (o:Organization) OPTIONAL MATCH (o)-[:PROVIDES]->(s:Service) "
        "WITH o, count(s) AS services "
        "RETURN o.id AS id, o.name AS name, o.sector AS sector, o.phone AS phone, "
        "o.website AS website, o.email AS email, services ORDER BY id"
    )


def test_later_rows_fill_a_traeger_and_conflicts_are_reported(db: Graph) -> None:
    report = import_path(db, DATA, source="beratungsliste", mapping=MAPPING)
    assert report.plan.created == {"Category": 1, "Location": 5, "Organization": 2, "Service": 5}
    assert _organizations(db) == [
        {
            "id": "diakonie-sued-e-v",
            "name": "Diakonie Süd e.V.",
            "sector": "nonprofit",
            "phone": "0711 1234-0",  # row 3, the first that has one
            "website": "https://diakonie-sued.de",  # row 4
            "email": "info@diakonie-sued.de",  # row 6, the only one
            "services": 4,
        },
        {
            "id": "stadt-musterstadt",
            "name": "Stadt Musterstadt",
            "sector": "public",
            "phone": None,
            "website": None,
            "email": None,
            "services": 1,
        },
    ]
    assert [str(w) for w in report.warnings] == WARNINGS
    (run,) = import_runs(db, "beratungsliste")
    assert run.warnings == 2
    again = import_path(db, DATA, source="beratungsliste", mapping=MAPPING)
    assert again.is_no_op
    assert [str(w) for w in again.warnings] == WARNINGS


def test_the_cli_lists_the_warnings_below_the_summary(db: Graph) -> None:
    result = CliRunner().invoke(main, ["import", str(DATA), "--mapping", str(MAPPING), "--dry-run"])
    assert result.exit_code == 0, result.output
    summary, _, hints = result.output.partition("2 Hinweise (übernommen, bitte prüfen):")
    assert "Probelauf (nichts geschrieben): beratungsliste (mapping)" in summary
    assert [line.strip(" •") for line in hints.strip().splitlines()] == WARNINGS
    assert db.query("MATCH (n) RETURN count(n) AS n") == [{"n": 0}]
