"""Netzwerk (Netzwerkkoordination): das Kooperationsnetz als Bild (Cytoscape.js) und als
Tabellen auf derselben Seite, filterbar nach Sozialraum und Leistungsbereich, mit Umfeld
eines Trägers, Jahr der Vereinbarungen, Schwachstellen und Vorschlägen; SVG und GEXF zum
Herunterladen.

The filter form is a plain GET form: without JavaScript the tables answer every question the
picture answers. The GEXF file is written by loaders/network_export.py (the CLI's exporter)
from the same records the page shows.
"""

from __future__ import annotations

import io
from urllib.parse import urlencode

import networkx as nx
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.web.data import require
from api.web.directory import choices
from api.web.forms import Errors
from api.web.pages.coordination_network_model import SPOT_WORDS, Filters, network_view
from api.web.pages.network_svg import network_svg
from api.web.templating import render
from loaders.network_export import cooperation_graph


def _filters(request: Request) -> Filters:
    params = request.query_params
    year = params.get("jahr", "").strip()
    return Filters(
        area=params.get("sozialraum", "").strip()[:200],
        category=params.get("bereich", "").strip()[:100],
        ego=params.get("traeger", "").strip()[:200],
        year=int(year) if year.isdigit() and len(year) == 4 else None,
    )


def _query(filters: Filters, **changes: str) -> str:
    values = {
        "sozialraum": filters.area,
        "bereich": filters.category,
        "traeger": filters.ego,
        "jahr": str(filters.year or ""),
    }
    values.update(changes)
    return urlencode({k: v for k, v in values.items() if v})


async def network_page(request: Request) -> Response:
    require(request, "coordinator", "admin")
    filters = _filters(request)
    known = await choices(request)
    errors = Errors()
    if filters.area and known.area(filters.area) is None:
        errors.add("sozialraum", "Diesen Sozialraum gibt es nicht. Wählen Sie einen aus der Liste.")
    if filters.category and filters.category not in dict(known.categories):
        errors.add(
            "bereich", "Diesen Leistungsbereich gibt es nicht. Wählen Sie einen aus der Liste."
        )
    if errors:
        filters = Filters(year=filters.year)
    view = await network_view(request, filters)
    if filters.ego and not view.ego_name:
        errors.add(
            "traeger",
            "Diesen Träger gibt es im gewählten Ausschnitt nicht. Die Seite zeigt das ganze Netz.",
        )
    return render(
        request,
        "network.html",
        status=400 if errors else 200,
        title="Netzwerk",
        view=view,
        filters=filters,
        known=known,
        area_options=[(a.id, a.label) for a in known.areas],
        errors=errors,
        spot_words=SPOT_WORDS,
        query=lambda **changes: _query(filters, **changes),
    )


async def network_gexf(request: Request) -> Response:
    """The picture's Träger, Vereinbarungen and Verbünde as GEXF (for Gephi and similar)."""
    require(request, "coordinator", "admin")
    view = await network_view(request, _filters(request))
    buffer = io.BytesIO()
    nx.write_gexf(cooperation_graph(view.bundle), buffer, encoding="utf-8")
    return Response(
        buffer.getvalue(),
        media_type="application/gexf+xml",
        headers={
            "content-disposition": f'attachment; filename="kooperationsnetz-{view.year}.gexf"',
            "cache-control": "no-store",
        },
    )


async def network_svg_file(request: Request) -> Response:
    """The picture as SVG, drawn from the page's positions (same filters and year)."""
    require(request, "coordinator", "admin")
    view = await network_view(request, _filters(request))
    return Response(
        network_svg(view),
        media_type="image/svg+xml",
        headers={
            "content-disposition": f'attachment; filename="kooperationsnetz-{view.year}.svg"',
            "cache-control": "no-store",
        },
    )


ROUTES = [
    Route("/netzwerk", network_page),
    Route("/netzwerk/kooperationsnetz.gexf", network_gexf),
    Route("/netzwerk/kooperationsnetz.svg", network_svg_file),
]
