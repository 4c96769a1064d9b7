"""Known answers of the Träger linkage (graph/analysis/linkage): pure functions, no database."""

from __future__ import annotations

import pytest

from graph.analysis.linkage.address import compare_addresses, parse_address
from graph.analysis.linkage.compare import acronym_of
from graph.analysis.linkage.link import link
from graph.analysis.linkage.records import LinkRecord, link_record, normalize_site
from graph.analysis.linkage.tokens import legal_form, name_tokens, same_word


def test_name_tokens_drop_legal_forms_and_expand_abbreviations() -> None:
    assert name_tokens("BA Mitte von Berlin") == ("bezirksamt", "mitte", "berlin")
    assert name_tokens("Kath. Kirchengemeinde St. Bernhard") == (
        "katholische",
        "kirchengemeinde",
        "sankt",
        "bernhard",
    )
    assert name_tokens("AlbatrosgGmbH") == ("albatros",)
    assert name_tokens("Release Stuttgart e.V.") == ("release", "stuttgart")
    assert name_tokens("Sozialberatung Stgt. eV") == ("sozialberatung", "stuttgart")
    assert name_tokens("Ev. Kirchengemeinde am Humboldthain")[0] == "evangelische"


@pytest.mark.parametrize(
    ("name", "form"),
    [
        ("Baumhaus e.V.", "ev"),
        ("Baumhaus gemeinnützige UG", "ug"),
        ("Kleiner Fratz GmbH", "gmbh"),
        ("PräventSozial gGmbH", "gmbh"),
        ("Alloheim Senioren-Residenzen Fünfte SE & Co. KG", "kg"),
        ("HVD-BB KdöR", "kdoer"),
        ("Sozialberatung Stgt. eV", "ev"),
        ("Nachbarschaftshaus Urbanstraße", None),
        ("Ev. Kirchengemeinde Frohnau", None),
    ],
)
def test_legal_form_families(name: str, form: str | None) -> None:
    assert legal_form(name) == form


def test_same_word_allows_typos_but_not_other_words() -> None:
    assert same_word("koepencik", "koepenick")
    assert same_word("berln", "berlin")
    assert same_word("bildungseselschaft", "bildungsgesellschaft")
    assert not same_word("bernhard", "richard")
    assert not same_word("waldkindergarten", "waldorfkindergarten")
    assert not same_word("manatikids", "masakids")


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("Glambecker Ring 80 - 82, 12679 Berlin", "Glambecker Ring 80, 12679 Berlin", "same"),
        ("Glambecker Ring 80–82", "Glambecker Ring 82", "same"),
        ("Hauptstr. 83B, 10827 Berlin", "Hauptstraße 83, 10827 Berlin", "same"),
        # A wrong postcode does not separate one street and number.
        ("Wisbyer Str. 16/17, 10439 Berlin", "Wisbyer Straße 16 - 17, 10493 Berlin", "same"),
        ("Otto-Marquardt-Str. 8, 10369 Berlin", "Otto Marquardt Straße 8", "same"),
        ("Müllerstr. 76, 13349 Berlin", "Müllerstraße 80, 13349 Berlin", "same_street"),
        ("Müllerstr. 76, 13349 Berlin", "Müllerstraße 80, 12051 Berlin", "different"),
        ("Müllerstr. 76, 13349 Berlin", "Seestraße 76, 13349 Berlin", "different"),
        ("Platz der Luftbrücke 2", "Platz d. Luftbrücke 3", "different"),
        ("Emser Pl. 5", "Emser Platz 5", "same"),
    ],
)
def test_addresses(a: str, b: str, level: str) -> None:
    x, y = parse_address(a), parse_address(b)
    assert x is not None
    assert y is not None
    assert compare_addresses(x, y) == level


def test_websites_keep_the_portal_path() -> None:
    assert normalize_site("https:www.gsj-berlin.de/") == "gsj-berlin.de"
    assert normalize_site("htttp://http://www.sozdia.de/") == "sozdia.de"
    assert normalize_site("https://www.berlin.de/ba-mitte/") == "berlin.de/ba-mitte"
    assert normalize_site("http://www.berlin.de/ba-neukoelln") == "berlin.de/ba-neukoelln"
    assert normalize_site(" ") is None


def directory(*extra: LinkRecord) -> list[LinkRecord]:
    """A small directory around the pairs under test, so word weights mean something."""
    base = [
        link_record("x01", "Caritasverband für Stuttgart e.V.", website="caritas-stuttgart.de"),
        link_record("x02", "Evangelische Kirchengemeinde Frohnau"),
        link_record("x03", "Evangelische Kirchengemeinde Lichtenrade"),
        link_record("x04", "Kath. Kirchengemeinde St. Marien"),
        link_record("x05", "Kita Sonnenschein e.V."),
        link_record("x06", "Kita Regenbogen gGmbH"),
        link_record("x07", "Bezirksamt Pankow von Berlin"),
        link_record("x08", "Nachbarschaftsheim Schöneberg e.V.", website="nbhs.de"),
        link_record("x09", "Jugendwerk Aufbau Ost gGmbH"),
        link_record("x10", "Stiftung SPI"),
        link_record("x11", "Pfefferwerk Stadtkultur gGmbH"),
        link_record("x12", "Outreach gGmbH", website="outreach.berlin"),
    ]
    return [*base, *extra]


