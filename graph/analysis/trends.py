"""Trends der Überleitungen: referrals per calendar quarter and Leistungsbereich, per Stadtbezirk.

One aggregate query counts referrals by the quarter they were created in, the Leistungsbereich
of the referred service (a service in two Bereiche counts in both, as in the Überleitungswege)
and the analysis unit (Stadtbezirk) the household lives in. The planner sees the last
``QUARTERS`` quarters; which cells are shown is decided once per Leistungsbereich for the whole
table (all Stadtbezirke and the city) by ``graph.disclosure.two_way``, against the totals the
Überleitungswege publish, before the area and category filters pick a series: two requests
cannot be differenced.

Counted are the stored referrals: retention (``graph.retention``) deletes a household's
referrals 24 months after its last one closed and keeps their counts apart
(``retainedReferralCounts``), so the oldest quarter may lose a few over time. Adding those kept
counts here would let a planner subtract them from a cell; they stay apart.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import LiteralString

from graph.analysis.config import AnalysisConfig
from graph.analysis.suite import UnknownArea
from graph.connection import Graph
from graph.disclosure import two_way

QUARTERS = 8
"""Fixed on purpose: windows of different lengths would hide different cells of one quarter."""

_COUNTS: LiteralString = """
MATCH (r:Referral)-[:TO_SERVICE]->(:Service)-[:IN_CATEGORY]->(c:Category)
MATCH (r)-[:FOR_HOUSEHOLD]->(h:Household)
OPTIONAL MATCH (h)-[:LIVES_IN]->(:Area)-[:PART_OF*0..]->(u:Area {level: $level})
WITH c.id AS category, u.id AS unit, r.created_at AS at
RETURN category, unit, at.year AS year,
       CASE WHEN at IS NULL THEN null ELSE (at.month + 2) / 3 END AS quarter,
       count(*) AS referrals
