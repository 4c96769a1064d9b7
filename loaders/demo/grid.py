"""Kommunen on a grid of squares: the generated Gebiete of the demo Land (land.py) and the
Landkreis Lindenau (county.py) lay out their Kommunen the same way.

Square ``i`` is in column ``i % columns`` and row ``i // columns``, counted from the grid's
north-west corner; neighbours in a row or a column are adjacent. Each Kommune draws its
population and indicators from the caller's ``random.Random`` in a fixed order (population,
SGB-II-Quote, Kinderarmut), so a seed gives the same records as before this was shared.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass

from graph.records import Adjacency, Area

# Share of children in poverty, per cent: the same range everywhere in the demo.
_KINDERARMUT = (5.0, 30.0)


@dataclass(frozen=True, slots=True)
class Grid:
    """``columns`` squares of ``size`` degrees per row, from (``west``, ``north``)."""

    west: float
    north: float
    size: float
    columns: int

    def square(self, index: int) -> tuple[str, float, float]:
        """Square ``index`` as GeoJSON polygon text, and its centre (latitude, longitude)."""
        west = self.west + (index % self.columns) * self.size
        north = self.north - (index // self.columns) * self.size
        east, south = west + self.size, north - self.size
        ring = [[west, north], [east, north], [east, south], [west, south], [west, north]]
        geometry = json.dumps({"type": "Polygon", "coordinates": [ring]})
        # The midpoint of the corners (not corner + size / 2): the same floats as before.
        return geometry, (north + south) / 2, (west + east) / 2


def kommunen(
    rng: random.Random,
    grid: Grid,
    *,
    parent: str,
    ids: Sequence[str],
    names: Sequence[str],
    population: tuple[int, int],
    sgb2_quote: tuple[float, float],
    source: str,
) -> tuple[list[Area], list[Adjacency]]:
    """The Kommunen of ``parent`` (one per id, in grid order) and their adjacencies."""
    areas: list[Area] = []
    adjacencies: list[Adjacency] = []
    for i, (area_id, name) in enumerate(zip(ids, names, strict=True)):
        geometry, lat, lon = grid.square(i)
        areas.append(
            Area(
                id=area_id,
                name=name,
                level="district",
                parent_id=parent,
                population=rng.randrange(*population),
                geometry=geometry,
                centroid_lat=lat,
                centroid_lon=lon,
                indicators={
                    "sgb2_quote": round(rng.uniform(*sgb2_quote), 2),
                    "kinderarmut": round(rng.uniform(*_KINDERARMUT), 2),
                },
                source=source,
            )
        )
        if i % grid.columns > 0:
            adjacencies.append(Adjacency(area_id=ids[i - 1], other_area_id=area_id))
        if i >= grid.columns:
            adjacencies.append(Adjacency(area_id=ids[i - grid.columns], other_area_id=area_id))
    return areas, adjacencies
