"""A coordination measure's volume: footprint × altitude band × time window.

This is the part of a measure that deconfliction reads, and the part a
nation may release on its own while the measure's purpose stays national
(:mod:`alliance.airspace.tables`). It is a pure value: checked here once,
with a bilingual error naming the field at fault, then compiled
(:mod:`alliance.airspace.deconflict`) for the index and the exact test.

**Footprints.** Coordinates are GeoJSON's ``[longitude, latitude]`` on WGS 84.
Three kinds, each a *base* geometry and a distance around it, so one exact
test serves all three:

* ``polygon`` — a simple polygon (its edges are geodesics), distance 0;
* ``circle`` — a centre and ``radius_m``;
* ``corridor`` — a centre line (geodesic legs) and ``width_m``, half on each side.

Lengths are metres on the ellipsoid, never degrees: a 3 NM buffer is 5,556 m
at the equator and at 80° N alike. A footprint must lie within
:data:`MAX_REACH_M` of its centre (the exact test projects a pair about a
point between them; see :mod:`alliance.airspace.deconflict`) and may not
enclose a pole.

**Altitudes.** A band's lower and upper bounds each carry a datum: ``MSL``
(feet above mean sea level), ``AGL`` (feet above ground level) or ``FL``
(flight level: hundreds of feet of pressure altitude, converted at the
standard pressure, 1013.25 hPa, as an airspace control order does above the
transition altitude). Every band is converted to feet MSL so any two
measures compare; an ``AGL`` bound converts only with the ground elevation
under the footprint (``ground_min_ft``/``ground_max_ft``, the lower bound
over the lowest ground, the upper over the highest, so the band only
grows). A band that cannot be converted is refused: two measures whose
altitudes cannot be compared cannot be deconflicted.

**Time.** A window is ``[start, end)``: a measure ending at 10:00 and one
starting at 10:00 follow each other without conflict.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import numpy as np
import shapely
from pyproj import Geod

from alliance.core.errors import InvalidInput
from alliance.core.i18n import Text

GEOD = Geod(ellps="WGS84")
"""The one Earth model of the desk (Karney's geodesics on WGS 84)."""

NM_M = 1852.0
DEFAULT_LATERAL_BUFFER_M = 3 * NM_M
DEFAULT_VERTICAL_BUFFER_FT = 500.0
MAX_REACH_M = 1_000_000.0
"""How far a footprint may reach from its centre (a theatre-sized measure)."""
MAX_ALTITUDE_FT = 100_000.0
MAX_VERTICES = 2_000
DENSIFY_M = 20_000.0
"""Geodesic edges are split into legs of at most this length before the exact
test projects them, so a leg is straight in the projection to within a metre
(a 20 km geodesic 1,000 km from the projection's centre bends 1.2 m from its
chord, 5 cm at 50 km, where the exact test measures)."""


class Datum(StrEnum):
    MSL = "MSL"
    AGL = "AGL"
    FL = "FL"


class Shape(StrEnum):
    POLYGON = "polygon"
    CIRCLE = "circle"
    CORRIDOR = "corridor"


@dataclass(frozen=True, slots=True)
class Footprint:
    shape: Shape
    coordinates: tuple[tuple[float, float], ...]
    """Polygon ring (not closed), the circle's centre alone, or the corridor's line."""
    radius_m: float = 0.0
    """The circle's radius, or half the corridor's width; 0 for a polygon."""

    def as_json(self) -> dict[str, Any]:
        coords = [list(c) for c in self.coordinates]
        if self.shape is Shape.CIRCLE:
            return {"shape": "circle", "center": coords[0], "radius_m": self.radius_m}
        if self.shape is Shape.CORRIDOR:
            return {"shape": "corridor", "coordinates": coords, "width_m": 2 * self.radius_m}
        return {"shape": "polygon", "coordinates": coords}


@dataclass(frozen=True, slots=True)
class Band:
    lower: float
    lower_datum: Datum
    upper: float
    upper_datum: Datum
    ground_min_ft: float | None = None
    ground_max_ft: float | None = None

    def msl_ft(self) -> tuple[float, float]:
        """The band in feet MSL (checked convertible by :func:`parse_volume`)."""
        return (
            _to_msl(self.lower, self.lower_datum, self.ground_min_ft),
            _to_msl(self.upper, self.upper_datum, self.ground_max_ft),
        )

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "lower": self.lower,
            "lower_datum": self.lower_datum.value,
            "upper": self.upper,
            "upper_datum": self.upper_datum.value,
        }
        if self.ground_min_ft is not None:
            out["ground_min_ft"] = self.ground_min_ft
            out["ground_max_ft"] = self.ground_max_ft
        return out


