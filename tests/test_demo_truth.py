"""The planted truth is exact: the default analysis semantics, computed naively over the
generated records, find precisely the planted findings and nothing else."""

from __future__ import annotations

from collections import Counter
from functools import cache
from itertools import combinations

import pytest

from loaders.demo import Demo, PlantedTruth, generate
from tests import demo_semantics as sem

CASES = [("small", 2026), ("small", 7), ("small", 31337), ("city", 2026)]


@cache
def demo(size: str, seed: int) -> Demo:
    return generate(size, seed)  # type: ignore[arg-type]


@pytest.fixture(params=CASES, ids=[f"{s}-{n}" for s, n in CASES])
def case(request: pytest.FixtureRequest) -> Demo:
    size, seed = request.param
    return demo(size, seed)


def test_gaps_are_exactly_the_planted_ones_with_their_severity(case: Demo) -> None:
    found = sem.gaps(case.bundle)
    assert {c for c, s in found.items() if s == "hoch"} == case.truth.hoch_gaps
    assert {c for c, s in found.items() if s == "mittel"} == case.truth.mittel_gaps
    assert len(case.truth.hoch_gaps) >= 2
    assert len(case.truth.mittel_gaps) >= 2


def test_accessibility_is_far_from_the_threshold_everywhere(case: Demo) -> None:
    # Any reasonable rounding or tie rule of an implementation gives the same findings.
    demand = sem.demand(case.bundle)
    for cell, value in sem.accessibility(case.bundle).items():
        if demand[cell] < 5:
            continue
        if cell in case.truth.mittel_gaps:
            assert value is not None
            assert value <= 0.35, cell
        elif cell not in case.truth.hoch_gaps:
            assert value is not None
            assert value >= 1.0, cell
    for cell in case.truth.gaps:
        assert demand[cell] >= 15, cell


def test_duplicate_structures_are_exactly_the_planted_groups(case: Demo) -> None:
    assert sem.duplicate_structures(case.bundle) == set(case.truth.duplicate_structures)
    assert any(len(group) >= 3 for group in case.truth.duplicate_structures)


def test_one_provider_per_district_and_category_outside_the_plan(case: Demo) -> None:
    planted = set().union(*case.truth.duplicate_structures, *case.truth.duplicate_services)
    providers: dict[tuple[str, str], set[str]] = {}
    for s in case.bundle.services:
        if s.status != "active" or s.id in planted:
            continue
        for area in s.area_ids:
            for category in s.category_ids:
                providers.setdefault((area, category), set()).add(s.organization_id)
    assert all(len(orgs) == 1 for orgs in providers.values())


def test_double_support_is_exactly_the_planted_households(case: Demo) -> None:
    found = sem.double_support(case.bundle)
    assert set(found) == case.truth.double_support
    assert {k for k, coordinated in found.items() if not coordinated} == (
        case.truth.uncoordinated_double_support
    )
    assert case.truth.coordinated_double_support
    assert case.truth.uncoordinated_double_support


def test_ordinary_households_have_one_active_referral_per_category(case: Demo) -> None:
    planted = {h for h, _ in case.truth.double_support}
    service = {s.id: s for s in case.bundle.services}
    active = Counter(
        (r.household_id, service[r.to_service_id].category_ids[0])
        for r in case.bundle.referrals
        if r.status in sem.ACTIVE and r.household_id not in planted
    )
    # One near miss: two active referrals in one category, but to the same Träger.
    assert sum(1 for n in active.values() if n > 1) == 1


def test_duplicate_organizations_are_exactly_the_planted_variants(case: Demo) -> None:
    assert sem.duplicate_organizations(case.bundle) == set(case.truth.duplicate_organizations)
    planted = set(case.truth.duplicate_organizations)
    for a, b in combinations(case.bundle.organizations, 2):
        if frozenset({a.id, b.id}) in planted:
            continue
        assert sem.name_similarity(a.name, b.name) < 0.5, (a.name, b.name)
        assert a.email is None or a.email != b.email


