"""The coastline the console draws (Natural Earth 1:50m via world-atlas 2.0.2,
``countries-50m.json``, served at /static/world-atlas/), as shapely geometry.

TopoJSON (https://github.com/topojson/topojson-specification): quantized,
delta-encoded arcs shared by polygons; a negative arc index ``~i`` is arc
``i`` reversed.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import shapely
from shapely.geometry import Point, Polygon
from shapely.geometry.base import BaseGeometry

from alliance.web import NODE_MODULES

COUNTRIES = NODE_MODULES / "world-atlas" / "countries-50m.json"


def _arcs(topo: dict[str, Any]) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    out = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        out.append(points)
    return out


def _ring(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    ring: list[tuple[float, float]] = []
    for i in indexes:
        points = arcs[i] if i >= 0 else arcs[~i][::-1]
        ring.extend(points if not ring else points[1:])
    return ring


@cache
def land() -> BaseGeometry:
    """Every country's land as one prepared geometry (lon, lat)."""
    topo = json.loads(COUNTRIES.read_text())
    arcs = _arcs(topo)
    polygons = []
    for geometry in topo["objects"]["countries"]["geometries"]:
        kind = geometry.get("type")
        parts = (
            [geometry["arcs"]]
            if kind == "Polygon"
            else geometry["arcs"]
            if kind == "MultiPolygon"
            else []
        )
        for rings in parts:
            shell, *holes = (_ring(r, arcs) for r in rings)
            polygons.append(Polygon(shell, holes).buffer(0))
    geometry = shapely.union_all(polygons)
    shapely.prepare(geometry)
    return geometry


def on_land(lat: float, lon: float) -> bool:
    return bool(land().contains(Point(lon, lat)))


def distance_to_coast_km(lat: float, lon: float) -> float:
    """Roughly (degrees at ~111 km, longitude scaled by latitude): for margins only."""
    import math

    geometry = land()
    scale = math.cos(math.radians(lat))
    boundary = geometry.boundary
    nearest = shapely.ops.nearest_points(boundary, Point(lon, lat))[0]
    dlat = (nearest.y - lat) * 111.0
    dlon = (nearest.x - lon) * 111.0 * scale
    return math.hypot(dlat, dlon)
