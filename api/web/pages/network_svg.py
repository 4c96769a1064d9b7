"""The cooperation network as an SVG file, drawn on the server from the page's own positions.

The page's layout is fixed on the server (``coordination_network_model._layout``), so the file
shows the same picture as the browser, with the same filters and year, without a script or a
vendored library; it opens in any office program. ElementTree writes it, so names with ``<``
or ``&`` stay text.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from api.web.pages.coordination_network_model import NetworkView

SVG_NS = "http://www.w3.org/2000/svg"
_PAD = 60.0
_LABEL_BELOW = 16.0
_LEGEND_LINE = 22.0

# The picture's marks in words, as the page's legend says them.
MARKS = (
    ("Linie", "Kooperationsvereinbarung"),
    ("rote dicke Linie", "Brücke: einzige Verbindung zwischen zwei Teilen"),
    ("grau gestrichelt", "gemeinsamer Verbund oder Arbeitskreis"),
    ("orange gepunktet", "Vorschlag: gemeinsame Haushalte, aber keine Vereinbarung"),
    ("roter Rand", "Schnittpunkt: ohne diesen Träger zerfällt das Netz"),
    ("gestrichelter Rand", "isoliert, ohne jede Kooperation"),
    ("großer Kreis", "Vermittler: je größer, desto mehr Wege laufen über ihn"),
)

_EDGE_STYLE = {
    "agreement": {"stroke": "#3f4a5a", "stroke-width": "2"},
    "network": {"stroke": "#8a96a8", "stroke-width": "1.5", "stroke-dasharray": "5 4"},
    "bridge": {"stroke": "#c00000", "stroke-width": "4"},
    "suggestion": {"stroke": "#d35f00", "stroke-width": "3", "stroke-dasharray": "2 4"},
}


def _radius(betweenness: float) -> float:
    """Half the node size of static/js/network.js (30 + 80 * betweenness, at most 0.5)."""
    return round((30 + 80 * min(betweenness, 0.5)) / 2, 1)


def network_svg(view: NetworkView) -> bytes:
    """The picture of ``view``: Träger, the Verbindungen valid in its year, the suggestions,
    the weak spots' marks and a legend of the Leistungsbereiche."""
    xs = [n.x for n in view.nodes] or [0.0]
    ys = [n.y for n in view.nodes] or [0.0]
    left, top = min(xs) - _PAD - 80, min(ys) - _PAD
    width = max(xs) - left + _PAD + 80
    legend_top = max(ys) + _PAD + _LABEL_BELOW
    height = legend_top - top + _LEGEND_LINE * (max(len(view.legend), len(MARKS)) + 1)
    root = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "viewBox": f"{left:.1f} {top:.1f} {width:.1f} {height:.1f}",
            "width": f"{width:.0f}",
            "height": f"{height:.0f}",
            "role": "img",
            "font-family": "sans-serif",
        },
    )
    shown = view.shown_edges()
    ET.SubElement(root, "title").text = f"Kooperationsnetz {view.year}" + (
        f": Umfeld von {view.ego_name}" if view.ego_name else ""
    )
    ET.SubElement(root, "desc").text = (
        f"{len(view.nodes)} Träger, {len(shown)} Verbindungen im Jahr {view.year}, "
        f"{len(view.suggestions)} Vorschläge für Kooperationen."
    )
    ET.SubElement(
        root,
        "rect",
        {"x": f"{left:.1f}", "y": f"{top:.1f}", "width": "100%", "height": "100%", "fill": "#fff"},
    )
    at = {n.id: n for n in view.nodes}
    names = view.names()
    lines = ET.SubElement(root, "g", {"class": "edges", "fill": "none"})
    for edge in shown:
        style = _EDGE_STYLE["bridge" if edge.bridge else edge.kind]
        line = _line(
            lines, at[edge.source].x, at[edge.source].y, at[edge.target].x, at[edge.target].y
        )
        line.attrib.update({"class": f"edge {edge.kind}", **style})
        ET.SubElement(line, "title").text = f"{names[edge.source]} – {names[edge.target]}"
    for s in view.suggestions:
        if s.source in at and s.target in at:
            line = _line(lines, at[s.source].x, at[s.source].y, at[s.target].x, at[s.target].y)
            line.attrib.update({"class": "edge suggestion", **_EDGE_STYLE["suggestion"]})
            ET.SubElement(line, "title").text = "Vorschlag: " + " – ".join(s.names)
    nodes = ET.SubElement(root, "g", {"class": "nodes"})
    for n in view.nodes:
        radius = _radius(n.betweenness)
        group = ET.SubElement(nodes, "g", {"class": "node", "data-id": n.id})
        circle = ET.SubElement(
            group,
            "circle",
            {
                "cx": f"{n.x}",
                "cy": f"{n.y}",
                "r": f"{radius}",
                "fill": n.colour,
                "stroke": "#c00000" if "articulation_point" in n.spots else "#1b1b1b",
                "stroke-width": "5" if "articulation_point" in n.spots else "1",
            },
        )
        if "isolated" in n.spots:
            circle.attrib.update({"stroke-dasharray": "4 3", "stroke-width": "2"})
        ET.SubElement(circle, "title").text = f"{n.name} ({n.category or 'ohne aktives Angebot'})"
        label = ET.SubElement(
            group,
            "text",
            {
                "x": f"{n.x}",
                "y": f"{n.y + radius + _LABEL_BELOW:.1f}",
                "text-anchor": "middle",
                "font-size": "14",
                "fill": "#1b1b1b",
                # A white halo keeps names readable over lines (the page: text background).
                "stroke": "#fff",
                "stroke-width": "3",
                "paint-order": "stroke",
            },
        )
        label.text = n.name
    legend = ET.SubElement(root, "g", {"class": "legend", "font-size": "14"})
    ET.SubElement(
        legend, "text", {"x": f"{left + 20:.1f}", "y": f"{legend_top:.1f}", "font-weight": "bold"}
    ).text = "Farbe: erster Leistungsbereich des Trägers"
    for i, (name, colour) in enumerate(view.legend, start=1):
        y = legend_top + i * _LEGEND_LINE
        ET.SubElement(
            legend,
            "circle",
            {
                "cx": f"{left + 28:.1f}",
                "cy": f"{y - 5:.1f}",
                "r": "7",
                "fill": colour,
                "stroke": "#1b1b1b",
            },
        )
        ET.SubElement(legend, "text", {"x": f"{left + 42:.1f}", "y": f"{y:.1f}"}).text = name
    marks_left = left + 420
    ET.SubElement(
        legend, "text", {"x": f"{marks_left:.1f}", "y": f"{legend_top:.1f}", "font-weight": "bold"}
    ).text = "Markierungen"
    for i, (look, meaning) in enumerate(MARKS, start=1):
        y = legend_top + i * _LEGEND_LINE
        ET.SubElement(
            legend, "text", {"x": f"{marks_left:.1f}", "y": f"{y:.1f}"}
        ).text = f"{look}: {meaning}"
    written: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return written


def _line(parent: ET.Element, x1: float, y1: float, x2: float, y2: float) -> ET.Element:
    return ET.SubElement(
        parent, "line", {"x1": f"{x1}", "y1": f"{y1}", "x2": f"{x2}", "y2": f"{y2}"}
    )