def outcomes(records: list[LinkRecord]) -> dict[frozenset[str], str]:
    return {frozenset((s.a, s.b)): s.outcome for s in link(records).suggestions}


def test_a_distinctive_word_is_never_merged() -> None:
    found = outcomes(
        directory(
            link_record("a", "Kath. Kirchengemeinde St. Bernhard", addresses=["Hauptstr. 1"]),
            link_record("b", "Kath. Kirchengemeinde Sankt Richard", addresses=["Hauptstr. 9"]),
            link_record("c", "Waldkindergarten Pankow e.V."),
            link_record("d", "Waldorfkindergarten Pankow e.V."),
            link_record("e", "MANATIkids"),
            link_record("f", "MASAkids"),
        )
    )
    for pair in (("a", "b"), ("c", "d"), ("e", "f")):
        assert found.get(frozenset(pair)) != "same", pair


LEBENSWELT = "https://lebenswelt-berlin.de"


def test_sister_entities_are_related_not_merged() -> None:
    found = outcomes(
        directory(
            link_record("a", "LebensWelt Kindertagesstätten gGmbH", website=LEBENSWELT),
            link_record(
                "b", "LebensWelt Kindertagesstätte Reinickendorf gGmbH", website=LEBENSWELT
            ),
            link_record("c", "Baumhaus e.V.", website="baumhaus-berlin.de"),
            link_record("d", "Baumhaus gemeinnützige UG", website="baumhaus-berlin.de"),
            link_record("e", "Kleiner Fratz GmbH", website="kleinerfratz.de"),
            link_record("f", "Kleiner Fratz City Süd GmbH", website="kleinerfratz.de"),
        )
    )
    assert found.get(frozenset(("a", "b"))) == "related"
    assert found.get(frozenset(("c", "d"))) == "related"
    assert found.get(frozenset(("e", "f"))) == "related"


def test_variants_of_one_traeger_are_merged() -> None:
    found = outcomes(
        directory(
            link_record("a", "Masorti e.V."),
            link_record("b", "Masorti e.V. - Verein zur Förderung der jüdischen Bildung"),
            link_record("c", "BA Mitte von Berlin", website="https://www.berlin.de/ba-mitte"),
            link_record("d", "Bezirksamt Mitte von Berlin", website="http://berlin.de/ba-mitte/"),
            link_record("e", "Kreisjugendring Köpencik e.V.", addresses=["Seelenbinderstr. 54"]),
            link_record("f", "Kreisjugendring Köpenick e.V.", addresses=["Seelenbinderstraße 54"]),
        )
    )
    assert found.get(frozenset(("a", "b"))) == "same"
    assert found.get(frozenset(("c", "d"))) == "same"
    assert found.get(frozenset(("e", "f"))) == "same"


def test_same_address_and_contact_under_another_name_is_a_possible_renaming() -> None:
    found = outcomes(
        directory(
            link_record(
                "a",
                "Plattenbau Jugendhilfe e.V.",
                phone="030 1234567",
                addresses=["Glambecker Ring 80-82, 12679 Berlin"],
            ),
            link_record(
                "b",
                "Zukunftsnetz Marzahn e.V.",
                phone="+49 30 1234567",
                addresses=["Glambecker Ring 80, 12679 Berlin"],
            ),
        )
    )
    assert found.get(frozenset(("a", "b"))) == "renamed"


def test_rejected_pairs_are_not_suggested_again() -> None:
    records = directory(
        link_record("a", "Masorti e.V."), link_record("b", "Masorti e.V. - Verein für Bildung")
    )
    assert any({s.a, s.b} == {"a", "b"} for s in link(records).suggestions)
    again = link(records, rejected={frozenset(("a", "b"))})
    assert not any({s.a, s.b} == {"a", "b"} for s in again.suggestions)


def test_acronyms_stand_for_a_run_of_words() -> None:
    assert acronym_of("gsj", ("gesellschaft", "sport", "jugendsozialarbeit")) == (
        "gesellschaft",
        "sport",
        "jugendsozialarbeit",
    )
    assert acronym_of("pfh", ("pestalozzi", "froebel", "haus", "schulclub")) == (
        "pestalozzi",
        "froebel",
        "haus",
    )
    assert acronym_of("bb", ("bdp", "berlin")) == ()  # two letters spell too much
    assert acronym_of("awo", ("kita", "sonnenschein")) == ()
    found = outcomes(
        directory(
            link_record("a", "GSJ gGmbH", website="http://gsj-berlin.de"),
            link_record("b", "Gesellschaft für Sport und Jugendsozialarbeit gGmbH"),
        )
    )
    assert found.get(frozenset(("a", "b"))) == "same"
