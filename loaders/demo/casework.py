"""Casework records: needs (with their status from the referrals), consents and referrals.

A need is open while a referral for it is active or none has helped yet, met once a referral
completed it; some needs without any referral were closed. A household's consent names every
Träger it was referred to.
"""

from __future__ import annotations

import random
from datetime import timedelta

from graph.records import CONSENT_DATA_CATEGORY_CODES, Consent, Need, NeedStatus, Referral
from loaders.demo import population
from loaders.demo.geography import district_id
from loaders.demo.organizations import SOURCE
from loaders.demo.referrals import ReferralDraft
from loaders.demo.timeline import END, PERIOD_DAYS, START
from loaders.demo.vocabulary import ACTIVE_STATUSES, ADULT_BANDS, CATEGORY

PURPOSE = "Überleitung und abgestimmte Hilfeplanung"
# Demo consents share every category of the one vocabulary.
DATA_CATEGORIES = CONSENT_DATA_CATEGORY_CODES


def needs(
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


def demand(
    households: list[population.HouseholdDraft], needs: dict[tuple[str, str], Need]
) -> dict[tuple[str, str], int]:
    demand: dict[tuple[str, str], int] = {}
    for hh in households:
        for category in hh.categories:
            if needs[(hh.id, category)].status == "open":
                key = (district_id(hh.district), category)
                demand[key] = demand.get(key, 0) + 1
    return demand


def consents_and_referrals(
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
        # Three years: every consent behind an active referral outlasts the demo period.
        consents[hh_id] = Consent(
            id=f"cs-{hh_id.removeprefix('hh-')}",
            household_id=hh_id,
            organization_ids=tuple(sorted({r.slot.organization_id for r in refs})),
            purpose=PURPOSE,
            members=tuple(f"mitglied-{n}" for n in range(1, max(1, adults) + 1)),
            data_categories=DATA_CATEGORIES,
            valid_from=valid_from,
            valid_to=valid_from + timedelta(days=3 * 365),
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
                purpose=f"Überleitung {CATEGORY[r.category].name}",
                outcome="Hilfe abgeschlossen" if last.status == "completed" else None,
                decline_reason=last.note if last.status == "declined" else None,
                history=r.history,
                source=SOURCE,
            )
        )
    return list(consents.values()), result
