"""Ordinary referrals: each household's needs go to the service responsible for its Bezirk.

An ordinary household has at most one referral per Leistungsbereich at a time: a declined
referral may be repeated later, always to the same service. So nothing outside the planted
cases looks like Doppelbetreuung.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from graph.records import ReferralEvent, ReferralStatus
from loaders.demo import timeline
from loaders.demo.geography import CITY_ID, neighbours
from loaders.demo.organizations import DUPLICATE_RECORDS, ORGANIZATIONS
from loaders.demo.population import HouseholdDraft
from loaders.demo.services import Layout, ServiceSlot

REFERRAL_RATE = 0.72
REPEAT_AFTER_DECLINE = 0.4
_ORG_INDEX = {o.id: n for n, o in enumerate(ORGANIZATIONS)}
# A duplicate Träger record's staff are the original's people.
_ORG_INDEX.update({d.id: _ORG_INDEX[d.original_id] for d in DUPLICATE_RECORDS})


@dataclass(slots=True)
class ReferralDraft:
    household: HouseholdDraft
    category: str
    slot: ServiceSlot
    history: tuple[ReferralEvent, ...]

    @property
    def created_at(self) -> datetime:
        return self.history[0].at

    @property
    def status(self) -> ReferralStatus:
        return self.history[-1].status


def provider_staff(rng: random.Random, organization_id: str) -> str:
    """Pseudonymous staff id of the receiving Träger (a block of 20 per Träger)."""
    return f"mb-{_ORG_INDEX[organization_id] * 20 + rng.randint(1, 20):03d}"


def target(rng: random.Random, layout: Layout, district: str, category: str) -> ServiceSlot | None:
    """The responsible service, or one in a neighbouring Bezirk when the own cell has none."""
    own = layout.cell(district, category)
    if own:
        return rng.choice(own)
    nearby: list[ServiceSlot] = []
    for nbr in sorted(neighbours()[f"{CITY_ID}-{district}"]):
        nearby.extend(layout.cell(nbr.removeprefix(f"{CITY_ID}-"), category))
    return rng.choice(nearby) if nearby else None


def ordinary(
    rng: random.Random, households: list[HouseholdDraft], layout: Layout
) -> list[ReferralDraft]:
    drafts: list[ReferralDraft] = []
    for hh in households:
        for category in hh.categories:
            if rng.random() > REFERRAL_RATE:
                continue
            slot = target(rng, layout, hh.district, category)
            if slot is None:
                continue
            staff = provider_staff(rng, slot.organization_id)
            history = timeline.natural(rng, timeline.random_start(rng), hh.caseworker, staff)
            drafts.append(ReferralDraft(hh, category, slot, history))
            if history[-1].status == "declined" and rng.random() < REPEAT_AFTER_DECLINE:
                again = timeline.later(rng, history[-1].at, 7, 30)
                if again < timeline.END:
                    staff = provider_staff(rng, slot.organization_id)
                    repeat = timeline.natural(rng, again, hh.caseworker, staff)
                    drafts.append(ReferralDraft(hh, category, slot, repeat))
    return drafts
