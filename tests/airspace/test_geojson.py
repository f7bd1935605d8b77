"""Measures as GeoJSON: what a GIS draws is the geodesic outline, and what
comes back in is the exact volume."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely

from alliance.airspace import geojson
from alliance.airspace.geojson import outline
from alliance.airspace.volume import GEOD, Footprint, Shape, parse_volume
from alliance.core.errors import InvalidInput

WINDOW = {"start": "2026-12-03T00:00:00Z", "end": "2026-12-03T06:00:00Z"}
BAND = {"lower": 0, "lower_datum": "MSL", "upper": 100, "upper_datum": "FL"}


@pytest.mark.parametrize("lat", [0.0, 45.0, 80.0])
def test_a_circles_outline_is_its_radius_from_the_centre_on_the_ellipsoid(lat: float) -> None:
    ring = outline(Footprint(Shape.CIRCLE, ((10.0, lat),), 5_556.0))
    assert ring[0] == ring[-1]
    x, y = np.array(ring).T
    _, _, d = GEOD.inv(np.full(x.size, 10.0), np.full(x.size, lat), x, y)
    assert np.allclose(d, 5_556.0, atol=0.01)


def test_a_corridors_outline_is_half_its_width_from_the_line() -> None:
    legs = ((139.0, 35.0), (139.5, 35.3), (140.0, 35.0))
    ring = outline(Footprint(Shape.CORRIDOR, legs, 4_000.0))
    # the centre line sampled every ~140 m on the ellipsoid, ends included
    line = np.array(
        [*legs, *GEOD.npts(*legs[0], *legs[1], 400), *GEOD.npts(*legs[1], *legs[2], 400)]
    )
    for lon, lat in ring:
        _, _, d = GEOD.inv(np.full(len(line), lon), np.full(len(line), lat), line[:, 0], line[:, 1])
        assert abs(d.min() - 4_000.0) < 5.0, (lon, lat, d.min())


def test_a_feature_collection_round_trips_exactly() -> None:
    raw = [
        {
            "footprint": {
                "shape": "polygon",
                "coordinates": [[139.0, 35.0], [139.2, 35.0], [139.1, 35.2]],
            },
            "altitude": BAND,
            "window": WINDOW,
        },
        {
            "footprint": {"shape": "circle", "center": [179.99, 60.0], "radius_m": 9_000},
            "altitude": BAND,
            "window": WINDOW,
        },
        {
            "footprint": {
                "shape": "corridor",
                "coordinates": [[139.0, 35.0], [139.9, 35.4]],
                "width_m": 8_000,
            },
            "altitude": BAND,
            "window": WINDOW,
            "buffer": {"lateral_m": 0, "vertical_ft": 0},
        },
    ]
    volumes = [parse_volume(r) for r in raw]
    doc = geojson.collection(
        [
            geojson.feature(v, {"kind": "roz", "name": f"EX-{i}"}, id=f"m{i}")
            for i, v in enumerate(volumes)
        ]
    )
    text = json.dumps(doc)
    back = geojson.read(json.loads(text))
    assert [v for _, v in back] == volumes
    assert [p for p, _ in back] == [{"kind": "roz", "name": f"EX-{i}"} for i in range(3)]
    for f in doc["features"]:  # every geometry is a valid polygon a GIS can draw
        ring = f["geometry"]["coordinates"][0]
        assert ring[0] == ring[-1]
        assert all(-180 <= x <= 180 for x, _ in ring)


def test_plain_gis_geometries_are_read_as_footprints() -> None:
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [139.0, 35.0]},
                "properties": {"radius_m": 3_000, "altitude": BAND, "window": WINDOW},
            },
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [[139.0, 35.0], [139.3, 35.0]]},
                "properties": {"width_m": 2_000, "altitude": BAND, "window": WINDOW, "name": "R1"},
            },
        ],
    }
    (_, circle), (props, corridor) = geojson.read(doc)
    assert circle.footprint.shape is Shape.CIRCLE
    assert circle.footprint.radius_m == 3_000
    assert corridor.footprint.shape is Shape.CORRIDOR
    assert corridor.footprint.radius_m == 1_000
    assert props == {"name": "R1"}


def test_a_bad_feature_is_named_with_its_field() -> None:
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [139.0, 35.0]},
                "properties": {"radius_m": 3_000, "altitude": BAND, "window": WINDOW},
            },
            {
                "type": "Feature",
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [[139.0, 35.0], [139.2, 35.2], [139.2, 35.0], [139.0, 35.2], [139.0, 35.0]]
                    ],
                },
                "properties": {"altitude": BAND, "window": WINDOW},
            },
        ],
    }
    with pytest.raises(InvalidInput) as raised:
        geojson.read(doc)
    assert raised.value.field == "features[1].footprint.coordinates"
    assert raised.value.message.ja.startswith("features[1]: ")
    assert "単純な多角形" in raised.value.message.ja
    # the outline of what was accepted is a valid polygon
    assert shapely.is_valid(
        shapely.polygons(outline(Footprint(Shape.CIRCLE, ((139.0, 35.0),), 3_000.0)))
    )
