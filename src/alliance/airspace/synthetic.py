"""Random, fictional volumes for tests, benchmarks and the simulator.

Every shape, datum and buffer the desk accepts, over a region of the
caller's choosing (high latitudes and the 180° meridian included), with
windows on a 15-minute grid so that windows touching at an instant are
common. Nothing here describes a real airspace.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np

from .volume import GEOD, Band, Datum, Footprint, Shape, Volume


@dataclass(frozen=True, slots=True)
class Region:
    lon: float
    lat: float
    spread_m: float
    """Centres fall within this distance of (lon, lat)."""


THEATRE = Region(135.0, 33.0, 1_200_000.0)
"""Around Japan, for the benchmark and the demo (fictional measures)."""
REGIONS_FOR_TESTS = (
    Region(139.7, 35.7, 150_000.0),
    Region(179.5, 66.0, 120_000.0),  # across 180°
    Region(20.0, 84.0, 120_000.0),  # high Arctic
    Region(-70.0, -55.0, 100_000.0),
)


def random_volumes(
    n: int,
    seed: int,
    region: Region = THEATRE,
    *,
    start: datetime = datetime(2026, 12, 1, tzinfo=UTC),
    days: float = 7.0,
    size_m: tuple[float, float] = (2_000.0, 30_000.0),
) -> list[Volume]:
    rng = np.random.default_rng(seed)
    az = rng.uniform(0.0, 360.0, n)
    dist = region.spread_m * np.sqrt(rng.uniform(0.0, 1.0, n))
    clon, clat, _ = GEOD.fwd(np.full(n, region.lon), np.full(n, region.lat), az, dist)
    shape = rng.choice(3, n, p=[0.5, 0.25, 0.25])
    size = rng.uniform(*size_m, n)
    # Vertices for polygons (3–8, star-shaped about the centre: simple) and
    # corridors (2–5, a walk), made in one geodesic call.
    nv = np.where(shape == 0, rng.integers(3, 9, n), np.where(shape == 2, rng.integers(2, 6, n), 1))
    owner = np.repeat(np.arange(n), nv)
    k = np.arange(owner.size) - np.repeat(np.cumsum(nv) - nv, nv)
    polygon = shape[owner] == 0
    angle = np.where(
        polygon,
        (k + rng.uniform(0.1, 0.9, owner.size)) * 360.0 / nv[owner],
        rng.uniform(0.0, 360.0, owner.size),
    )
    radius = np.where(polygon, size[owner] * rng.uniform(0.4, 1.0, owner.size), size[owner] * k / 2)
    vlon, vlat, _ = GEOD.fwd(clon[owner], clat[owner], angle, radius)
    t0 = rng.integers(0, int(days * 96), n)
    t1 = t0 + rng.integers(1, 48, n)
    datums = rng.integers(0, 4, n)
    floor = rng.integers(0, 200, n) * 100.0
    depth = rng.integers(5, 80, n) * 100.0
    ground = rng.integers(0, 30, n) * 100.0
    lateral = np.where(rng.random(n) < 0.7, 5_556.0, rng.integers(0, 10, n) * 1_000.0)
    vertical = np.where(rng.random(n) < 0.7, 500.0, rng.integers(0, 11, n) * 100.0)
    out: list[Volume] = []
    bounds = np.concatenate([[0], np.cumsum(nv)])
    for i in range(n):
        s = int(shape[i])
        coords = tuple(
            (float(x), float(y))
            for x, y in zip(
                vlon[bounds[i] : bounds[i + 1]], vlat[bounds[i] : bounds[i + 1]], strict=True
            )
        )
        if s == 0:
            fp = Footprint(Shape.POLYGON, coords)
        elif s == 1:
            fp = Footprint(Shape.CIRCLE, ((float(clon[i]), float(clat[i])),), float(size[i]) / 2)
        else:
            fp = Footprint(Shape.CORRIDOR, coords, float(size[i]) / 6)
        lo, hi = float(floor[i]), float(floor[i] + depth[i])
        d = int(datums[i])
        if d == 0:
            band = Band(lo, Datum.MSL, hi, Datum.MSL)
        elif d == 1:
            band = Band(lo / 100, Datum.FL, hi / 100, Datum.FL)
        elif d == 2:
            g = float(ground[i])
            band = Band(lo / 4, Datum.AGL, hi / 4, Datum.AGL, g, g + 500.0)
        else:
            band = Band(lo, Datum.MSL, hi / 100 + 50, Datum.FL)
        out.append(
            Volume(
                fp,
                band,
                start + timedelta(minutes=15 * int(t0[i])),
                start + timedelta(minutes=15 * int(t1[i])),
                float(lateral[i]),
                float(vertical[i]),
            )
        )
    return out
