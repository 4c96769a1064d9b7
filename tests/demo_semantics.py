"""The team's default analysis semantics, computed naively over a Bundle's records.

Deliberately independent of loaders/demo (no shared helpers): the demo tests use it to prove
that the planted truth is exactly what these definitions find in the generated records.
"""

from __future__ import annotations

import difflib
import re
from collections import deque
from itertools import combinations

from graph.bundle import Bundle

ACTIVE = {"created", "waitlisted", "accepted", "started"}
NOT_COUNTED = {"declined", "cancelled", "not_taken_up"}
WEIGHT = {0: 1.0, 1: 0.5}


def district_hops(bundle: Bundle) -> dict[tuple[str, str], int]:
    nbrs: dict[str, set[str]] = {a.id: set() for a in bundle.areas if a.level == "district"}
    for adj in bundle.adjacencies:
        nbrs[adj.area_id].add(adj.other_area_id)
        nbrs[adj.other_area_id].add(adj.area_id)
    dist: dict[tuple[str, str], int] = {}
    for start in nbrs:
        seen = {start: 0}
        queue = deque([start])
        while queue:
            here = queue.popleft()
            for nxt in nbrs[here]:
                if nxt not in seen:
                    seen[nxt] = seen[here] + 1
                    queue.append(nxt)
        for other, d in seen.items():
            dist[(start, other)] = d
    return dist


def district_of(bundle: Bundle) -> dict[str, str]:
    """Any area id -> its district id (districts map to themselves)."""
    parent = {a.id: a.parent_id for a in bundle.areas}
    level = {a.id: a.level for a in bundle.areas}
    result: dict[str, str] = {}
    for area_id in parent:
        here: str | None = area_id
        while here is not None and level[here] != "district":
            here = parent[here]
        if here is not None:
            result[area_id] = here
    return result


def demand(bundle: Bundle) -> dict[tuple[str, str], int]:
    district = district_of(bundle)
    home = {h.id: district[h.area_id] for h in bundle.households}
    households: dict[tuple[str, str], set[str]] = {}
    for need in bundle.needs:
        if need.status == "open":
            households.setdefault((home[need.household_id], need.category_id), set()).add(
                need.household_id
            )
    return {cell: len(ids) for cell, ids in households.items()}


def accessibility(bundle: Bundle) -> dict[tuple[str, str], float | None]:
    """Two-step floating catchment per (district, category) with demand; None = unreachable."""
    hops = district_hops(bundle)
    districts = sorted({a.id for a in bundle.areas if a.level == "district"})
    need = demand(bundle)

    def w(service_area: str, district: str) -> float:
        if service_area == "stuttgart":
            return 1.0
        return max(WEIGHT.get(hops[(service_area, district)], 0.0), 0.0)

    ratio: dict[tuple[str, str], float] = {}  # (service id, category) -> R_j
    supply: list[tuple[str, str, tuple[str, ...]]] = []
    for s in bundle.services:
        if s.status != "active" or not s.capacity:
            continue
        for category in s.category_ids:
            weights = {d: max(w(a, d) for a in s.area_ids) for d in districts}
            denom = sum(weights[d] * need.get((d, category), 0) for d in districts)
            ratio[(s.id, category)] = s.capacity / denom if denom else 0.0
            supply.append((s.id, category, s.area_ids))
    result: dict[tuple[str, str], float | None] = {}
    for (district, category), _count in need.items():
        total, reachable = 0.0, False
        for sid, cat, areas in supply:
            if cat != category:
                continue
            weight = max(w(a, district) for a in areas)
            if weight > 0:
                reachable = True
                total += weight * ratio[(sid, cat)]
        result[(district, category)] = total if reachable else None
    return result


def gaps(bundle: Bundle) -> dict[tuple[str, str], str]:
    need = demand(bundle)
    found: dict[tuple[str, str], str] = {}
    for cell, value in accessibility(bundle).items():
        if need[cell] < 5:
            continue
        if value is None:
            found[cell] = "hoch"
        elif value < 0.5:
            found[cell] = "mittel"
    return found


