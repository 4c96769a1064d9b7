"""Known answers of the normaliser (graph/normalize.py): the spellings offices write."""

from __future__ import annotations

import pytest

from graph import Graph, normalize
from graph.analysis.linkage.tokens import fold as linkage_fold
from graph.records import Organization, Service
from graph.repo.matching import FOLDED_NAME
from graph.repo.text import lucene_query


@pytest.mark.parametrize(
    "written",
    [
        "§ 16a SGB II",
        "§16a SGB II",
        "SGB II § 16a",
        "SGB II §16a",
        "Paragraph 16a SGB II",
        "Paragraf 16a SGB II",
        "§16 a SGB II",
        "§ 16A sgb-ii",
        "§ 16a SGBII",
        "§ 16a SGB 2",
        "  §\u00a016a   SGB  II ",
        "§ 16a SGB\u00adII".replace("\u00ad", " \u00ad"),
    ],
)
def test_legal_bases_have_one_canonical_form(written: str) -> None:
    assert normalize.legal_basis(written) == "§ 16a SGB II"


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("§ 27 SGB VIII", "§ 27 SGB VIII"),
        ("SGB 8 § 27", "§ 27 SGB VIII"),
        ("SGB XII § 67", "§ 67 SGB XII"),
        ("SGB 12 §67", "§ 67 SGB XII"),
        ("§ 16 Abs. 1 SGB II", "§ 16 Abs. 1 SGB II"),  # the A of "Abs." is no section letter
        ("§§ 27 ff. SGB VIII", "§§ 27 ff. SGB VIII"),
        ("AufenthG § 25", "§ 25 AufenthG"),
        ("Leistung nach § 16a SGB II", "Leistung nach § 16a SGB II"),  # text stays in order
        ("Landesrecht", "Landesrecht"),
        ("SGB 15", "SGB 15"),  # there is no fifteenth book: left as written
    ],
)
def test_legal_bases_keep_what_they_do_not_recognise(written: str, canonical: str) -> None:
    assert normalize.legal_basis(written) == canonical
    assert normalize.legal_basis(canonical) == canonical  # idempotent


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("de", "de"),
        ("DE", "de"),
        (" De ", "de"),
        ("de-DE", "de"),
        ("de_AT", "de"),
        ("deu", "de"),
        ("ger", "de"),
        ("Deutsch", "de"),
        ("German", "de"),
        ("Türkisch", "tr"),
        ("TUR", "tr"),
        ("Persisch", "fa"),
        ("Farsi", "fa"),
        ("per", "fa"),
        ("Ukrainisch", "uk"),
        ("xx", "xx"),  # unknown: lower case, a validator decides
        ("Klingonisch", "klingonisch"),
    ],
)
def test_language_codes(written: str, code: str) -> None:
    assert normalize.language(written) == code


def test_language_lists_keep_the_first_of_each_code() -> None:
    assert normalize.languages(("DE", "tr", "deu", "Türkisch", "ar", " ")) == ("de", "tr", "ar")


def test_vocabulary_keys_ignore_case_and_spaces() -> None:
    assert normalize.vocabulary_key("  Schuldner  Beratung ") == "schuldner beratung"
    assert normalize.vocabulary_key("SCHULDNERBERATUNG") == "schuldnerberatung"
    assert normalize.vocabulary_key("Straße") == "straße"  # as Cypher's toLower, not casefold


def test_invisible_characters_go_line_breaks_stay() -> None:
    assert normalize.visible("Schuldner\u00adberatung\u200b") == "Schuldnerberatung"
    assert normalize.visible("Zeile 1\nZeile 2") == "Zeile 1\nZeile 2"
    assert normalize.clean_text(" a \u00ad b\n c ") == "a b c"


def test_records_store_the_canonical_form() -> None:
    service = Service(
        id="s",
        organization_id="o",
        name="Schuldner\u00adberatung",
        description="Beratung\nnach Termin",
        languages=("DE", "Türkisch", "de"),
        legal_basis="SGB II §16a",
    )
    assert service.name == "Schuldnerberatung"
    assert service.description == "Beratung\nnach Termin"
    assert service.languages == ("de", "tr")
    assert service.legal_basis == "§ 16a SGB II"
    assert Organization(id="o", name="Caritas\u00ad verband").name == "Caritas verband"


def test_the_last_search_word_is_asked_for_whole_and_as_a_word_start() -> None:
    assert lucene_query("Strasse") == "(strasse OR strasse*)"
    assert lucene_query("(( OR *") == "(or OR or*)"  # the word, not the operator
    words = "schuldnerberatung AND (mitte OR mitte*)"
    assert lucene_query("Schuldner\u00adberatung Mitte") == words
    assert lucene_query("A:b") == "a AND (b OR b*)"
    assert lucene_query(" ?! ") is None


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Muenster", "Münster"),
        ("STRASSE", "Straße"),
        ("bad  cannstatt", "Bad Cannstatt"),
        ("Cafe Rene", "Café René"),
    ],
)
def test_folding_spells_out_umlauts(typed: str, stored: str) -> None:
    assert normalize.fold(typed) == normalize.fold(stored)


FOLDED = ["Café Müßig-Öztürk", "Bürgerstraße", "Crèche ÄÖÜ", "plain"]


def test_one_folding_table_for_search_linkage_and_cypher(db: Graph) -> None:
    """The search (normalize.fold), the record linkage (linkage/tokens.fold) and the
    Cypher of name searches (repo/matching.FOLDED_NAME) fold every letter alike."""
    db.query(
        "UNWIND range(0, size($names) - 1) AS i CREATE (:Area {id: 'fold-' + i, name: $names[i]})",
        {"names": FOLDED},
        write=True,
    )
    rows = db.query(
        "MATCH (n:Area) WHERE n.id STARTS WITH 'fold-' RETURN n.name AS name, "
        + FOLDED_NAME
        + " AS folded"
    )
    in_cypher = {row["name"]: row["folded"] for row in rows}
    for name in FOLDED:
        assert normalize.fold(name) == linkage_fold(name) == in_cypher[name]
    assert normalize.fold("Café Müßig") == "cafe muessig"
