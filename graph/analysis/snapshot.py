"""What the analyses read: plain typed records projected from the graph (see projection.py).

The analyses are pure functions of these records (and of networkx graphs built from them), so
they are tested on tiny hand-made inputs without a database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import networkx as nx


@dataclass(frozen=True, slots=True, kw_only=True)
class AreaInfo:
    id: str
    name: str
    level: str
    parent_id: str | None = None
    population: int | None = None
    indicators: Mapping[str, float] = field(default_factory=dict)
    centroid_lat: float | None = None
    centroid_lon: float | None = None
    geometry: str | None = None  # GeoJSON text


@dataclass(frozen=True, slots=True, kw_only=True)
class OrganizationInfo:
    id: str
    name: str
    sector: str = "nonprofit"
    website: str | None = None
    phone: str | None = None
    email: str | None = None
    addresses: tuple[str, ...] = ()  # "street, postal_code city" of its locations
    area_ids: tuple[str, ...] = ()  # Sozialräume of its locations
    source: str | None = None  # the import it came from (places a Träger without Standort)


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceInfo:
    id: str
    organization_id: str
    name: str = ""
    category_ids: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()
    area_ids: tuple[str, ...] = ()  # as stored: districts, sub-districts or the city
    capacity: int | None = None
    # None: unknown, also when the reported figure is too old (graph/capacity.py).
    capacity_used: int | None = None
    active: bool = True
    email: str | None = None
    url: str | None = None
    location_ids: tuple[str, ...] = ()  # its Standorte
    addresses: tuple[str, ...] = ()  # "street, postal_code city" of those Standorte


@dataclass(frozen=True, slots=True, kw_only=True)
class NeedInfo:
    """An open Handlungsbedarf of a household living in ``area_id``."""

    household_id: str
    area_id: str
    category_id: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ReferralInfo:
    id: str
    household_id: str
    household_area_id: str | None
    service_id: str
    from_organization_id: str | None
    status: str
    created_at: datetime | None = None
    responded_at: datetime | None = None  # first answer: accepted, waitlisted or declined


@dataclass(frozen=True, slots=True, kw_only=True)
class AgreementInfo:
    id: str
    party_ids: tuple[str, ...]
    category_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class NetworkInfo:
    id: str
    name: str
    member_ids: tuple[str, ...]
    area_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Snapshot:
    """The part of the graph the analyses need, loaded in a few bulk queries."""

    areas: tuple[AreaInfo, ...] = ()
    adjacencies: tuple[tuple[str, str], ...] = ()
    organizations: tuple[OrganizationInfo, ...] = ()
    services: tuple[ServiceInfo, ...] = ()
    needs: tuple[NeedInfo, ...] = ()
    referrals: tuple[ReferralInfo, ...] = ()
    agreements: tuple[AgreementInfo, ...] = ()
    networks: tuple[NetworkInfo, ...] = ()
    category_names: Mapping[str, str] = field(default_factory=dict)
    # Pairs of Träger a coordinator said are not one Träger: never suggested again.
    rejected_pairs: frozenset[frozenset[str]] = frozenset()


class AreaIndex:
    """Maps every Sozialraum onto its ancestor at the analysis level (e.g. its district)."""

    def __init__(self, areas: Iterable[AreaInfo], level: str = "district") -> None:
        self.by_id: dict[str, AreaInfo] = {a.id: a for a in areas}
        self.level = level
        self.units: tuple[str, ...] = tuple(
            sorted(a.id for a in self.by_id.values() if a.level == level)
        )
        self._unit_of: dict[str, str | None] = {}

    def unit_of(self, area_id: str) -> str | None:
        """The area's ancestor at the analysis level; None above it (the city) or unknown."""
        if area_id in self._unit_of:
            return self._unit_of[area_id]
        found: str | None = None
        current = self.by_id.get(area_id)
        seen: set[str] = set()
        while current is not None and current.id not in seen:
            if current.level == self.level:
                found = current.id
                break
            seen.add(current.id)
            current = self.by_id.get(current.parent_id) if current.parent_id else None
        self._unit_of[area_id] = found
        return found

    def is_above(self, area_id: str) -> bool:
        """True for an area that contains analysis units (the city): it serves all of them."""
        area = self.by_id.get(area_id)
        return area is not None and self.unit_of(area_id) is None and area.level != "subdistrict"

    def served_units(self, area_ids: Iterable[str]) -> frozenset[str] | None:
        """The analysis units a service reaches; None means city-wide (every unit)."""
        units: set[str] = set()
        for area_id in area_ids:
            if self.is_above(area_id):
                return None
            unit = self.unit_of(area_id)
            if unit is not None:
                units.add(unit)
        return frozenset(units)

    def name(self, area_id: str) -> str:
        area = self.by_id.get(area_id)
        return area.name if area is not None else area_id


def adjacency_graph(index: AreaIndex, adjacencies: Iterable[tuple[str, str]]) -> nx.Graph:
    """Undirected graph of the analysis units; adjacency of sub-areas lifts to their units."""
    g = nx.Graph()
    g.add_nodes_from(index.units)
    for a, b in adjacencies:
        ua, ub = index.unit_of(a), index.unit_of(b)
        if ua is not None and ub is not None and ua != ub:
            g.add_edge(ua, ub)
    return g
