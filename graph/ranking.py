"""Ranking referral options: a pure function from candidates to an explained order.

Every point a service gets comes with a reason, so a caseworker can see why it ranks where it
does; ties are broken by steps, name and id, so the order is deterministic.

Points (documented in docs/graphql.md):
- reach: 30 when the service serves the household's Sozialraum (or an enclosing one, e.g.
  city-wide), 30 - 10 per step through adjacent districts otherwise (at least 5); services
  beyond ``max_steps`` are not options;
- Kooperationsvereinbarung with the referring organization: 40 when it grants priority access
  (and is valid and covers the category), 10 for any other valid one;
- Zielgruppe: 15 when one matches, 5 when the service has no restriction, -15 when none matches;
- Sprache: 15 when one matches, -10 when none does;
- Kapazität: 10 with free places, -20 when full, 0 when unknown (no places or occupancy
  reported, or the occupancy is older than ``capacity_max_age_days``: graph/capacity.py). On
  equal points, known free places come first, then unknown occupancy, then full services.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from graph import clock, labels
from graph.capacity import DEFAULT_MAX_AGE_DAYS, occupancy
from graph.records import Service

REACH_POINTS = 30
STEP_PENALTY = 10
MIN_REACH_POINTS = 5
PRIORITY_POINTS = 40
AGREEMENT_POINTS = 10
TARGET_GROUP_POINTS = 15
OPEN_TARGET_GROUP_POINTS = 5
TARGET_GROUP_MISMATCH = -15
LANGUAGE_POINTS = 15
LANGUAGE_MISMATCH = -10
FREE_CAPACITY_POINTS = 10
FULL_PENALTY = -20

CHILD_BANDS = frozenset({"0-2", "3-5", "6-9", "10-13"})
YOUTH_BANDS = frozenset({"14-17"})
YOUNG_ADULT_BANDS = frozenset({"18-24"})
SENIOR_BANDS = frozenset({"65+"})
FAMILY_TYPES = frozenset({"alleinerziehend", "paar-mit-kindern", "mehrgenerationen"})


def target_groups_of(household_type: str, age_bands: Iterable[str]) -> tuple[str, ...]:
    """The Zielgruppen a household belongs to, from its type and its members' age bands."""
    groups: set[str] = set()
    bands = set(age_bands)
    if household_type in FAMILY_TYPES or bands & (CHILD_BANDS | YOUTH_BANDS):
        groups.add("familien")
    if household_type == "alleinerziehend":
        groups.add("alleinerziehende")
    if bands & CHILD_BANDS:
        groups.add("kinder")
    if bands & YOUTH_BANDS:
        groups.add("jugendliche")
    if bands & YOUNG_ADULT_BANDS:
        groups.add("junge-erwachsene")
    if bands - CHILD_BANDS - YOUTH_BANDS - SENIOR_BANDS:
        groups.add("erwachsene")
    if bands & SENIOR_BANDS:
        groups.add("senioren")
    return tuple(sorted(groups))


@dataclass(frozen=True, slots=True)
class ServedArea:
    id: str
    district_id: str | None  # the district it is or lies in; None for the city


@dataclass(frozen=True, slots=True)
class AgreementRef:
    id: str
    title: str
    priority_access: bool
    category_ids: tuple[str, ...]  # empty: all


@dataclass(frozen=True, slots=True)
class Candidate:
    service: Service
    organization_name: str
    served: tuple[ServedArea, ...]
    agreements: tuple[AgreementRef, ...]  # valid ones between referring and providing Träger


@dataclass(frozen=True, slots=True)
class Home:
    """The household's Sozialraum: itself, what encloses it, what it contains, its district."""

    area_id: str
    enclosing: frozenset[str]  # itself and every area above it
    contained: frozenset[str]  # every area below it
    district_id: str | None


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    points: int
    text: str


@dataclass(frozen=True, slots=True)
class Option:
    service: Service
    score: int
    steps: int
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class Wanted:
    category_ids: tuple[str, ...]
    target_groups: tuple[str, ...]
    languages: tuple[str, ...]
    referring_organization_name: str | None
    max_steps: int
    # The day the ranking is for, and the age after which an occupancy counts as unknown.
    today: date | None = None
    capacity_max_age_days: int = DEFAULT_MAX_AGE_DAYS


def district_steps(
    start: str | None, adjacency: Iterable[tuple[str, str]], limit: int
) -> dict[str, int]:
    """Steps from ``start`` to every district reachable within ``limit`` (breadth first)."""
    if start is None:
        return {}
    neighbours: dict[str, set[str]] = {}
    for a, b in adjacency:
        neighbours.setdefault(a, set()).add(b)
        neighbours.setdefault(b, set()).add(a)
    steps = {start: 0}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        if steps[here] >= limit:
            continue
        for there in sorted(neighbours.get(here, ())):
            if there not in steps:
                steps[there] = steps[here] + 1
                queue.append(there)
    return steps


def _reach(candidate: Candidate, home: Home, steps: Mapping[str, int]) -> tuple[int, str] | None:
    best: tuple[int, str] | None = None
    for area in candidate.served:
        if area.id in home.enclosing:
            found = (0, "stadtweit" if area.district_id is None else "sozialraum")
        elif area.id in home.contained or (
            area.district_id is not None and area.district_id == home.district_id
        ):
            found = (0, "sozialraum")
        elif area.district_id is not None and area.district_id in steps:
            found = (steps[area.district_id], "nachbar")
        else:
            continue
        if best is None or found[0] < best[0]:
            best = found
    return best


