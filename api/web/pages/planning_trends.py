"""Sozialplanung: Trends, referrals per quarter and Leistungsbereich, as a chart and a table.

The page asks the planner's GraphQL field ``referralTrends``: which counts are hidden is decided
there (``graph.analysis.trends`` with ``graph.disclosure``), the page only draws what it gets.
The chart (inline SVG) and the table beside it show the same numbers; the downloads too.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.web.data import PageError, gql, require
from api.web.directory import choices
from api.web.pages.planning import PLANNER, Selection, area_options, validate
from api.web.pages.planning_export import Cell, csv_bytes, xlsx_bytes
from api.web.pages.planning_findings import SUPPRESSED, figure_text
from api.web.pages.trend_chart import QuarterLabel, chart
from api.web.templating import render

PATH = "/planung/trends"
TITLE = "Trends der Überleitungen"

TRENDS = """
query Trends($area: String, $category: String, $scope: String) {
  referralTrends(area: $area, category: $category, scope: $scope) {
    quarters { year number label }
    area { id name }
    scope { id name }
    scopes { id name }
    series { category { id name } referrals }
  }
}
"""

_FILE_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _quarters(data: dict[str, Any]) -> list[QuarterLabel]:
    quarters = data["quarters"]
    return [
        QuarterLabel(
            number=q["number"],
            year=q["year"],
            label=q["label"],
            ongoing=n == len(quarters) - 1,  # the window ends with the running quarter
        )
        for n, q in enumerate(quarters)
    ]


def table_cells(
    quarters: list[QuarterLabel], series: list[dict[str, Any]], scope: str, *, numbers: bool
) -> tuple[list[str], list[list[Cell]]]:
    """Header and rows of the downloads: ``numbers`` (XLSX) keeps counts as numbers."""
    header = ["Leistungsbereich", "Gebiet"]
    header += [q.label + (" (laufend)" if q.ongoing else "") for q in quarters]
    rows: list[list[Cell]] = []
    for s in series:
        line: list[Cell] = [s["category"]["name"], scope]
        for value in s["referrals"]:
            line.append(value if numbers and value is not None else figure_text(value, "people"))
        rows.append(line)
    return header, rows


def _download(
    file_type: str, quarters: list[QuarterLabel], series: list[dict[str, Any]], scope: str
) -> Response:
    header, rows = table_cells(quarters, series, scope, numbers=file_type == "xlsx")
    body = xlsx_bytes("Trends", header, rows) if file_type == "xlsx" else csv_bytes(header, rows)
    return Response(
        body,
        media_type=_FILE_TYPES[file_type],
        headers={
            "content-disposition": f'attachment; filename="trends.{file_type}"',
            "cache-control": "no-store",
        },
    )


async def trends(request: Request) -> Response:
    require(request, PLANNER)
    known = await choices(request)
    selection = Selection.of(request, default_order="")
    errors = validate(selection, known)
    file_type = request.query_params.get("format", "")
    if file_type and file_type not in _FILE_TYPES:
        raise PageError(404, "Dieses Dateiformat gibt es nicht (csv oder xlsx).")
    if errors and file_type:
        raise PageError(400, "; ".join(errors.fields.values()))
    quarters: list[QuarterLabel] = []
    series: list[dict[str, Any]] = []
    unit: dict[str, str] | None = None
    gebiet: dict[str, str] | None = None
    scopes: list[tuple[str, str]] = []
    if not errors:
        data = (
            await gql(
                request,
                TRENDS,
                area=selection.area or None,
                category=selection.category or None,
                # A chosen Sozialraum brings its own Gebiet.
                scope=None if selection.area else selection.scope or None,
            )
        )["referralTrends"]
        quarters, series, unit = _quarters(data), data["series"], data["area"]
        gebiet, scopes = data["scope"], [(sc["id"], sc["name"]) for sc in data["scopes"]]
        if gebiet:
            selection = replace(selection, scope=gebiet["id"])
    # Several Gebiete: "the whole city" is the chosen one, named (never all of them summed).
    whole = f"ganzes Gebiet {gebiet['name']}" if gebiet and len(scopes) > 1 else "ganze Stadt"
    scope = f"Stadtbezirk {unit['name']}" if unit else whole
    if file_type:
        return _download(file_type, quarters, series, scope)
    shown = [v for s in series for v in s["referrals"] if v is not None]
    scale = max(shown, default=0)
    charts = [
        chart(s["category"]["id"], s["category"]["name"], quarters, s["referrals"], scale)
        for s in series
    ]
    chosen = known.area(selection.area) if selection.area else None
    return render(
        request,
        "planning/trends.html",
        title=TITLE,
        errors=errors,
        selection=selection,
        areas=area_options(known),
        categories=known.categories,
        scopes=scopes,
        scope_required=True,  # one Gebiet at a time: its own total, not the sum
        orders=[],
        quarters=quarters,
        series=series,
        charts=list(zip(charts, series, strict=True)),
        any_shown=bool(shown),
        scope=scope,
        # A Stadtteil is counted with its Stadtbezirk: say so rather than mislabel the numbers.
        widened=bool(unit and chosen and chosen.id != unit["id"]),
        chosen_label=chosen.label if chosen else "",
        figure_text=figure_text,
        suppressed=SUPPRESSED,
        path=PATH,
        csv_link=selection.link(PATH, format="csv"),
        xlsx_link=selection.link(PATH, format="xlsx"),
    )


ROUTES = [Route(PATH, trends)]
