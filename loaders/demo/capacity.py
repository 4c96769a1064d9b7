"""Capacities sized against the two-step floating catchment of the analysis semantics.

Weights over the district adjacency graph: w(0) = 1.0 (same district; city-wide counts as 0
everywhere), w(1) = 0.5, w(>=2) = 0. A regular service gets ``REGULAR_RATIO`` places per
weighted household in need (plus a margin), so every cell reaching one has accessibility well
above the 0.5 threshold; services next to a planted "mittel" gap get at most ``LOW_RATIO``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping

from graph.records import Service
from loaders.demo.geography import BY_SLUG, CITY_ID, DISTRICTS, hops
from loaders.demo.organizations import SOURCE
from loaders.demo.services import ServiceSlot
from loaders.demo.vocabulary import CATEGORY

REGULAR_RATIO = 2.0
LOW_RATIO = 0.1
WEIGHTS: Mapping[int, float] = {0: 1.0, 1: 0.5}

Demand = Mapping[tuple[str, str], int]  # (district id, category) -> households with open need


def weight(service_area: str, district_id: str) -> float:
    if service_area == CITY_ID:
        return 1.0
    return WEIGHTS.get(hops()[(service_area, district_id)], 0.0)


def weighted_demand(slot: ServiceSlot, demand: Demand) -> float:
    return sum(
        weight(slot.area_id, d.id) * demand.get((d.id, slot.category_id), 0) for d in DISTRICTS
    )


def size(slots: list[ServiceSlot], demand: Demand, rng: random.Random) -> list[Service]:
    """Service records with capacities for the given demand."""
    per_cell: dict[tuple[str | None, str], int] = {}
    for slot in slots:
        if slot.sizing == "regular":
            key = (slot.district, slot.category_id)
            per_cell[key] = per_cell.get(key, 0) + 1
    services: list[Service] = []
    capacities: dict[str, int] = {}
    for slot in slots:
        weighted = weighted_demand(slot, demand)
        if slot.copy_of is not None:
            # A second record of one Angebot states the same places (so they count twice).
            capacity = capacities[slot.copy_of]
        elif slot.fixed_capacity is not None:
            capacity = slot.fixed_capacity
        elif slot.sizing == "low":
            capacity = max(1, math.floor(LOW_RATIO * weighted))
        else:
            share = per_cell[(slot.district, slot.category_id)]
            capacity = math.ceil((REGULAR_RATIO * weighted + 4) / share)
        used = min(capacity, round(capacity * rng.uniform(0.55, 0.98))) if slot.active else 0
        capacities[slot.id] = capacity
        services.append(_record(slot, capacity, used))
    return services


def _record(slot: ServiceSlot, capacity: int, used: int) -> Service:
    info = CATEGORY[slot.category_id]
    where = "stadtweit" if slot.district is None else f"in Stuttgart-{BY_SLUG[slot.district].name}"
    return Service(
        id=slot.id,
        organization_id=slot.organization_id,
        name=slot.name,
        description=f"{info.name} ({info.legal_basis}) {where}.",
        category_ids=(slot.category_id,),
        target_groups=slot.target_groups,
        languages=slot.languages,
        legal_basis=info.legal_basis,
        capacity=capacity,
        capacity_unit=info.capacity_unit,
        capacity_used=used,
        status="active" if slot.active else "inactive",
        valid_from=slot.valid_from,
        valid_to=slot.valid_to,
        area_ids=(slot.area_id,),
        location_ids=(slot.location_id,),
        email=slot.email,
        url=None,
        source=SOURCE,
    )
