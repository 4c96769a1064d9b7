"""Run every analysis on one snapshot and keep the results together (CLI, GraphQL, report)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import networkx as nx

from graph.analysis.config import DEFAULT_CONFIG, AnalysisConfig
from graph.analysis.cooperation import Cooperation
from graph.analysis.coverage import (
    AreaCoverage,
    CoverageGap,
    coverage_gaps,
    coverage_table,
    demand_from_indicator,
    demand_from_needs,
    supplies_by_category,
)
from graph.analysis.double_support import (
    DoubleSupport,
    DoubleSupportCase,
    double_support,
    double_support_cases,
)
from graph.analysis.duplicate_records import (
    DuplicateRecord,
    duplicate_records,
    merge_suggestions,
)
from graph.analysis.duplicate_services import DuplicateService, duplicate_services
from graph.analysis.duplicate_structures import DuplicateStructure, duplicate_structures
from graph.analysis.findings import SEVERITY_ORDER, Finding
from graph.analysis.missing_cooperation import MissingCooperation, missing_cooperation
from graph.analysis.parallel import processes_for, run_parts
from graph.analysis.pathways import Pathways, referral_pathways
from graph.analysis.projection import load_snapshot
from graph.analysis.scopes import Scope, split_snapshot
from graph.analysis.snapshot import AreaIndex, OrganizationInfo, Snapshot, adjacency_graph
from graph.analysis.weak_spots import (
    NetworkStructure,
    cooperation_graph,
    home_areas,
    network_structure,
)
from graph.connection import Graph
from graph.errors import GraphError

T = TypeVar("T")
F = TypeVar("F", bound=Finding)


class UnknownScope(GraphError):
    """An analysis was asked for a Gebiet (top-level area) that does not exist."""

    code = "UNKNOWN_SCOPE"

    def __init__(self, scope_id: str, known: Iterable[Scope]) -> None:
        names = ", ".join(f"{s.id} ({s.name})" for s in known) or "keins"
        super().__init__(f"Unbekanntes Gebiet: {scope_id}. Vorhanden: {names}.")
        self.scope_id = scope_id


class UnknownArea(GraphError):
    """An analysis was asked for a Sozialraum that does not exist."""

    code = "UNKNOWN_AREA"

    def __init__(self, area_id: str) -> None:
        super().__init__(f"Unbekannter Sozialraum: {area_id}")
        self.area_id = area_id


@dataclass(frozen=True, slots=True, kw_only=True)
class AnalysisReport:
    snapshot: Snapshot
    index: AreaIndex
    adjacency: nx.Graph
    cooperation: nx.Graph
    home_areas: dict[str, str]
    demand_estimated: bool
    coverage: tuple[AreaCoverage, ...]
    gaps: tuple[CoverageGap, ...]
    duplicate_structures: tuple[DuplicateStructure, ...]
    duplicate_records: tuple[DuplicateRecord, ...]
    duplicate_services: tuple[DuplicateService, ...]
    double_support_cases: tuple[DoubleSupportCase, ...]  # names households: not for planners
    double_support: tuple[DoubleSupport, ...]
    missing_cooperation: tuple[MissingCooperation, ...]
    network: NetworkStructure
    pathways: Pathways
    seconds: dict[str, float] = field(default_factory=dict)
    # The Gebiet this report covers; None for the report over several Gebiete, whose
    # ``parts`` are the reports of each (every finding carries its ``scope_id``).
    scope_id: str | None = None
    scopes: tuple[Scope, ...] = ()  # every Gebiet of the graph, the default first
    parts: tuple[AnalysisReport, ...] = ()
    estimated_scope_ids: tuple[str, ...] = ()  # Gebiete whose demand is estimated
    # Names by Träger id, built once per snapshot on first use: ``organization_name`` is
    # called once per Träger named in a finding (5,000 findings on the Land, 20,000 Träger).
    _names: list[tuple[tuple[OrganizationInfo, ...], dict[str, str]]] = field(
        default_factory=list, repr=False, compare=False
    )

    def findings(self) -> list[Finding]:
        """Every finding, most severe first."""
        every: list[Finding] = [
            *self.gaps,
            *self.duplicate_structures,
            *self.duplicate_records,
            *self.duplicate_services,
            *self.double_support,
            *self.missing_cooperation,
            *self.network.findings,
        ]
        return sorted(every, key=lambda f: SEVERITY_ORDER[f.severity])

    def scope_name(self, scope_id: str | None) -> str:
        return next((s.name for s in self.scopes if s.id == scope_id), scope_id or "")

    def scope_of(self, area_id: str) -> str | None:
        """The Gebiet an area belongs to (None if the area is unknown)."""
        if area_id not in self.index.by_id:
            return None
        return next((p.scope_id for p in self.parts if area_id in p.index.by_id), self.scope_id)

    def part(self, scope_id: str) -> AnalysisReport:
        """The report of one Gebiet."""
        if scope_id == self.scope_id and not self.parts:
            return self
        for p in self.parts:
            if p.scope_id == scope_id:
                return p
        raise UnknownScope(scope_id, self.scopes)

    def area_name(self, area_id: str) -> str:
        return self.index.name(area_id)

    def organization_name(self, org_id: str) -> str:
        return self._organization_names().get(org_id, org_id)

    @property
    def organization_names(self) -> dict[str, str]:
        """Träger names by id (a copy: callers may change it)."""
        return dict(self._organization_names())

    def _organization_names(self) -> dict[str, str]:
        # Shared by copies made with ``replace``: checked against the snapshot's Träger.
        orgs = self.snapshot.organizations
        if self._names and self._names[0][0] is orgs:
            return self._names[0][1]
        names = {o.id: o.name for o in orgs}
        self._names[:] = [(orgs, names)]
        return names

    def category_name(self, category_id: str) -> str:
        return self.snapshot.category_names.get(category_id, category_id)


def run_analyses(
    snapshot: Snapshot,
    config: AnalysisConfig = DEFAULT_CONFIG,
    *,
    scope: str | None = None,
    processes: int = 1,
) -> AnalysisReport:
    """All analyses at the given thresholds, run once per Gebiet (``scopes.py``); per-analysis
    wall time in ``seconds``. ``scope``: only that Gebiet's report. Without it, a graph with
    one Gebiet gives that Gebiet's report, a graph with several their combination.
    ``processes``: Gebiete computed side by side in that many worker processes (0: one per
    core; 1, the default: all here); small graphs always here (parallel.py)."""
    parts = split_snapshot(snapshot)
    scopes = tuple(s for s, _ in parts if s.id)
    if scope is not None:
        chosen = [(s, p) for s, p in parts if s.id == scope]
        if not chosen:
            raise UnknownScope(scope, scopes)
        parts = tuple(chosen)
    snapshots = [part for _, part in parts]
    used = processes_for(snapshots, processes)
    computed = run_parts(_run_scope, snapshots, config, used)
    reports = [_tagged(r, s.id, scopes) for (s, _), r in zip(parts, computed, strict=True)]
    if len(reports) == 1:
        return reports[0]
    return _combined(snapshot, config, reports, scopes)


def _tagged(report: AnalysisReport, scope_id: str, scopes: tuple[Scope, ...]) -> AnalysisReport:
    """The report of one Gebiet with every finding marked as its own."""
    if not scope_id:  # a graph without areas
        return report

    def tag(findings: Iterable[F]) -> tuple[F, ...]:
        return tuple(replace(f, scope_id=scope_id) for f in findings)

    return replace(
        report,
        scope_id=scope_id,
        scopes=scopes,
        estimated_scope_ids=(scope_id,) if report.demand_estimated else (),
        gaps=tag(report.gaps),
        duplicate_structures=tag(report.duplicate_structures),
        duplicate_records=tag(report.duplicate_records),
        duplicate_services=tag(report.duplicate_services),
        double_support=tag(report.double_support),
        missing_cooperation=tag(report.missing_cooperation),
        network=replace(report.network, findings=tag(report.network.findings)),
        pathways=replace(
            report.pathways,
            sequences=tuple(replace(s, scope_id=scope_id) for s in report.pathways.sequences),
            rates=tuple(replace(r, scope_id=scope_id) for r in report.pathways.rates),
        ),
    )


def _combined(
    snapshot: Snapshot,
    config: AnalysisConfig,
    reports: list[AnalysisReport],
    scopes: tuple[Scope, ...],
) -> AnalysisReport:
    """Several Gebiete side by side: findings and tables of each, nothing compared across."""

    def every(name: str) -> tuple[Any, ...]:
        return tuple(x for r in reports for x in getattr(r, name))

    seconds: dict[str, float] = {}
    for r in reports:
        for name, value in r.seconds.items():
            seconds[name] = seconds.get(name, 0.0) + value
    homes: dict[str, str] = {}
    for r in reports:
        homes.update({o: a for o, a in r.home_areas.items() if o not in homes})
    nets = [r.network for r in reports]
    network = NetworkStructure(
        organizations=sum(n.organizations for n in nets),
        links=sum(n.links for n in nets),
        components=sum(n.components for n in nets),
        isolated_ids=tuple(i for n in nets for i in n.isolated_ids),
        articulation_points={k: v for n in nets for k, v in n.articulation_points.items()},
        bridges=tuple(b for n in nets for b in n.bridges),
        betweenness={k: v for n in nets for k, v in n.betweenness.items()},
        communities=tuple(c for n in nets for c in n.communities),
        community_area_agreement=None,  # one number per Gebiet, see ``parts``
        densities=tuple(d for n in nets for d in n.densities),
        findings=tuple(f for n in nets for f in n.findings),
    )
    paths = [r.pathways for r in reports]
    return AnalysisReport(
        snapshot=snapshot,
        index=AreaIndex(snapshot.areas, config.coverage.level),
        adjacency=nx.compose_all([r.adjacency for r in reports]),
        cooperation=nx.compose_all([r.cooperation for r in reports]),
        home_areas=homes,
        demand_estimated=any(r.demand_estimated for r in reports),
        coverage=every("coverage"),
        gaps=every("gaps"),
        duplicate_structures=every("duplicate_structures"),
        duplicate_records=every("duplicate_records"),
        duplicate_services=every("duplicate_services"),
        double_support_cases=every("double_support_cases"),
        double_support=every("double_support"),
        missing_cooperation=every("missing_cooperation"),
        network=network,
        pathways=Pathways(
            sequences=tuple(s for p in paths for s in p.sequences),
            rates=tuple(x for p in paths for x in p.rates),
            households=sum(p.households for p in paths),
        ),
        seconds=seconds,
        scope_id=None,
        scopes=scopes,
        parts=tuple(reports),
        estimated_scope_ids=every("estimated_scope_ids"),
    )


def _run_scope(snapshot: Snapshot, config: AnalysisConfig) -> AnalysisReport:
    """All analyses on the snapshot of one Gebiet."""
    seconds: dict[str, float] = {}

    def timed(name: str, fn: Callable[[], T]) -> T:
        start = time.perf_counter()
        result = fn()
        seconds[name] = time.perf_counter() - start
        return result

    index = AreaIndex(snapshot.areas, config.coverage.level)
    adjacency = adjacency_graph(index, snapshot.adjacencies)
    services = {s.id: s for s in snapshot.services}
    area_names = {a.id: a.name for a in snapshot.areas}
    org_names = {o.id: o.name for o in snapshot.organizations}
    categories = snapshot.category_names
    coop = Cooperation(snapshot.agreements, snapshot.networks)

    estimated = not snapshot.needs
    if estimated:
        estimate = demand_from_indicator(
            index, config.coverage.estimate_indicator, config.coverage.estimate_rate
        )
        served = {c for s in snapshot.services for c in s.category_ids}
        demand = {c: estimate for c in sorted(served)}
    else:
        demand = demand_from_needs(snapshot.needs, index)
    supplies = supplies_by_category(snapshot.services, index)
    table = timed(
        "coverage",
        lambda: coverage_table(adjacency, demand, supplies, config.coverage, estimated=estimated),
    )
    gaps = coverage_gaps(table, config.coverage, area_names=area_names, category_names=categories)
    structures = timed(
        "duplicate_structures",
        lambda: duplicate_structures(
            snapshot.services,
            index,
            config.duplicate_structures,
            demand=demand,
            area_names=area_names,
            category_names=categories,
            min_count=config.min_reported_count,
        ),
    )
    records = timed(
        "duplicate_records",
        lambda: duplicate_records(
            snapshot.organizations, config.duplicate_records, rejected=snapshot.rejected_pairs
        ),
    )
    same_services = timed(
        "duplicate_services",
        lambda: duplicate_services(
            snapshot.services,
            config.duplicate_services,
            duplicate_organizations=[
                (f.organization_ids[0], f.organization_ids[1]) for f in merge_suggestions(records)
            ],
            index=index,
            organizations=snapshot.organizations,
        ),
    )
    cases = timed(
        "double_support",
        lambda: double_support_cases(
            snapshot.referrals, services, coop, config.double_support, index
        ),
    )
    support = double_support(
        cases,
        organization_names=org_names,
        category_names=categories,
        min_count=config.min_reported_count,
    )
    missing = timed(
        "missing_cooperation",
        lambda: missing_cooperation(
            snapshot.referrals,
            services,
            coop,
            config.missing_cooperation,
            index=index,
            organization_names=org_names,
        ),
    )
    homes = home_areas(snapshot.organizations, snapshot.services, index)
    coop_graph = timed(
        "cooperation_graph",
        lambda: cooperation_graph(
            snapshot.organizations,
            snapshot.agreements,
            snapshot.networks,
            snapshot.referrals,
            services,
        ),
    )
    network = timed(
        "weak_spots",
        lambda: network_structure(
            coop_graph, config.weak_spots, home_areas=homes, names=org_names, area_names=area_names
        ),
    )
    pathways = timed(
        "pathways",
        lambda: referral_pathways(snapshot.referrals, services, config.pathways, index),
    )
    return AnalysisReport(
        snapshot=snapshot,
        index=index,
        adjacency=adjacency,
        cooperation=coop_graph,
        home_areas=homes,
        demand_estimated=estimated,
        coverage=tuple(table),
        gaps=tuple(gaps),
        duplicate_structures=tuple(structures),
        duplicate_records=tuple(records),
        duplicate_services=tuple(same_services),
        double_support_cases=tuple(cases),
        double_support=tuple(support),
        missing_cooperation=tuple(missing),
        network=network,
        pathways=pathways,
        seconds=seconds,
    )


def analyse(
    graph: Graph, config: AnalysisConfig = DEFAULT_CONFIG, *, scope: str | None = None
) -> AnalysisReport:
    """Project the graph and run every analysis on it (per Gebiet; ``scope``: only that one)."""
    snapshot = load_snapshot(graph, capacity_max_age_days=config.capacity_max_age_days)
    return run_analyses(snapshot, config, scope=scope, processes=graph.config.analysis_processes)


def within_area(report: AnalysisReport, area_id: str) -> AnalysisReport:
    """The report restricted to findings touching one area (and the units inside it)."""
    index = report.index
    units = units_within(index, area_id)
    orgs = {o for o, a in report.home_areas.items() if a in units}

    def keep(findings: Iterable[T]) -> tuple[T, ...]:
        out = []
        for f in findings:
            assert isinstance(f, Finding)
            if set(f.area_ids) & units or (not f.area_ids and set(f.organization_ids) & orgs):
                out.append(f)
        return tuple(out)

    network = replace(report.network, findings=keep(report.network.findings))
    return replace(
        report,
        coverage=tuple(c for c in report.coverage if c.area_id in units),
        gaps=keep(report.gaps),
        duplicate_structures=keep(report.duplicate_structures),
        duplicate_records=keep(report.duplicate_records),
        duplicate_services=keep(report.duplicate_services),
        double_support_cases=tuple(c for c in report.double_support_cases if c.area_id in units),
        double_support=keep(report.double_support),
        missing_cooperation=keep(report.missing_cooperation),
        network=network,
    )


def units_within(index: AreaIndex, area_id: str) -> set[str]:
    """The analysis units an area covers: its own unit, or every unit below it."""
    if area_id not in index.by_id:
        raise UnknownArea(area_id)
    unit = index.unit_of(area_id)
    return {unit} if unit is not None else {u for u in index.units if _inside(index, u, area_id)}


def _inside(index: AreaIndex, area_id: str, ancestor: str) -> bool:
    current = index.by_id.get(area_id)
    seen: set[str] = set()
    while current is not None and current.id not in seen:
        if current.id == ancestor:
            return True
        seen.add(current.id)
        current = index.by_id.get(current.parent_id) if current.parent_id else None
    return False
