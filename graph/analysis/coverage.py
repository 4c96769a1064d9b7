"""Versorgungslücken: two-step floating catchment (2SFCA) over the area adjacency graph.

Step 1 gives every service a supply ratio: its capacity over the distance-weighted demand it can
reach. Step 2 sums, for every area, the distance-weighted ratios of the services that reach it:
the places per household in need that are accessible from there. Distance is the number of
adjacency hops between a served area and the area of demand; a city-wide service is at distance 0
everywhere.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import networkx as nx

from graph.analysis.config import CoverageConfig
from graph.analysis.findings import Finding, Severity, fmt
from graph.analysis.snapshot import AreaIndex, NeedInfo, ServiceInfo


@dataclass(frozen=True, slots=True, kw_only=True)
class Supply:
    """One service's places in one category; ``units`` None means city-wide; ``capacity``
    None: its places are unknown (it reaches areas but adds no places)."""

    service_id: str
    organization_id: str
    capacity: float | None
    units: frozenset[str] | None


@dataclass(frozen=True, slots=True, kw_only=True)
class AreaCoverage:
    """Accessibility of one category in one area (None when the area has no demand)."""

    area_id: str
    category_id: str
    demand: float
    ratio: float | None
    reachable_service_ids: tuple[str, ...]
    estimated: bool = False
    # Reachable services whose places are unknown: not counted (unknown is not 0, nor free).
    unknown_capacity_service_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class CoverageGap(Finding):
    demand: float
    ratio: float
    estimated: bool = False
    unknown_capacity_service_ids: tuple[str, ...] = ()


def _distances(adjacency: nx.Graph, max_hops: int) -> dict[str, dict[str, int]]:
    return {
        str(node): dict(nx.single_source_shortest_path_length(adjacency, node, cutoff=max_hops))
        for node in adjacency.nodes
    }


def _weights(
    supply: Supply,
    units: Sequence[str],
    dist: Mapping[str, Mapping[str, int]],
    config: CoverageConfig,
) -> dict[str, float]:
    """Weight of this service in each unit it reaches (only units with weight > 0)."""
    if supply.units is None:
        w0 = config.weight(0)
        return {u: w0 for u in units} if w0 > 0 else {}
    best: dict[str, int] = {}
    for served in supply.units:
        for unit, hops in dist.get(served, {served: 0}).items():
            if hops < best.get(unit, 1 << 30):
                best[unit] = hops
    return {u: w for u, hops in best.items() if (w := config.weight(hops)) > 0}


def floating_catchment(
    adjacency: nx.Graph,
    demand: Mapping[str, float],
    supplies: Sequence[Supply],
    config: CoverageConfig,
    *,
    category_id: str = "",
    estimated: bool = False,
) -> dict[str, AreaCoverage]:
    """2SFCA for one category: accessibility (places per household in need) per area."""
    units = [str(u) for u in adjacency.nodes]
    dist = _distances(adjacency, max(len(config.decay) - 1, 0))
    weights = [_weights(s, units, dist, config) for s in supplies]
    access: dict[str, float] = defaultdict(float)
    reachable: dict[str, list[str]] = defaultdict(list)
    unknown: dict[str, list[str]] = defaultdict(list)
    for s, w in zip(supplies, weights, strict=True):
        if s.capacity is None:
            for u in w:
                unknown[u].append(s.service_id)
            continue
        weighted_demand = sum(demand.get(u, 0.0) * wu for u, wu in w.items())
        ratio = s.capacity / weighted_demand if weighted_demand > 0 else 0.0
        for u, wu in w.items():
            access[u] += ratio * wu
            reachable[u].append(s.service_id)
    return {
        u: AreaCoverage(
            area_id=u,
            category_id=category_id,
            demand=demand.get(u, 0.0),
            ratio=access.get(u, 0.0) if demand.get(u, 0.0) > 0 else None,
            reachable_service_ids=tuple(sorted(reachable.get(u, ()))),
            estimated=estimated,
            unknown_capacity_service_ids=tuple(sorted(unknown.get(u, ()))),
        )
        for u in units
    }


def supplies_by_category(
    services: Iterable[ServiceInfo], index: AreaIndex
) -> dict[str, list[Supply]]:
    """Active services with places (or with unknown places), per category, with the units
    they serve. A service with 0 places adds nothing; one with unknown places is kept with
    ``capacity`` None, so a gap can say it was left out."""
    out: dict[str, list[Supply]] = defaultdict(list)
    for s in services:
        if not s.active or (s.capacity is not None and s.capacity <= 0):
            continue
        units = index.served_units(s.area_ids)
        if units is not None and not units:
            continue
        for category in s.category_ids:
            out[category].append(
                Supply(
                    service_id=s.id,
                    organization_id=s.organization_id,
                    capacity=None if s.capacity is None else float(s.capacity),
                    units=units,
                )
            )
    return out


def demand_from_needs(needs: Iterable[NeedInfo], index: AreaIndex) -> dict[str, dict[str, float]]:
    """Households with an open need, per category and unit (a household counts once)."""
    seen: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for need in needs:
        unit = index.unit_of(need.area_id)
        if unit is not None:
            seen[need.category_id][unit].add(need.household_id)
    return {c: {u: float(len(h)) for u, h in per.items()} for c, per in seen.items()}


def demand_from_indicator(index: AreaIndex, indicator: str, rate: float = 1.0) -> dict[str, float]:
    """Estimated households in need per unit: population x indicator (a percentage) x rate.

    A unit without its own figures is estimated from its sub-areas that have them.
    """
    children: dict[str, list[str]] = defaultdict(list)
    for area in index.by_id.values():
        if area.parent_id:
            children[area.parent_id].append(area.id)

    def estimate(area_id: str, depth: int = 0) -> float | None:
        area = index.by_id[area_id]
        value = area.indicators.get(indicator)
        if area.population is not None and value is not None:
            return area.population * value / 100.0 * rate
        if depth > 5:
            return None
        parts = [e for c in children.get(area_id, ()) if (e := estimate(c, depth + 1)) is not None]
        return sum(parts) if parts else None

    out: dict[str, float] = {}
    for unit in index.units:
        value = estimate(unit)
        if value is not None:
            out[unit] = value
    return out


def coverage_table(
    adjacency: nx.Graph,
    demand: Mapping[str, Mapping[str, float]],
    supplies: Mapping[str, Sequence[Supply]],
    config: CoverageConfig,
    *,
    estimated: bool = False,
) -> list[AreaCoverage]:
    """Accessibility for every (area, category) with demand or supply, sorted by area."""
    rows: list[AreaCoverage] = []
    for category in sorted(set(demand) | set(supplies)):
        table = floating_catchment(
            adjacency,
            demand.get(category, {}),
            supplies.get(category, ()),
            config,
            category_id=category,
            estimated=estimated,
        )
        rows.extend(table.values())
    rows.sort(key=lambda r: (r.area_id, r.category_id))
    return rows


def coverage_gaps(
    table: Iterable[AreaCoverage],
    config: CoverageConfig,
    *,
    area_names: Mapping[str, str] | None = None,
    category_names: Mapping[str, str] | None = None,
) -> list[CoverageGap]:
    """Areas with enough demand and no reachable service ("hoch") or too few places ("mittel")."""
    area_names = area_names or {}
    category_names = category_names or {}
    gaps: list[CoverageGap] = []
    for row in table:
        if row.demand < config.min_demand:
            continue
        area = area_names.get(row.area_id, row.area_id)
        category = category_names.get(row.category_id, row.category_id)
        what = "geschätzt " if row.estimated else ""
        # An estimate counts persons (population x indicator share), not households.
        many, one = ("Personen", "Person") if row.estimated else ("Haushalte", "Haushalt")
        ratio = row.ratio or 0.0
        if not row.reachable_service_ids:
            severity: Severity = "hoch"
            text = (
                f"In {area} haben {what}{fmt(row.demand, 0)} {many} Bedarf im Bereich {category}, "
                "aber weder im Gebiet noch in einem Nachbargebiet gibt es ein Angebot mit Plätzen."
            )
        elif ratio < config.min_ratio:
            severity = "mittel"
            text = (
                f"In {area} kommen auf {what}{fmt(row.demand, 0)} {many} mit Bedarf im Bereich "
                f"{category} nur {fmt(ratio)} erreichbare Plätze je {one} "
                f"(Schwelle {fmt(config.min_ratio)})."
            )
        else:
            continue
        unknown = len(row.unknown_capacity_service_ids)
        if unknown:
            which = "1 erreichbares Angebot" if unknown == 1 else f"{unknown} erreichbare Angebote"
            text += f" {which} ohne bekannte Platzzahl nicht mitgezählt."
        gaps.append(
            CoverageGap(
                kind="coverage_gap",
                severity=severity,
                explanation=text,
                area_ids=(row.area_id,),
                service_ids=row.reachable_service_ids,
                category_id=row.category_id,
                counts={
                    "demand": row.demand,
                    "reachable_services": len(row.reachable_service_ids),
                    "unknown_capacity_services": unknown,
                },
                demand=row.demand,
                ratio=ratio,
                estimated=row.estimated,
                unknown_capacity_service_ids=row.unknown_capacity_service_ids,
            )
        )
    gaps.sort(key=lambda g: (g.severity != "hoch", g.ratio, -g.demand, g.area_ids))
    return gaps
