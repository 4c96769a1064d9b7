"""Analysefelder für die Sozialplanung: Lücken, Doppelstrukturen, Doppelbetreuung, Netzwerk.

Planner views are aggregates only. Which count of households or referrals is shown is decided
once, in ``graph.analysis.planner_view`` (primary and secondary suppression, on the whole city
before the ``area`` and ``category`` arguments filter); the CLI's outputs and the web pages
read the same view. The analyses run at most once per request, however many analysis fields it
asks for, and across requests only when the data changed (graph/analysis/cache.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated

import strawberry

from graph.analysis import AnalysisReport
from graph.analysis.cache import cached_analyse
from graph.analysis.config import served_config
from graph.analysis.duplicate_services import AGREEING, CONTRADICTING
from graph.analysis.planner_view import PlannerView, planner_view
from graph.analysis.trends import referral_trends
from graph.analysis.weak_spots import SPOT_LABELS, SPOTS
from schema.context import Info
from schema.policy import Policy, aggregate

# Integer fields that count things, not people: the policy must not suppress them.
_NOT_PEOPLE = (
    "reachable_services",
    "services",
    "organizations",
    "capacity",
    "capacity_used",
    "unknown_capacity_services",
    "unknown_occupancy_services",
    "links",
    "components",
    "year",
    "number",
)
# Counts of households come suppressed from the planner view (graph.analysis.planner_view).
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


@strawberry.type(name="AnalysisRef", description="Verweis auf einen Datensatz mit Namen.")
class Ref:
    id: str
    name: str


@strawberry.type(description="Versorgungslücke: Sozialraum und Leistungsbereich.")
class CoverageGap:
    scope: Ref | None = strawberry.field(
        description="Gebiet (oberster Sozialraum: Stadt oder Landkreis) des Befunds."
    )
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
    unknown_capacity_services: int = strawberry.field(
        description="Erreichbare Angebote ohne bekannte Platzzahl: nicht mitgezählt, weder als "
        "0 noch als frei."
    )


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
    scope: Ref | None = strawberry.field(
        description="Gebiet (oberster Sozialraum: Stadt oder Landkreis) des Befunds."
    )
    severity: str
    explanation: str
    category: Ref
    areas: list[Ref]
    organizations: list[Ref]
    services: list[Ref]
    target_groups: list[str]
    capacity: int = strawberry.field(
        description="Plätze der Angebote mit bekannter Platzzahl (unbekannte zählen nicht als 0)."
    )
    capacity_used: int | None = strawberry.field(
        description="Belegte Plätze der Angebote mit bekannter, aktueller Belegung; `null`, "
        "wenn sie bei keinem bekannt ist."
    )
    utilization: float | None = strawberry.field(
        description="Auslastung (0 bis 1) über die Angebote mit bekannter Belegung; `null`: "
        "unbekannt."
    )
    unknown_capacity_services: int = strawberry.field(
        description="Angebote ohne bekannte Platzzahl (nicht mitgezählt)."
    )
    unknown_occupancy_services: int = strawberry.field(
        description="Angebote ohne bekannte oder mit veralteter Belegung (nicht mitgezählt)."
    )
    households_in_need: int | None
    score: float


@strawberry.type(description="Kandidat für einen doppelt erfassten Träger.")
class DuplicateRecordCandidate:
    scope: Ref | None = strawberry.field(
        description="Gebiet (oberster Sozialraum: Stadt oder Landkreis) des Befunds."
    )
    severity: str
    explanation: str
    organizations: list[Ref]
    score: float
    name_similarity: float
    matched: list[str] = strawberry.field(description="Übereinstimmende Angaben.")
    outcome: str = strawberry.field(
        description="Ergebnis: same (derselbe Träger, zusammenführen), related "
        "(zusammengehörige Träger, nie zusammenführen) oder renamed (möglicherweise "
        "umbenannt, prüfen)."
    )
    evidence: list[str] = strawberry.field(
        description="Belege in Worten, z. B. „gleiche Anschrift Glambecker Ring 80–82“."
    )


@strawberry.type(description="Kandidat für ein doppelt erfasstes Angebot (zwei Datensätze).")
class DuplicateServiceCandidate:
    scope: Ref | None = strawberry.field(
        description="Gebiet (oberster Sozialraum: Stadt oder Landkreis) des Befunds."
    )
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
    scope: Ref | None = strawberry.field(
        description="Gebiet (oberster Sozialraum: Stadt oder Landkreis) des Befunds."
    )
    severity: str
    explanation: str
    category: Ref
    organizations: list[Ref]
    areas: list[Ref]
    households: int | None
    uncoordinated_households: int | None


@strawberry.type(description="Trägerpaar mit vielen gemeinsamen Haushalten ohne Vereinbarung.")
class MissingCooperation:
    scope: Ref | None = strawberry.field(
        description="Gebiet (oberster Sozialraum: Stadt oder Landkreis) des Befunds."
    )
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
    scope: Ref | None = strawberry.field(
        description="Gebiet (oberster Sozialraum: Stadt oder Landkreis) des Befunds."
    )
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
    scope: Ref | None = strawberry.field(description="Gebiet der Abfolge.")


@strawberry.type(description="Ablehnungs- und Abbruchquoten, Antwortzeiten.")
class PathwayRates:
    category: Ref
    area: Ref | None
    referrals: int | None
    decline_rate: float | None
    dropoff_rate: float | None
    median_response_hours: float | None
    mean_response_hours: float | None
    scope: Ref | None = strawberry.field(
        description="Gebiet; ohne Sozialraum (area) gilt die Zeile für das ganze Gebiet."
    )


@strawberry.type(
    description="Gebiet: ein oberster Sozialraum (Stadt, Landkreis), für sich analysiert."
)
class AnalysisScope:
    id: str
    name: str
    demand_estimated: bool = strawberry.field(
        description="Keine Haushaltsdaten im Gebiet: Bedarf aus Gebietsindikatoren geschätzt."
    )


@strawberry.type(description="Überleitungswege.")
class ReferralPathways:
    households: int | None
    sequences: list[PathwaySequence]
    rates: list[PathwayRates]


@strawberry.type(description="Ein Kalenderquartal.")
class TrendQuarter:
    year: int
    number: int = strawberry.field(description="Quartal im Jahr (1 bis 4).")
    label: str = strawberry.field(description="z. B. „1. Quartal 2026“.")


@strawberry.type(description="Überleitungen eines Leistungsbereichs je Quartal.")
class TrendSeries:
    category: Ref
    referrals: list[int | None] = strawberry.field(
        description="Anzahl je Quartal, in der Reihenfolge von quarters; null: nicht "
        "ausgewiesen (Fallzahlenschutz)."
    )


@strawberry.type(description="Überleitungen je Quartal und Leistungsbereich (Trends).")
class ReferralTrends:
    quarters: list[TrendQuarter] = strawberry.field(
        description="Die letzten Quartale, das laufende eingeschlossen, älteste zuerst."
    )
    area: Ref | None = strawberry.field(
        description="Stadtbezirk, für den gezählt wird; null: das ganze Gebiet."
    )
    scope: Ref | None = strawberry.field(
        description="Gebiet (Stadt oder Landkreis), für das gezählt wird; null: keine "
        "Sozialräume geladen."
    )
    scopes: list[Ref] = strawberry.field(
        description="Alle Gebiete, zwischen denen gewählt werden kann; das erste ist die "
        "Vorauswahl."
    )
    series: list[TrendSeries]


@dataclass
class _Holder:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    report: AnalysisReport | None = None


async def _full_report(info: Info) -> AnalysisReport:
    context = info.context
    holder = context.loaders.setdefault("analysis", _Holder())
    assert isinstance(holder, _Holder)
    async with holder.lock:
        if holder.report is None:
            config = served_config(context.capacity_max_age_days)
            holder.report = await context.run(cached_analyse, context.graph, config)
        return holder.report


async def _view(
    info: Info, area: str | None, category: str | None = None, scope: str | None = None
) -> PlannerView:
    return planner_view(await _full_report(info), area=area, category=category, scope=scope)


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

    def scope(self, scope_id: str | None) -> Ref | None:
        return Ref(id=scope_id, name=self.report.scope_name(scope_id)) if scope_id else None

    def category(self, category_id: str | None) -> Ref:
        cid = category_id or ""
        return Ref(id=cid, name=self.report.category_name(cid))


_SCOPE_ARG = Annotated[
    str | None,
    strawberry.argument(
        description="Nur dieses Gebiet (id des obersten Sozialraums, siehe analysisScopes)."
    ),
]


@strawberry.type
class AnalysisQuery:
    @strawberry.field(
        description="Die Gebiete (oberste Sozialräume: Städte, Landkreise); jedes wird für sich "
        "analysiert, das erste ist die Vorauswahl.",
        extensions=[_policy()],
    )
    async def analysis_scopes(self, info: Info) -> list[AnalysisScope]:
        report = await _full_report(info)
        return [
            AnalysisScope(id=s.id, name=s.name, demand_estimated=s.id in report.estimated_scope_ids)
            for s in report.scopes
        ]

    @strawberry.field(
        description="Versorgungslücken je Sozialraum und Leistungsbereich (2SFCA).",
        extensions=[_policy()],
    )
    async def coverage_gaps(
        self,
        info: Info,
        area: str | None = None,
        category: str | None = None,
        scope: _SCOPE_ARG = None,
    ) -> list[CoverageGap]:
        view = await _view(info, area, category, scope)
        names = _Names(view.report)
        return [
            CoverageGap(
                scope=names.scope(g.finding.scope_id),
                severity=g.finding.severity,
                explanation=g.explanation,
                area=names.area(g.finding.area_ids[0]),
                category=names.category(g.finding.category_id),
                households_in_need=g.count("demand"),
                ratio=g.finding.ratio,
                estimated=g.finding.estimated,
                reachable_services=len(g.finding.service_ids),
                services=names.service_refs(g.finding.service_ids),
                unknown_capacity_services=len(g.finding.unknown_capacity_service_ids),
            )
            for g in view.gaps
        ]

    @strawberry.field(
        description="Erreichbarkeit je Sozialraum und Leistungsbereich (für Karten).",
        extensions=[_policy()],
    )
    async def coverage(
        self,
        info: Info,
        area: str | None = None,
        category: str | None = None,
        scope: _SCOPE_ARG = None,
    ) -> list[AreaCoverage]:
        view = await _view(info, area, category, scope)
        names = _Names(view.report)
        return [
            AreaCoverage(
                area=names.area(c.area_id),
                category=names.category(c.category_id),
                households_in_need=c.households_in_need,
                ratio=c.ratio,
                reachable_services=c.reachable_services,
                estimated=c.estimated,
            )
            for c in view.coverage
        ]

    @strawberry.field(
        description="Doppelstrukturen, nach Koordinationsbedarf geordnet.",
        extensions=[_policy()],
    )
    async def duplicate_structures(
        self,
        info: Info,
        area: str | None = None,
        category: str | None = None,
        scope: _SCOPE_ARG = None,
    ) -> list[DuplicateStructure]:
        view = await _view(info, area, category, scope)
        names = _Names(view.report)
        return [
            DuplicateStructure(
                scope=names.scope(s.finding.scope_id),
                severity=s.finding.severity,
                explanation=s.explanation,
                category=names.category(s.finding.category_id),
                areas=names.areas(s.finding.area_ids),
                organizations=names.orgs_of(s.finding.organization_ids),
                services=names.service_refs(s.finding.service_ids),
                target_groups=list(s.finding.target_groups),
                capacity=s.finding.capacity,
                capacity_used=s.finding.capacity_used,
                utilization=s.finding.utilization,
                unknown_capacity_services=s.finding.unknown_capacity,
                unknown_occupancy_services=s.finding.unknown_occupancy,
                households_in_need=s.count("demand"),
                score=s.finding.score,
            )
            for s in view.duplicate_structures
        ]

    @strawberry.field(
        description="Vermutlich doppelt erfasste Träger (zusammenführen), zusammengehörige "
        "Träger und möglicherweise umbenannte Träger, mit Wahrscheinlichkeit und Belegen.",
        extensions=[_policy()],
    )
    async def duplicate_records(
        self, info: Info, area: str | None = None, scope: _SCOPE_ARG = None
    ) -> list[DuplicateRecordCandidate]:
        view = await _view(info, area, None, scope)
        names = _Names(view.report)
        return [
            DuplicateRecordCandidate(
                scope=names.scope(s.finding.scope_id),
                severity=s.finding.severity,
                explanation=s.explanation,
                organizations=names.orgs_of(s.finding.organization_ids),
                score=s.finding.score,
                name_similarity=s.finding.name_similarity,
                matched=list(s.finding.matched),
                outcome=s.finding.outcome,
                evidence=list(s.finding.evidence),
            )
            for s in view.duplicate_records
        ]

    @strawberry.field(
        description="Vermutlich doppelt erfasste Angebote (desselben Trägers), mit Punktzahl; "
        "zusammenführen mit mergeServices.",
        extensions=[_policy()],
    )
    async def duplicate_services(
        self,
        info: Info,
        area: str | None = None,
        category: str | None = None,
        scope: _SCOPE_ARG = None,
    ) -> list[DuplicateServiceCandidate]:
        view = await _view(info, area, category, scope)
        names = _Names(view.report)
        return [
            DuplicateServiceCandidate(
                scope=names.scope(f.scope_id),
                severity=f.severity,
                explanation=s.explanation,
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
            for s in view.duplicate_services
            for f in (s.finding,)
        ]

    @strawberry.field(
        description="Doppelbetreuung je Leistungsbereich und Trägerpaar (nur Fallzahlen ab 5).",
        extensions=[_policy()],
    )
    async def double_support(
        self,
        info: Info,
        area: str | None = None,
        category: str | None = None,
        scope: _SCOPE_ARG = None,
    ) -> list[DoubleSupport]:
        view = await _view(info, area, category, scope)
        names = _Names(view.report)
        return [
            DoubleSupport(
                scope=names.scope(s.finding.scope_id),
                severity=s.finding.severity,
                explanation=s.explanation,
                category=names.category(s.finding.category_id),
                organizations=names.orgs_of(s.finding.organization_ids),
                areas=names.areas(s.finding.area_ids),
                households=s.count("households"),
                uncoordinated_households=s.count("uncoordinated_households"),
            )
            for s in view.double_support
        ]

    @strawberry.field(
        description="Trägerpaare mit vielen gemeinsamen Haushalten ohne Kooperationsvereinbarung.",
        extensions=[_policy()],
    )
    async def missing_cooperation(
        self, info: Info, area: str | None = None, scope: _SCOPE_ARG = None
    ) -> list[MissingCooperation]:
        view = await _view(info, area, None, scope)
        names = _Names(view.report)
        return [
            MissingCooperation(
                scope=names.scope(s.finding.scope_id),
                severity=s.finding.severity,
                explanation=s.explanation,
                organizations=names.orgs_of(s.finding.organization_ids),
                areas=names.areas(s.finding.area_ids),
                categories=[names.category(c) for c in s.finding.category_ids],
                shared_households=s.count("shared_households"),
                same_network=s.finding.same_network,
            )
            for s in view.missing_cooperation
        ]

    @strawberry.field(
        description="Schwachstellen des Kooperationsnetzes: Teilnetze, isolierte Träger, "
        "Schnittpunkte, Brücken, Vermittler, Gemeinschaften und Dichte je Sozialraum.",
        extensions=[_policy()],
    )
    async def network_weak_spots(
        self, info: Info, area: str | None = None, scope: _SCOPE_ARG = None
    ) -> NetworkWeakSpots:
        view = await _view(info, area, None, scope)
        names = _Names(view.report)
        net = view.report.network
        brokers = sorted(net.betweenness.items(), key=lambda x: (-x[1], x[0]))[:10]
        return NetworkWeakSpots(
            organizations=net.organizations,
            links=net.links,
            components=net.components,
            community_area_agreement=net.community_area_agreement,
            findings=[
                WeakSpot(
                    spot=s.finding.spot,
                    scope=names.scope(s.finding.scope_id),
                    severity=s.finding.severity,
                    explanation=s.explanation,
                    organizations=names.orgs_of(s.finding.organization_ids),
                    areas=names.areas(s.finding.area_ids),
                )
                for s in view.weak_spots
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
        self,
        info: Info,
        area: str | None = None,
        category: str | None = None,
        scope: _SCOPE_ARG = None,
    ) -> ReferralPathways:
        view = await _view(info, area, category, scope)
        names = _Names(view.report)
        paths = view.pathways
        return ReferralPathways(
            households=paths.households,
            sequences=[
                PathwaySequence(
                    categories=[names.category(c) for c in s.category_ids],
                    households=s.households,
                    scope=names.scope(s.scope_id),
                )
                for s in paths.sequences
            ],
            rates=[
                PathwayRates(
                    category=names.category(r.category_id),
                    area=names.area(r.area_id) if r.area_id else None,
                    referrals=r.referrals,
                    decline_rate=r.decline_rate,
                    dropoff_rate=r.dropoff_rate,
                    median_response_hours=r.median_response_hours,
                    mean_response_hours=r.mean_response_hours,
                    scope=names.scope(r.scope_id),
                )
                for r in paths.rates
            ],
        )

    @strawberry.field(
        description="Überleitungen je Quartal (nach Anlagedatum) und Leistungsbereich, für "
        "ein ganzes Gebiet (ohne Angabe das erste) oder den Stadtbezirk des Sozialraums; "
        "Zahlen unter 5 und was aus ihnen folgen würde, sind nicht ausgewiesen.",
        extensions=[_policy()],
    )
    async def referral_trends(
        self,
        info: Info,
        area: str | None = None,
        category: str | None = None,
        scope: _SCOPE_ARG = None,
    ) -> ReferralTrends:
        trends = await info.context.run(
            referral_trends, info.context.graph, area=area, category=category, scope=scope
        )
        return ReferralTrends(
            quarters=[
                TrendQuarter(year=q.year, number=q.number, label=q.label) for q in trends.quarters
            ],
            area=Ref(id=trends.unit_id, name=trends.unit_name or trends.unit_id)
            if trends.unit_id
            else None,
            scope=Ref(id=trends.scope.id, name=trends.scope.name) if trends.scope else None,
            scopes=[Ref(id=sc.id, name=sc.name) for sc in trends.scopes],
            series=[
                TrendSeries(
                    category=Ref(id=s.category_id, name=s.category_name),
                    referrals=list(s.referrals),
                )
                for s in trends.series
            ],
        )