def duplicate_structures(bundle: Bundle) -> set[frozenset[str]]:
    active = [s for s in bundle.services if s.status == "active"]

    def overlap_area(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
        return "stuttgart" in a or "stuttgart" in b or bool(set(a) & set(b))

    edges: dict[str, set[str]] = {s.id: set() for s in active}
    for a, b in combinations(active, 2):
        if (
            a.organization_id != b.organization_id
            and set(a.category_ids) & set(b.category_ids)
            and set(a.target_groups) & set(b.target_groups)
            and overlap_area(a.area_ids, b.area_ids)
        ):
            edges[a.id].add(b.id)
            edges[b.id].add(a.id)
    groups: set[frozenset[str]] = set()
    seen: set[str] = set()
    for start, links in edges.items():
        if not links or start in seen:
            continue
        group, queue = {start}, deque([start])
        while queue:
            for nxt in edges[queue.popleft()]:
                if nxt not in group:
                    group.add(nxt)
                    queue.append(nxt)
        seen |= group
        groups.add(frozenset(group))
    return groups


def _coordinated(bundle: Bundle, orgs: set[str]) -> bool:
    agreed = {frozenset(a.party_ids) for a in bundle.agreements}
    members: dict[str, set[str]] = {}
    for m in bundle.memberships:
        members.setdefault(m.network_id, set()).add(m.organization_id)
    for a, b in combinations(sorted(orgs), 2):
        if frozenset({a, b}) in agreed:
            return True
        if any({a, b} <= group for group in members.values()):
            return True
    return False


def double_support(bundle: Bundle) -> dict[tuple[str, str], bool]:
    """(household, category) -> coordinated."""
    service = {s.id: s for s in bundle.services}
    orgs: dict[tuple[str, str], set[str]] = {}
    counts: dict[tuple[str, str], int] = {}
    for r in bundle.referrals:
        if r.status not in ACTIVE:
            continue
        s = service[r.to_service_id]
        for category in s.category_ids:
            key = (r.household_id, category)
            orgs.setdefault(key, set()).add(s.organization_id)
            counts[key] = counts.get(key, 0) + 1
    return {
        key: _coordinated(bundle, found)
        for key, found in orgs.items()
        if counts[key] >= 2 and len(found) >= 2
    }


def duplicate_organizations(bundle: Bundle) -> set[frozenset[str]]:
    pairs: set[frozenset[str]] = set()
    for a, b in combinations(bundle.organizations, 2):
        if (a.phone and a.phone == b.phone) or (a.website and a.website == b.website):
            pairs.add(frozenset({a.id, b.id}))
    return pairs


_STOP = {"e", "v", "ev", "ggmbh", "gmbh", "stuttgart", "stgt", "fur", "für", "der", "und"}


def name_key(name: str) -> str:
    tokens = re.findall(r"[a-zäöüß]+", name.lower())
    return " ".join(t for t in tokens if t not in _STOP)


def name_similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, name_key(a), name_key(b)).ratio()


def shared_households(bundle: Bundle) -> dict[frozenset[str], int]:
    service = {s.id: s for s in bundle.services}
    orgs_of: dict[str, set[str]] = {}
    for r in bundle.referrals:
        if r.status in NOT_COUNTED:
            continue
        orgs_of.setdefault(r.household_id, set()).add(service[r.to_service_id].organization_id)
    counts: dict[frozenset[str], int] = {}
    for orgs in orgs_of.values():
        for a, b in combinations(sorted(orgs), 2):
            key = frozenset({a, b})
            counts[key] = counts.get(key, 0) + 1
    return counts


def missing_cooperation(bundle: Bundle) -> set[frozenset[str]]:
    agreed = {frozenset(a.party_ids) for a in bundle.agreements}
    return {pair for pair, n in shared_households(bundle).items() if n >= 5 and pair not in agreed}
