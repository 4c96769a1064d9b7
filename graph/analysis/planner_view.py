"""What Sozialplanung may see of an analysis report: every finding and table, disclosed once.

Planner outputs are aggregates only: no household is named, and every count of households or
referrals below ``MIN_COUNT`` (zero included) is hidden. Where a total is shown next to its
parts (a city-wide rate and the areas' rates, all households and the common pathways,
households and the uncoordinated ones, a structure's demand and the areas' demand), secondary
suppression (``graph.disclosure.complementary``) hides more until no hidden count follows by
subtraction. Suppression is decided on the whole city (each Gebiet, see ``scopes.py``) before the
area and category filters, so two requests cannot be differenced either.

GraphQL, the CLI's table, JSON and HTML report and the web pages all read this view; none of
them decides on its own which count to show.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

from graph.analysis.coverage import CoverageGap
from graph.analysis.double_support import DoubleSupport
from graph.analysis.duplicate_records import DuplicateRecord
from graph.analysis.duplicate_services import DuplicateService
from graph.analysis.duplicate_structures import DuplicateStructure
from graph.analysis.findings import (
    SEVERITY_ORDER,
    Finding,
    count_text,
    households_text,
    sentence,
)
from graph.analysis.missing_cooperation import MissingCooperation
from graph.analysis.pathways import PathwayRates
from graph.analysis.suite import AnalysisReport, UnknownArea, units_within, within_area
from graph.analysis.weak_spots import WeakSpot
from graph.disclosure import MIN_COUNT, complementary, is_small, people, share
from graph.errors import GraphError
from graph.normalize import vocabulary_key

F = TypeVar("F", bound=Finding)
F_co = TypeVar("F_co", bound=Finding, covariant=True)

# Keys of ``Finding.counts`` that count households (the others count services, places, ...).
PEOPLE_COUNTS = frozenset({"demand", "households", "uncoordinated_households", "shared_households"})

DEMAND_HIDDEN = "Bedarf nicht ausgewiesen (Fallzahlenschutz)"
PART_HIDDEN = "ein nicht ausgewiesener Teil davon"


@dataclass(frozen=True, slots=True)
class Shown(Generic[F_co]):
    """A finding as planners see it: its explanation and counts with hidden counts removed."""

    finding: F_co
    explanation: str
    counts: Mapping[str, float | None]

    def count(self, key: str) -> int | None:
        value = self.counts.get(key)
        return None if value is None else round(value)


@dataclass(frozen=True, slots=True, kw_only=True)
class CoverageCell:
    area_id: str
    category_id: str
    households_in_need: int | None
    ratio: float | None  # hidden with the demand: places / ratio would give the demand back
    reachable_services: int
    estimated: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class SequenceRow:
    category_ids: tuple[str, ...]
    households: int
    scope_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RateRow:
    category_id: str
    area_id: str | None  # None: the whole city
    referrals: int
    decline_rate: float | None
    dropoff_rate: float | None
    median_response_hours: float | None
    mean_response_hours: float | None
    scope_id: str | None = None  # area_id None: the whole Gebiet


@dataclass(frozen=True, slots=True, kw_only=True)
class PathwaysView:
    households: int | None
    sequences: tuple[SequenceRow, ...]
    rates: tuple[RateRow, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannerView:
    report: AnalysisReport  # the report within the area: names, network structure
    coverage: tuple[CoverageCell, ...]
    gaps: tuple[Shown[CoverageGap], ...]
    duplicate_structures: tuple[Shown[DuplicateStructure], ...]
    duplicate_records: tuple[Shown[DuplicateRecord], ...]
    duplicate_services: tuple[Shown[DuplicateService], ...]
    double_support: tuple[Shown[DoubleSupport], ...]
    missing_cooperation: tuple[Shown[MissingCooperation], ...]
    weak_spots: tuple[Shown[WeakSpot], ...]
    pathways: PathwaysView

    def findings(self) -> list[Shown[Finding]]:
        """Every finding, most severe first (the order of ``AnalysisReport.findings``)."""
        found: list[Shown[Finding]] = [
            *self.gaps,
            *self.duplicate_structures,
            *self.duplicate_records,
            *self.duplicate_services,
            *self.double_support,
            *self.missing_cooperation,
            *self.weak_spots,
        ]
        return sorted(found, key=lambda s: SEVERITY_ORDER[s.finding.severity])


def planner_view(
    full: AnalysisReport,
    *,
    area: str | None = None,
    category: str | None = None,
    scope: str | None = None,
) -> PlannerView:
    """The planner's view of ``full`` (the whole graph's report), then filtered.

    ``scope`` keeps one Gebiet (top-level area), ``area`` what touches that area (and its
    units), ``category`` what belongs to that Leistungsbereich, for every kind of finding: a
    missing cooperation when it is one of the Leistungsbereiche of the shared households, a
    pathway when the category is one of its steps, and findings about Träger without a
    Leistungsbereich of their own (duplicate Träger, weak spots) when one of their Träger
    offers an Angebot in it; a weak spot naming no Träger (no cooperation data at all)
    concerns every Leistungsbereich. Suppression is decided per Gebiet, on its whole report,
    as if it were loaded alone.
    """
    if area:
        owner = full.scope_of(area)
        if owner is None:
            raise UnknownArea(area)
        if scope is not None and owner != scope:
            raise AreaOutsideScope(area, full.scope_name(scope))
        scope = owner
    if scope is not None:
        return _scope_view(full.part(scope), area, category)
    if not full.parts:
        return _scope_view(full, area, category)
    return _joined(full, [_scope_view(p, None, category) for p in full.parts])


class AreaOutsideScope(GraphError):
    """Sozialraum and Gebiet of one request do not fit together."""

    code = "AREA_OUTSIDE_SCOPE"

    def __init__(self, area_id: str, scope_name: str) -> None:
        super().__init__(
            f"Der Sozialraum {area_id} liegt nicht im Gebiet {scope_name}. "
            "Bitte Gebiet oder Sozialraum ändern."
        )


def _joined(full: AnalysisReport, views: list[PlannerView]) -> PlannerView:
    """The views of several Gebiete side by side. The households of all pathways are shown
    only if every Gebiet shows its own: otherwise the sum gives a hidden one back."""
    totals = [v.pathways.households for v in views]
    return PlannerView(
        report=full,
        coverage=tuple(c for v in views for c in v.coverage),
        gaps=tuple(f for v in views for f in v.gaps),
        duplicate_structures=tuple(f for v in views for f in v.duplicate_structures),
        duplicate_records=tuple(f for v in views for f in v.duplicate_records),
        duplicate_services=tuple(f for v in views for f in v.duplicate_services),
        double_support=tuple(f for v in views for f in v.double_support),
        missing_cooperation=tuple(f for v in views for f in v.missing_cooperation),
        weak_spots=tuple(f for v in views for f in v.weak_spots),
        pathways=PathwaysView(
            households=None if None in totals else sum(t or 0 for t in totals),
            sequences=tuple(s for v in views for s in v.pathways.sequences),
            rates=tuple(r for v in views for r in v.pathways.rates),
        ),
    )


def _scope_view(full: AnalysisReport, area: str | None, category: str | None) -> PlannerView:
    """The view of one Gebiet's report (or of a graph with a single one)."""
    report = within_area(full, area) if area else full
    category = _category_id(full, category) if category is not None else None
    offering = {s.organization_id for s in full.snapshot.services if category in s.category_ids}

    def wanted(f: Finding) -> bool:
        return category is None or f.category_id == category

    def loose(f: Finding) -> bool:
        if category is None or f.category_id == category:
            return True
        if f.category_id is not None:
            return False
        return not f.organization_ids or not offering.isdisjoint(f.organization_ids)

    return PlannerView(
        report=report,
        coverage=tuple(
            _cell(c.area_id, c.category_id, c.demand, c.ratio, c.reachable_service_ids, c.estimated)
            for c in report.coverage
            if category is None or c.category_id == category
        ),
        gaps=tuple(_plain(g) for g in report.gaps if wanted(g)),
        duplicate_structures=tuple(
            _structure(full, f) for f in report.duplicate_structures if wanted(f)
        ),
        duplicate_records=tuple(_plain(f) for f in report.duplicate_records if loose(f)),
        duplicate_services=tuple(_plain(f) for f in report.duplicate_services if wanted(f)),
        double_support=tuple(_double_support(f) for f in report.double_support if wanted(f)),
        missing_cooperation=tuple(
            _plain(f)
            for f in report.missing_cooperation
            if category is None or category in f.category_ids
        ),
        weak_spots=tuple(_plain(f) for f in report.network.findings if loose(f)),
        pathways=_pathways(full, area, category),
    )


