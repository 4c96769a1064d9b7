"""Matching that people expect, end to end: a CSV import written the way offices write it,
then GraphQL filters and the full-text search on the real Neo4j find it under every usual
spelling; data stored before the rule existed is migrated (``verbund migrate``)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from api.cli import main
from graph import Graph
from graph.admin import clear
from graph.migrations import canonical_values
from tests.apikit import run_query
from tests.loader_helpers import EXAMPLE_BUNDLE, import_path
from tests.webkit import load_web_world, sign_in, web_client

SERVICES = """query($f: ServiceFilterInput) {
  services(filter: $f, first: 50) { nodes { id name legalBasis languages } } }"""
ORGANIZATIONS = """query($f: OrganizationFilterInput) {
  organizations(filter: $f, first: 50) { nodes { id } } }"""


def _ids(graph: Graph, **f: Any) -> set[str]:
    data = run_query(graph, SERVICES, {"f": f})
    return {n["id"] for n in data["services"]["nodes"]}


def import_as_offices_write(graph: Graph, tmp_path: Path) -> Graph:
    """The example bundle, its Angebote rewritten in the spellings of other offices."""
    clear(graph)
    bundle = tmp_path / "bundle"
    shutil.copytree(EXAMPLE_BUNDLE, bundle)
    services = bundle / "angebote.csv"
    text = services.read_text("utf-8")
    replacements = [
        # Schuldnerberatung Mitte: a soft hyphen, codes in capitals and as a German name.
        (
            "sb-caritas-mitte;Schuldnerberatung Mitte;caritas-stuttgart;Beratung bei Überschuldung",
            "sb-caritas-mitte;Schuldner\u00adberatung Mitte;caritas-stuttgart;"
            "Beratung bei Überschuldung in der Königstraße, Eingang Straße am Park",
        ),
        (
            "schuldnerberatung;familien|erwachsene;de|tr;§ 16a SGB II",
            "schuldnerberatung;familien|erwachsene;DE|Türkisch;SGB II §16a",
        ),
        (
            "schuldnerberatung;familien|alleinerziehende;de|ar|ru;§ 16a SGB II",
            "schuldnerberatung;familien|alleinerziehende;deu|AR|ru;Paragraph 16 a SGB 2",
        ),
        (";suchtberatung;erwachsene;de;§ 16a SGB II", ";suchtberatung;erwachsene;de;§ 27 SGB VIII"),
    ]
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    services.write_text(text, "utf-8")
    areas = bundle / "areas.csv"
    names = areas.read_text("utf-8")
    for old, new in (("Neue Vorstadt", "Münster"), ("Gablenberg", "Straßenäcker")):
        assert old in names, old
        names = names.replace(old, new)
    areas.write_text(names, "utf-8")
    report = import_path(graph, bundle)
    assert report.plan.created.get("Service") == 3, report.plan
    return graph


@pytest.fixture(scope="module")
def imported(graph: Graph, tmp_path_factory: pytest.TempPathFactory) -> Graph:
    """Read by the tests below, never changed (one import for all of them)."""
    return import_as_offices_write(graph, tmp_path_factory.mktemp("matching"))


def test_the_import_stores_the_canonical_form(imported: Graph) -> None:
    data = run_query(imported, SERVICES, {"f": {}})
    by_id = {n["id"]: n for n in data["services"]["nodes"]}
    assert by_id["sb-caritas-mitte"]["legalBasis"] == "§ 16a SGB II"
    assert by_id["sb-caritas-mitte"]["languages"] == ["de", "tr"]
    assert by_id["sb-caritas-mitte"]["name"] == "Schuldnerberatung Mitte"
    assert by_id["sb-eva-cannstatt"]["legalBasis"] == "§ 16a SGB II"
    assert by_id["sb-eva-cannstatt"]["languages"] == ["de", "ar", "ru"]
    # Importing the same file again changes nothing: the stored form is the canonical one.
    assert canonical_values(imported) == 0


@pytest.mark.parametrize(
    "spelling",
    ["§ 16a SGB II", "§16a SGB II", "SGB II § 16a", "Paragraph 16a SGB II", "§16 a SGB 2"],
)
def test_legal_bases_match_in_every_spelling(imported: Graph, spelling: str) -> None:
    assert _ids(imported, legalBases=[spelling]) == {"sb-caritas-mitte", "sb-eva-cannstatt"}


def test_other_legal_bases_do_not_match(imported: Graph) -> None:
    assert _ids(imported, legalBases=["SGB 8 § 27"]) == {"sucht-caritas"}
    assert _ids(imported, legalBases=["§ 16 SGB II"]) == set()


@pytest.mark.parametrize("spelling", ["tr", "TR", "tur", "Türkisch", "turkish"])
def test_language_codes_match_in_every_spelling(imported: Graph, spelling: str) -> None:
    assert _ids(imported, languages=[spelling]) == {"sb-caritas-mitte"}


def test_a_language_name_and_a_code_together(imported: Graph) -> None:
    assert _ids(imported, languages=["Arabisch", "xx"]) == {"sb-eva-cannstatt"}


@pytest.mark.parametrize(
    "spelling", ["schuldnerberatung", "Schuldnerberatung", " SCHULDNERBERATUNG ", "schuldner­x"]
)
def test_categories_match_by_id_or_name_regardless_of_case(imported: Graph, spelling: str) -> None:
    expected = {"sb-caritas-mitte", "sb-eva-cannstatt"} if "x" not in spelling else set()
    assert _ids(imported, categories=[spelling]) == expected
    orgs = run_query(imported, ORGANIZATIONS, {"f": {"categories": [spelling]}})
    found = {n["id"] for n in orgs["organizations"]["nodes"]}
    assert found == ({"caritas-stuttgart", "eva-stuttgart"} if expected else set())


def test_target_groups_regardless_of_case(imported: Graph) -> None:
    assert _ids(imported, targetGroups=["Alleinerziehende"]) == {"sb-eva-cannstatt"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Strasse", {"sb-caritas-mitte"}),  # ß folded, the stemmed word found
        ("Strasse am Park", {"sb-caritas-mitte"}),
        ("Königstrasse", {"sb-caritas-mitte"}),
        ("Koenigstrasse", {"sb-caritas-mitte"}),
        ("Königstr", {"sb-caritas-mitte"}),  # while typing
        ("Schuldnerberatung Mitte", {"sb-caritas-mitte"}),  # soft hyphen removed on import
        ("Ueberschuldung", {"sb-caritas-mitte"}),
        ("Schuldnerberatung Cannstatt", {"sb-eva-cannstatt"}),
    ],
)
def test_full_text_folds_umlauts_and_sharp_s(
    imported: Graph, text: str, expected: set[str]
) -> None:
    assert _ids(imported, text=text) == expected


AREAS = """query($name: String) {
  areas(filter: {nameContains: $name}, first: 50) { nodes { name } } }"""


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("Bad Cannstatt", {"Bad Cannstatt"}),
        ("bad  CANNSTATT", {"Bad Cannstatt"}),
        ("cannst", {"Bad Cannstatt"}),
        ("Zuffenhausen", set()),
        ("Muenster", {"Münster"}),  # umlauts spelled out, folded in Cypher as in Python
        ("MÜNST", {"Münster"}),
        ("Strassenaecker", {"Straßenäcker"}),
    ],
)
def test_area_names_contain_regardless_of_case(
    imported: Graph, typed: str, found: set[str]
) -> None:
    data = run_query(imported, AREAS, {"name": typed})
    assert {n["name"] for n in data["areas"]["nodes"]} == found


def test_migrate_brings_old_data_into_the_canonical_form(graph: Graph, tmp_path: Path) -> None:
    """Values written before the rule (here straight into the graph, as an old version did)."""
    imported = import_as_offices_write(graph, tmp_path)
    again = import_path(imported, tmp_path / "bundle")  # the same file: stored as it was
    assert (again.plan.created, again.plan.changed) == ({}, {}), again.plan
    imported.query(
        "MATCH (n:Service {id: 'sucht-caritas'}) "
        "SET n.legal_basis = 'SGB VIII §27', n.languages = ['DE', 'Türkisch'], "
        "n.name = 'Sucht\u00adberatung Münster', n._hash = 'alt', n._hash_version = n.version",
        write=True,
    )
    assert _ids(imported, legalBases=["§ 27 SGB VIII"]) == set()
    assert _ids(imported, text="Suchtberatung") == set()  # the soft hyphen hides the word
    migrated = CliRunner().invoke(main, ["migrate"])
    assert migrated.exit_code == 0, migrated.output
    assert "1 Angebote und Träger in einheitliche Schreibweise gebracht" in migrated.output
    assert canonical_values(imported) == 0  # idempotent
    assert _ids(imported, legalBases=["§ 27 SGB VIII"]) == {"sucht-caritas"}
    assert _ids(imported, languages=["tr"]) == {"sb-caritas-mitte", "sucht-caritas"}
    assert _ids(imported, text="Suchtberatung Muenster") == {"sucht-caritas"}
    row = imported.query("MATCH (n:Service {id: 'sucht-caritas'}) RETURN n._hash AS h")
    assert row == [{"h": None}]  # the import diff compares the properties next time


def test_the_search_page_takes_the_sozialraum_and_language_as_typed(db: Graph) -> None:
    """The web search (through GraphQL): " MITTE " is Mitte, "TR" is Türkisch."""
    load_web_world(db)
    with web_client() as caseworker:
        sign_in(caseworker, "fallmanagement")
        typed = caseworker.get(
            "/angebote?bedarf=schuldnerberatung&sozialraum=%20MITTE%20&sprache=TR"
        )
        exact = caseworker.get("/angebote?bedarf=schuldnerberatung&sozialraum=Mitte&sprache=tr")
    assert typed.status_code == exact.status_code == 200
    assert "Schuldnerberatung Mitte" in typed.text
    assert "Beratung auf Türkisch möglich" in typed.text
    assert "kennen wir nicht" not in typed.text
