"""Versorgungskarte: the Sozialräume of one level coloured by coverage of one Leistungsbereich,
with the same figures as a table beside it (the table alone works without JavaScript).

Coverage is computed per analysis unit (the analysis' level, Stadtbezirke by default); on a
finer level each Stadtteil shows the figures of the unit it lies in, and says so. Colours are
classes of the gap index: the planner's ``coverageGaps`` (no reachable place, too few places)
and the places per household against the analysis' threshold.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.web.data import gql, require
from api.web.directory import choices
from api.web.pages.planning import PLANNER, Selection, area_options, validate
from api.web.pages.planning_findings import SUPPRESSED, figure_text
from api.web.templating import render
from graph.analysis import DEFAULT_CONFIG

# Display tolerance in degrees (~30 m): a city map needs no finer outline, and it keeps the
# page small (the large demo's districts in well under a megabyte).
TOLERANCE = 0.0003
_MAX_PAGES = 50

LEVELS = {"bezirke": ("DISTRICT", "Stadtbezirke"), "stadtteile": ("SUBDISTRICT", "Stadtteile")}


@dataclass(frozen=True, slots=True)
class Band:
    key: str
    colour: str
    label: str


# Gap index classes, worst first (colours: ColorBrewer RdYlBu, readable for red-green
# blindness; the table and the legend say the class in words anyway).
BANDS: tuple[Band, ...] = (
    Band("keines", "#a50026", "Lücke: kein erreichbares Angebot"),
    Band("zuwenig", "#f46d43", "Lücke: zu wenige Plätze je Haushalt"),
    Band("knapp", "#fee090", "knapp versorgt (unter dem Doppelten der Schwelle)"),
    Band("gut", "#4575b4", "versorgt"),
    Band("verborgen", "#d9d9d9", f"{SUPPRESSED} Haushalte mit Bedarf (nicht ausgewiesen)"),
    Band("ohne", "#ffffff", "keine Angabe"),
)
_BAND = {b.key: b for b in BANDS}

AREAS = """
query MapAreas($levels: [AreaLevel!], $tolerance: Float, $after: String) {
  areas(filter: {levels: $levels}, first: 100, after: $after) {
    nodes { id name parent { id parent { id } } geometry(tolerance: $tolerance) }
    pageInfo { hasNextPage endCursor }
  }
}
"""

SCOPES = "query MapScopes { analysisScopes { id name } }"

COVERAGE = """
query MapCoverage($area: String, $category: String, $scope: String) {
  coverage(area: $area, category: $category, scope: $scope) {
    area { id name } householdsInNeed ratio reachableServices estimated
  }
  coverageGaps(area: $area, category: $category, scope: $scope) { area { id } severity }
}
"""


@dataclass(frozen=True, slots=True)
class Cell:
    """One analysis unit's coverage of the chosen Leistungsbereich, as the planner sees it."""

    area_id: str
    area: str
    households: int | None
    ratio: float | None
    services: int
    estimated: bool
    band: Band

    @property
    def households_text(self) -> str:
        return figure_text(self.households, "people")

    @property
    def ratio_text(self) -> str:
        return "–" if self.ratio is None else figure_text(self.ratio, "ratio")


def band_of(row: dict[str, Any], gap: str | None, min_ratio: float) -> Band:
    """The gap index class of one coverage row (``gap``: severity of its finding, if any)."""
    if gap == "hoch":
        return _BAND["keines"]
    if gap is not None:
        return _BAND["zuwenig"]
    if row["householdsInNeed"] is None or row["ratio"] is None:
        return _BAND["verborgen"]
    if row["ratio"] < 2 * min_ratio:
        return _BAND["knapp"]
    return _BAND["gut"]


def cells_of(data: dict[str, Any], min_ratio: float) -> list[Cell]:
    gaps = {g["area"]["id"]: g["severity"] for g in data["coverageGaps"]}
    return [
        Cell(
            area_id=row["area"]["id"],
            area=row["area"]["name"],
            households=row["householdsInNeed"],
            ratio=row["ratio"],
            services=row["reachableServices"],
            estimated=row["estimated"],
            band=band_of(row, gaps.get(row["area"]["id"]), min_ratio),
        )
        for row in data["coverage"]
    ]


