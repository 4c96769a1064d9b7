"""Überleitungswege: how households move through the help system.

Sequences are the categories of a household's referrals in time order (the common ones are
counted across households). Per category and area: the decline rate (declined / all referrals),
the drop-off rate (referrals broken off or not taken up / referrals not declined: households
who did not go on after a partner took them or put them on its waiting list) and the response
time from creation to the partner's first answer (accept, waiting list or decline).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from statistics import median

from graph.analysis.config import DROPPED_REFERRAL_STATUSES, PathwayConfig
from graph.analysis.snapshot import AreaIndex, ReferralInfo, ServiceInfo


@dataclass(frozen=True, slots=True, kw_only=True)
class PathwaySequence:
    category_ids: tuple[str, ...]
    households: int
    scope_id: str | None = None  # the Gebiet (top-level area)


@dataclass(frozen=True, slots=True, kw_only=True)
class PathwayRates:
    category_id: str
    area_id: str | None  # None: the whole city
    referrals: int
    declined: int
    cancelled: int
    not_taken_up: int
    # Dropped without being declined (cancelled, not taken up): the drop-off rate's numerator.
    dropped_out: int
    completed: int
    decline_rate: float
    dropoff_rate: float
    responded: int
    median_response_hours: float | None
    mean_response_hours: float | None
    scope_id: str | None = None  # the Gebiet (top-level area); area_id None: all of it


@dataclass(frozen=True, slots=True, kw_only=True)
class Pathways:
    sequences: tuple[PathwaySequence, ...]
    rates: tuple[PathwayRates, ...]
    households: int


_EPOCH = datetime.min


def referral_pathways(
    referrals: Iterable[ReferralInfo],
    services: Mapping[str, ServiceInfo],
    config: PathwayConfig,
    index: AreaIndex | None = None,
) -> Pathways:
    per_household: dict[str, list[tuple[datetime, str, str]]] = defaultdict(list)
    groups: dict[tuple[str, str | None], list[ReferralInfo]] = defaultdict(list)
    for r in referrals:
        service = services.get(r.service_id)
        if service is None or not service.category_ids:
            continue
        category = service.category_ids[0]
        when = r.created_at.replace(tzinfo=None) if r.created_at else _EPOCH
        per_household[r.household_id].append((when, r.id, category))
        area = r.household_area_id
        unit = index.unit_of(area) if index is not None and area else area
        for c in service.category_ids:
            groups[(c, None)].append(r)
            if unit is not None:
                groups[(c, unit)].append(r)
    counts: Counter[tuple[str, ...]] = Counter()
    for items in per_household.values():
        items.sort()
        counts[tuple(c for _, _, c in items[: config.max_sequence_length])] += 1
    sequences = tuple(
        PathwaySequence(category_ids=seq, households=n)
        for seq, n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))[: config.top_sequences]
    )
    rates = tuple(
        _rates(category, area, members)
        for (category, area), members in sorted(
            groups.items(), key=lambda x: (x[0][0], x[0][1] or "")
        )
    )
    return Pathways(sequences=sequences, rates=rates, households=len(per_household))


def _rates(category: str, area: str | None, members: list[ReferralInfo]) -> PathwayRates:
    status = Counter(r.status for r in members)
    hours = [
        (r.responded_at - r.created_at).total_seconds() / 3600.0
        for r in members
        if r.responded_at is not None and r.created_at is not None
    ]
    total = len(members)
    declined = status["declined"]
    taken = total - declined
    dropped_out = sum(status[s] for s in DROPPED_REFERRAL_STATUSES if s != "declined")
    return PathwayRates(
        category_id=category,
        area_id=area,
        referrals=total,
        declined=declined,
        cancelled=status["cancelled"],
        not_taken_up=status["not_taken_up"],
        dropped_out=dropped_out,
        completed=status["completed"],
        decline_rate=declined / total if total else 0.0,
        dropoff_rate=dropped_out / taken if taken else 0.0,
        responded=len(hours),
        median_response_hours=median(hours) if hours else None,
        mean_response_hours=sum(hours) / len(hours) if hours else None,
    )
