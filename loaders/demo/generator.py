"""``generate``: the seeded demo city as a Bundle plus its planted truth.

Every random choice comes from a ``random.Random`` seeded with a string derived from the seed
(string seeds hash with SHA-512, independent of PYTHONHASHSEED), nothing iterates over sets,
so the same size and seed give identical records.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from graph import clock
from graph.bundle import Bundle
from graph.records import Category, Household
from loaders.demo import (
    areas,
    capacity,
    casework,
    cooperation,
    facts,
    plan,
    planting,
    population,
    referrals,
    services,
)
from loaders.demo.geography import district_id
from loaders.demo.organizations import DUPLICATE_RECORDS, SOURCE, organizations
from loaders.demo.sizes import Size, spec_of
from loaders.demo.truth import PlantedTruth
from loaders.demo.vocabulary import CATEGORIES


@dataclass(frozen=True, slots=True)
class Demo:
    """A generated demo city: the records to write and what the analyses must find in them."""

    size: Size
    seed: int
    bundle: Bundle
    truth: PlantedTruth


def generate(size: Size = "city", seed: int = 2026, checked_on: date | None = None) -> Demo:
    """The demo city of the given size; the same size, seed and ``checked_on`` give identical
    output. ``checked_on`` (default: today) is the date the services' "zuletzt geprüft" is
    counted back from, so a demo loaded today shows current occupancy for most services."""
    spec = spec_of(size)
    checked = checked_on or clock.today()

    def rng(stream: str) -> random.Random:
        return random.Random(f"verbund-demo:{seed}:{size}:{stream}")

    # The landscape's details do not depend on the size, so switching sizes keeps Standorte.
    landscape = random.Random(f"verbund-demo:{seed}:services")
    layout = services.layout(landscape, spec.services_per_cell)
    planted = planting.plant(rng("planted"), layout, spec.caseworkers, spec.gap_households)
    count = spec.households - len(planted.households)
    ordinary = population.ordinary(rng("households"), count, spec.caseworkers)
    households = ordinary + planted.households
    # Pseudonyms in random order, so planted households do not stand out by number.
    numbers = list(range(1, len(households) + 1))
    rng("pseudonyms").shuffle(numbers)
    for hh, number in zip(households, numbers, strict=True):
        hh.id = f"hh-{number:06d}"
    drafts = referrals.ordinary(rng("referrals"), ordinary, layout) + planted.referrals

    needs = casework.needs(rng("needs"), households, drafts)
    demand = casework.demand(households, needs)
    bundle = Bundle(
        areas=areas.areas(),
        adjacencies=areas.adjacencies(),
        categories=[Category(id=c.id, name=c.name, source=SOURCE) for c in CATEGORIES],
        organizations=organizations(),
        locations=[facts.location_facts(loc, seed) for loc in layout.locations.values()],
        services=[
            facts.service_facts(s, seed, checked)
            for s in capacity.size(layout.slots, demand, rng("capacity"))
        ],
        agreements=cooperation.agreements(drafts),
    )
    bundle.networks, bundle.memberships = cooperation.networks()
    bundle.households = [
        Household(
            id=hh.id,
            area_id=hh.area_id,
            household_type=hh.household_type,
            age_bands=hh.age_bands,
            source=SOURCE,
        )
        for hh in sorted(households, key=lambda h: h.id)
    ]
    bundle.needs = sorted(needs.values(), key=lambda n: n.id)
    bundle.consents, bundle.referrals = casework.consents_and_referrals(rng("consents"), drafts)
    return Demo(size=size, seed=seed, bundle=bundle, truth=_truth(size, seed, layout, planted))


def _truth(
    size: Size, seed: int, layout: services.Layout, planted: planting.Planted
) -> PlantedTruth:
    groups: list[frozenset[str]] = []
    for group in plan.DUPLICATE_GROUPS:
        ids = {f"svc-{extra.key}" for extra in group}
        for extra in group:
            assert extra.district is not None
            ids |= {s.id for s in layout.cell(extra.district, extra.category)}
        groups.append(frozenset(ids))
    return PlantedTruth(
        size=size,
        seed=seed,
        hoch_gaps=frozenset(
            (district_id(g.district), g.category) for g in plan.GAPS if g.severity == "hoch"
        ),
        mittel_gaps=frozenset(
            (district_id(g.district), g.category) for g in plan.GAPS if g.severity == "mittel"
        ),
        duplicate_structures=frozenset(groups),
        double_support=frozenset((hh.id, c) for hh, c, _ in planted.double_support),
        uncoordinated_double_support=frozenset(
            (hh.id, c) for hh, c, ok in planted.double_support if not ok
        ),
        duplicate_organizations=frozenset(
            frozenset({d.id, d.original_id}) for d in DUPLICATE_RECORDS
        ),
        missing_cooperation=plan.missing_pairs(),
        duplicate_services=frozenset(
            frozenset({s.id, s.copy_of}) for s in layout.slots if s.copy_of is not None
        ),
    )