def _category_id(full: AnalysisReport, wanted: str) -> str:
    """The Leistungsbereich meant: its id, or id or name regardless of case and spaces
    (``--category Schuldnerberatung``), as the directory filters compare them."""
    names = full.snapshot.category_names
    if wanted in names:
        return wanted
    key = vocabulary_key(wanted)
    for category_id, name in names.items():
        if key in (vocabulary_key(category_id), vocabulary_key(name)):
            return category_id
    return wanted  # unknown: matches nothing


def _cell(
    area_id: str,
    category_id: str,
    demand: float,
    ratio: float | None,
    services: Iterable[str],
    estimated: bool,
) -> CoverageCell:
    shown = people(demand)
    return CoverageCell(
        area_id=area_id,
        category_id=category_id,
        households_in_need=shown,
        ratio=ratio if shown is not None else None,
        reachable_services=len(tuple(services)),
        estimated=estimated,
    )


def _counts(f: Finding) -> dict[str, float | None]:
    """Primary suppression of the finding's counts of households."""
    return {k: (people(v) if k in PEOPLE_COUNTS else v) for k, v in f.counts.items()}


def _plain(f: F) -> Shown[F]:
    """A finding whose explanation words its small counts already (``count_text``)."""
    return Shown(f, f.explanation, _counts(f))


