"""The demo's schematic outlines: Stadtteile tile their Bezirk, Bezirke tile the city."""

from __future__ import annotations

import json

from shapely import union_all
from shapely.geometry import shape

from loaders.demo.areas import areas


def test_every_bezirk_and_stadtteil_has_a_valid_outline_that_nests() -> None:
    found = areas()
    outlines = {a.id: shape(json.loads(a.geometry)) for a in found if a.geometry}
    districts = [a for a in found if a.level == "district"]
    subdistricts = [a for a in found if a.level == "subdistrict"]
    assert len(outlines) == len(districts) + len(subdistricts)
    assert all(g.is_valid and g.area > 0 for g in outlines.values())
    for district in districts:
        parts = [outlines[s.id] for s in subdistricts if s.parent_id == district.id]
        whole = outlines[district.id]
        # Coordinates are rounded to ~1 m: the parts cover their Bezirk up to that.
        assert abs(union_all(parts).area - whole.area) < whole.area * 1e-3
        assert all(whole.buffer(1e-5).contains(p) for p in parts)
    cells = [outlines[d.id] for d in districts]
    overlap = sum(a.intersection(b).area for i, a in enumerate(cells) for b in cells[i + 1 :])
    assert overlap < 1e-8
