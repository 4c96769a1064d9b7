"""Fehlende Kooperation: Träger that serve many of the same households without an agreement.

Counted are referrals a household really took up or is taking up (not declined, cancelled or
not taken up) to the organizations' services; a pair sharing at least
``min_shared_households`` households and no agreement is a suggestion for one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations

from graph.analysis.config import DROPPED_REFERRAL_STATUSES, MissingCooperationConfig
from graph.analysis.cooperation import Cooperation
from graph.analysis.findings import Finding
from graph.analysis.snapshot import AreaIndex, ReferralInfo, ServiceInfo


@dataclass(frozen=True, slots=True, kw_only=True)
class MissingCooperation(Finding):
    shared_households: int
    same_network: bool
    category_ids: tuple[str, ...]


def missing_cooperation(
    referrals: Iterable[ReferralInfo],
    services: Mapping[str, ServiceInfo],
    cooperation: Cooperation,
    config: MissingCooperationConfig,
    *,
    index: AreaIndex | None = None,
    organization_names: Mapping[str, str] | None = None,
) -> list[MissingCooperation]:
    names = organization_names or {}
    orgs_of: dict[str, set[str]] = defaultdict(set)
    cats_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    area_of: dict[str, str | None] = {}
    for r in referrals:
        if r.status in DROPPED_REFERRAL_STATUSES:
            continue
        service = services.get(r.service_id)
        if service is None:
            continue
        orgs_of[r.household_id].add(service.organization_id)
        cats_of[(r.household_id, service.organization_id)].update(service.category_ids)
        area_of[r.household_id] = r.household_area_id
    shared: dict[tuple[str, str], set[str]] = defaultdict(set)
    for household, orgs in orgs_of.items():
        for a, b in combinations(sorted(orgs), 2):
            shared[(a, b)].add(household)
    findings: list[MissingCooperation] = []
    for (a, b), households in shared.items():
        n = len(households)
        if n < config.min_shared_households or cooperation.agreement(a, b):
            continue
        areas = set()
        for h in households:
            area = area_of.get(h)
            unit = index.unit_of(area) if index is not None and area else area
            if unit:
                areas.add(unit)
        categories = sorted({c for h in households for c in cats_of[(h, a)] | cats_of[(h, b)]})
        in_network = cooperation.network(a, b)
        findings.append(
            MissingCooperation(
                kind="missing_cooperation",
                severity="hoch" if n >= 2 * config.min_shared_households else "mittel",
                explanation=(
                    f"{names.get(a, a)} und {names.get(b, b)} betreuen {n} gemeinsame Haushalte, "
                    "haben aber keine Kooperationsvereinbarung"
                    + (" (sie sind nur über einen Verbund verbunden)." if in_network else ".")
                ),
                area_ids=tuple(sorted(areas)),
                organization_ids=(a, b),
                counts={"shared_households": n},
                shared_households=n,
                same_network=in_network,
                category_ids=tuple(categories),
            )
        )
    findings.sort(key=lambda f: (-f.shared_households, f.organization_ids))
    return findings
