"""``generate``: the seeded demo city as a Bundle plus its planted truth.

Every random choice comes from a ``random.Random`` seeded with a string derived from the seed
(string seeds hash with SHA-512, independent of PYTHONHASHSEED), nothing iterates over sets,
so the same size and seed give identical records.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta

from graph.bundle import Bundle
from graph.records import (
    Adjacency,
    Area,
    Category,
    Consent,
    Household,
    Need,
    NeedStatus,
    Referral,
)
from loaders.demo import capacity, cooperation, plan, planting, population, referrals, services
from loaders.demo.geography import BORDERS, CITY_ID, DISTRICTS, district_id
from loaders.demo.organizations import DUPLICATE_RECORDS, SOURCE, organizations
from loaders.demo.referrals import ReferralDraft
from loaders.demo.sizes import Size, spec_of
from loaders.demo.timeline import END, PERIOD_DAYS, START
from loaders.demo.truth import PlantedTruth
from loaders.demo.vocabulary import ACTIVE_STATUSES, ADULT_BANDS, CATEGORIES

PURPOSE = "Überleitung und abgestimmte Hilfeplanung"
DATA_CATEGORIES = ("stammdaten", "bedarfslage", "hilfeverlauf")


@dataclass(frozen=True, slots=True)
class Demo:
    """A generated demo city: the records to write and what the analyses must find in them."""

    size: Size
    seed: int
    bundle: Bundle
    truth: PlantedTruth


def generate(size: Size = "city", seed: int = 2026) -> Demo:
    """The demo city of the given size; the same size and seed give identical output."""
    spec = spec_of(size)

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

    needs = _needs(rng("needs"), households, drafts)
    demand = _demand(households, needs)
    bundle = Bundle(
        areas=_areas(),
        adjacencies=[
            Adjacency(area_id=district_id(a), other_area_id=district_id(b), source=SOURCE)
            for a, b in BORDERS
        ],
        categories=[Category(id=c.id, name=c.name, source=SOURCE) for c in CATEGORIES],
        organizations=organizations(),
        locations=list(layout.locations.values()),
        services=capacity.size(layout.slots, demand, rng("capacity")),
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
    bundle.consents, bundle.referrals = _consents_and_referrals(rng("consents"), drafts)
    return Demo(size=size, seed=seed, bundle=bundle, truth=_truth(size, seed, layout, planted))


def _areas() -> list[Area]:
    total = sum(d.population for d in DISTRICTS)
    areas = [
        Area(
            id=CITY_ID,
            name="Stuttgart",
            level="city",
            population=total,
            centroid_lat=48.7758,
            centroid_lon=9.1829,
            indicators={
                "sgb2_quote": round(sum(d.sgb2_quote * d.population for d in DISTRICTS) / total, 1),
                "kinderarmut_quote": round(
                    sum(d.kinderarmut_quote * d.population for d in DISTRICTS) / total, 1
                ),
            },
            source=SOURCE,
        )
    ]
    for d in DISTRICTS:
        areas.append(
            Area(
                id=d.id,
                name=d.name,
                level="district",
                parent_id=CITY_ID,
                population=d.population,
                centroid_lat=d.lat,
                centroid_lon=d.lon,
                indicators={
                    "sgb2_quote": d.sgb2_quote,
                    "kinderarmut_quote": d.kinderarmut_quote,
                    "migrationsanteil": d.migration_quote,
                },
                source=SOURCE,
            )
        )
        shares = _shares(d.slug, len(d.subdistricts))
        for n, (name, area_id) in enumerate(zip(d.subdistricts, d.subdistrict_ids(), strict=True)):
            areas.append(
                Area(
                    id=area_id,
                    name=name,
                    level="subdistrict",
                    parent_id=d.id,
                    population=round(d.population * shares[n]),
                    centroid_lat=round(d.lat + 0.004 * ((n % 3) - 1), 6),
                    centroid_lon=round(d.lon + 0.005 * ((n // 3) * 2 - 1 + (n % 2)), 6),
                    indicators={
                        "sgb2_quote": round(
                            d.sgb2_quote * (0.7 + 0.6 * shares[n] * len(shares) / 2), 1
                        ),
                        "kinderarmut_quote": round(
                            d.kinderarmut_quote * (0.7 + 0.6 * shares[n] * len(shares) / 2), 1
                        ),
                    },
                    source=SOURCE,
                )
            )
    return areas


def _shares(slug: str, parts: int) -> list[float]:
    r = random.Random(f"verbund-demo:shares:{slug}")
    raw = [r.uniform(0.6, 1.4) for _ in range(parts)]
    return [x / sum(raw) for x in raw]


def _needs(
    rng: random.Random, households: list[population.HouseholdDraft], drafts: list[ReferralDraft]
) -> dict[tuple[str, str], Need]:
    by_need: dict[tuple[str, str], list[ReferralDraft]] = {}
    for r in drafts:
        by_need.setdefault((r.household.id, r.category), []).append(r)
    needs: dict[tuple[str, str], Need] = {}
    for hh in households:
        for category in hh.categories:
            refs = by_need.get((hh.id, category), [])
            status: NeedStatus = "open"
            if refs:
                first = min(r.created_at for r in refs)
                identified = (first - timedelta(days=rng.randint(0, 21))).date()
                statuses = {r.status for r in refs}
                if not statuses & ACTIVE_STATUSES and "completed" in statuses:
                    status = "met"
            else:
                identified = (START + timedelta(days=rng.randint(0, PERIOD_DAYS))).date()
                if not hh.planted and rng.random() < 0.1:
                    status = "closed"
            needs[(hh.id, category)] = Need(
                id=f"need-{hh.id.removeprefix('hh-')}-{category}",
                household_id=hh.id,
                category_id=category,
                status=status,
                identified_on=identified,
                source=SOURCE,
            )
    return needs


def _demand(
    households: list[population.HouseholdDraft], needs: dict[tuple[str, str], Need]
) -> dict[tuple[str, str], int]:
    demand: dict[tuple[str, str], int] = {}
    for hh in households:
        for category in hh.categories:
            if needs[(hh.id, category)].status == "open":
                key = (district_id(hh.district), category)
                demand[key] = demand.get(key, 0) + 1
    return demand


def _consents_and_referrals(
    rng: random.Random, drafts: list[ReferralDraft]
) -> tuple[list[Consent], list[Referral]]:
    by_household: dict[str, list[ReferralDraft]] = {}
    for r in drafts:
        by_household.setdefault(r.household.id, []).append(r)
    consents: dict[str, Consent] = {}
    for hh_id in sorted(by_household):
        refs = by_household[hh_id]
        hh = refs[0].household
        first = min(r.created_at for r in refs)
        last_at = max(r.history[-1].at for r in refs)
        valid_from = (first - timedelta(days=rng.randint(0, 5))).date()
        revoked = None
        all_closed = all(r.status not in ACTIVE_STATUSES for r in refs)
        if all_closed and rng.random() < 0.05:
            at = last_at + timedelta(days=rng.randint(1, 30))
            revoked = at if at < END else None
        adults = sum(1 for b in hh.age_bands if b in ADULT_BANDS)
        consents[hh_id] = Consent(
            id=f"cs-{hh_id.removeprefix('hh-')}",
            household_id=hh_id,
            organization_ids=tuple(sorted({r.slot.organization_id for r in refs})),
            purpose=PURPOSE,
            members=tuple(f"mitglied-{n}" for n in range(1, max(1, adults) + 1)),
            data_categories=DATA_CATEGORIES,
            valid_from=valid_from,
            valid_to=valid_from + timedelta(days=730),
            revoked_at=revoked,
            source=SOURCE,
        )
    ordered = sorted(drafts, key=lambda r: (r.created_at, r.household.id, r.slot.id))
    result: list[Referral] = []
    for n, r in enumerate(ordered, start=1):
        last = r.history[-1]
        result.append(
            Referral(
                id=f"ref-{n:07d}",
                household_id=r.household.id,
                from_organization_id=r.household.referrer,
                to_service_id=r.slot.id,
                consent_id=consents[r.household.id].id,
                status=last.status,
                created_at=r.created_at,
                need_id=f"need-{r.household.id.removeprefix('hh-')}-{r.category}",
                purpose=f"Überleitung {r.category}",
                outcome="Hilfe abgeschlossen" if last.status == "completed" else None,
                decline_reason=last.note if last.status == "declined" else None,
                history=r.history,
                source=SOURCE,
            )
        )
    return list(consents.values()), result


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
    )