async def _areas(request: Request, level: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    after: str | None = None
    for _ in range(_MAX_PAGES):
        page = (await gql(request, AREAS, levels=[level], tolerance=TOLERANCE, after=after))[
            "areas"
        ]
        found.extend(page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    return found


def _unit_of(area: dict[str, Any], cells: dict[str, Cell]) -> Cell | None:
    """The coverage of the area itself, else of the nearest enclosing analysis unit."""
    node: dict[str, Any] | None = area
    while node is not None:
        if node["id"] in cells:
            return cells[node["id"]]
        node = node.get("parent")
    return None


def _top(area: dict[str, Any]) -> str:
    """The topmost area the query reached (parent and grandparent: the Gebiet of a
    Stadtbezirk or Stadtteil)."""
    node = area
    while node.get("parent"):
        node = node["parent"]
    return str(node["id"])


def shapes_of(areas: list[dict[str, Any]], cells: dict[str, Cell]) -> list[dict[str, Any]]:
    """What the map script draws: one feature per area with a geometry."""
    out = []
    for area in areas:
        if not area["geometry"]:
            continue
        cell = _unit_of(area, cells)
        band = cell.band if cell else _BAND["ohne"]
        via = cell is not None and cell.area_id != area["id"]
        out.append(
            {
                "id": area["id"],
                "name": area["name"],
                "geometry": json.loads(area["geometry"]),
                "colour": band.colour,
                "band": band.label,
                "unit": cell.area if via and cell else None,
                "households": cell.households_text if cell else "–",
                "ratio": cell.ratio_text if cell else "–",
                "services": cell.services if cell else None,
            }
        )
    return out


def script_json(value: Any) -> str:
    """JSON for a ``<script type="application/json">`` block: no ``</script>`` can end it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


async def coverage_map(request: Request) -> Response:
    require(request, PLANNER)
    known = await choices(request)
    selection = Selection.of(request)
    level_key = request.query_params.get("ebene", "bezirke")
    errors = validate(selection, known)
    if level_key not in LEVELS:
        errors.add("ebene", "Wählen Sie Stadtbezirke oder Stadtteile.")
        level_key = "bezirke"
    category = selection.category or (known.categories[0][0] if known.categories else "")
    if not selection.category:
        selection = Selection(area=selection.area, category=category, order="")
    # Several cities or counties in one graph: the map shows one Gebiet, the first by default;
    # a chosen Sozialraum brings its own Gebiet.
    scopes = [(s["id"], s["name"]) for s in (await gql(request, SCOPES))["analysisScopes"]]
    scope = request.query_params.get("gebiet", "")
    if scope and scope not in dict(scopes):
        errors.add("gebiet", "Wählen Sie ein Gebiet aus der Liste.")
        scope = ""
    scope = scope or (scopes[0][0] if scopes else "")
    min_ratio = DEFAULT_CONFIG.coverage.min_ratio
    cells: list[Cell] = []
    shapes: list[dict[str, Any]] = []
    if not errors and category:
        data = await gql(
            request,
            COVERAGE,
            area=selection.area or None,
            category=category,
            scope=None if selection.area else scope or None,
        )
        cells = cells_of(data, min_ratio)
        areas = await _areas(request, LEVELS[level_key][0])
        by_id = {c.area_id: c for c in cells}
        # Only the areas of the chosen Sozialraum or Gebiet: the map is fitted to them.
        if selection.area:
            areas = [a for a in areas if _unit_of(a, by_id) is not None]
        elif scope:
            areas = [a for a in areas if _top(a) == scope]
        shapes = shapes_of(areas, by_id)
    settings = request.app.state.settings
    payload = {
        "areas": shapes,
        "tiles": settings.map_tile_url,
        "category": known.category_name(category),
    }
    return render(
        request,
        "planning/map.html",
        title="Versorgungskarte",
        errors=errors,
        selection=selection,
        areas=area_options(known),
        categories=known.categories,
        scopes=scopes,
        scope=scope,
        levels=[(k, v[1]) for k, v in LEVELS.items()],
        level_key=level_key,
        level_name=LEVELS[level_key][1],
        category_name=known.category_name(category),
        cells=cells,
        shape_count=len(shapes),
        bands=BANDS,
        min_ratio=figure_text(min_ratio, "ratio"),
        map_json=script_json(payload),
        path="/planung/karte",
    )


ROUTES = [Route("/planung/karte", coverage_map)]