def _without(text: str, phrase: str, replacement: str, fallback: str) -> str:
    """The explanation with a hidden count's phrase replaced; if the analysis worded it
    differently, a fixed sentence without any number rather than a leaked count."""
    if phrase in text:
        return text.replace(phrase, replacement)
    return fallback


def _structure(full: AnalysisReport, f: DuplicateStructure) -> Shown[DuplicateStructure]:
    """A structure's demand is the sum of its areas' demand, which the coverage cells show
    when they are not small: shown only if the hidden cells do not follow by subtraction."""
    cells = {(c.area_id, c.category_id): c.demand for c in full.coverage}
    parts = [cells.get((a, f.category_id or ""), 0.0) for a in f.area_ids]
    hidden = [p for p in parts if is_small(p)]
    shown = not is_small(sum(parts)) and (not hidden or not is_small(sum(hidden)))
    counts = _counts(f)
    if shown:
        return Shown(f, f.explanation, counts)
    counts["demand"] = None
    text = _without(
        f.explanation,
        f"Bedarf {households_text(f.demand, MIN_COUNT)}",
        DEMAND_HIDDEN,
        "Angebote mehrerer Träger überschneiden sich; " + DEMAND_HIDDEN + ".",
    )
    return Shown(f, text, counts)


def _double_support(f: DoubleSupport) -> Shown[DoubleSupport]:
    """Households = uncoordinated + coordinated: the coordinated count follows from the two
    shown ones, so it must not be small (nor zero) either."""
    total, uncoordinated = f.households, f.uncoordinated_households
    _, (show, _) = complementary(total, [uncoordinated, total - uncoordinated])
    counts = _counts(f)
    if show:
        return Shown(f, f.explanation, counts)
    counts["uncoordinated_households"] = None
    text = _without(
        f.explanation,
        f"{count_text(uncoordinated, MIN_COUNT)} davon",
        PART_HIDDEN,
        f"{sentence(households_text(total, MIN_COUNT))} werden parallel von beiden "
        "Trägern betreut; wie viele davon ohne Abstimmung, ist nicht ausgewiesen "
        "(Fallzahlenschutz).",
    )
    return Shown(f, text, counts)


def _pathways(full: AnalysisReport, area: str | None, category: str | None) -> PathwaysView:
    paths = full.pathways
    units = units_within(full.index, area) if area else set(full.index.units)
    # The listed sequences and the rest add up to all households.
    counts = [s.households for s in paths.sequences]
    counts.append(paths.households - sum(counts))
    show_total, show_sequence = complementary(paths.households, counts, [len(counts) - 1])
    rates_shown = _rates_shown(paths.rates, full.index.units)
    return PathwaysView(
        households=paths.households if show_total else None,
        sequences=tuple(
            SequenceRow(category_ids=s.category_ids, households=s.households, scope_id=s.scope_id)
            for s, show in zip(paths.sequences, show_sequence, strict=False)
            if show and (category is None or category in s.category_ids)
        ),
        rates=tuple(
            _rate(r)
            for r in paths.rates
            if (r.category_id, r.area_id) in rates_shown
            and (category is None or r.category_id == category)
            and ((r.area_id is None and not area) or r.area_id in units)
        ),
    )


def _rate(r: PathwayRates) -> RateRow:
    decline = share(r.declined, r.referrals)
    # A median of one or two response times is one family's case history.
    timed = not is_small(r.responded)
    return RateRow(
        category_id=r.category_id,
        area_id=r.area_id,
        referrals=r.referrals,
        decline_rate=decline,
        dropoff_rate=None if decline is None else share(r.dropped_out, r.referrals - r.declined),
        median_response_hours=r.median_response_hours if timed else None,
        mean_response_hours=r.mean_response_hours if timed else None,
        scope_id=r.scope_id,
    )


def _rates_shown(
    rates: Iterable[PathwayRates], units: Iterable[str]
) -> set[tuple[str, str | None]]:
    """(category, area) of the rate rows planners may see. A category's city-wide row is the
    total of its area rows, of the areas without a row (zero: planners know every area) and
    of referrals without an area, so they are suppressed together."""
    by_category: dict[str, dict[str | None, PathwayRates]] = {}
    for r in rates:
        by_category.setdefault(r.category_id, {})[r.area_id] = r
    all_units = sorted(units)
    shown: set[tuple[str, str | None]] = set()
    for category, rows in by_category.items():
        parts = [rows[u].referrals if u in rows else 0 for u in all_units]
        city = rows.get(None)
        total = city.referrals if city is not None else sum(parts)
        parts.append(total - sum(parts))  # referrals without a known area
        show_city, show_parts = complementary(total, parts, unlisted=[len(all_units)])
        if show_city and city is not None:
            shown.add((category, None))
        shown |= {(category, u) for u, ok in zip(all_units, show_parts, strict=False) if ok}
    return shown
