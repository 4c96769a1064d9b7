"""Sozialräume of the demo city: the city, its Stadtbezirke and Stadtteile, and borders."""

from __future__ import annotations

import random

from graph.records import Adjacency, Area
from loaders.demo.geography import BORDERS, CITY_ID, DISTRICTS, district_id
from loaders.demo.organizations import SOURCE
from loaders.demo.shapes import outlines


def adjacencies() -> list[Adjacency]:
    return [
        Adjacency(area_id=district_id(a), other_area_id=district_id(b), source=SOURCE)
        for a, b in BORDERS
    ]


def areas() -> list[Area]:
    """The city, its 23 Stadtbezirke and their Stadtteile (ids as in the team vocabulary)."""
    total = sum(d.population for d in DISTRICTS)
    shapes = outlines(
        {d.id: (d.lat, d.lon) for d in DISTRICTS}, {d.id: d.subdistrict_ids() for d in DISTRICTS}
    )
    areas = [
        Area(
            id=CITY_ID,
            name="Stuttgart",
            level="city",
            population=total,
            centroid_lat=48.7758,
            centroid_lon=9.1829,
            indicators={
                "sgb2_quote": round(sum(d.sgb2_quote * d.population for d in DISTRICTS) / total, 1),
                "kinderarmut_quote": round(
                    sum(d.kinderarmut_quote * d.population for d in DISTRICTS) / total, 1
                ),
            },
            source=SOURCE,
        )
    ]
    for d in DISTRICTS:
        areas.append(
            Area(
                id=d.id,
                name=d.name,
                level="district",
                parent_id=CITY_ID,
                population=d.population,
                centroid_lat=d.lat,
                centroid_lon=d.lon,
                indicators={
                    "sgb2_quote": d.sgb2_quote,
                    "kinderarmut_quote": d.kinderarmut_quote,
                    "migrationsanteil": d.migration_quote,
                },
                geometry=shapes[d.id],
                source=SOURCE,
            )
        )
        # Fixed per Bezirk (not per seed): Stadtteile differ in size and social situation.
        r = random.Random(f"verbund-demo:areas:{d.slug}")
        raw = [r.uniform(0.6, 1.4) for _ in d.subdistricts]
        for n, (name, area_id) in enumerate(zip(d.subdistricts, d.subdistrict_ids(), strict=True)):
            factor = r.uniform(0.7, 1.35)
            areas.append(
                Area(
                    id=area_id,
                    name=name,
                    level="subdistrict",
                    parent_id=d.id,
                    population=round(d.population * raw[n] / sum(raw)),
                    centroid_lat=round(d.lat + r.uniform(-0.006, 0.006), 6),
                    centroid_lon=round(d.lon + r.uniform(-0.008, 0.008), 6),
                    indicators={
                        "sgb2_quote": round(d.sgb2_quote * factor, 1),
                        "kinderarmut_quote": round(d.kinderarmut_quote * factor, 1),
                    },
                    geometry=shapes[area_id],
                    source=SOURCE,
                )
            )
    return areas
