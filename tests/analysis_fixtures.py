"""Tiny hand-made inputs for the known-answer tests of graph/analysis."""

from __future__ import annotations

from graph.analysis.snapshot import AreaIndex, AreaInfo, ServiceInfo

CITY = AreaInfo(id="st", name="Stadt", level="city")


def district(ident: str, **kw: object) -> AreaInfo:
    return AreaInfo(id=ident, name=ident.upper(), level="district", parent_id="st", **kw)  # type: ignore[arg-type]


def line_index(*names: str) -> AreaIndex:
    """City with the given districts and one sub-district ``<d>-1`` below each."""
    areas = [CITY]
    for n in names:
        areas.append(district(n))
        areas.append(AreaInfo(id=f"{n}-1", name=f"{n}-1", level="subdistrict", parent_id=n))
    return AreaIndex(areas)


def service(
    ident: str,
    org: str,
    areas: tuple[str, ...],
    *,
    category: str = "sb",
    groups: tuple[str, ...] = ("familien",),
    capacity: int | None = 10,
    used: int | None = None,
    active: bool = True,
) -> ServiceInfo:
    return ServiceInfo(
        id=ident,
        organization_id=org,
        name=ident,
        category_ids=(category,),
        target_groups=groups,
        area_ids=areas,
        capacity=capacity,
        capacity_used=used,
        active=active,
    )
