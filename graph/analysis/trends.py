"""Trends der Überleitungen: referrals per calendar quarter and Leistungsbereich, per Stadtbezirk.

One aggregate query counts referrals by the quarter they were created in, the Leistungsbereich
of the referred service (a service in two Bereiche counts in both, as in the Überleitungswege)
and the analysis unit (Stadtbezirk) the household lives in. The planner sees the last
``QUARTERS`` quarters; which cells are shown is decided once per Leistungsbereich for the whole
table (all Stadtbezirke and the city) by ``graph.disclosure.two_way``, against the totals the
Überleitungswege publish, before the area and category filters pick a series: two requests
cannot be differenced.

Several Gebiete in one graph (graph/analysis/scopes.py): "the whole city" is one Gebiet, the
first by default, never the sum of all. Each Gebiet is its own table (its Stadtbezirke, its
total), so its disclosure does not depend on what else is loaded. A referral belongs to the
Gebiet its household lives in; without a known home, to the Gebiet of the areas its service
serves; without either, to the first Gebiet (a rest of its totals, never a cell).

Counted are the stored referrals: retention (``graph.retention``) deletes a household's
referrals 24 months after its last one closed and keeps their counts apart
(``retainedReferralCounts``), so the oldest quarter may lose a few over time. Adding those kept
counts here would let a planner subtract them from a cell; they stay apart.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import LiteralString

from graph import clock
from graph.analysis.config import AnalysisConfig
from graph.analysis.scopes import LOOSE_ID, LOOSE_NAME, Scope
from graph.analysis.suite import UnknownArea, UnknownScope
from graph.connection import Graph
from graph.disclosure import two_way

QUARTERS = 8
"""Fixed on purpose: windows of different lengths would hide different cells of one quarter."""

# The Gebiet of an area: its top-level area if that is a city or county, else LOOSE_ID
# (the rule of graph/analysis/scopes.area_roots, in Cypher).
_COUNTS: LiteralString = """
MATCH (r:Referral)-[:TO_SERVICE]->(s:Service)-[:IN_CATEGORY]->(c:Category)
MATCH (r)-[:FOR_HOUSEHOLD]->(h:Household)
OPTIONAL MATCH (h)-[:LIVES_IN]->(:Area)-[:PART_OF*0..]->(u:Area {level: $level})
WITH r, s, c, u,
     head([(h)-[:LIVES_IN]->(:Area)-[:PART_OF*0..]->(t:Area)
           WHERE NOT (t)-[:PART_OF]->(:Area) | t]) AS home,
     head([(s)-[:SERVES]->(:Area)-[:PART_OF*0..]->(t:Area)
           WHERE NOT (t)-[:PART_OF]->(:Area) | t]) AS served
WITH c.id AS category, u.id AS unit, r.created_at AS at, coalesce(home, served) AS top
RETURN category, unit,
       CASE WHEN top IS NULL THEN null WHEN top.level = 'city' THEN top.id ELSE $loose END
         AS scope,
       at.year AS year,
       CASE WHEN at IS NULL THEN null ELSE (at.month + 2) / 3 END AS quarter,
       count(*) AS referrals
"""
_UNITS: LiteralString = """
MATCH (c:Category) WITH collect([c.id, c.name]) AS categories
OPTIONAL MATCH (u:Area {level: $level})
WITH categories, u,
     head([(u)-[:PART_OF*0..]->(t:Area) WHERE NOT (t)-[:PART_OF]->(:Area) | t]) AS top
RETURN categories, collect([u.id, u.name,
       CASE WHEN top.level = 'city' THEN top.id ELSE $loose END]) AS units
"""
_SCOPES: LiteralString = """
MATCH (t:Area) WHERE NOT (t)-[:PART_OF]->(:Area)
RETURN CASE WHEN t.level = 'city' THEN t.id ELSE $loose END AS id,
       CASE WHEN t.level = 'city' THEN t.name ELSE $loose_name END AS name
"""
_SCOPE: LiteralString = """
MATCH (a:Area {id: $area})
OPTIONAL MATCH (a)-[:PART_OF*0..]->(u:Area {level: $level})
WITH a, u, head([(a)-[:PART_OF*0..]->(t:Area) WHERE NOT (t)-[:PART_OF]->(:Area) | t]) AS top
RETURN a.id AS id, u.id AS unit,
       CASE WHEN top.level = 'city' THEN top.id ELSE $loose END AS scope
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

    # (category, Gebiet, unit, quarter); Gebiet None: no known Gebiet (see the module's doc)
    counts: dict[tuple[str, str | None, str | None, Quarter | None], int]
    units: dict[str, str]  # id -> name of the analysis units
    categories: dict[str, str]  # id -> name
    scopes: tuple[Scope, ...] = ()  # the Gebiete, ordered as the analyses order them
    unit_scopes: dict[str, str] = field(default_factory=dict)  # unit id -> its Gebiet

    def scope_of(self, unit: str) -> str | None:
        return self.unit_scopes.get(unit)