@dataclass(frozen=True, slots=True)
class Volume:
    """One measure's 4D volume and the separation it asks of every other."""

    footprint: Footprint
    band: Band
    start: datetime
    end: datetime
    lateral_buffer_m: float = DEFAULT_LATERAL_BUFFER_M
    vertical_buffer_ft: float = DEFAULT_VERTICAL_BUFFER_FT

    def as_json(self) -> dict[str, Any]:
        return {
            "footprint": self.footprint.as_json(),
            "altitude": self.band.as_json(),
            "window": {"start": _iso(self.start), "end": _iso(self.end)},
            "buffer": {
                "lateral_m": self.lateral_buffer_m,
                "vertical_ft": self.vertical_buffer_ft,
            },
        }


def _iso(t: datetime) -> str:
    return t.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _to_msl(value: float, datum: Datum, ground: float | None) -> float:
    if datum is Datum.FL:
        return value * 100.0
    if datum is Datum.AGL:
        assert ground is not None
        return value + ground
    return value


# -- parsing and checking ----------------------------------------------------


def _bad(field: str, en: str, ja: str, **values: object) -> InvalidInput:
    return InvalidInput(Text(en, ja).format(**values), field=field, code="invalid_volume")


def _number(raw: Mapping[str, Any], key: str, field: str, *, default: float | None = None) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _bad(field, "{f} must be a number", "{f} は数値で指定してください", f=field)
    return float(value)


def _object(raw: object, field: str) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise _bad(field, "{f} must be an object", "{f} はオブジェクトで指定してください", f=field)
    return raw


def _position(raw: object, field: str) -> tuple[float, float]:
    if (
        not isinstance(raw, Sequence)
        or isinstance(raw, str)
        or len(raw) != 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in raw)
    ):
        raise _bad(
            field,
            "{f} must be a position [longitude, latitude]",
            "{f} は位置 [経度, 緯度] で指定してください",
            f=field,
        )
    lon, lat = float(raw[0]), float(raw[1])
    if not (math.isfinite(lon) and -180.0 <= lon <= 180.0):
        raise _bad(
            field,
            "{f}: longitude {v} is outside -180..180",
            "{f}: 経度 {v} が -180〜180 の範囲外です",
            f=field,
            v=raw[0],
        )
    if not (math.isfinite(lat) and -90.0 <= lat <= 90.0):
        raise _bad(
            field,
            "{f}: latitude {v} is outside -90..90",
            "{f}: 緯度 {v} が -90〜90 の範囲外です",
            f=field,
            v=raw[1],
        )
    return lon, lat


def _positions(raw: object, field: str, least: int) -> tuple[tuple[float, float], ...]:
    if not isinstance(raw, Sequence) or isinstance(raw, str):
        raise _bad(
            field,
            "{f} must be a list of positions",
            "{f} は位置のリストで指定してください",
            f=field,
        )
    if len(raw) > MAX_VERTICES:
        raise _bad(
            field,
            "{f} has more than {n} positions",
            "{f} の位置が {n} 個を超えています",
            f=field,
            n=MAX_VERTICES,
        )
    points = [_position(p, f"{field}[{i}]") for i, p in enumerate(raw)]
    distinct: list[tuple[float, float]] = []
    for p in points:
        if not distinct or p != distinct[-1]:
            distinct.append(p)
    if len(distinct) > 1 and distinct[0] == distinct[-1]:
        distinct.pop()  # a closed ring, as GeoJSON writes it
    if len(distinct) < least:
        raise _bad(
            field,
            "{f} needs at least {n} distinct positions",
            "{f} には異なる位置が {n} 個以上必要です",
            f=field,
            n=least,
        )
    return tuple(distinct)


def _length(raw: Mapping[str, Any], key: str, field: str, limit: float) -> float:
    value = _number(raw, key, field)
    if not 0.0 < value <= limit:
        raise _bad(
            field,
            "{f} must be more than 0 and at most {n} m",
            "{f} は 0 より大きく {n} m 以下で指定してください",
            f=field,
            n=int(limit),
        )
    return value


