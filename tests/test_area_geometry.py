"""``Area.geometry``: the stored outline as GeoJSON text, simplified on request, read in one
batch for all areas of an answer; and the map page's document within the cost budget."""

from __future__ import annotations

import json
import math

from api.web.pages.planning_map import AREAS, TOLERANCE
from graph import Graph
from graph import records as rec
from graph.bundle import Bundle
from graph.geometry import simplified
from graph.write import write_bundle
from schema.principal import Principal
from tests.apikit import execute

PLANNER = Principal("t-planner", "planner", None, "token")


def _circle(lon: float, lat: float, points: int = 200, radius: float = 0.01) -> str:
    ring = [
        [
            round(lon + radius * math.cos(2 * math.pi * i / points), 7),
            round(lat + radius * math.sin(2 * math.pi * i / points), 7),
        ]
        for i in range(points)
    ]
    ring.append(ring[0])
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def _city(districts: int) -> Bundle:
    bundle = Bundle()
    bundle.areas.append(rec.Area(id="c", name="Stadt", level="city", source="t"))
    for n in range(districts):
        bundle.areas.append(
            rec.Area(
                id=f"d{n:02d}",
                name=f"Bezirk {n}",
                level="district",
                parent_id="c",
                # The last district has no outline: its geometry is null, not an error.
                geometry=_circle(9.0 + n * 0.03, 48.7) if n < districts - 1 else None,
                source="t",
            )
        )
    return bundle


def _points(text: str) -> int:
    return sum(len(ring) for ring in json.loads(text)["coordinates"])


def _ask(graph: Graph, tolerance: float | None) -> tuple[list[dict[str, object]], int]:
    before = graph.roundtrips
    result = execute(
        graph,
        AREAS,
        {"levels": ["DISTRICT"], "tolerance": tolerance, "after": None},
        principal=PLANNER,
    )
    assert result.errors is None, result.errors
    return result.data["areas"]["nodes"], graph.roundtrips - before


def test_geometry_as_stored_and_simplified(db: Graph) -> None:
    bundle = _city(4)
    write_bundle(db, bundle)
    stored = {a.id: a.geometry for a in bundle.areas}

    exact, _ = _ask(db, None)
    assert {a["id"]: a["geometry"] for a in exact} == {k: v for k, v in stored.items() if k != "c"}

    simple, _ = _ask(db, TOLERANCE)
    assert simple[-1]["geometry"] is None  # d03 has no outline
    for area in simple[:-1]:
        text = str(area["geometry"])
        assert _points(text) < _points(str(stored[str(area["id"])])) / 2
        assert json.loads(text)["type"] == "Polygon"


def test_geometry_costs_one_round_trip_for_all_areas(db: Graph) -> None:
    write_bundle(db, _city(3))
    _, few = _ask(db, TOLERANCE)
    write_bundle(db, _city(40))
    found, many = _ask(db, TOLERANCE)
    assert len(found) == 40
    assert many == few  # no query per area


def test_simplification_keeps_the_outline_within_the_tolerance() -> None:
    from shapely.geometry import shape

    original = _circle(9.1, 48.7, points=500)
    for tolerance in (0.0001, 0.001):
        text = simplified(original, tolerance)
        before, after = shape(json.loads(original)), shape(json.loads(text))
        assert after.is_valid
        assert before.hausdorff_distance(after) <= tolerance * 1.5
        assert _points(text) < _points(original)
    assert simplified(original, 0) == original