def referral_counts(graph: Graph, config: AnalysisConfig | None = None) -> ReferralCounts:
    """All referrals counted by Leistungsbereich, Gebiet, analysis unit and quarter."""
    level = (config or AnalysisConfig()).coverage.level
    rows = graph.query(_COUNTS, {"level": level, "loose": LOOSE_ID})
    names = graph.query(_UNITS, {"level": level, "loose": LOOSE_ID})[0]
    tops = graph.query(_SCOPES, {"loose": LOOSE_ID, "loose_name": LOOSE_NAME})
    counts: dict[tuple[str, str | None, str | None, Quarter | None], int] = defaultdict(int)
    for row in rows:
        quarter = Quarter(row["year"], row["quarter"]) if row["year"] is not None else None
        counts[(row["category"], row["scope"], row["unit"], quarter)] += row["referrals"]
    found = {Scope(id=row["id"], name=row["name"]) for row in tops}
    return ReferralCounts(
        counts=dict(counts),
        units={u: n for u, n, _ in names["units"] if u is not None},
        categories=dict(names["categories"]),
        scopes=tuple(sorted(found, key=lambda sc: (sc.name, sc.id))),
        unit_scopes={u: top for u, _, top in names["units"] if u is not None},
    )


def scope_unit(
    graph: Graph, area: str, config: AnalysisConfig | None = None
) -> tuple[str | None, str]:
    """The analysis unit a Sozialraum belongs to (its Stadtbezirk; None: above the Bezirke)
    and its Gebiet."""
    level = (config or AnalysisConfig()).coverage.level
    rows = graph.query(_SCOPE, {"area": area, "level": level, "loose": LOOSE_ID})
    if not rows:
        raise UnknownArea(area)
    return rows[0]["unit"], str(rows[0]["scope"])


@dataclass(frozen=True, slots=True, kw_only=True)
class TrendSeries:
    category_id: str
    category_name: str
    referrals: tuple[int | None, ...]  # one per quarter of the window; None: not shown


@dataclass(frozen=True, slots=True, kw_only=True)
class Trends:
    quarters: tuple[Quarter, ...]
    unit_id: str | None  # None: the whole Gebiet
    unit_name: str | None
    series: tuple[TrendSeries, ...]
    scope: Scope | None = None  # the Gebiet counted (None: the graph has no areas)
    scopes: tuple[Scope, ...] = ()  # every Gebiet, the default first


def planner_trends(
    raw: ReferralCounts,
    today: date,
    *,
    unit: str | None = None,
    category: str | None = None,
    scope: str | None = None,
) -> Trends:
    """What Sozialplanung may see: per Leistungsbereich one series for a Gebiet (``scope``,
    default the first) or ``unit`` (which brings its own Gebiet).

    Per Leistungsbereich and Gebiet the table is quarters x its Stadtbezirke with the
    Gebiet's count of each quarter as its row total; its referrals without a known Bezirk are
    the rows' unpublished rest, those outside the window (or without a date) the columns'
    rest. The columns' totals are what the Überleitungswege show (all referrals per Bereich
    and Bezirk), so no hidden cell follows from those either.
    """
    quarters = window(today)
    if unit is not None and unit not in raw.units:
        raise UnknownArea(unit)
    known = {s.id: s for s in raw.scopes}
    if unit is not None:
        scope = raw.scope_of(unit)
    elif scope is not None and scope not in known:
        raise UnknownScope(scope, raw.scopes)
    elif scope is None and raw.scopes:
        scope = raw.scopes[0].id
    first = raw.scopes[0].id if raw.scopes else None
    # Referrals with no known Gebiet count with the first (see the module's doc).
    mine = {
        (c, u, q): n
        for (c, sc, u, q), n in raw.counts.items()
        if (sc if sc is not None else first) == scope
    }
    units = sorted(u for u in raw.units if raw.scope_of(u) == scope)
    outside = _outside(mine, quarters)
    series = []
    for category_id in sorted(raw.categories, key=lambda c: raw.categories[c].casefold()):
        if category is not None and category_id != category:
            continue
        cells = [[mine.get((category_id, u, q), 0) for u in units] for q in quarters]
        row_rest = [mine.get((category_id, None, q), 0) for q in quarters]
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
        scope=known.get(scope) if scope is not None else None,
        scopes=raw.scopes,
    )


def _outside(
    counts: dict[tuple[str, str | None, Quarter | None], int], quarters: tuple[Quarter, ...]
) -> dict[tuple[str, str | None], int]:
    """Referrals per category and unit created outside the window or without a date."""
    listed = set(quarters)
    outside: dict[tuple[str, str | None], int] = defaultdict(int)
    for (category, unit, quarter), n in counts.items():
        if quarter is None or quarter not in listed:
            outside[(category, unit)] += n
    return outside


def referral_trends(
    graph: Graph,
    *,
    area: str | None = None,
    category: str | None = None,
    scope: str | None = None,
    today: date | None = None,
) -> Trends:
    """The planner's trends for a Gebiet (``scope``, default the first) or the Stadtbezirk of
    ``area`` (GraphQL, web page)."""
    unit = None
    if area:
        unit, scope = scope_unit(graph, area)  # a Sozialraum brings its own Gebiet
    day = today or clock.today()
    return planner_trends(referral_counts(graph), day, unit=unit, category=category, scope=scope)
