"""Doppelbetreuung: one household referred in parallel to several Träger for the same category.

A case is a household with at least two active referrals whose services share a category, going
to services of at least two organizations; it is *uncoordinated* when no pair of those
organizations shares an agreement or a network. Cases name the household (pseudonym) and stay
inside the graph layer; planners get findings aggregated per category and pair of Träger.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations

from graph.analysis.config import ACTIVE_REFERRAL_STATUSES, DoubleSupportConfig
from graph.analysis.cooperation import Cooperation
from graph.analysis.findings import Finding, count_text, households_text, sentence
from graph.analysis.snapshot import AreaIndex, ReferralInfo, ServiceInfo


@dataclass(frozen=True, slots=True, kw_only=True)
class DoubleSupportCase:
    household_id: str
    area_id: str | None
    category_id: str
    organization_ids: tuple[str, ...]
    service_ids: tuple[str, ...]
    referral_ids: tuple[str, ...]
    uncoordinated: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class DoubleSupport(Finding):
    households: int
    uncoordinated_households: int


def double_support_cases(
    referrals: Iterable[ReferralInfo],
    services: Mapping[str, ServiceInfo],
    cooperation: Cooperation,
    config: DoubleSupportConfig,
    index: AreaIndex | None = None,
) -> list[DoubleSupportCase]:
    """Every (household, category) served in parallel by two or more Träger."""
    by_case: dict[tuple[str, str], list[tuple[ReferralInfo, ServiceInfo]]] = defaultdict(list)
    areas: dict[str, str | None] = {}
    for r in referrals:
        if r.status not in ACTIVE_REFERRAL_STATUSES:
            continue
        service = services.get(r.service_id)
        if service is None:
            continue
        areas[r.household_id] = r.household_area_id
        for category in service.category_ids:
            by_case[(r.household_id, category)].append((r, service))
    cases: list[DoubleSupportCase] = []
    for (household, category), items in sorted(by_case.items()):
        orgs = sorted({s.organization_id for _, s in items})
        if len(items) < config.min_referrals or len(orgs) < config.min_organizations:
            continue
        area = areas.get(household)
        cases.append(
            DoubleSupportCase(
                household_id=household,
                area_id=index.unit_of(area) if index is not None and area else area,
                category_id=category,
                organization_ids=tuple(orgs),
                service_ids=tuple(sorted({s.id for _, s in items})),
                referral_ids=tuple(sorted(r.id for r, _ in items)),
                uncoordinated=not any(
                    cooperation.coordinated(a, b) for a, b in combinations(orgs, 2)
                ),
            )
        )
    return cases


def double_support(
    cases: Iterable[DoubleSupportCase],
    *,
    organization_names: Mapping[str, str] | None = None,
    category_names: Mapping[str, str] | None = None,
    min_count: int = 0,
) -> list[DoubleSupport]:
    """Aggregate findings per category and pair of Träger (no household named).

    The explanation writes counts below ``min_count`` as "weniger als ..." (small cells).
    """
    names = organization_names or {}
    categories = category_names or {}
    groups: dict[tuple[str, str, str], list[DoubleSupportCase]] = defaultdict(list)
    for case in cases:
        for a, b in combinations(case.organization_ids, 2):
            groups[(case.category_id, a, b)].append(case)
    findings: list[DoubleSupport] = []
    for (category, a, b), members in groups.items():
        households = len({c.household_id for c in members})
        uncoordinated = len({c.household_id for c in members if c.uncoordinated})
        areas = tuple(sorted({c.area_id for c in members if c.area_id}))
        services = tuple(sorted({s for c in members for s in c.service_ids}))
        how_many = sentence(households_text(households, min_count))
        are = "wird" if how_many.startswith("1 ") else "werden"
        where = categories.get(category, category)
        who = f"{names.get(a, a)} und {names.get(b, b)}"
        if uncoordinated:
            text = (
                f"{how_many} {are} im Bereich {where} parallel von {who} betreut, "
                f"{count_text(uncoordinated, min_count)} davon ohne gemeinsame Vereinbarung "
                "oder gemeinsamen Verbund."
            )
        else:
            text = (
                f"{how_many} {are} im Bereich {where} parallel von {who} betreut; "
                "die Träger sind über eine Vereinbarung oder einen Verbund abgestimmt."
            )
        findings.append(
            DoubleSupport(
                kind="double_support",
                severity="hoch" if uncoordinated else "niedrig",
                explanation=text,
                area_ids=areas,
                organization_ids=(a, b),
                service_ids=services,
                category_id=category,
                counts={"households": households, "uncoordinated_households": uncoordinated},
                households=households,
                uncoordinated_households=uncoordinated,
            )
        )
    findings.sort(key=lambda f: (-f.uncoordinated_households, -f.households, f.organization_ids))
    return findings