def test_duplicate_services_are_planted_second_records_of_one_traeger(case: Demo) -> None:
    """Planted pairs: one Träger (or its planted duplicate record), one Leistungsbereich, the
    same Sozialräume and capacity, one Standort or address. No other pair of one Träger's
    records shares a Leistungsbereich and a Standort or address."""
    same_traeger = {frozenset({o, o}) for o in {o.id for o in case.bundle.organizations}}
    same_traeger |= set(case.truth.duplicate_organizations)
    # A Standort's address as a second clerk may have typed it: "Hauptstr." for "Hauptstraße".
    places = {
        loc.id: ((loc.street or "").lower().replace("straße", "str."), loc.postal_code)
        for loc in case.bundle.locations
    }
    assert len(case.truth.duplicate_services) >= 3
    flagged = set()
    for a, b in combinations(case.bundle.services, 2):
        if frozenset({a.organization_id, b.organization_id}) not in same_traeger:
            continue
        where_a = {places[i] for i in a.location_ids}
        if set(a.category_ids) & set(b.category_ids) and where_a & {
            places[i] for i in b.location_ids
        }:
            flagged.add(frozenset({a.id, b.id}))
    assert flagged == set(case.truth.duplicate_services)
    services = {s.id: s for s in case.bundle.services}
    for pair in case.truth.duplicate_services:
        a, b = (services[i] for i in sorted(pair))
        assert a.area_ids == b.area_ids
        assert a.capacity == b.capacity
        assert a.name != b.name
    # Across Träger the near misses stay: near-identical names of the Zentrale Schuldnerberatung.
    names = {
        sem.name_key(s.name)
        for s in case.bundle.services
        if s.organization_id in ("caritas-stuttgart", "eva-stuttgart", "praeventsozial")
        and "schuldnerberatung" in s.category_ids
    }
    assert len(names) >= 15


def test_missing_cooperation_is_exactly_the_planted_pairs(case: Demo) -> None:
    assert sem.missing_cooperation(case.bundle) == set(case.truth.missing_cooperation)
    agreed = {frozenset(a.party_ids) for a in case.bundle.agreements}
    shared = sem.shared_households(case.bundle)
    for pair, count in shared.items():
        assert count < 5 or pair in agreed or pair in case.truth.missing_cooperation
    # A near miss: a pair one household short of the threshold, without an agreement.
    assert any(n == 4 and pair not in agreed for pair, n in shared.items())


def test_uncoordinated_pairs_share_no_agreement_and_no_network(case: Demo) -> None:
    service = {s.id: s for s in case.bundle.services}
    agreed = {frozenset(a.party_ids) for a in case.bundle.agreements}
    networks: dict[str, set[str]] = {}
    for m in case.bundle.memberships:
        networks.setdefault(m.network_id, set()).add(m.organization_id)
    for household, category in case.truth.uncoordinated_double_support:
        orgs = {
            service[r.to_service_id].organization_id
            for r in case.bundle.referrals
            if r.household_id == household
            and r.status in sem.ACTIVE
            and category in service[r.to_service_id].category_ids
        }
        for a, b in combinations(sorted(orgs), 2):
            assert frozenset({a, b}) not in agreed
            assert not any({a, b} <= members for members in networks.values())


def test_truth_round_trips_through_json() -> None:
    truth = demo("small", 2026).truth
    again = PlantedTruth.from_json(truth.to_json())
    assert again == truth
    assert again.severity("stuttgart-obertuerkheim", "migrationsberatung") == "hoch"
    assert again.severity("stuttgart-mitte", "migrationsberatung") is None
    assert frozenset({"svc-schuldnerberatung-mitte", "svc-sb-caritas-mitte-2"}) in (
        again.duplicate_services
    )
    older = truth.to_dict()
    del older["duplicate_services"]
    assert PlantedTruth.from_dict(older).duplicate_services == frozenset()


def test_truth_rejects_inconsistent_sets() -> None:
    with pytest.raises(ValueError, match="subset"):
        PlantedTruth(
            size="small",
            seed=1,
            hoch_gaps=frozenset(),
            mittel_gaps=frozenset(),
            duplicate_structures=frozenset(),
            double_support=frozenset(),
            uncoordinated_double_support=frozenset({("hh-000001", "schuldnerberatung")}),
            duplicate_organizations=frozenset(),
            missing_cooperation=frozenset(),
        )
