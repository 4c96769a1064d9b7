"""Files as offices save them: encodings, separators, German headers, dates and numbers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook

from api.cli import main
from graph import Graph
from graph.records import Organization, Service
from tests.loader_helpers import graph_bundle, import_path

GERMAN_ROWS = [
    ["ID", "Träger", "Trägerart", "Beschreibung"],
    ["caritas", "Caritasverband für Stuttgart e.V.", "frei", "Schuldner- und Suchtberatung"],
    ["jugendamt", "Jugendamt Stuttgart", "öffentlich", "Allgemeiner Sozialer Dienst, Süd"],
]
SERVICE_ROWS = [
    ["ID", "Angebot", "Träger", "Kapazität", "belegt", "gültig ab", "Zielgruppen", "Status"],
    [
        "sb",
        "Schuldnerberatung Süd",
        "caritas",
        "1.200",
        "12",
        "01.03.2024",
        "familien|senioren",
        "aktiv",
    ],
]
AREA_ROWS = [
    ["ID", "Name", "Ebene", "Einwohner", "Indikator SGB II-Quote"],
    ["st", "Stuttgart", "Stadt", "632.865", "8,75"],
]

EXPECTED_ORGS = [
    Organization(
        id="caritas",
        name="Caritasverband für Stuttgart e.V.",
        sector="nonprofit",
        description="Schuldner- und Suchtberatung",
        source="x",
    ),
    Organization(
        id="jugendamt",
        name="Jugendamt Stuttgart",
        sector="public",
        description="Allgemeiner Sozialer Dienst, Süd",
        source="x",
    ),
]


def _write_csv(folder: Path, name: str, rows: list[list[str]], encoding: str, sep: str) -> None:
    def cell(value: str) -> str:
        return f'"{value}"' if sep in value or "," in value else value

    text = "\r\n".join(sep.join(cell(v) for v in row) for row in rows) + "\r\n"
    (folder / name).write_bytes(text.encode(encoding))


@pytest.mark.parametrize(
    ("encoding", "sep"),
    [("cp1252", ";"), ("utf-8-sig", ","), ("utf-8", ";"), ("utf-8", "\t"), ("cp1252", ",")],
)
def test_encodings_and_separators_give_the_same_records(
    db: Graph, tmp_path: Path, encoding: str, sep: str
) -> None:
    folder = tmp_path / "liste"
    folder.mkdir()
    _write_csv(folder, "träger.csv".replace("ä", "ae"), GERMAN_ROWS, encoding, sep)
    _write_csv(folder, "angebote.csv", SERVICE_ROWS, encoding, sep)
    _write_csv(folder, "sozialraeume.csv", AREA_ROWS, encoding, sep)
    import_path(db, folder)
    bundle = graph_bundle(db)
    assert bundle.organizations == EXPECTED_ORGS
    (service,) = bundle.services
    assert service == Service(
        id="sb",
        organization_id="caritas",
        name="Schuldnerberatung Süd",
        capacity=1200,
        capacity_used=12,
        valid_from=date(2024, 3, 1),
        target_groups=("familien", "senioren"),
        source="x",
    )
    (area,) = bundle.areas
    assert (area.level, area.population, area.indicators) == (
        "city",
        632865,
        {"SGB II-Quote": 8.75},
    )


def test_xlsx_with_native_cell_types(db: Graph, tmp_path: Path) -> None:
    workbook = Workbook()
    workbook.remove(workbook.active)
    orgs = workbook.create_sheet("Träger")
    for row in GERMAN_ROWS:
        orgs.append(row)
    services = workbook.create_sheet("Angebote")
    services.append(SERVICE_ROWS[0])
    services.append(
        [
            "sb",
            "Schuldnerberatung Süd",
            "caritas",
            1200,
            12,
            date(2024, 3, 1),
            "familien|senioren",
            "aktiv",
        ]
    )
    path = tmp_path / "liste.xlsx"
    workbook.save(path)
    import_path(db, path)
    bundle = graph_bundle(db)
    assert bundle.organizations == EXPECTED_ORGS
    assert bundle.services[0].valid_from == date(2024, 3, 1)
    assert bundle.services[0].capacity == 1200


def test_cli_lists_errors_without_traceback_and_exits_1(db: Graph, tmp_path: Path) -> None:
    folder = tmp_path / "liste"
    folder.mkdir()
    _write_csv(folder, "traeger.csv", GERMAN_ROWS, "cp1252", ";")
    rows = [SERVICE_ROWS[0], [*SERVICE_ROWS[1][:5], "32.13.2024", *SERVICE_ROWS[1][6:]]]
    _write_csv(folder, "angebote.csv", rows, "cp1252", ";")
    result = CliRunner().invoke(main, ["import", str(folder)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "liste/angebote.csv, Zeile 2, Spalte „gültig ab“: Datum erwartet" in result.output
    ok = CliRunner().invoke(main, ["import", str(folder / "traeger.csv"), "--dry-run"])
    assert ok.exit_code == 0, ok.output
    assert "Probelauf" in ok.output
    assert db.query("MATCH (n) RETURN count(n) AS n") == [{"n": 0}]
