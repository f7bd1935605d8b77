"""Coordination measures as GeoJSON (RFC 7946), in and out.

Each measure is a ``Feature``. Its ``geometry`` is the footprint's outline as
a ``Polygon`` (a circle or a corridor drawn geodesically, so any GIS shows
what is protected), and ``properties.footprint`` keeps the exact definition
(:meth:`~alliance.airspace.volume.Footprint.as_json`) that deconfliction
reads. ``properties`` also carry the altitude band, window and buffers as
:func:`~alliance.airspace.volume.parse_volume` reads them, and whatever the
caller adds (kind, status, owner …).

On the way in, a feature without ``properties.footprint`` is read from its
geometry: a ``Polygon`` (its outer ring; holes are refused), a ``Point`` with
``properties.radius_m`` (a circle), a ``LineString`` with
``properties.width_m`` (a corridor). Every error names the feature and field.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import orjson
import shapely
from pydantic import ValidationError

from alliance.core.errors import InvalidInput
from alliance.core.i18n import Text

from .models import MeasureIn
from .volume import (
    GEOD,
    Footprint,
    Shape,
    Volume,
    centre_of,
    parse_volume,
    project,
    unproject,
    unwrap,
)

_VOLUME_KEYS = ("footprint", "altitude", "window", "buffer")
_MEASURE_KEYS = ("designator", "kind", "name", "name_ja", "purpose", "aircraft")


def feature(
    volume: Volume, properties: Mapping[str, Any], *, id: str | None = None
) -> dict[str, Any]:
    """One measure as a GeoJSON Feature."""
    body = volume.as_json()
    out: dict[str, Any] = {
        "type": "Feature",
        "geometry": {
            "type": "Polygon",
            "coordinates": [[list(p) for p in outline(volume.footprint)]],
        },
        "properties": {**properties, **body},
    }
    if id is not None:
        out["id"] = id
    return out


def collection(features: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def _bad(field: str, en: str, ja: str) -> InvalidInput:
    return InvalidInput(Text(en, ja).format(f=field), field=field, code="invalid_geojson")


def _footprint_from_geometry(geometry: object, props: Mapping[str, Any], at: str) -> dict[str, Any]:
    if not isinstance(geometry, Mapping):
        raise _bad(f"{at}.geometry", "{f} is missing", "{f} がありません")
    kind, coords = geometry.get("type"), geometry.get("coordinates")
    if kind == "Polygon":
        if not isinstance(coords, list) or len(coords) != 1:
            raise _bad(
                f"{at}.geometry.coordinates",
                "{f}: a measure's polygon has one ring and no holes",
                "{f}: 調整措置の多角形は穴のない外周 1 本です",
            )
        return {"shape": "polygon", "coordinates": coords[0]}
    if kind == "Point":
        return {"shape": "circle", "center": coords, "radius_m": props.get("radius_m")}
    if kind == "LineString":
        return {"shape": "corridor", "coordinates": coords, "width_m": props.get("width_m")}
    raise _bad(
        f"{at}.geometry.type",
        "{f} must be Polygon, Point (with radius_m) or LineString (with width_m)",
        "{f} は Polygon・Point（radius_m 付き）・LineString（width_m 付き）のいずれかです",
    )


def read_measures(document: bytes, release: list[str]) -> list[MeasureIn]:
    """A GeoJSON document's features as proposed measures (see
    :meth:`~alliance.airspace.desk.AirspaceDesk.import_geojson`)."""
    try:
        parsed = orjson.loads(document)
    except orjson.JSONDecodeError:
        raise _bad("body", "{f} is not JSON", "{f} はJSONではありません") from None
    out: list[MeasureIn] = []
    for i, (props, volume) in enumerate(read(parsed)):
        at = f"features[{i}]"
        try:
            out.append(
                MeasureIn.model_validate(
                    {
                        **{k: v for k, v in props.items() if k in _MEASURE_KEYS},
                        "volume": volume.as_json(),
                        "marking": {"releasable_to": release},
                    }
                )
            )
        except ValidationError as e:
            first = e.errors()[0]
            field = ".".join(str(p) for p in first["loc"])
            raise InvalidInput(
                Text(
                    f"{at}: properties.{field}: {first['msg']}",
                    f"{at}: properties.{field} が不正です（{first['msg']}）",
                ),
                field=f"{at}.properties.{field}",
                code="invalid_geojson",
            ) from None
    return out


def read(document: object) -> list[tuple[dict[str, Any], Volume]]:
    """Every feature of a FeatureCollection (or one Feature): its other
    properties and its checked volume. The first bad feature is refused,
    naming it (``features[3].window.end``)."""
    if isinstance(document, Mapping) and document.get("type") == "Feature":
        document = {"type": "FeatureCollection", "features": [document]}
    if not isinstance(document, Mapping) or document.get("type") != "FeatureCollection":
        raise _bad(
            "type",
            "{f} must be FeatureCollection or Feature",
            "{f} は FeatureCollection か Feature です",
        )
    features = document.get("features")
    if not isinstance(features, list):
        raise _bad("features", "{f} must be a list", "{f} はリストで指定してください")
    out: list[tuple[dict[str, Any], Volume]] = []
    for i, f in enumerate(features):
        at = f"features[{i}]"
        if not isinstance(f, Mapping) or f.get("type") != "Feature":
            raise _bad(at, "{f} is not a Feature", "{f} は Feature ではありません")
        props = f.get("properties") or {}
        if not isinstance(props, Mapping):
            raise _bad(
                f"{at}.properties", "{f} must be an object", "{f} はオブジェクトで指定してください"
            )
        raw = {k: props[k] for k in _VOLUME_KEYS if k in props}
        if "footprint" not in raw:
            raw["footprint"] = _footprint_from_geometry(f.get("geometry"), props, at)
        try:
            volume = parse_volume(raw)
        except InvalidInput as e:
            raise InvalidInput(
                Text(f"{at}: {e.message.en}", f"{at}: {e.message.ja}"),
                field=f"{at}.{e.field}" if e.field else at,
                code=e.code,
            ) from None
        rest = {k: v for k, v in props.items() if k not in (*_VOLUME_KEYS, "radius_m", "width_m")}
        out.append((rest, volume))
    return out


def outline(fp: Footprint, step_m: float = 2_000.0) -> list[tuple[float, float]]:
    """The footprint's outline as a closed ring of ``[lon, lat]`` (for maps,
    GeoJSON and KML): a circle by geodesics from its centre, a corridor
    buffered in the azimuthal equidistant projection about its centre, a
    polygon along its geodesic edges, points at most ``step_m`` apart."""
    lon, lat = unwrap(
        np.array([c[0] for c in fp.coordinates]), np.array([c[1] for c in fp.coordinates])
    )
    if fp.shape is Shape.CIRCLE:
        n = int(min(360, max(32, 2 * math.pi * fp.radius_m / step_m)))
        az = np.linspace(0.0, 360.0, n, endpoint=False)
        x, y, _ = GEOD.fwd(np.full(n, lon[0]), np.full(n, lat[0]), az, np.full(n, fp.radius_m))
        ring = list(zip(x.tolist(), y.tolist(), strict=True))
    else:
        if fp.shape is Shape.POLYGON:
            lon, lat = np.append(lon, lon[0]), np.append(lat, lat[0])
        points: list[tuple[float, float]] = []
        for i in range(lon.size - 1):
            _, _, d = GEOD.inv(lon[i], lat[i], lon[i + 1], lat[i + 1])
            n = int(d // step_m)
            points.append((float(lon[i]), float(lat[i])))
            if n > 0:
                points += GEOD.npts(lon[i], lat[i], lon[i + 1], lat[i + 1], n)
        points.append((float(lon[-1]), float(lat[-1])))
        if fp.shape is Shape.POLYGON:
            ring = points[:-1]
        else:
            clon, clat = centre_of(lon, lat)
            plon, plat = np.array(points).T
            x, y = project(np.full(plon.size, clon), np.full(plon.size, clat), plon, plat)
            shell = shapely.buffer(shapely.linestrings(np.column_stack([x, y])), fp.radius_m)
            bx, by = shapely.get_coordinates(shapely.get_exterior_ring(shell)).T
            ox, oy = unproject(np.full(bx.size, clon), np.full(bx.size, clat), bx, by)
            ring = list(zip(ox.tolist(), oy.tolist(), strict=True))[:-1]
    ring = [((x + 180.0) % 360.0 - 180.0, y) for x, y in ring]
    return [*ring, ring[0]]
