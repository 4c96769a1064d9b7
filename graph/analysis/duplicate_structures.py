"""Doppelstrukturen: services of one category by different Träger for the same people and areas.

Two active services are linked when they share a category, belong to different organizations,
have a target group in common and serve a common area (a city-wide service overlaps every area).
Every connected group of linked services is one candidate for coordination, with its combined
capacity against the demand in the overlap and its utilisation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import networkx as nx

from graph.analysis.config import DuplicateStructureConfig
from graph.analysis.findings import Finding, Severity, fmt, households_text
from graph.analysis.snapshot import AreaIndex, ServiceInfo
from graph.labels import target_group

_ANY_GROUP = "*"


@dataclass(frozen=True, slots=True, kw_only=True)
class DuplicateStructure(Finding):
    target_groups: tuple[str, ...]
    capacity: int  # places of the services whose places are known
    capacity_used: int | None  # occupied places where occupancy is known; None: nowhere
    utilization: float | None  # over the services with known places and occupancy only
    unknown_capacity: int = 0  # services without known places
    unknown_occupancy: int = 0  # services without known (or current) occupancy
    demand: float
    score: float


def _group_names(groups: Sequence[str]) -> str:
    """The target groups in the planner's words ("Erwachsene, Geflüchtete"), not their codes."""
    named = [target_group(g) for g in groups if g != _ANY_GROUP]
    return ", ".join(named) if named and len(named) == len(groups) else "alle Zielgruppen"


def _groups(s: ServiceInfo, config: DuplicateStructureConfig) -> tuple[str, ...]:
    if s.target_groups:
        return s.target_groups
    return (_ANY_GROUP,) if config.empty_target_groups_overlap else ()


def overlap_groups(
    services: Iterable[ServiceInfo],
    index: AreaIndex,
    config: DuplicateStructureConfig,
) -> list[tuple[str, list[ServiceInfo], list[str], list[str]]]:
    """Connected groups of linked services: (category, services, overlap areas, groups).

    Services meeting in one (category, area, target group) bucket with at least two Träger are
    all linked to a service of another Träger there, so the bucket is connected as a whole:
    merging buckets gives the connected components of the pairwise definition in linear time.
    """
    buckets: dict[tuple[str, str, str], list[ServiceInfo]] = defaultdict(list)
    for s in services:
        if not s.active:
            continue
        served = index.served_units(s.area_ids)
        units = index.units if served is None else tuple(sorted(served))
        for category in s.category_ids:
            for unit in units:
                for group in _groups(s, config):
                    buckets[(category, unit, group)].append(s)
    links = nx.Graph()
    for (category, unit, group), members in buckets.items():
        if group == _ANY_GROUP:
            continue
        members = members + buckets.get((category, unit, _ANY_GROUP), [])
        _link(links, category, unit, group, members)
    for (category, unit, group), members in buckets.items():
        if group == _ANY_GROUP:
            _link(links, category, unit, group, members)
    out: list[tuple[str, list[ServiceInfo], list[str], list[str]]] = []
    for component in nx.connected_components(links):
        bucket_nodes = [n for n in component if n[0] == "bucket"]
        service_nodes = sorted(n[2] for n in component if n[0] == "service")
        category = bucket_nodes[0][1]
        infos = [links.nodes[("service", category, sid)]["info"] for sid in service_nodes]
        overlap = sorted({str(n[2]) for n in bucket_nodes})
        groups = sorted({n[3] for n in bucket_nodes if n[3] != _ANY_GROUP})
        out.append((str(category), infos, overlap, groups))
    return out


def _link(
    links: nx.Graph, category: str, unit: str, group: str, members: Sequence[ServiceInfo]
) -> None:
    if len({m.organization_id for m in members}) < 2:
        return
    bucket = ("bucket", category, unit, group)
    for m in members:
        node = ("service", category, m.id)
        links.add_node(node, info=m)
        links.add_edge(bucket, node)


