"""Gebiete (scopes): the top-level areas of one graph, each analysed on its own.

A graph may hold several cities or a county with its Kommunen next to a city. Every analysis
compares areas, Träger and services with each other (medians, neighbours, duplicates, demand
estimated or recorded), so each runs once per top-level area (the root of the Area tree) on
the part of the snapshot that belongs to it: the results for one Gebiet are the same whether
other Gebiete are loaded or not. Areas without a city or county above them (Bezirke imported
alone) form one Gebiet together.

What belongs to a Gebiet: its areas and their adjacencies; the services serving one of its
areas (else: whose Träger has a Standort there); the Träger with a Standort or a service
there; the needs and referrals of households living there (a referral of a household without
a known area: where its service is); agreements and networks with a member there. A Träger
without Standort and service belongs where it refers households to or where its partners
are; failing that, where the other Träger of the same import (``source``) are: a directory
imported for one city is that city's, also its records without address. A Träger placed
by none of these belongs to every Gebiet: it is not dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from graph.analysis.snapshot import AreaInfo, Snapshot


@dataclass(frozen=True, slots=True, kw_only=True)
class Scope:
    """A Gebiet: the id and name of a top-level area."""

    id: str
    name: str


# Areas whose top is a district or smaller (Bezirke imported without their city) share one
# Gebiet: without a city above them nothing says they belong apart.
LOOSE_ID = "ohne-stadt"
LOOSE_NAME = "Sozialräume ohne Stadt oder Kreis"


def area_roots(areas: Iterable[AreaInfo]) -> dict[str, str]:
    """Every area's Gebiet: its top-level area if that is a city or county (level ``city``),
    else ``LOOSE_ID``."""
    by_id = {a.id: a for a in areas}
    roots: dict[str, str] = {}
    for area in by_id.values():
        path: list[str] = []
        current = area
        while True:
            if current.id in roots:
                root = roots[current.id]
                break
            path.append(current.id)
            parent = by_id.get(current.parent_id) if current.parent_id else None
            if parent is None or parent.id in path:  # top reached (or a cycle: cut there)
                root = current.id if current.level == "city" else LOOSE_ID
                break
            current = parent
        for area_id in path:
            roots[area_id] = root
    return roots


def scopes_of(areas: Iterable[AreaInfo]) -> tuple[Scope, ...]:
    """The Gebiete of a graph, ordered by name (then id): the first is the default."""
    by_id = {a.id: a for a in areas}
    found = [
        Scope(id=root, name=LOOSE_NAME if root == LOOSE_ID else by_id[root].name)
        for root in set(area_roots(by_id.values()).values())
    ]
    return tuple(sorted(found, key=lambda s: (s.name, s.id)))


def split_snapshot(snapshot: Snapshot) -> tuple[tuple[Scope, Snapshot], ...]:
    """The snapshot cut into one part per Gebiet (one part, unchanged, if there is only one)."""
    scopes = scopes_of(snapshot.areas)
    if len(scopes) <= 1:
        return tuple((s, snapshot) for s in scopes) or ((Scope(id="", name=""), snapshot),)
    roots = area_roots(snapshot.areas)

    def rooted(area_ids: Iterable[str]) -> set[str]:
        return {roots[a] for a in area_ids if a in roots}

    org_area = {o.id: rooted(o.area_ids) for o in snapshot.organizations}
    service_scopes: dict[str, set[str]] = {}
    for s in snapshot.services:
        service_scopes[s.id] = rooted(s.area_ids) or set(org_area.get(s.organization_id, ()))
    org_scopes: dict[str, set[str]] = {o: set(found) for o, found in org_area.items()}
    for s in snapshot.services:
        org_scopes.setdefault(s.organization_id, set()).update(service_scopes[s.id])
    referral_scopes = {
        r.id: (
            rooted([r.household_area_id])
            if r.household_area_id
            else set(service_scopes.get(r.service_id, ()))
        )
        for r in snapshot.referrals
    }
    _place_by_partners(snapshot, org_scopes, referral_scopes)
    every = {s.id for s in scopes}
    for found in org_scopes.values():
        if not found:
            found |= every
    return tuple(
        (
            scope,
            _part(
                snapshot,
                scope.id,
                roots,
                org_scopes=org_scopes,
                service_scopes=service_scopes,
                referral_scopes=referral_scopes,
            ),
        )
        for scope in scopes
    )


def _place_by_partners(
    snapshot: Snapshot,
    org_scopes: dict[str, set[str]],
    referral_scopes: Mapping[str, set[str]],
) -> None:
    """A Träger without Standort or service (a referring office, say) belongs where it
    refers households to or where its partners in agreements and networks are."""
    unplaced = {o for o, found in org_scopes.items() if not found}
    if not unplaced:
        return
    for r in snapshot.referrals:
        if r.from_organization_id in unplaced:
            org_scopes[r.from_organization_id] |= referral_scopes[r.id]
    # Partners as placed so far (a referring office placed just above counts).
    groups = [g.party_ids for g in snapshot.agreements] + [n.member_ids for n in snapshot.networks]
    gained: dict[str, set[str]] = {o: set() for o in unplaced if not org_scopes[o]}
    for members in groups:
        placed = set().union(*(org_scopes.get(m, set()) for m in members))
        for m in members:
            if m in gained:
                gained[m] |= placed
    for org, found in gained.items():
        org_scopes[org] |= found
    sources = {o.id: o.source for o in snapshot.organizations}
    by_source: dict[str, set[str]] = {}
    for org, found in org_scopes.items():
        source = sources.get(org)
        if source:
            by_source.setdefault(source, set()).update(found)
    for org in unplaced:
        source = sources.get(org)
        if not org_scopes[org] and source:
            org_scopes[org] |= by_source.get(source, set())


def _part(
    snapshot: Snapshot,
    scope_id: str,
    roots: Mapping[str, str],
    *,
    org_scopes: Mapping[str, set[str]],
    service_scopes: Mapping[str, set[str]],
    referral_scopes: Mapping[str, set[str]],
) -> Snapshot:
    def inside(area_id: str | None) -> bool:
        return area_id is not None and roots.get(area_id) == scope_id

    orgs = {o for o, found in org_scopes.items() if scope_id in found}
    services = tuple(
        replace(s, area_ids=tuple(a for a in s.area_ids if inside(a) or a not in roots))
        for s in snapshot.services
        if scope_id in service_scopes[s.id]
    )
    return replace(
        snapshot,
        areas=tuple(a for a in snapshot.areas if inside(a.id)),
        adjacencies=tuple((a, b) for a, b in snapshot.adjacencies if inside(a) and inside(b)),
        organizations=tuple(
            replace(o, area_ids=tuple(a for a in o.area_ids if inside(a)))
            for o in snapshot.organizations
            if o.id in orgs
        ),
        services=services,
        needs=tuple(n for n in snapshot.needs if inside(n.area_id)),
        referrals=tuple(r for r in snapshot.referrals if scope_id in referral_scopes[r.id]),
        agreements=tuple(g for g in snapshot.agreements if any(p in orgs for p in g.party_ids)),
        networks=tuple(
            n
            for n in snapshot.networks
            if any(inside(a) for a in n.area_ids) or any(m in orgs for m in n.member_ids)
        ),
    )
