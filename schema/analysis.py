"""Analysefelder für die Sozialplanung: Lücken, Doppelstrukturen, Doppelbetreuung, Netzwerk.

Planner views are aggregates only: no household is named, and every count of households below
``MIN_COUNT`` is shown as null (rows that would reveal one are left out). The analyses run once
per request, however many analysis fields it asks for.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field

import strawberry

from graph.analysis import AnalysisReport, analyse, within_area
from graph.analysis.duplicate_services import AGREEING, CONTRADICTING
from graph.analysis.suite import units_within
from graph.analysis.weak_spots import SPOT_LABELS, SPOTS
from schema.context import Info
from schema.policy import MIN_COUNT, Policy, aggregate

# Integer fields that count things, not people: the policy must not suppress them.
_NOT_PEOPLE = (
    "reachable_services",
    "services",
    "organizations",
    "capacity",
    "capacity_used",
    "links",
    "components",
)
# Counts of households pass through ``_people`` here (1 to 4 become null, 0 stays: a zero
# discloses nobody, and planners need to see "no household" apart from "hidden").
_SUPPRESSED_HERE = (
    "households_in_need",
    "households",
    "uncoordinated_households",
    "shared_households",
    "referrals",
)


_SPOT_DESCRIPTION = "Art der Schwachstelle: " + ", ".join(
    f"{spot} ({SPOT_LABELS[spot]})" for spot in SPOTS
)


def _policy() -> Policy:
    return aggregate(not_counts=_NOT_PEOPLE + _SUPPRESSED_HERE, purpose="Sozialplanung")


def _people(value: float | None) -> int | None:
    """A count of households for planners: null below the minimum."""
    if value is None:
        return None
    n = round(value)
    return n if n == 0 or n >= MIN_COUNT else None


@strawberry.type(name="AnalysisRef", description="Verweis auf einen Datensatz mit Namen.")
class Ref:
    id: str
    name: str


@strawberry.type(description="Versorgungslücke: Sozialraum und Leistungsbereich.")
class CoverageGap:
    severity: str = strawberry.field(description="hoch (kein erreichbares Angebot) oder mittel")
    explanation: str
    area: Ref
    category: Ref
    households_in_need: int | None = strawberry.field(
        description="Haushalte mit offenem Bedarf (geschätzt, wenn keine Haushaltsdaten)."
    )
    ratio: float = strawberry.field(description="Erreichbare Plätze je Haushalt mit Bedarf.")
    estimated: bool
    reachable_services: int
    services: list[Ref]


@strawberry.type(description="Erreichbarkeit eines Leistungsbereichs in einem Sozialraum (2SFCA).")
class AreaCoverage:
    area: Ref
    category: Ref
    households_in_need: int | None
    ratio: float | None
    reachable_services: int
    estimated: bool


@strawberry.type(description="Doppelstruktur: Angebote mehrerer Träger für dieselben Menschen.")
class DuplicateStructure:
    severity: str
    explanation: str
    category: Ref
    areas: list[Ref]
    organizations: list[Ref]
    services: list[Ref]
    target_groups: list[str]
    capacity: int
    capacity_used: int
    utilization: float | None
    households_in_need: int | None
    score: float


@strawberry.type(description="Kandidat für einen doppelt erfassten Träger.")
class DuplicateRecordCandidate:
    severity: str
    explanation: str
    organizations: list[Ref]
    score: float
    name_similarity: float
    matched: list[str] = strawberry.field(description="Übereinstimmende Angaben.")


@strawberry.type(description="Kandidat für ein doppelt erfasstes Angebot (zwei Datensätze).")
class DuplicateServiceCandidate:
    severity: str
    explanation: str
    services: list[Ref]
    organizations: list[Ref] = strawberry.field(
        description="Ein Träger, oder zwei Träger-Datensätze, die selbst Dublettenkandidaten sind."
    )
    category: Ref | None
    areas: list[Ref]
    score: float
    name_similarity: float
    matched: list[str] = strawberry.field(
        description="Übereinstimmende Angaben: " + ", ".join(AGREEING) + "."
    )
    contradicting: list[str] = strawberry.field(
        description="Was dagegen spricht: " + ", ".join(CONTRADICTING) + "."
    )
    same_organization: bool


@strawberry.type(description="Doppelbetreuung, zusammengefasst je Leistungsbereich und Trägerpaar.")
class DoubleSupport:
    severity: str
    explanation: str
    category: Ref
    organizations: list[Ref]
    areas: list[Ref]
    households: int | None
    uncoordinated_households: int | None


@strawberry.type(description="Trägerpaar mit vielen gemeinsamen Haushalten ohne Vereinbarung.")
class MissingCooperation:
    severity: str
    explanation: str
    organizations: list[Ref]
    areas: list[Ref]
    categories: list[Ref]
    shared_households: int | None
    same_network: bool


@strawberry.type(description="Schwachstelle im Kooperationsnetz.")
class WeakSpot:
    spot: str = strawberry.field(description=_SPOT_DESCRIPTION)
    severity: str
    explanation: str
    organizations: list[Ref]
    areas: list[Ref]


@strawberry.type(description="Träger mit hoher Vermittlungsrolle (Betweenness).")
class Broker:
    organization: Ref
    betweenness: float


@strawberry.type(description="Gemeinschaft im Kooperationsnetz und ihr Haupt-Sozialraum.")
class Community:
    organizations: list[Ref]
    main_area: Ref | None
    main_area_share: float


@strawberry.type(description="Dichte des Kooperationsnetzes unter den Trägern eines Sozialraums.")
class AreaDensity:
    area: Ref
    organizations: int
    links: int
    density: float


@strawberry.type(description="Struktur und Schwachstellen des Kooperationsnetzes.")
class NetworkWeakSpots:
    organizations: int
    links: int
    components: int
    community_area_agreement: float | None = strawberry.field(
        description="Übereinstimmung von Gemeinschaften und Sozialräumen (NMI, 0 bis 1)."
    )
    findings: list[WeakSpot]
    brokers: list[Broker]
    communities: list[Community]
    densities: list[AreaDensity]


@strawberry.type(description="Häufige Abfolge von Leistungsbereichen der Überleitungen.")
class PathwaySequence:
    categories: list[Ref]
    households: int | None


@strawberry.type(description="Ablehnungs- und Abbruchquoten, Antwortzeiten.")
class PathwayRates:
    category: Ref
    area: Ref | None
    referrals: int | None
    decline_rate: float | None
    dropoff_rate: float | None
    median_response_hours: float | None
    mean_response_hours: float | None


@strawberry.type(description="Überleitungswege.")
class ReferralPathways:
    households: int | None
    sequences: list[PathwaySequence]
    rates: list[PathwayRates]


@dataclass
class _Holder:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    report: AnalysisReport | None = None


async def _report(info: Info, area: str | None) -> AnalysisReport:
    context = info.context
    holder = context.loaders.setdefault("analysis", _Holder())
    assert isinstance(holder, _Holder)
    async with holder.lock:
        if holder.report is None:
            holder.report = await context.run(analyse, context.graph)
    report = holder.report
    return within_area(report, area) if area else report


class _Names:
    def __init__(self, report: AnalysisReport) -> None:
        self.report = report
        self.services = {s.id: s.name for s in report.snapshot.services}
        self.orgs = report.organization_names

    def area(self, area_id: str) -> Ref:
        return Ref(id=area_id, name=self.report.area_name(area_id))

    def areas(self, ids: Iterable[str]) -> list[Ref]:
        return [self.area(i) for i in ids]

    def org(self, org_id: str) -> Ref:
        return Ref(id=org_id, name=self.orgs.get(org_id, org_id))

    def orgs_of(self, ids: Iterable[str]) -> list[Ref]:
        return [self.org(i) for i in ids]

    def service_refs(self, ids: Iterable[str]) -> list[Ref]:
        return [Ref(id=i, name=self.services.get(i, i)) for i in ids]

    def category(self, category_id: str | None) -> Ref:
        cid = category_id or ""
        return Ref(id=cid, name=self.report.category_name(cid))


def _share(part: int, whole: int) -> float | None:
    """A rate whose numerator is a small cell is not shown either."""
    if whole == 0 or 0 < part < MIN_COUNT:
        return None
    return part / whole


@strawberry.type
class AnalysisQuery:
    @strawberry.field(
        description="Versorgungslücken je Sozialraum und Leistungsbereich (2SFCA).",
        extensions=[_policy()],
    )
    async def coverage_gaps(
        self, info: Info, area: str | None = None, category: str | None = None
    ) -> list[CoverageGap]:
        report = await _report(info, area)
        names = _Names(report)
        return [
            CoverageGap(
                severity=g.severity,
                explanation=g.explanation,
                area=names.area(g.area_ids[0]),
                category=names.category(g.category_id),
                households_in_need=_people(g.demand),
                ratio=g.ratio,
                estimated=g.estimated,
                reachable_services=len(g.service_ids),
                services=names.service_refs(g.service_ids),
            )
            for g in report.gaps
            if category is None or g.category_id == category
        ]

    @strawberry.field(
        description="Erreichbarkeit je Sozialraum und Leistungsbereich (für Karten).",
        extensions=[_policy()],
    )
    async def coverage(
        self, info: Info, area: str | None = None, category: str | None = None
    ) -> list[AreaCoverage]:
        report = await _report(info, area)
        names = _Names(report)
        return [
            AreaCoverage(
                area=names.area(c.area_id),
                category=names.category(c.category_id),
                households_in_need=_people(c.demand),
                ratio=c.ratio if _people(c.demand) is not None else None,
                reachable_services=len(c.reachable_service_ids),
                estimated=c.estimated,
            )
            for c in report.coverage
            if category is None or c.category_id == category
        ]

    @strawberry.field(
        description="Doppelstrukturen, nach Koordinationsbedarf geordnet.",
        extensions=[_policy()],
    )
    async def duplicate_structures(
        self, info: Info, area: str | None = None, category: str | None = None
    ) -> list[DuplicateStructure]:
        report = await _report(info, area)
        names = _Names(report)
        return [
            DuplicateStructure(
                severity=f.severity,
                explanation=f.explanation,
                category=names.category(f.category_id),
                areas=names.areas(f.area_ids),
                organizations=names.orgs_of(f.organization_ids),
                services=names.service_refs(f.service_ids),
                target_groups=list(f.target_groups),
                capacity=f.capacity,
                capacity_used=f.capacity_used,
                utilization=f.utilization,
                households_in_need=_people(f.demand),
                score=f.score,
            )
            for f in report.duplicate_structures
            if category is None or f.category_id == category
        ]

    @strawberry.field(
        description="Vermutlich doppelt erfasste Träger, mit Punktzahl.",
        extensions=[_policy()],
    )
    async def duplicate_records(
        self, info: Info, area: str | None = None
    ) -> list[DuplicateRecordCandidate]:
        report = await _report(info, area)
        names = _Names(report)
        return [
            DuplicateRecordCandidate(
                severity=f.severity,
                explanation=f.explanation,
                organizations=names.orgs_of(f.organization_ids),
                score=f.score,
                name_similarity=f.name_similarity,
                matched=list(f.matched),
            )
            for f in report.duplicate_records
        ]

    @strawberry.field(
        description="Vermutlich doppelt erfasste Angebote (desselben Trägers), mit Punktzahl; "
        "zusammenführen mit mergeServices.",
        extensions=[_policy()],
    )
    async def duplicate_services(
        self, info: Info, area: str | None = None, category: str | None = None
    ) -> list[DuplicateServiceCandidate]:
        report = await _report(info, area)
        names = _Names(report)
        return [
            DuplicateServiceCandidate(
                severity=f.severity,
                explanation=f.explanation,
                services=names.service_refs(f.service_ids),
                organizations=names.orgs_of(f.organization_ids),
                category=names.category(f.category_id) if f.category_id else None,
                areas=names.areas(f.area_ids),
                score=f.score,
                name_similarity=f.name_similarity,
                matched=list(f.matched),
                contradicting=list(f.contradicting),
                same_organization=f.same_organization,
            )
            for f in report.duplicate_services
            if category is None or f.category_id == category
        ]

    @strawberry.field(
        description="Doppelbetreuung je Leistungsbereich und Trägerpaar (nur Fallzahlen ab 5).",
        extensions=[_policy()],
    )
    async def double_support(
        self, info: Info, area: str | None = None, category: str | None = None
    ) -> list[DoubleSupport]:
        report = await _report(info, area)
        names = _Names(report)
        return [
            DoubleSupport(
                severity=f.severity,
                explanation=f.explanation,
                category=names.category(f.category_id),
                organizations=names.orgs_of(f.organization_ids),
                areas=names.areas(f.area_ids),
                households=_people(f.households),
                uncoordinated_households=_people(f.uncoordinated_households),
            )
            for f in report.double_support
            if category is None or f.category_id == category
        ]

    @strawberry.field(
        description="Trägerpaare mit vielen gemeinsamen Haushalten ohne Kooperationsvereinbarung.",
        extensions=[_policy()],
    )
    async def missing_cooperation(
        self, info: Info, area: str | None = None
    ) -> list[MissingCooperation]:
        report = await _report(info, area)
        names = _Names(report)
        return [
            MissingCooperation(
                severity=f.severity,
                explanation=f.explanation,
                organizations=names.orgs_of(f.organization_ids),
                areas=names.areas(f.area_ids),
                categories=[names.category(c) for c in f.category_ids],
                shared_households=_people(f.shared_households),
                same_network=f.same_network,
            )
            for f in report.missing_cooperation
        ]

    @strawberry.field(
        description="Schwachstellen des Kooperationsnetzes: Teilnetze, isolierte Träger, "
        "Schnittpunkte, Brücken, Vermittler, Gemeinschaften und Dichte je Sozialraum.",
        extensions=[_policy()],
    )
    async def network_weak_spots(self, info: Info, area: str | None = None) -> NetworkWeakSpots:
        report = await _report(info, area)
        names = _Names(report)
        net = report.network
        brokers = sorted(net.betweenness.items(), key=lambda x: (-x[1], x[0]))[:10]
        return NetworkWeakSpots(
            organizations=net.organizations,
            links=net.links,
            components=net.components,
            community_area_agreement=net.community_area_agreement,
            findings=[
                WeakSpot(
                    spot=f.spot,
                    severity=f.severity,
                    explanation=f.explanation,
                    organizations=names.orgs_of(f.organization_ids),
                    areas=names.areas(f.area_ids),
                )
                for f in net.findings
            ],
            brokers=[Broker(organization=names.org(o), betweenness=v) for o, v in brokers],
            communities=[
                Community(
                    organizations=names.orgs_of(c.organization_ids),
                    main_area=names.area(c.main_area_id) if c.main_area_id else None,
                    main_area_share=c.main_area_share,
                )
                for c in net.communities
            ],
            densities=[
                AreaDensity(
                    area=names.area(d.area_id),
                    organizations=d.organizations,
                    links=d.links,
                    density=d.density,
                )
                for d in net.densities
            ],
        )

    @strawberry.field(
        description="Überleitungswege: häufige Abfolgen, Ablehnungs- und Abbruchquoten, "
        "Antwortzeiten je Leistungsbereich und Sozialraum.",
        extensions=[_policy()],
    )
    async def referral_pathways(
        self, info: Info, area: str | None = None, category: str | None = None
    ) -> ReferralPathways:
        report = await _report(info, area)
        names = _Names(report)
        paths = report.pathways
        units = units_within(report.index, area) if area else set(report.index.units)
        return ReferralPathways(
            households=_people(paths.households),
            sequences=[
                PathwaySequence(
                    categories=[names.category(c) for c in s.category_ids],
                    households=n,
                )
                for s in paths.sequences
                if (n := _people(s.households)) is not None
            ],
            rates=[
                PathwayRates(
                    category=names.category(r.category_id),
                    area=names.area(r.area_id) if r.area_id else None,
                    referrals=_people(r.referrals),
                    decline_rate=_share(r.declined, r.referrals),
                    dropoff_rate=_share(r.cancelled, r.referrals - r.declined),
                    median_response_hours=r.median_response_hours,
                    mean_response_hours=r.mean_response_hours,
                )
                for r in paths.rates
                if r.referrals >= MIN_COUNT
                and (category is None or r.category_id == category)
                and ((r.area_id is None and not area) or r.area_id in units)
            ],
        )
