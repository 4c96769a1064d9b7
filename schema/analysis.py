"""Analysefelder für die Sozialplanung: Lücken, Doppelstrukturen, Doppelbetreuung, Netzwerk.

Planner views are aggregates only: no household is named, and every count of households or
referrals below ``MIN_COUNT`` (zero included) is shown as null or its row is left out. Where a
total is shown next to its parts (a city-wide rate and the areas' rates, all households and the
common pathways, households and the uncoordinated ones, a structure's demand and the areas'
demand), secondary suppression (``schema.policy.complementary``) hides more until no hidden count
follows by subtraction. Suppression is decided on the whole city before the ``area`` and
``category`` arguments filter, so two queries cannot be differenced either. The analyses run
once per request, however many analysis fields it asks for.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field

import strawberry

from graph.analysis import AnalysisReport, analyse, within_area
from graph.analysis.duplicate_services import AGREEING, CONTRADICTING
from graph.analysis.findings import count_text
from graph.analysis.pathways import PathwayRates as Rates
from graph.analysis.suite import units_within
from graph.analysis.weak_spots import SPOT_LABELS, SPOTS
from schema.context import Info
from schema.policy import MIN_COUNT, Policy, aggregate, complementary, is_small

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
# Counts of households pass through ``_people`` here (0 to 4 become null).
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
_DEMAND_HIDDEN = "Bedarf nicht ausgewiesen (Fallzahlenschutz)"
_PART_HIDDEN = "ein nicht ausgewiesener Teil davon"


def _without(text: str, phrase: str, replacement: str, fallback: str) -> str:
    """The explanation with a hidden count's phrase replaced; if the analysis worded it
    differently, a fixed sentence without any number rather than a leaked count."""
    if phrase in text:
        return text.replace(phrase, replacement)
    return fallback


def _policy() -> Policy:
    return aggregate(not_counts=_NOT_PEOPLE + _SUPPRESSED_HERE, purpose="Sozialplanung")


def _people(value: float | None) -> int | None:
    """A count of households for planners: null below the minimum."""
    if value is None or is_small(value):
        return None
    return round(value)


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


async def _full_report(info: Info) -> AnalysisReport:
    context = info.context
    holder = context.loaders.setdefault("analysis", _Holder())
    assert isinstance(holder, _Holder)
    async with holder.lock:
        if holder.report is None:
            holder.report = await context.run(analyse, context.graph)
        return holder.report


async def _report(info: Info, area: str | None) -> AnalysisReport:
    report = await _full_report(info)
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
    """A rate, unless it would give away a small count: whole and part are known to be
    shown or hidden, and ``whole - part`` follows from them, so all three must be large."""
    if is_small(whole) or is_small(part) or is_small(whole - part):
        return None
    return part / whole


def _demand_shown(report: AnalysisReport, category_id: str | None, area_ids: Iterable[str]) -> bool:
    """Whether a sum of demand over areas may be shown next to the per-area coverage cells
    (which ``coverage`` shows when they are not small): only if the hidden cells do not follow
    by subtraction, i.e. none is hidden or together they are not small."""
    cells = {(c.area_id, c.category_id): c.demand for c in report.coverage}
    parts = [cells.get((a, category_id or ""), 0.0) for a in area_ids]
    hidden = [p for p in parts if is_small(p)]
    return not is_small(sum(parts)) and (not hidden or not is_small(sum(hidden)))


def _rates_shown(rates: Iterable[Rates], units: Iterable[str]) -> set[tuple[str, str | None]]:
    """(category, area) of the rate rows planners may see. A category's city-wide row is the
    total of its area rows, of the areas without a row (zero: planners know every area) and
    of referrals without an area, so they are suppressed together."""
    by_category: dict[str, dict[str | None, Rates]] = {}
    for r in rates:
        by_category.setdefault(r.category_id, {})[r.area_id] = r
    all_units = sorted(units)
    shown: set[tuple[str, str | None]] = set()
    for category, rows in by_category.items():
        parts = [rows[u].referrals if u in rows else 0 for u in all_units]
        city = rows.get(None)
        total = city.referrals if city is not None else sum(parts)
        parts.append(total - sum(parts))  # referrals without a known area
        show_city, show_parts = complementary(total, parts, unlisted=[len(all_units)])
        if show_city and city is not None:
            shown.add((category, None))
        shown |= {(category, u) for u, ok in zip(all_units, show_parts, strict=False) if ok}
    return shown


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
        full = await _full_report(info)
        report = within_area(full, area) if area else full
        names = _Names(report)
        return [
            DuplicateStructure(
                severity=f.severity,
                explanation=f.explanation
                if (shown := _demand_shown(full, f.category_id, f.area_ids))
                else _without(
                    f.explanation,
                    f"Bedarf {count_text(f.demand, MIN_COUNT)} Haushalte",
                    _DEMAND_HIDDEN,
                    "Angebote mehrerer Träger überschneiden sich; " + _DEMAND_HIDDEN + ".",
                ),
                category=names.category(f.category_id),
                areas=names.areas(f.area_ids),
                organizations=names.orgs_of(f.organization_ids),
                services=names.service_refs(f.service_ids),
                target_groups=list(f.target_groups),
                capacity=f.capacity,
                capacity_used=f.capacity_used,
                utilization=f.utilization,
                households_in_need=_people(f.demand) if shown else None,
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
        found = []
        for f in report.double_support:
            if category is not None and f.category_id != category:
                continue
            # Households = uncoordinated + coordinated: the coordinated count follows from
            # the two shown ones, so it must not be small (nor zero) either.
            total, uncoordinated = f.households, f.uncoordinated_households
            _, (show, _) = complementary(total, [uncoordinated, total - uncoordinated])
            explanation = f.explanation
            if not show:
                explanation = _without(
                    explanation,
                    f"{count_text(uncoordinated, MIN_COUNT)} davon",
                    _PART_HIDDEN,
                    f"{count_text(total, MIN_COUNT)} Haushalte werden parallel von beiden "
                    "Trägern betreut; wie viele davon ohne Abstimmung, ist nicht ausgewiesen "
                    "(Fallzahlenschutz).",
                )
            found.append(
                DoubleSupport(
                    severity=f.severity,
                    explanation=explanation,
                    category=names.category(f.category_id),
                    organizations=names.orgs_of(f.organization_ids),
                    areas=names.areas(f.area_ids),
                    households=_people(total),
                    uncoordinated_households=uncoordinated if show else None,
                )
            )
        return found

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
        # The listed sequences and the rest add up to all households.
        counts = [s.households for s in paths.sequences]
        counts.append(paths.households - sum(counts))
        show_total, show_sequence = complementary(paths.households, counts, [len(counts) - 1])
        rates_shown = _rates_shown(paths.rates, report.index.units)
        return ReferralPathways(
            households=paths.households if show_total else None,
            sequences=[
                PathwaySequence(
                    categories=[names.category(c) for c in s.category_ids],
                    households=s.households,
                )
                for s, show in zip(paths.sequences, show_sequence, strict=False)
                if show
            ],
            rates=[
                PathwayRates(
                    category=names.category(r.category_id),
                    area=names.area(r.area_id) if r.area_id else None,
                    referrals=r.referrals,
                    decline_rate=_share(r.declined, r.referrals),
                    dropoff_rate=_share(r.dropped_out, r.referrals - r.declined)
                    if _share(r.declined, r.referrals) is not None
                    else None,
                    # A median of one or two response times is one family's case history.
                    median_response_hours=None
                    if is_small(r.responded)
                    else r.median_response_hours,
                    mean_response_hours=None if is_small(r.responded) else r.mean_response_hours,
                )
                for r in paths.rates
                if (r.category_id, r.area_id) in rates_shown
                and (category is None or r.category_id == category)
                and ((r.area_id is None and not area) or r.area_id in units)
            ],
        )
