"""The deconfliction engine on its own: the index finds exactly the pairs the
exact test finds on every pair, the exact test agrees with geodesics on the
ellipsoid, and the boundaries (buffers, touching windows and bands, 180°,
the poles) fall where the rules put them."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from alliance.airspace.deconflict import (
    VolumeSet,
    all_pairs,
    brute_force,
    compile_volumes,
    lateral_distance,
)
from alliance.airspace.index import Index
from alliance.airspace.synthetic import REGIONS_FOR_TESTS, Region, random_volumes
from alliance.airspace.volume import GEOD, Band, Datum, Footprint, Shape, Volume

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def _set(volumes: list[Volume]) -> VolumeSet:
    return compile_volumes([f"m{i}" for i in range(len(volumes))], volumes)


def _pairs(p: object) -> set[tuple[int, int]]:
    return set(zip(p.a.tolist(), p.b.tolist(), strict=True))  # type: ignore[attr-defined]


@pytest.mark.parametrize("region", REGIONS_FOR_TESTS, ids=lambda r: f"{r.lon},{r.lat}")
def test_the_index_finds_exactly_the_pairs_every_pair_finds(region: Region) -> None:
    volumes = random_volumes(1_500, seed=abs(int(region.lat * 10)), region=region)
    vs = _set(volumes)
    found, truth = _pairs(all_pairs(vs)), _pairs(brute_force(vs))
    assert len(truth) > 300  # the sample is dense enough to say something
    assert found == truth


def test_the_index_on_one_set_spread_over_every_region_and_long_windows() -> None:
    volumes = [
        v for i, r in enumerate(REGIONS_FOR_TESTS) for v in random_volumes(400, seed=i, region=r)
    ]
    # A few measures open for the whole month: checked against all, not per slab.
    for i in range(0, len(volumes), 50):
        v = volumes[i]
        volumes[i] = Volume(v.footprint, v.band, T0, T0 + timedelta(days=30))
    vs = _set(volumes)
    assert _pairs(all_pairs(vs)) == _pairs(brute_force(vs))


def _circle(lon: float, lat: float, r: float, **kw: object) -> Volume:
    band = kw.pop("band", Band(0, Datum.MSL, 5_000, Datum.MSL))
    start = kw.pop("start", T0)
    end = kw.pop("end", T0 + timedelta(hours=2))
    return Volume(Footprint(Shape.CIRCLE, ((lon, lat),), r), band, start, end, **kw)  # type: ignore[arg-type]


def _at(lon: float, lat: float, az: float, d: float) -> tuple[float, float]:
    x, y, _ = GEOD.fwd(lon, lat, az, d)
    return float(x), float(y)


@pytest.mark.parametrize(
    ("lon", "lat", "az"),
    [
        (135.0, 0.0, 0.0),
        (135.0, 35.0, 60.0),
        (20.0, 80.0, 90.0),
        (179.99, 66.0, 90.0),
        (0.0, -89.5, 30.0),
    ],
)
def test_the_default_buffer_is_three_nautical_miles_on_the_ellipsoid_at_any_latitude(
    lon: float, lat: float, az: float
) -> None:
    # Two 1 km circles: they conflict while their centres are closer than
    # 1 + 1 km + 3 NM (5,556 m) along the geodesic, wherever they are.
    threshold = 2_000.0 + 5_556.0
    for gap, conflict in ((threshold - 1.0, True), (threshold + 1.0, False)):
        other = _at(lon, lat, az, gap)
        vs = _set([_circle(lon, lat, 1_000.0), _circle(*other, 1_000.0)])
        assert bool(len(all_pairs(vs))) is conflict, (lat, gap)
        assert float(lateral_distance(vs, np.array([0]), vs, np.array([1]))[0]) == pytest.approx(
            gap, abs=0.01
        )


def _square(lon: float, lat: float, half: float) -> Footprint:
    corners = [_at(lon, lat, az, half * 2**0.5) for az in (45.0, 135.0, 225.0, 315.0)]
    return Footprint(Shape.POLYGON, tuple(corners))


def _outline(fp: Footprint, step: float) -> np.ndarray:
    """Points every ``step`` metres along the outline's geodesic edges."""
    pts = list(fp.coordinates)
    if fp.shape is Shape.POLYGON:
        pts.append(pts[0])
    out: list[tuple[float, float]] = []
    for (x0, y0), (x1, y1) in itertools.pairwise(pts):
        _, _, d = GEOD.inv(x0, y0, x1, y1)
        n = max(1, int(d // step))
        out += [(x0, y0), *(GEOD.npts(x0, y0, x1, y1, n - 1) if n > 1 else [])]
    out.append(pts[-1])
    return np.asarray(out, dtype=np.float64)


def _nearest(a: np.ndarray, b: np.ndarray) -> tuple[float, int, int]:
    best: tuple[float, int, int] = (float("inf"), 0, 0)
    for i, (x, y) in enumerate(a):
        _, _, d = GEOD.inv(np.full(len(b), x), np.full(len(b), y), b[:, 0], b[:, 1])
        j = int(d.argmin())
        if d[j] < best[0]:
            best = (float(d[j]), i, j)
    return best


def _true_distance(a: Footprint, b: Footprint) -> float:
    """The geodesic distance between two outlines, an independent and slow
    reckoning: sampled every 500 m along their geodesic edges, then every 5 m
    within 3 km of the nearest samples."""
    coarse_a, coarse_b = _outline(a, 500.0), _outline(b, 500.0)
    _, i, j = _nearest(coarse_a, coarse_b)
    fine_a, fine_b = _outline(a, 5.0), _outline(b, 5.0)

    def around(points: np.ndarray, x: float, y: float) -> np.ndarray:
        _, _, d = GEOD.inv(
            np.full(len(points), x), np.full(len(points), y), points[:, 0], points[:, 1]
        )
        return np.asarray(points[d < 3_000.0])

    return _nearest(around(fine_a, *coarse_a[i]), around(fine_b, *coarse_b[j]))[0]


@pytest.mark.parametrize(
    ("lat", "size", "gap_az"),
    [(35.0, 20_000.0, 80.0), (78.0, 60_000.0, 10.0), (-60.0, 150_000.0, 200.0)],
)
def test_the_exact_test_measures_geodesic_distance_between_outlines(
    lat: float, size: float, gap_az: float
) -> None:
    a = _square(140.0, lat, size / 2)
    centre_b = _at(140.0, lat, gap_az, size * 1.3)
    b = Footprint(
        Shape.CORRIDOR, (_at(*centre_b, 0.0, size / 2), _at(*centre_b, 180.0, size / 2)), 500.0
    )
    vs = _set(
        [
            Volume(a, Band(0, Datum.MSL, 1, Datum.MSL), T0, T0 + timedelta(hours=1)),
            Volume(b, Band(0, Datum.MSL, 1, Datum.MSL), T0, T0 + timedelta(hours=1)),
        ]
    )
    measured = float(lateral_distance(vs, np.array([0]), vs, np.array([1]))[0])
    truth = _true_distance(a, b)
    # 5 m samples put the sampled truth at most ~3 cm long; the projection's error is below 0.5 m
    assert measured == pytest.approx(truth, abs=0.5), (measured, truth)


def test_windows_touching_at_an_instant_do_not_conflict_and_overlapping_ones_do() -> None:
    a = _circle(139.0, 35.0, 5_000.0, end=T0 + timedelta(hours=2))
    after = _circle(
        139.0, 35.0, 5_000.0, start=T0 + timedelta(hours=2), end=T0 + timedelta(hours=3)
    )
    inside = _circle(
        139.0,
        35.0,
        5_000.0,
        start=T0 + timedelta(hours=1, minutes=59, seconds=59),
        end=T0 + timedelta(hours=3),
    )
    assert _pairs(all_pairs(_set([a, after]))) == set()
    assert _pairs(all_pairs(_set([a, inside]))) == {(0, 1)}


def _conflict(a: Band, b: Band, **kw: float) -> bool:
    pair = _set([_circle(139, 35, 5e3, band=a), _circle(139, 35, 5e3, band=b, **kw)])
    return bool(len(all_pairs(pair)))


def test_bands_are_compared_in_feet_msl_with_the_larger_vertical_buffer() -> None:
    low = Band(0, Datum.MSL, 10_000, Datum.MSL)
    fl105, fl104 = Band(105, Datum.FL, 150, Datum.FL), Band(104, Datum.FL, 150, Datum.FL)
    # FL105 is 10,500 ft: exactly the 500 ft buffer away, which is enough; FL104 is not.
    assert not _conflict(low, fl105)
    assert _conflict(low, fl104)
    # The stricter ask holds: one side asks 1,000 ft.
    assert _conflict(low, fl105, vertical_buffer_ft=1_000.0)
    assert not _conflict(low, Band(150, Datum.FL, 200, Datum.FL), vertical_buffer_ft=1_000.0)
    # 400 ft AGL over ground up to 9,700 ft reaches 10,100 ft MSL: within 500 ft of FL105.
    assert _conflict(Band(0, Datum.AGL, 400, Datum.AGL, 9_000, 9_700), fl105)
    assert not _conflict(Band(0, Datum.AGL, 400, Datum.AGL, 9_000, 9_600), fl105)


def test_measures_across_the_180th_meridian_conflict() -> None:
    west = _circle(179.98, 10.0, 1_000.0)
    east = _circle(-179.98, 10.0, 1_000.0)  # 4.4 km apart
    assert _pairs(all_pairs(_set([west, east]))) == {(0, 1)}


def test_the_incremental_check_matches_the_full_sweep_through_adds_and_removes() -> None:
    volumes = random_volumes(2_000, seed=7, region=REGIONS_FOR_TESTS[0])
    stored, probes = volumes[:1_700], volumes[1_700:]
    index = Index(_set(stored))
    # 300 more arrive one by one (past the side list's limit: the tree is rebuilt)
    for i, v in enumerate(probes):
        index.put(compile_volumes([f"p{i}"], [v]))
    removed = {f"m{i}" for i in range(0, 1_700, 3)}
    index.remove(sorted(removed))
    assert len(index) == 2_000 - len(removed)
    ids = [f"m{i}" for i in range(1_700)] + [f"p{i}" for i in range(300)]
    everything = compile_volumes(ids, volumes)
    truth = _pairs(brute_force(everything))
    alive = [i for i, k in enumerate(ids) if k not in removed]
    for q in range(0, 2_000, 97):
        query = compile_volumes([ids[q]], [volumes[q]])
        got = {k for _, k, _, _ in index.check(query)}
        want = {
            ids[b if a == q else a]
            for a, b in truth
            if q in (a, b) and (b if a == q else a) in alive
        }
        assert got == want, ids[q]


@pytest.mark.parametrize("region", REGIONS_FOR_TESTS, ids=lambda r: f"{r.lon},{r.lat}")
def test_the_spherical_first_pass_never_decides_a_pair_the_ellipsoid_would_not(
    region: Region,
) -> None:
    """The first pass decides most pairs on the mean sphere, trusting a bound on
    its error; here every candidate pair is also measured on the ellipsoid and
    both must agree on every decision."""
    from alliance.airspace.deconflict import _candidates, _distance, _interval_filter, _threshold

    vs = _set(random_volumes(1_500, seed=99, region=region))
    ca, cb = _candidates(vs)
    ia, ib = _interval_filter(vs, ca, vs, cb)
    fast = _distance(vs, ia, vs, ib, decide=True)
    exact = lateral_distance(vs, ia, vs, ib)
    threshold = _threshold(vs, ia, vs, ib)
    assert ia.size > 1_000
    assert np.array_equal(fast < threshold, exact < threshold)


@pytest.mark.parametrize("region", REGIONS_FOR_TESTS, ids=lambda r: f"{r.lon},{r.lat}")
def test_circles_against_an_independent_brute_force_geodesic_check(region: Region) -> None:
    """2,000 circles, every pair checked by Karney's geodesic between centres
    (the exact answer for circles), without the engine: the same pairs."""
    made = random_volumes(2_000, seed=5, region=region)
    rng = np.random.default_rng(6)
    circles = []
    for v in made:
        centre = v.footprint.coordinates[0]
        radius = float(rng.uniform(500.0, 20_000.0))
        circles.append(
            Volume(
                Footprint(Shape.CIRCLE, (centre,), radius),
                v.band,
                v.start,
                v.end,
                v.lateral_buffer_m,
                v.vertical_buffer_ft,
            )
        )
    found = _pairs(all_pairs(_set(circles)))
    lon = np.array([c.footprint.coordinates[0][0] for c in circles])
    lat = np.array([c.footprint.coordinates[0][1] for c in circles])
    r = np.array([c.footprint.radius_m for c in circles])
    lb = np.array([c.lateral_buffer_m for c in circles])
    vb = np.array([c.vertical_buffer_ft for c in circles])
    t0 = np.array([c.start.timestamp() for c in circles])
    t1 = np.array([c.end.timestamp() for c in circles])
    z = np.array([c.band.msl_ft() for c in circles])
    truth: set[tuple[int, int]] = set()
    for i in range(len(circles) - 1):
        j = np.arange(i + 1, len(circles))
        keep = (t0[i] < t1[j]) & (t0[j] < t1[i])
        keep &= np.maximum(z[i, 0] - z[j, 1], z[j, 0] - z[i, 1]) < np.maximum(vb[i], vb[j])
        j = j[keep]
        _, _, d = GEOD.inv(np.full(j.size, lon[i]), np.full(j.size, lat[i]), lon[j], lat[j])
        hit = j[d < r[i] + r[j] + np.maximum(lb[i], lb[j])]
        truth.update((i, int(k)) for k in hit)
    assert len(truth) > 200
    assert found == truth