def _footprint(raw: object) -> Footprint:
    obj = _object(raw, "footprint")
    shape = obj.get("shape")
    if shape == Shape.CIRCLE:
        centre = _position(obj.get("center"), "footprint.center")
        radius = _length(obj, "radius_m", "footprint.radius_m", MAX_REACH_M)
        return Footprint(Shape.CIRCLE, (centre,), radius)
    if shape == Shape.CORRIDOR:
        line = _positions(obj.get("coordinates"), "footprint.coordinates", 2)
        width = _length(obj, "width_m", "footprint.width_m", 200_000.0)
        return Footprint(Shape.CORRIDOR, line, width / 2)
    if shape == Shape.POLYGON:
        ring = _positions(obj.get("coordinates"), "footprint.coordinates", 3)
        return Footprint(Shape.POLYGON, ring)
    raise _bad(
        "footprint.shape",
        "footprint.shape must be polygon, circle or corridor",
        "footprint.shape は polygon・circle・corridor のいずれかです",
    )


def _datum(raw: Mapping[str, Any], key: str) -> Datum:
    value = raw.get(key)
    try:
        return Datum(str(value))
    except ValueError:
        raise _bad(
            f"altitude.{key}",
            "altitude.{k} must be MSL, AGL or FL",
            "altitude.{k} は MSL・AGL・FL のいずれかです",
            k=key,
        ) from None


def _band(raw: object) -> Band:
    obj = _object(raw, "altitude")
    lower_datum, upper_datum = _datum(obj, "lower_datum"), _datum(obj, "upper_datum")
    lower = _number(obj, "lower", "altitude.lower")
    upper = _number(obj, "upper", "altitude.upper")
    ground_min = ground_max = None
    if "ground_min_ft" in obj or "ground_max_ft" in obj:
        ground_min = _number(obj, "ground_min_ft", "altitude.ground_min_ft")
        ground_max = _number(obj, "ground_max_ft", "altitude.ground_max_ft")
        if ground_min > ground_max:
            raise _bad(
                "altitude.ground_max_ft",
                "altitude.ground_max_ft is below ground_min_ft",
                "altitude.ground_max_ft が ground_min_ft より低くなっています",
            )
    if Datum.AGL in (lower_datum, upper_datum) and ground_min is None:
        field = "altitude.lower_datum" if lower_datum is Datum.AGL else "altitude.upper_datum"
        raise _bad(
            field,
            "{f} is AGL but the ground elevation is not given: a band above ground cannot be "
            "compared with MSL or flight levels without altitude.ground_min_ft and ground_max_ft",
            "{f} が AGL ですが地表標高がありません。altitude.ground_min_ft と ground_max_ft が"
            "なければ対地高度を MSL やフライトレベルと比較できません",
            f=field,
        )
    band = Band(lower, lower_datum, upper, upper_datum, ground_min, ground_max)
    lo, hi = band.msl_ft()
    if lo >= hi:
        raise _bad(
            "altitude.upper",
            "altitude band is inverted: upper ({hi:.0f} ft MSL) is not above lower ({lo:.0f} ft MSL)",
            "高度帯が逆転しています。上限（MSL {hi:.0f} ft）が下限（MSL {lo:.0f} ft）より上にありません",
            hi=hi,
            lo=lo,
        )
    if lo < -2_000.0 or hi > MAX_ALTITUDE_FT:
        raise _bad(
            "altitude.upper" if hi > MAX_ALTITUDE_FT else "altitude.lower",
            "altitude band must lie between -2,000 and {n:,} ft MSL",
            "高度帯は MSL -2,000〜{n:,} ft の範囲で指定してください",
            n=int(MAX_ALTITUDE_FT),
        )
    return band


def _time(raw: Mapping[str, Any], key: str) -> datetime:
    value = raw.get(key)
    field = f"window.{key}"
    try:
        t = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        t = None
    if t is None or t.tzinfo is None:
        raise _bad(
            field,
            "{f} must be a date-time with its offset (e.g. 2026-12-03T09:00:00Z)",
            "{f} はオフセット付きの日時で指定してください（例: 2026-12-03T09:00:00Z）",
            f=field,
        )
    return t.astimezone(UTC)


