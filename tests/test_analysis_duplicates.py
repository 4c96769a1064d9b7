"""Duplicate structures and duplicate records on hand-made services and organizations."""

from __future__ import annotations

import pytest

from graph.analysis.config import DuplicateRecordConfig, DuplicateStructureConfig
from graph.analysis.duplicate_records import (
    duplicate_records,
    name_similarity,
    normalize_name,
    normalize_phone,
    normalize_website,
)
from graph.analysis.duplicate_structures import duplicate_structures
from graph.analysis.snapshot import OrganizationInfo
from tests.analysis_fixtures import line_index, service

STRUCT = DuplicateStructureConfig()


def test_overlapping_services_of_two_organizations_form_one_group() -> None:
    index = line_index("a", "b", "c")
    services = [
        service("s1", "o1", ("a",), capacity=10, used=3),
        service("s2", "o2", ("a-1", "b"), capacity=10, used=2),
        service("s3", "o3", ("b",), groups=("senioren",)),  # other target group
        service("s4", "o1", ("a",)),  # same Träger as s1: not a duplicate of s1 by itself
        service("s5", "o4", ("c",)),  # other district
    ]
    found = duplicate_structures(services, index, STRUCT, demand={"sb": {"a": 4.0}})
    assert len(found) == 1
    f = found[0]
    assert f.service_ids == ("s1", "s2", "s4")
    assert f.organization_ids == ("o1", "o2")
    assert f.area_ids == ("a",)
    assert f.capacity == 30
    assert f.capacity_used == 5
    assert f.demand == 4.0
    # s4's occupancy is unknown: not 0 %, left out of the utilisation (5 of s1's and s2's 20).
    assert f.utilization == pytest.approx(5 / 20)
    assert f.unknown_occupancy == 1
    assert f.severity == "hoch"


def test_city_wide_service_overlaps_every_district_and_chains_groups() -> None:
    index = line_index("a", "b", "c")
    services = [
        service("s1", "o1", ("a",)),
        service("city", "o2", ("st",)),
        service("s3", "o3", ("c",)),
        service("other", "o4", ("b",), category="sucht"),
    ]
    found = duplicate_structures(services, index, STRUCT)
    assert [(f.category_id, f.service_ids, f.area_ids) for f in found] == [
        ("sb", ("city", "s1", "s3"), ("a", "c"))
    ]


def test_inactive_services_and_single_organization_are_no_duplicates() -> None:
    index = line_index("a")
    services = [
        service("s1", "o1", ("a",)),
        service("s2", "o1", ("a",)),
        service("s3", "o2", ("a",), active=False),
    ]
    assert duplicate_structures(services, index, STRUCT) == []


def test_unspecified_target_groups_overlap_only_when_configured() -> None:
    index = line_index("a")
    services = [service("s1", "o1", ("a",)), service("s2", "o2", ("a",), groups=())]
    assert duplicate_structures(services, index, STRUCT) == []
    wide = DuplicateStructureConfig(empty_target_groups_overlap=True)
    assert [f.service_ids for f in duplicate_structures(services, index, wide)] == [("s1", "s2")]


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("Caritasverband für Stuttgart e.V.", "caritasverband fuer stuttgart"),
        ("Caritasverband f. Stuttgart eV", "caritasverband f stuttgart"),
        ("BA Mitte – Jugendamt", "bezirksamt mitte jugendamt"),
        ("PräventSozial gGmbH", "praeventsozial"),
        ("Ev. Gesellschaft Stuttgart e. V.", "evangelische gesellschaft stuttgart"),
    ],
)
def test_names_are_normalised(raw: str, normal: str) -> None:
    assert normalize_name(raw) == normal


def test_contact_keys_are_normalised() -> None:
    assert normalize_phone("+49 711 123-45") == normalize_phone("0711 / 12345") == "071112345"
    assert normalize_website("https://www.Caritas-Stuttgart.de/") == "caritas-stuttgart.de"
    assert name_similarity("a b", "b a") == 1.0