def duplicate_structures(
    services: Sequence[ServiceInfo],
    index: AreaIndex,
    config: DuplicateStructureConfig,
    *,
    demand: Mapping[str, Mapping[str, float]] | None = None,
    area_names: Mapping[str, str] | None = None,
    category_names: Mapping[str, str] | None = None,
    min_count: int = 0,
) -> list[DuplicateStructure]:
    """One finding per connected group of overlapping services and category, ranked."""
    demand = demand or {}
    findings = [
        _finding(
            category,
            infos,
            units,
            groups,
            demand.get(category, {}),
            config,
            area_names or {},
            category_names or {},
            min_count,
        )
        for category, infos, units, groups in overlap_groups(services, index, config)
        if len(infos) >= config.min_services
    ]
    findings.sort(key=lambda f: (-f.score, f.category_id or "", f.service_ids))
    return findings


def _services(count: int) -> str:
    return "1 Angebot" if count == 1 else f"{count} Angebote"


def _finding(
    category: str,
    infos: Sequence[ServiceInfo],
    units: Sequence[str],
    groups: Sequence[str],
    demand: Mapping[str, float],
    config: DuplicateStructureConfig,
    area_names: Mapping[str, str],
    category_names: Mapping[str, str],
    min_count: int,
) -> DuplicateStructure:
    orgs = sorted({s.organization_id for s in infos})
    # Unknown is not 0: places and occupancy are summed only where they are known, and how
    # many services are left out is said in the explanation.
    capacity = sum(s.capacity for s in infos if s.capacity is not None)
    measured = [s for s in infos if s.capacity is not None and s.capacity_used is not None]
    used = sum(s.capacity_used or 0 for s in measured) if measured else None
    measured_places = sum(s.capacity or 0 for s in measured)
    utilization = used / measured_places if used is not None and measured_places else None
    no_places = sum(1 for s in infos if s.capacity is None)
    no_occupancy = len(infos) - len(measured)
    need = sum(demand.get(u, 0.0) for u in units)
    low_use = utilization is not None and utilization < config.low_utilization
    surplus = capacity > need
    severity: Severity = (
        "hoch" if low_use and surplus else "mittel" if low_use or surplus else "niedrig"
    )
    # Rank: unused places and supply beyond demand make coordination most worthwhile.
    score = (
        (1.0 - (utilization if utilization is not None else 1.0))
        + ((capacity - need) / capacity if capacity and surplus else 0.0)
        + 0.1 * len(orgs)
    )
    where = ", ".join(area_names.get(u, u) for u in units[:4]) + (
        f" und {len(units) - 4} weiteren Gebieten" if len(units) > 4 else ""
    )
    places_text = f"zusammen {capacity} Plätze" + (
        f" (ohne {_services(no_places)} ohne bekannte Platzzahl)" if no_places else ""
    )
    if utilization is None:
        util_text = "Auslastung unbekannt"
    else:
        # One decimal, as the planner's table shows the same figure ("78,5 %").
        util_text = f"Auslastung {fmt(round(100 * utilization, 1), 1)} %"
        if no_occupancy:
            util_text += (
                f" bei {len(measured)} von {len(infos)} Angeboten "
                f"({_services(no_occupancy)} ohne aktuelle Belegung nicht mitgezählt)"
            )
    text = (
        f"{len(infos)} Angebote von {len(orgs)} Trägern für "
        f"{category_names.get(category, category)} überschneiden sich in {where}"
        f" ({_group_names(groups)}): {places_text}, "
        f"{util_text}, Bedarf {households_text(need, min_count)}."
    )
    return DuplicateStructure(
        kind="duplicate_structure",
        severity=severity,
        explanation=text,
        area_ids=tuple(units),
        organization_ids=tuple(orgs),
        service_ids=tuple(s.id for s in infos),
        category_id=category,
        counts={
            "services": len(infos),
            "organizations": len(orgs),
            "capacity": capacity,
            **({} if used is None else {"capacity_used": used}),
            "demand": need,
            "unknown_capacity": no_places,
            "unknown_occupancy": no_occupancy,
        },
        target_groups=tuple(groups),
        capacity=capacity,
        capacity_used=used,
        utilization=utilization,
        unknown_capacity=no_places,
        unknown_occupancy=no_occupancy,
        demand=need,
        score=round(score, 4),
    )
