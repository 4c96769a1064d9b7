"""Exports are formula-safe (OWASP "CSV injection"): a Träger named ``=HYPERLINK(…)`` is text
in the CSV and the XLSX export, and the import reads our own export back to the same names."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from graph import Graph
from graph.admin import clear
from graph.bundle import Bundle
from graph.records import Area, Organization
from graph.write import write_bundle
from loaders.export import export
from loaders.values import formula_restored, formula_safe
from tests.loader_helpers import graph_bundle, import_path

NAMES = {
    "hyperlink": '=HYPERLINK("http://x","y")',
    "plus": "+1",
    "minus": "-2+3",
    "at": "@SUM(A1)",
    "tab": "\tTabulator e. V.",
    "quoted": "'=schon mit Hochkomma",
    "plain": "Caritas Stuttgart",
}


def _bundle() -> Bundle:
    bundle = Bundle()
    bundle.organizations.extend(
        Organization(id=key, name=name, phone="-5" if key == "minus" else None)
        for key, name in NAMES.items()
    )
    bundle.areas.append(
        Area(id="a1", name="Mitte", level="district", population=-3, indicators={"saldo": -2.5})
    )
    return bundle


@pytest.mark.parametrize(
    "text", [*NAMES.values(), "'", "''=x", "'plain", "-", "\r", "a=b", "", "'\t"]
)
def test_formula_safe_is_undone_exactly(text: str) -> None:
    assert formula_restored(formula_safe(text)) == text
    assert not formula_safe(text).startswith(("=", "+", "-", "@", "\t", "\r"))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_cells_are_text_and_reimport_gives_the_names(
    db: Graph, tmp_path: Path, fmt: str
) -> None:
    write_bundle(db, _bundle())
    original = graph_bundle(db)
    target = tmp_path / ("export" if fmt == "csv" else "export.xlsx")
    export(db, fmt, target)

    if fmt == "csv":
        with (target / "organizations.csv").open(encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.DictReader(fh, delimiter=";"))
        cells = {row["id"]: row["name"] for row in rows}
        phones = {row["id"]: row["phone"] for row in rows}
        with (target / "areas.csv").open(encoding="utf-8-sig", newline="") as fh:
            area = next(csv.DictReader(fh, delimiter=";"))
        # numbers stay numbers: a negative number gets no quote
        assert (area["population"], area["indicator_saldo"]) == ("-3", "-2.5")
    else:
        workbook = load_workbook(target)
        sheet = workbook["organizations"]
        header = [c.value for c in sheet[1]]
        cells, phones = {}, {}
        for row in sheet.iter_rows(min_row=2):
            by_name = dict(zip(header, row, strict=True))
            assert by_name["name"].data_type == "s", by_name["name"].value
            cells[by_name["id"].value] = by_name["name"].value
            phones[by_name["id"].value] = by_name["phone"].value
        assert all(c.data_type != "f" for row in workbook["areas"].iter_rows() for c in row)
        areas = workbook["areas"]
        area = dict(zip([c.value for c in areas[1]], [c.value for c in areas[2]], strict=True))
        assert (area["population"], area["indicator_saldo"]) == ("-3", "-2.5")

    for key, name in NAMES.items():
        expected = name if key == "plain" else "'" + name
        assert cells[key] == expected, key
    assert phones["minus"] == "'-5"  # text that looks like a number is still text

    clear(db)
    import_path(db, target, source="manual")
    again = graph_bundle(db)
    assert {o.id: o.name for o in again.organizations} == NAMES
    assert again == original


def test_audit_export_csv_is_formula_safe(db: Graph) -> None:
    from click.testing import CliRunner

    from api.cli import main
    from graph.audit import append, new_event

    append(
        db,
        [
            new_event(
                subject='=HYPERLINK("http://x","y")',
                role="caseworker",
                organization_id=None,
                auth_method="oidc",
                action="read",
                operation="@SUM(A1)",
                purpose="-2+3",
                records=["Referral:r1"],
            )
        ],
    )
    answer = CliRunner().invoke(main, ["audit", "export", "--format", "csv"])
    assert answer.exit_code == 0, answer.output
    (row,) = list(csv.DictReader(answer.stdout.splitlines()))
    assert row["subject"] == '\'=HYPERLINK("http://x","y")'
    assert (row["operation"], row["purpose"], row["organization_id"]) == ("'@SUM(A1)", "'-2+3", "")
    assert row["records"] == "Referral:r1"
