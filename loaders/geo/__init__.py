"""Geodata: GeoJSON areas and points, reference systems, adjacency, nesting, placement."""
