"""Positions (WGS84) in and out of the schema."""

from __future__ import annotations

import strawberry

from graph.repo.paging import Near
from schema.problems import InvalidInputError


@strawberry.type(description="Ein Punkt (WGS84).")
class GeoPoint:
    latitude: float
    longitude: float


@strawberry.input(description="Bezugspunkt (WGS84) für die Sortierung nach Entfernung.")
class GeoPointInput:
    latitude: float
    longitude: float


def near_of(point: GeoPointInput | None, sort: str) -> Near | None:
    if sort == "distance" and point is None:
        raise InvalidInputError(
            "near", "Sortierung nach Entfernung braucht einen Bezugspunkt `near`."
        )
    if point is None:
        return None
    if not (-90 <= point.latitude <= 90 and -180 <= point.longitude <= 180):
        raise InvalidInputError("near", "Koordinaten außerhalb des gültigen Bereichs.")
    return Near(latitude=point.latitude, longitude=point.longitude)