def parse_volume(raw: object) -> Volume:
    """Read and check a volume as the API and GeoJSON carry it; :class:`InvalidInput`
    naming the field at fault, in both languages."""
    obj = _object(raw, "volume")
    footprint = _footprint(obj.get("footprint"))
    band = _band(obj.get("altitude"))
    window = _object(obj.get("window"), "window")
    start, end = _time(window, "start"), _time(window, "end")
    if end <= start:
        raise _bad(
            "window.end",
            "window.end ({e}) is not after window.start ({s})",
            "window.end（{e}）が window.start（{s}）より後ではありません",
            e=_iso(end),
            s=_iso(start),
        )
    buffer = _object(obj.get("buffer", {}), "buffer")
    lateral = _number(buffer, "lateral_m", "buffer.lateral_m", default=DEFAULT_LATERAL_BUFFER_M)
    vertical = _number(
        buffer, "vertical_ft", "buffer.vertical_ft", default=DEFAULT_VERTICAL_BUFFER_FT
    )
    if not 0.0 <= lateral <= 100_000.0:
        raise _bad(
            "buffer.lateral_m",
            "buffer.lateral_m must be 0..100,000 m",
            "buffer.lateral_m は 0〜100,000 m で指定してください",
        )
    if not 0.0 <= vertical <= 10_000.0:
        raise _bad(
            "buffer.vertical_ft",
            "buffer.vertical_ft must be 0..10,000 ft",
            "buffer.vertical_ft は 0〜10,000 ft で指定してください",
        )
    check_footprint(footprint)
    return Volume(footprint, band, start, end, lateral, vertical)


def check_footprint(fp: Footprint) -> None:
    """The geometric rules: within reach of its centre, no pole inside, a polygon simple."""
    lon, lat = unwrap(
        np.array([c[0] for c in fp.coordinates]), np.array([c[1] for c in fp.coordinates])
    )
    field = "footprint.center" if fp.shape is Shape.CIRCLE else "footprint.coordinates"
    if float(lon.max() - lon.min()) >= 180.0:
        raise _bad(
            field,
            "{f} spans 180° of longitude or more (a footprint may not enclose a pole)",
            "{f} が経度 180° 以上にわたっています（極を囲む範囲は指定できません）",
            f=field,
        )
    clon, clat = centre_of(lon, lat)
    x, y = project(np.full(lon.size, clon), np.full(lon.size, clat), lon, lat)
    reach = float(np.hypot(x, y).max()) + fp.radius_m
    if reach > MAX_REACH_M:
        raise _bad(
            field,
            "{f} reaches {km:,.0f} km from its centre; at most {n:,.0f} km",
            "{f} が中心から {km:,.0f} km に及んでいます。上限は {n:,.0f} km です",
            f=field,
            km=reach / 1000,
            n=MAX_REACH_M / 1000,
        )
    if fp.shape is Shape.POLYGON:
        ring = shapely.polygons(np.column_stack([x, y]))
        if not shapely.is_valid(ring) or shapely.area(ring) <= 0.0:
            raise _bad(
                field,
                "{f} is not a simple polygon (its edges cross or it has no area)",
                "{f} は単純な多角形ではありません（辺が交差しているか面積がありません）",
                f=field,
            )


# -- geodesy shared with the deconfliction engine ------------------------------


def unwrap(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Longitudes made continuous from the first (a footprint across 180° reads
    179, 181, not 179, -179)."""
    if lon.size == 0:
        return lon, lat
    return lon[0] + (lon - lon[0] + 180.0) % 360.0 - 180.0, lat


def centre_of(lon: np.ndarray, lat: np.ndarray) -> tuple[float, float]:
    """The middle of a footprint's (unwrapped) longitude and latitude span."""
    clon = float(lon.min() + lon.max()) / 2.0
    return (clon + 180.0) % 360.0 - 180.0, float(lat.min() + lat.max()) / 2.0


def project(
    lon0: np.ndarray, lat0: np.ndarray, lon: np.ndarray, lat: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Azimuthal equidistant coordinates (metres) of each point about its centre,
    on the ellipsoid: the geodesic distance and azimuth from the centre, exact."""
    az, _, dist = GEOD.inv(lon0, lat0, lon, lat)
    rad = np.radians(az)
    return dist * np.sin(rad), dist * np.cos(rad)


def unproject(
    lon0: np.ndarray, lat0: np.ndarray, x: np.ndarray, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The inverse of :func:`project`."""
    lon, lat, _ = GEOD.fwd(lon0, lat0, np.degrees(np.arctan2(x, y)), np.hypot(x, y))
    return lon, lat