def _score(candidate: Candidate, reach: tuple[int, str], wanted: Wanted) -> list[Reason]:
    service = candidate.service
    steps, kind = reach
    reasons: list[Reason] = []
    if steps == 0:
        text = (
            "Stadtweites Angebot"
            if kind == "stadtweit"
            else "Versorgt den Sozialraum des Haushalts"
        )
        reasons.append(Reason("REACH", REACH_POINTS, text))
    else:
        points = max(REACH_POINTS - STEP_PENALTY * steps, MIN_REACH_POINTS)
        unit = "Schritt" if steps == 1 else "Schritte"
        reasons.append(
            Reason("REACH", points, f"Versorgt einen Nachbarsozialraum ({steps} {unit} entfernt)")
        )
    wanted_categories = set(wanted.category_ids) & set(service.category_ids) or set(
        service.category_ids
    )
    covering = [
        a
        for a in candidate.agreements
        if not a.category_ids or set(a.category_ids) & wanted_categories
    ]
    priority = sorted((a for a in covering if a.priority_access), key=lambda a: a.id)
    referrer = wanted.referring_organization_name or "der überleitenden Stelle"
    if priority:
        reasons.append(
            Reason(
                "PRIORITY_AGREEMENT",
                PRIORITY_POINTS,
                f"Kooperationsvereinbarung „{priority[0].title}“: vorrangiger Zugang für "
                f"Klient:innen von {referrer}",
            )
        )
    elif covering:
        first = sorted(covering, key=lambda a: a.id)[0]
        reasons.append(
            Reason("AGREEMENT", AGREEMENT_POINTS, f"Kooperationsvereinbarung „{first.title}“")
        )
    if wanted.target_groups:
        matching = sorted(set(wanted.target_groups) & set(service.target_groups))
        if not service.target_groups:
            reasons.append(
                Reason("TARGET_GROUP_OPEN", OPEN_TARGET_GROUP_POINTS, "Für alle Zielgruppen offen")
            )
        elif matching:
            reasons.append(
                Reason(
                    "TARGET_GROUP", TARGET_GROUP_POINTS, f"Zielgruppe passt: {', '.join(matching)}"
                )
            )
        else:
            reasons.append(
                Reason(
                    "TARGET_GROUP_MISMATCH",
                    TARGET_GROUP_MISMATCH,
                    f"Zielgruppe passt nicht (Angebot für {', '.join(service.target_groups)})",
                )
            )
    if wanted.languages:
        spoken = sorted(set(wanted.languages) & set(service.languages))
        if spoken:
            reasons.append(
                Reason(
                    "LANGUAGE", LANGUAGE_POINTS, f"Beratung auf {labels.languages(spoken)} möglich"
                )
            )
        else:
            reasons.append(
                Reason(
                    "LANGUAGE_MISMATCH",
                    LANGUAGE_MISMATCH,
                    f"Sprache nicht angeboten (nur {labels.languages(service.languages)})",
                )
            )
    reasons.append(_capacity(service, wanted))
    return reasons


def _capacity(service: Service, wanted: Wanted) -> Reason:
    today = wanted.today or clock.today()
    known = occupancy(
        service.capacity,
        service.capacity_used,
        service.assured_date,
        today,
        wanted.capacity_max_age_days,
    )
    free = known.free
    if free is None:
        # Unknown occupancy is not free capacity: no points, and the reason says why.
        if service.capacity is None:
            why = "keine Platzzahl gemeldet"
        elif known.outdated and service.assured_date is not None:
            why = (
                f"zuletzt geprüft am {service.assured_date:%d.%m.%Y}, "
                f"älter als {wanted.capacity_max_age_days} Tage"
            )
        else:
            why = "keine Belegung gemeldet"
        return Reason(
            "CAPACITY_UNKNOWN",
            0,
            f"Auslastung unbekannt ({why}): nicht als frei gewertet, daher nach Angeboten "
            "mit bekannten freien Plätzen",
        )
    if free > 0:
        places = "1 freier Platz" if free == 1 else f"{free} freie Plätze"
        return Reason("FREE_CAPACITY", FREE_CAPACITY_POINTS, places)
    return Reason("FULL", FULL_PENALTY, "Keine freien Plätze")


# Ties: known free places first, then unknown occupancy, then full services.
_CAPACITY_ORDER = {"FREE_CAPACITY": 0, "CAPACITY_UNKNOWN": 1, "FULL": 2}


def _capacity_order(option: Option) -> int:
    return next((_CAPACITY_ORDER[r.code] for r in option.reasons if r.code in _CAPACITY_ORDER), 1)


def rank(
    candidates: Sequence[Candidate],
    home: Home,
    adjacency: Iterable[tuple[str, str]],
    wanted: Wanted,
) -> list[Option]:
    """The candidates within reach, best first, each with the reasons for its score."""
    steps = district_steps(home.district_id, adjacency, wanted.max_steps)
    options: list[Option] = []
    for candidate in candidates:
        reach = _reach(candidate, home, steps)
        if reach is None or reach[0] > wanted.max_steps:
            continue
        reasons = _score(candidate, reach, wanted)
        options.append(
            Option(
                service=candidate.service,
                score=sum(r.points for r in reasons),
                steps=reach[0],
                reasons=tuple(reasons),
            )
        )
    options.sort(
        key=lambda o: (
            -o.score,
            _capacity_order(o),
            o.steps,
            o.service.name.lower(),
            o.service.id,
        )
    )
    return options
