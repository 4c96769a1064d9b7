"""Sozialplanung: the findings pages (Lücken, Doppelstrukturen, Doppelbetreuung, Schwachstellen,
Überleitungswege) with filters, order and downloads, and the printable analysis report.

Each page asks the planner's GraphQL fields (aggregates, small counts hidden by the policy);
the filters are GET forms, so every view has a link and works without JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.web import german
from api.web.data import PageError, gql, require
from api.web.directory import Choices, choices
from api.web.forms import Errors
from api.web.pages.planning_export import Cell, csv_bytes, xlsx_bytes
from api.web.pages.planning_findings import (
    KINDS,
    SUPPRESSED,
    Kind,
    Row,
    figure_text,
    sort_keys,
    sorted_rows,
)
from api.web.templating import render

PLANNER = "planner"

_FILE_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True, slots=True)
class Selection:
    """What the planner chose in the filter form (ids, or empty for all)."""

    area: str
    category: str
    order: str
    scope: str = ""  # a Gebiet (top-level area); empty: all of them

    @classmethod
    def of(cls, request: Request, default_order: str = "dringlichkeit") -> Selection:
        params = request.query_params
        return cls(
            area=params.get("sozialraum", "").strip()[:200],
            category=params.get("leistungsbereich", "").strip()[:100],
            order=params.get("sortierung", "").strip()[:40] or default_order,
            scope=params.get("gebiet", "").strip()[:200],
        )

    def link(self, path: str, **changes: str) -> str:
        values = {
            "sozialraum": self.area,
            "leistungsbereich": self.category,
            "sortierung": self.order,
            "gebiet": self.scope,
        }
        values.update(changes)
        query = urlencode({k: v for k, v in values.items() if v})
        return path + ("?" + query if query else "")


SCOPES = "query PlanningScopes { analysisScopes { id name } }"


async def scope_options(request: Request) -> list[tuple[str, str]]:
    """The Gebiete (top-level areas) of the graph, each analysed for itself."""
    return [(s["id"], s["name"]) for s in (await gql(request, SCOPES))["analysisScopes"]]


def validate(
    selection: Selection,
    known: Choices,
    kind: Kind | None = None,
    scopes: list[tuple[str, str]] | None = None,
) -> Errors:
    errors = Errors()
    if selection.scope and scopes is not None and selection.scope not in dict(scopes):
        errors.add("gebiet", "Dieses Gebiet gibt es nicht. Wählen Sie eines aus der Liste.")
    if selection.area and known.area(selection.area) is None:
        errors.add("sozialraum", "Diesen Sozialraum gibt es nicht. Wählen Sie einen aus der Liste.")
    if selection.category and selection.category not in dict(known.categories):
        errors.add(
            "leistungsbereich",
            "Diesen Leistungsbereich gibt es nicht. Wählen Sie einen aus der Liste.",
        )
    if kind is not None and selection.order not in dict(sort_keys(kind)):
        errors.add("sortierung", "Wählen Sie eine Sortierung aus der Liste.")
    return errors


def area_options(known: Choices) -> list[tuple[str, str]]:
    return [(a.id, a.label) for a in known.areas]


async def findings_rows(
    request: Request, kind: Kind, selection: Selection, *, several: bool = False
) -> list[Row]:
    """The rows of one kind; ``several``: the graph holds several Gebiete, rows name theirs.
    A chosen Sozialraum brings its own Gebiet (the Gebiet filter then does not apply)."""
    variables: dict[str, Any] = {
        "area": selection.area or None,
        "scope": None if selection.area else selection.scope or None,
    }
    if kind.by_category:
        variables["category"] = selection.category or None
    data = await gql(request, kind.document, **variables)
    rows = kind.rows(data)
    if not several:
        rows = [replace(r, scope="") for r in rows]
    return sorted_rows(rows, kind, selection.order)


def table_cells(
    kind: Kind, rows: list[Row], *, numbers: bool
) -> tuple[list[str], list[list[Cell]]]:
    """Header and cells of the download: ``numbers`` (XLSX) keeps figures as numbers."""
    header = ["Dringlichkeit"] if kind.graded else []
    header += ["Befund", "Sozialraum"]
    scoped = any(r.scope for r in rows)
    if scoped:
        header.append("Gebiet")
    if kind.by_category:
        header.append("Leistungsbereich")
    header.append("Träger")
    header.extend(c.label for c in kind.columns)
    cells: list[list[Cell]] = []
    for r in rows:
        line: list[Cell] = [r.severity] if kind.graded else []
        line += [r.explanation, r.areas]
        if scoped:
            line.append(r.scope)
        if kind.by_category:
            line.append(r.category)
        line.append(r.organizations)
        for c in kind.columns:
            value = r.figures[c.key]
            if numbers and value is not None:
                line.append(value)
            else:
                line.append(figure_text(value, c.kind))
        cells.append(line)
    return header, cells


def _download(kind: Kind, rows: list[Row], file_type: str) -> Response:
    if file_type == "xlsx":
        header, cells = table_cells(kind, rows, numbers=True)
        body = xlsx_bytes(kind.title, header, cells)
    else:
        header, cells = table_cells(kind, rows, numbers=False)
        body = csv_bytes(header, cells)
    return Response(
        body,
        media_type=_FILE_TYPES[file_type],
        headers={
            "content-disposition": f'attachment; filename="{kind.slug}.{file_type}"',
            "cache-control": "no-store",
        },
    )


async def findings(request: Request) -> Response:
    require(request, PLANNER)
    kind = KINDS[request.url.path.rsplit("/", 1)[-1]]
    known = await choices(request)
    selection = Selection.of(request, kind.default_order)
    scopes = await scope_options(request)
    errors = validate(selection, known, kind, scopes)
    file_type = request.query_params.get("format", "")
    if file_type and file_type not in _FILE_TYPES:
        raise PageError(404, "Dieses Dateiformat gibt es nicht (csv oder xlsx).")
    several = len(scopes) > 1
    rows = [] if errors else await findings_rows(request, kind, selection, several=several)
    if file_type:
        if errors:
            raise PageError(400, "; ".join(errors.fields.values()))
        return _download(kind, rows, file_type)
    path = f"/planung/{kind.slug}"
    return render(
        request,
        "planning/findings.html",
        title=kind.title,
        kind=kind,
        rows=rows,
        errors=errors,
        selection=selection,
        areas=area_options(known),
        categories=known.categories,
        scopes=scopes,
        orders=sort_keys(kind),
        order_label=dict(sort_keys(kind)).get(selection.order, ""),
        figure_text=figure_text,
        suppressed=SUPPRESSED,
        path=path,
        csv_link=selection.link(path, format="csv"),
        xlsx_link=selection.link(path, format="xlsx"),
        report_link=selection.link("/planung/bericht", sortierung=""),
    )


async def report(request: Request) -> Response:
    """All findings on one printable page, for the whole city or one Sozialraum.

    Built from the same GraphQL answers as the pages (not from ``analyse --format html``,
    whose tables hide only counts of 1 to 4: a "0 %" or a rate whose rest is small would show
    a planner cells that the policy hides everywhere else)."""
    require(request, PLANNER)
    known = await choices(request)
    selection = replace(Selection.of(request), order="")
    scopes = await scope_options(request)
    errors = validate(selection, known, scopes=scopes)
    several = len(scopes) > 1
    sections = []
    if not errors:
        for kind in KINDS.values():
            ordered = replace(selection, order=kind.default_order)
            rows = await findings_rows(request, kind, ordered, several=several)
            sections.append((kind, rows))
    area = known.area(selection.area) if selection.area else None
    where = area.label if area else dict(scopes).get(selection.scope, "") if several else ""
    return render(
        request,
        "planning/report.html",
        title="Analysebericht" + (f" für {where}" if where else ""),
        errors=errors,
        selection=selection,
        areas=area_options(known),
        categories=known.categories,
        scopes=scopes,
        orders=[],
        sections=sections,
        figure_text=figure_text,
        suppressed=SUPPRESSED,
        today=german.today(),
        path="/planung/bericht",
    )


ROUTES = [
    *(Route(f"/planung/{slug}", findings) for slug in KINDS),
    Route("/planung/bericht", report),
]
