"""The Kommune grid shared by the demo Land and the Landkreis (loaders/demo/grid.py)."""

from __future__ import annotations

import json
import random

from loaders.demo.county import county_bundle
from loaders.demo.grid import Grid, kommunen


def _corners(geometry: str) -> set[tuple[float, float]]:
    """Rounded to ~0.1 mm: a neighbour's edge is computed along another sum of floats."""
    (ring,) = json.loads(geometry)["coordinates"]
    return {(round(lon, 9), round(lat, 9)) for lon, lat in ring}


def test_adjacent_kommunen_share_an_edge_and_no_others_do() -> None:
    grid = Grid(west=10.0, north=50.0, size=0.05, columns=4)
    ids = [f"k{i}" for i in range(12)]
    areas, adjacencies = kommunen(
        random.Random("grid-test"),
        grid,
        parent="g",
        ids=ids,
        names=ids,
        population=(100, 200),
        sgb2_quote=(1.0, 2.0),
        source="test",
    )
    pairs = {(a.area_id, a.other_area_id) for a in adjacencies}
    assert len(pairs) == 3 * 3 + 2 * 4  # three rows of four, four columns of three
    corners = {a.id: _corners(a.geometry or "") for a in areas}
    for i, one in enumerate(ids):
        for other in ids[i + 1 :]:
            shared = len(corners[one] & corners[other])
            assert (shared == 2) == ((one, other) in pairs), (one, other)
    for area in areas:
        lons = sorted({lon for lon, _ in corners[area.id]})
        lats = sorted({lat for _, lat in corners[area.id]})
        assert lons[0] < (area.centroid_lon or 0) < lons[1]
        assert lats[0] < (area.centroid_lat or 0) < lats[1]
        assert area.parent_id == "g"
        assert 100 <= (area.population or 0) < 200


def test_the_county_keeps_its_three_by_two_grid() -> None:
    bundle = county_bundle(2026)
    districts = [a for a in bundle.areas if a.level == "district"]
    assert [a.name for a in districts][:3] == ["Aubach", "Birkenfeld", "Dornheim"]
    assert len(bundle.adjacencies) == 2 * 2 + 3
