"""Duplicate service records: known-answer scores and who is compared with whom."""

from __future__ import annotations

import pytest

from graph.analysis.config import DuplicateServiceConfig
from graph.analysis.duplicate_services import duplicate_services, score_services
from graph.analysis.snapshot import OrganizationInfo, ServiceInfo
from tests.analysis_fixtures import line_index

CONFIG = DuplicateServiceConfig()


def svc(ident: str, name: str, org: str = "caritas", **kw: object) -> ServiceInfo:
    values: dict[str, object] = {
        "category_ids": ("schuldnerberatung",),
        "target_groups": ("erwachsene", "familien"),
        "area_ids": ("a",),
        "location_ids": (f"loc-{ident}",),
    }
    values.update(kw)
    return ServiceInfo(id=ident, organization_id=org, name=name, **values)  # type: ignore[arg-type]


def test_same_name_same_standort_scores_high() -> None:
    a = svc("s1", "Schuldnerberatung Mitte", location_ids=("loc-1",))
    b = svc("s2", "Schuldnerberatung  Mitte", location_ids=("loc-1",))
    match = score_services(a, b, CONFIG)
    # 0.5 x 1.0 (name) + 0.2 (Standort) + 0.1 (Leistungsbereich) + 0.1 (Sozialräume)
    assert match.score == 0.9
    assert match.name_similarity == 1.0
    assert match.matched == ("standort", "leistungsbereich", "sozialräume")
    assert match.contradicting == ()


def test_other_spelling_at_the_same_address_with_shared_contact() -> None:
    a = svc(
        "s1",
        "Suchtberatung Süd",
        category_ids=("suchtberatung",),
        addresses=("Hauptstraße 12, 70178 Stuttgart",),
        email="suchtberatung-sued@eva.example",
    )
    b = svc(
        "s2",
        "Suchtberatungsstelle Stuttgart-Süd (eva)",
        category_ids=("suchtberatung",),
        addresses=("Hauptstr. 12, 70178 Stuttgart",),
        email="Suchtberatung-Sued@EVA.example ",
    )
    match = score_services(a, b, CONFIG)
    # 0.5 x 0.632 + 0.2 (address) + 0.15 (e-mail) + 0.1 + 0.1 = 0.866
    assert match.name_similarity == 0.632
    assert match.score == 0.866
    assert match.matched == ("adresse", "e-mail", "leistungsbereich", "sozialräume")


def test_a_beratungszentrum_offers_several_bereiche_at_one_standort() -> None:
    a = svc("s1", "Schuldnerberatung Süd", location_ids=("loc-eva-sued",))
    b = svc(
        "s2", "Suchtberatung Süd", location_ids=("loc-eva-sued",), category_ids=("suchtberatung",)
    )
    match = score_services(a, b, CONFIG)
    # 0.5 x 0.8 + 0.2 (Standort) + 0.1 (Sozialräume) - 0.2 (no shared Leistungsbereich)
    assert match.score == 0.5
    assert match.contradicting == ("leistungsbereich",)


def test_aussenstellen_in_one_bezirk_are_two_services() -> None:
    a = svc("s1", "Schuldnerberatung Bad Cannstatt, Außenstelle Veielbrunnen")
    b = svc("s2", "Schuldnerberatung Bad Cannstatt, Außenstelle Seelberg")
    match = score_services(a, b, CONFIG)
    # 0.5 x 0.909 + 0.1 + 0.1 - 0.1 (Standorte on both sides, none shared)
    assert match.score == pytest.approx(0.555, abs=0.001)
    assert match.contradicting == ("standort",)
    assert match.score < CONFIG.min_score


def test_disjoint_target_groups_speak_against_one_record() -> None:
    a = svc("s1", "Suchtberatung Mitte", location_ids=("l",), target_groups=("erwachsene",))
    b = svc("s2", "Jugendsuchtberatung Mitte", location_ids=("l",), target_groups=("jugendliche",))
    match = score_services(a, b, CONFIG)
    # 0.5 x 0.864 + 0.2 + 0.1 + 0.1 - 0.3
    assert match.score == 0.532
    assert match.contradicting == ("zielgruppen",)
    unspecified = score_services(
        a, svc("s3", b.name, location_ids=("l",), target_groups=()), CONFIG
    )
    assert unspecified.contradicting == ()
    assert unspecified.score == 0.832


def test_the_traegers_own_homepage_and_address_are_no_evidence() -> None:
    # Real directories copy the Träger's homepage onto every Angebot (Berlin: two youth centres
    # of one Träger at one address with one homepage are two centres).
    caritas = OrganizationInfo(
        id="caritas",
        name="Caritas",
        website="https://caritas.example",
        email="info@caritas.example",
    )
    contact = {"url": "http://www.caritas.example/", "email": "INFO@caritas.example"}
    a = svc("s1", "Stadtteilarbeit Haselhorst", addresses=("Weg 10, 13599 Berlin",), **contact)
    b = svc("s2", "Wochenendöffnung Haselhorst", addresses=("Weg 10, 13599 Berlin",), **contact)
    alone = score_services(a, b, CONFIG)
    assert alone.matched == ("adresse", "e-mail", "website", "leistungsbereich", "sozialräume")
    assert alone.score >= CONFIG.min_score
    with_owner = score_services(a, b, CONFIG, {"caritas": caritas})
    assert with_owner.matched == ("adresse", "leistungsbereich", "sozialräume")
    assert with_owner.score == pytest.approx(alone.score - 0.3)
    assert duplicate_services([a, b], CONFIG, organizations=[caritas]) == []


