"""Area outlines for maps: the stored GeoJSON geometry, simplified for display on request.

Pure functions (no database): simplification keeps the topology of each outline, so a
simplified Sozialraum never collapses or crosses itself; shared borders of neighbours may
shift by up to the tolerance, which a map at city scale does not show.
"""

from __future__ import annotations

import json
import math

import shapely
from shapely.geometry import shape

# Simplified coordinates are rounded to a tenth of the tolerance (at least ~1 cm in degrees):
# more digits would only make the text longer, not the outline more exact.
_MIN_DIGITS = 1
_MAX_DIGITS = 7


def simplified(geojson: str, tolerance: float) -> str:
    """``geojson`` (a GeoJSON geometry as text) with its outline simplified so that no point
    moves further than ``tolerance`` (in the geometry's units, degrees for WGS84)."""
    if tolerance <= 0:
        return geojson
    geometry = shape(json.loads(geojson)).simplify(tolerance, preserve_topology=True)
    digits = min(_MAX_DIGITS, max(_MIN_DIGITS, 1 - math.floor(math.log10(tolerance))))
    return str(shapely.to_geojson(shapely.set_precision(geometry, 10.0**-digits)))