"""
_UNITS: LiteralString = """
MATCH (c:Category) WITH collect([c.id, c.name]) AS categories
OPTIONAL MATCH (u:Area {level: $level})
RETURN categories, collect([u.id, u.name]) AS units
"""
_SCOPE: LiteralString = """
MATCH (a:Area {id: $area})
OPTIONAL MATCH (a)-[:PART_OF*0..]->(u:Area {level: $level})
RETURN a.id AS id, u.id AS unit
"""


@dataclass(frozen=True, slots=True, order=True)
class Quarter:
    year: int
    number: int  # 1..4

    @property
    def label(self) -> str:
        return f"{self.number}. Quartal {self.year}"

    @property
    def short(self) -> str:
        return f"Q{self.number} {self.year}"

    def previous(self) -> Quarter:
        return (
            Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)
        )

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month + 2) // 3)


def window(today: date, length: int = QUARTERS) -> tuple[Quarter, ...]:
    """The last ``length`` calendar quarters, the running one included, oldest first."""
    quarters = [Quarter.of(today)]
    while len(quarters) < length:
        quarters.append(quarters[-1].previous())
    return tuple(reversed(quarters))


@dataclass(frozen=True, slots=True, kw_only=True)
class ReferralCounts:
    """Raw counts (household data: never shown to planners as they are)."""

    counts: dict[tuple[str, str | None, Quarter | None], int]  # (category, unit, quarter)
    units: dict[str, str]  # id -> name of the analysis units
    categories: dict[str, str]  # id -> name


def referral_counts(graph: Graph, config: AnalysisConfig | None = None) -> ReferralCounts:
    """All referrals counted by Leistungsbereich, analysis unit and quarter of creation."""
    level = (config or AnalysisConfig()).coverage.level
    rows = graph.query(_COUNTS, {"level": level})
    names = graph.query(_UNITS, {"level": level})[0]
    counts: dict[tuple[str, str | None, Quarter | None], int] = defaultdict(int)
    for row in rows:
        quarter = Quarter(row["year"], row["quarter"]) if row["year"] is not None else None
        counts[(row["category"], row["unit"], quarter)] += row["referrals"]
    return ReferralCounts(
        counts=dict(counts),
        units={u: n for u, n in names["units"] if u is not None},
        categories=dict(names["categories"]),
    )


def scope_unit(graph: Graph, area: str, config: AnalysisConfig | None = None) -> str | None:
    """The analysis unit a Sozialraum belongs to (its Stadtbezirk); None for the city."""
    level = (config or AnalysisConfig()).coverage.level
    rows = graph.query(_SCOPE, {"area": area, "level": level})
    if not rows:
        raise UnknownArea(area)
    unit: str | None = rows[0]["unit"]
    return unit


@dataclass(frozen=True, slots=True, kw_only=True)
class TrendSeries:
    category_id: str
    category_name: str
    referrals: tuple[int | None, ...]  # one per quarter of the window; None: not shown


@dataclass(frozen=True, slots=True, kw_only=True)
class Trends:
    quarters: tuple[Quarter, ...]
    unit_id: str | None  # None: the whole city
    unit_name: str | None
    series: tuple[TrendSeries, ...]


def planner_trends(
    raw: ReferralCounts,
    today: date,
    *,
    unit: str | None = None,
    category: str | None = None,
) -> Trends:
    """What Sozialplanung may see: per Leistungsbereich one series for the city or ``unit``.

    Per Leistungsbereich the table is quarters x Stadtbezirke with the city's count of each
    quarter as its row total; referrals without a known Bezirk are the rows' unpublished rest,
    those outside the window (or without a date) the columns' rest. The columns' totals are
    what the Überleitungswege show (all referrals per Bereich and Bezirk), so no hidden cell
    follows from those either.
    """
    quarters = window(today)
    units = sorted(raw.units)
    if unit is not None and unit not in raw.units:
        raise UnknownArea(unit)
    outside = _outside(raw, quarters)
    series = []
    for category_id in sorted(raw.categories, key=lambda c: raw.categories[c].casefold()):
        if category is not None and category_id != category:
            continue
        cells = [[raw.counts.get((category_id, u, q), 0) for u in units] for q in quarters]
        row_rest = [raw.counts.get((category_id, None, q), 0) for q in quarters]
        column_rest = [outside.get((category_id, u), 0) for u in units]
        total_rest = outside.get((category_id, None), 0) + sum(column_rest)
        show_total, show_cell = two_way(cells, row_rest, column_rest, total_rest)
        if unit is None:
            values = [sum(row) + rest for row, rest in zip(cells, row_rest, strict=True)]
            shown = show_total
        else:
            column = units.index(unit)
            values = [row[column] for row in cells]
            shown = [row[column] for row in show_cell]
        series.append(
            TrendSeries(
                category_id=category_id,
                category_name=raw.categories[category_id],
                referrals=tuple(v if s else None for v, s in zip(values, shown, strict=True)),
            )
        )
    return Trends(
        quarters=quarters,
        unit_id=unit,
        unit_name=raw.units.get(unit) if unit else None,
        series=tuple(series),
    )


def _outside(
    raw: ReferralCounts, quarters: tuple[Quarter, ...]
) -> dict[tuple[str, str | None], int]:
    """Referrals per category and unit created outside the window or without a date."""
    listed = set(quarters)
    outside: dict[tuple[str, str | None], int] = defaultdict(int)
    for (category, unit, quarter), n in raw.counts.items():
        if quarter is None or quarter not in listed:
            outside[(category, unit)] += n
    return outside


def referral_trends(
    graph: Graph,
    *,
    area: str | None = None,
    category: str | None = None,
    today: date | None = None,
) -> Trends:
    """The planner's trends for the city or the Stadtbezirk of ``area`` (GraphQL, web page)."""
    unit = scope_unit(graph, area) if area else None
    day = today or datetime.now(UTC).date()
    return planner_trends(referral_counts(graph), day, unit=unit, category=category)