def org(ident: str, name: str, **kw: object) -> OrganizationInfo:
    return OrganizationInfo(id=ident, name=name, **kw)  # type: ignore[arg-type]


def test_duplicate_records_scored_by_name_and_keys() -> None:
    orgs = [
        org("caritas", "Caritasverband für Stuttgart e.V.", phone="0711 2633-0"),
        org("caritas-2", "Caritas-Verband Stuttgart", phone="+49 711 26330"),
        org("ba-mitte", "Bezirksamt Mitte", website="https://ba-mitte.de"),
        org("ba-mitte-2", "BA Mitte", website="http://www.ba-mitte.de/"),
        org("eva", "Evangelische Gesellschaft", phone="0711 999"),
        # Same switchboard, unrelated name: not a duplicate.
        org("other", "Suchthilfe Nord", phone="0711 999"),
        org("praevent", "PräventSozial gGmbH"),
        org("praevent-2", "Praeventsozial"),
    ]
    found = duplicate_records(orgs, DuplicateRecordConfig())
    pairs = {f.organization_ids: f for f in found}
    assert set(pairs) == {
        ("ba-mitte", "ba-mitte-2"),
        ("caritas", "caritas-2"),
        ("praevent", "praevent-2"),
    }
    assert pairs[("ba-mitte", "ba-mitte-2")].matched == ("website",)
    assert pairs[("ba-mitte", "ba-mitte-2")].name_similarity == 1.0
    assert pairs[("caritas", "caritas-2")].matched == ("telefon",)
    assert pairs[("praevent", "praevent-2")].matched == ()
    assert all(f.kind == "duplicate_record" and f.explanation for f in found)


def test_duplicate_structures_are_ranked_by_unused_places_and_surplus() -> None:
    index = line_index("a", "b")
    services = [
        # a: 20 places, 18 used (90 %), demand 30: little to gain from coordinating.
        service("a1", "o1", ("a",), capacity=10, used=9),
        service("a2", "o2", ("a",), capacity=10, used=9),
        # b: 20 places, 4 used (20 %), demand 5: much unused, supply above demand.
        service("b1", "o1", ("b",), capacity=10, used=2),
        service("b2", "o2", ("b",), capacity=10, used=2),
    ]
    found = duplicate_structures(services, index, STRUCT, demand={"sb": {"a": 30.0, "b": 5.0}})
    assert [f.area_ids for f in found] == [("b",), ("a",)]
    # score = unused share + surplus share + 0.1 per Träger
    assert found[0].score == pytest.approx(0.8 + 15 / 20 + 0.2)
    assert found[1].score == pytest.approx(0.1 + 0.0 + 0.2)
    assert [f.severity for f in found] == ["hoch", "niedrig"]
    assert "zusammen 20 Plätze, Auslastung 20 %" in found[0].explanation


def test_duplicate_structures_name_target_groups_in_words() -> None:
    index = line_index("a")
    both = ("erwachsene", "gefluechtete")
    services = [service("s1", "o1", ("a",), groups=both), service("s2", "o2", ("a",), groups=both)]
    (found,) = duplicate_structures(services, index, STRUCT)
    assert "(Erwachsene, Geflüchtete)" in found.explanation
    assert found.target_groups == both  # the codes stay in the data (CSV, GraphQL)
    wide = DuplicateStructureConfig(empty_target_groups_overlap=True)
    services = [service("s1", "o1", ("a",), groups=()), service("s2", "o2", ("a",), groups=())]
    (found,) = duplicate_structures(services, index, wide)
    assert "(alle Zielgruppen)" in found.explanation


def test_the_utilisation_in_words_is_the_table_s_figure() -> None:
    """One decimal as the planner's table shows it ("78,5 %"), none for a whole number."""
    index = line_index("a")
    services = [
        service("s1", "o1", ("a",), capacity=20, used=16),
        service("s2", "o2", ("a",), capacity=20, used=15),
    ]
    (found,) = duplicate_structures(services, index, STRUCT)
    assert "Auslastung 77,5 %" in found.explanation
