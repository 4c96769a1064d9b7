"""Planted households: demand in the gap cells, Doppelbetreuung, missing cooperation, and
near misses that look similar but do not meet the definitions."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta

from graph.records import ReferralStatus
from loaders.demo import plan, timeline
from loaders.demo.geography import BY_SLUG
from loaders.demo.population import HouseholdDraft, household
from loaders.demo.referrals import ReferralDraft, provider_staff
from loaders.demo.services import Layout, ServiceSlot

# Households that share exactly this many clients with no agreement: one below the threshold.
NEAR_MISS_SHARED = 4
NEAR_MISS_PAIR = (
    ("kinderwelt-ggmbh", "kinderbetreuung", "degerloch"),
    ("awo-stuttgart", "migrationsberatung", "ost"),
)


@dataclass(slots=True)
class Planted:
    households: list[HouseholdDraft] = field(default_factory=list)
    referrals: list[ReferralDraft] = field(default_factory=list)
    # (household, category, coordinated) of planted Doppelbetreuung
    double_support: list[tuple[HouseholdDraft, str, bool]] = field(default_factory=list)


class _Planter:
    def __init__(self, rng: random.Random, layout: Layout, caseworkers: int) -> None:
        self.rng = rng
        self.layout = layout
        self.caseworkers = caseworkers
        self.out = Planted()

    def slot(self, organization: str, category: str, district: str) -> ServiceSlot:
        found = [
            s for s in self.layout.cell(district, category) if s.organization_id == organization
        ]
        if not found:
            raise ValueError(f"Plan: kein Angebot von {organization} für {category} in {district}")
        return found[0]

    def household(
        self, district: str, categories: list[str], referrer: str | None = None
    ) -> HouseholdDraft:
        hh = household(
            self.rng,
            BY_SLUG[district],
            self.caseworkers,
            categories=categories,
            household_type="paar-mit-kindern" if referrer == "jugendamt-stuttgart" else None,
            referrer=referrer,
            planted=True,
        )
        self.out.households.append(hh)
        return hh

    def refer(
        self,
        hh: HouseholdDraft,
        category: str,
        slot: ServiceSlot,
        created_days_before_end: tuple[int, int],
        final: ReferralStatus,
    ) -> ReferralDraft:
        lo, hi = created_days_before_end
        created = timeline.at_working_hours(
            self.rng, timeline.END - timedelta(days=self.rng.randint(lo, hi))
        )
        staff = provider_staff(self.rng, slot.organization_id)
        history = timeline.forced(self.rng, created, final, hh.caseworker, staff)
        draft = ReferralDraft(hh, category, slot, history)
        self.out.referrals.append(draft)
        return draft

    def gaps(self, per_gap: int) -> None:
        for gap in plan.GAPS:
            for _ in range(per_gap):
                self.household(gap.district, [gap.category])

    def double_support(self) -> None:
        for ds in plan.DOUBLE_SUPPORT:
            referrer = "jugendamt-stuttgart" if ds.category == "erziehungsberatung" else None
            first = self.slot(ds.first[0], ds.category, ds.first[1])
            second = self.slot(ds.second[0], ds.category, ds.second[1])
            for _ in range(ds.count):
                hh = self.household(ds.district, [ds.category], referrer)
                self.refer(hh, ds.category, first, (90, 150), "started")
                self.refer(hh, ds.category, second, (20, 60), "accepted")
                self.out.double_support.append((hh, ds.category, ds.coordinated))
        for district, category, (a, b) in plan.SAME_ORG_PARALLEL:
            first, second = self.layout.cell(a, category)[0], self.layout.cell(b, category)[0]
            if first.organization_id != second.organization_id:
                raise ValueError("Plan: SAME_ORG_PARALLEL braucht denselben Träger")
            hh = self.household(district, [category])
            self.refer(hh, category, first, (60, 120), "started")
            self.refer(hh, category, second, (10, 40), "created")

    def shared(
        self, first: tuple[str, str, str], second: tuple[str, str, str], district: str, count: int
    ) -> None:
        slot_a = self.slot(first[0], first[1], first[2])
        slot_b = self.slot(second[0], second[1], second[2])
        categories = sorted({first[1], second[1]})
        for _ in range(count):
            hh = self.household(district, categories)
            self.refer(hh, first[1], slot_a, (400, 700), "completed")
            # In one Bereich the second help follows the first (never two active at once).
            final: ReferralStatus = "started" if first[1] == second[1] else "completed"
            self.refer(hh, second[1], slot_b, (100, 350), final)

    def missing_cooperation(self) -> None:
        for mc in plan.MISSING_COOPERATION:
            self.shared(mc.first, mc.second, mc.district, mc.count)
        first, second = NEAR_MISS_PAIR
        self.shared(first, second, first[2], NEAR_MISS_SHARED)


def plant(rng: random.Random, layout: Layout, caseworkers: int, gap_households: int) -> Planted:
    planter = _Planter(rng, layout, caseworkers)
    planter.gaps(gap_households)
    planter.double_support()
    planter.missing_cooperation()
    return planter.out