def test_score_is_clamped_to_zero() -> None:
    a = svc("s1", "Kita", target_groups=("kinder",), area_ids=("a",))
    b = svc("s2", "Wohnungsnotfallhilfe", category_ids=("w",), target_groups=("erwachsene",))
    assert score_services(a, b, CONFIG).score == 0.0


def test_different_traeger_are_never_one_record() -> None:
    # The Zentrale Schuldnerberatung: three Träger, the same name and even one address.
    shared = {"addresses": ("Hauptstätter Str. 87, 70178 Stuttgart",), "url": "https://zsb.example"}
    services = [
        svc("caritas-sb", "Schuldnerberatung Mitte", "caritas", **shared),
        svc("eva-sb", "Schuldnerberatung Mitte", "eva", **shared),
        svc("praevent-sb", "Schuldnerberatung Mitte", "praeventsozial", **shared),
    ]
    assert duplicate_services(services, CONFIG) == []
    # Once two of the Träger are duplicate records themselves, their services are compared.
    (found,) = duplicate_services(services, CONFIG, duplicate_organizations=[("caritas", "eva")])
    assert found.service_ids == ("caritas-sb", "eva-sb")
    assert found.organization_ids == ("caritas", "eva")
    assert not found.same_organization
    assert "selbst vermutlich ein Träger" in found.explanation


def test_candidates_with_explanation_area_and_order() -> None:
    index = line_index("a", "b")
    services = [
        svc("sb-a", "Schuldnerberatung A", location_ids=("l-a",)),
        svc("sb-a-dup", "Schuldnerberatung Stadt A", location_ids=("l-a",)),
        svc("sb-b", "Schuldnerberatung B", location_ids=("l-b",), area_ids=("b",)),
        svc("sb-b-dup", "Schuldnerberatung B", location_ids=("l-b",), area_ids=("b",)),
        svc("sucht-a", "Suchtberatung A", location_ids=("l-a",), category_ids=("sucht",)),
        svc("city", "Schuldnerberatung A", location_ids=("l-a",), area_ids=("st",)),
    ]
    found = duplicate_services(
        services,
        CONFIG,
        index=index,
        organizations=[OrganizationInfo(id="caritas", name="Caritas")],
    )
    assert [f.service_ids for f in found] == [
        ("sb-b", "sb-b-dup"),  # identical: 0.9
        ("sb-a", "sb-a-dup"),  # 0.5 x 0.864 + 0.4 = 0.832
        ("city", "sb-a"),  # same name and Standort, other Sozialräume: 0.8
        ("city", "sb-a-dup"),  # 0.432 + 0.3 = 0.732
    ]
    assert [f.score for f in found] == [0.9, 0.832, 0.8, 0.732]
    first = found[0]
    assert (first.score, first.severity, first.kind) == (0.9, "hoch", "duplicate_service")
    assert first.area_ids == ("b",)
    assert first.category_id == "schuldnerberatung"
    assert first.explanation == (
        "„Schuldnerberatung B“ und „Schuldnerberatung B“ (beide von Caritas) sind vermutlich "
        "dasselbe Angebot, doppelt erfasst: Namensähnlichkeit 100 %, übereinstimmend: "
        "standort, leistungsbereich, sozialräume."
    )
    assert found[1].area_ids == ("a",)
    assert found[2].area_ids == ()  # city-wide: every unit, so none in particular
    assert all(f.score >= CONFIG.min_score for f in found)


def test_large_blocks_are_split_by_name_token() -> None:
    small = DuplicateServiceConfig(max_block=3)
    names = ("Anker", "Boje", "Delfin", "Ebbe", "Flut")
    services = [svc(f"s{n}", f"Jugendhaus {name}", location_ids=()) for n, name in enumerate(names)]
    services.append(svc("s9", "Jugendhaus Anker", location_ids=()))
    found = duplicate_services(services, small)
    # "jugendhaus" is in every record (a block of 6 > 3): the pair sharing "anker" is still found.
    assert [f.service_ids for f in found] == [("s0", "s9")]


def test_blocking_and_pruning_lose_nothing_on_the_demo() -> None:
    """Brute force over every pair of one Träger's records gives the same candidates."""
    from itertools import combinations

    from loaders.demo import generate

    bundle = generate("small").bundle
    places = {loc.id: f"{loc.street}, {loc.postal_code} {loc.city}" for loc in bundle.locations}
    services = [
        ServiceInfo(
            id=s.id,
            organization_id=s.organization_id,
            name=s.name,
            category_ids=s.category_ids,
            target_groups=s.target_groups,
            area_ids=s.area_ids,
            email=s.email,
            url=s.url,
            location_ids=s.location_ids,
            addresses=tuple(places[i] for i in s.location_ids),
        )
        for s in bundle.services
    ]
    same = {("awo-stuttgart", "awo-kv-stuttgart")}
    found = duplicate_services(services, CONFIG, duplicate_organizations=same)
    one_traeger = {frozenset(p) for p in same}
    brute = {
        (a.id, b.id) if a.id < b.id else (b.id, a.id)
        for a, b in combinations(services, 2)
        if (a.organization_id == b.organization_id)
        or frozenset({a.organization_id, b.organization_id}) in one_traeger
        if score_services(a, b, CONFIG).score >= CONFIG.min_score
    }
    assert {f.service_ids for f in found} == brute
    assert len(brute) == 3
