"""4D deconfliction: every pair of volumes too close in time, altitude and space.

**The rule.** Two volumes conflict when their windows overlap (``[start,
end)``: touching at an instant is no overlap), their bands in feet MSL are
closer than the larger of the two vertical buffers (touching bands with a
500 ft buffer conflict), and their footprints are closer on the ellipsoid
than the two distances around their base geometries (circle radius, half a
corridor's width) plus the larger of the two lateral buffers. A buffer is the
clear airspace a measure's owner asks around it; the pair is held to the
stricter of the two asks, once (not their sum).

**Index first, exact test last.** The index is a static R-tree (GEOS's
STRtree, through ``shapely``) over each volume's longitude/latitude box,
grown by its reach (base distance plus lateral buffer) with bounds that hold
on the ellipsoid at any latitude (:func:`_boxes`). Why this one:

* measures are a few to a few hundred kilometres across, scattered over a
  theatre, and a pair can only conflict if their boxes meet: one bulk
  ``STRtree.query`` finds every such pair in C, then time and altitude, two
  interval tests, are vectorised over those candidate pairs in ``numpy``;
* S2 cells (InterUSS DSS) pay off for a shared, sharded service that must
  answer "who is in this cell" across many writers; here each node holds its
  own and its partners' released measures in memory, and a tree over boxes
  is smaller, exact as a filter (no cell-size trade-off) and has no
  dependency beyond ``shapely``;
* an interval tree on time alone leaves every long-lived measure (a training
  area active all month) in nearly every candidate set; space prunes harder.

The tree is bulk-built (STR packing): changes go to a small side list scanned
by ``numpy`` and the tree is rebuilt when that list grows (:class:`Index`).

**The exact test** projects each candidate pair about a point between them
(azimuthal equidistant on the ellipsoid, from Karney's geodesics: distances
and azimuths from that point are exact), with geodesic edges split into legs
of at most 20 km, and measures the planar distance between the two base
geometries (``shapely.distance``). Pairs within 1 % of their threshold are
measured again about the midpoint of their two nearest points, where the
distance between those points is the geodesic distance itself; the residual
error is well under a metre for measures within 1,000 km of that point.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import shapely

from .sphere import sphere_distance, sphere_project, sphere_unproject
from .volume import DENSIFY_M, GEOD, Shape, Volume, project, unproject

_SHAPES = (Shape.POLYGON, Shape.CIRCLE, Shape.CORRIDOR)
_POLYGON, _CIRCLE, _CORRIDOR = 0, 1, 2
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_A = 6_378_137.0  # WGS 84 semi-major axis: no parallel is wider than a·cos(latitude)
_M_MIN = 6_335_439.327  # WGS 84 meridional radius of curvature at the equator (its least)
_BOX_MARGIN_M = 1_000.0  # a 20 km geodesic leg bends from its chord by less (450 m at 89°)


def _micros(t: datetime) -> int:
    delta = t - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


@dataclass(slots=True)
class VolumeSet:
    """Volumes compiled for the engine: one row per volume, columns as arrays."""

    ids: np.ndarray  # object: the measure ids
    shape: np.ndarray  # int8: _POLYGON, _CIRCLE, _CORRIDOR
    radius: np.ndarray  # metres around the base geometry
    lateral: np.ndarray  # lateral buffer, metres
    vertical: np.ndarray  # vertical buffer, feet
    t0: np.ndarray  # int64 microseconds since 1970
    t1: np.ndarray
    z0: np.ndarray  # feet MSL
    z1: np.ndarray
    cx: np.ndarray  # centre, degrees
    cy: np.ndarray
    off: np.ndarray  # int64 (n + 1): each volume's densified vertices in lon/lat
    lon: np.ndarray
    lat: np.ndarray
    box: np.ndarray = field(init=False)  # (n, 4): lon/lat box grown by the reach
    extent: np.ndarray = field(
        init=False
    )  # metres from the centre to the farthest vertex, at least

    def __post_init__(self) -> None:
        self.box = _boxes(self)
        owner = np.repeat(np.arange(len(self)), np.diff(self.off))
        far = sphere_distance(self.cx[owner], self.cy[owner], self.lon, self.lat)
        self.extent = np.zeros(len(self))
        np.maximum.at(self.extent, owner, far)
        self.extent = self.extent * 1.01 + 10.0

    def __len__(self) -> int:
        return int(self.ids.size)

    def take(self, rows: np.ndarray) -> VolumeSet:
        """The volumes at ``rows``, in that order."""
        counts = self.off[rows + 1] - self.off[rows]
        verts = _ranges(self.off[rows], counts)
        return VolumeSet(
            self.ids[rows], self.shape[rows], self.radius[rows], self.lateral[rows],
            self.vertical[rows], self.t0[rows], self.t1[rows], self.z0[rows], self.z1[rows],
            self.cx[rows], self.cy[rows], np.concatenate([[0], np.cumsum(counts)]),
            self.lon[verts], self.lat[verts],
        )  # fmt: skip

    @staticmethod
    def concat(sets: Sequence[VolumeSet]) -> VolumeSet:
        if not sets:
            return compile_volumes([], [])
        offs = [sets[0].off]
        base = int(sets[0].off[-1])
        for s in sets[1:]:
            offs.append(s.off[1:] + base)
            base += int(s.off[-1])

        def cat(name: str) -> np.ndarray:
            return np.concatenate([getattr(s, name) for s in sets])

        return VolumeSet(
            cat("ids"), cat("shape"), cat("radius"), cat("lateral"), cat("vertical"),
            cat("t0"), cat("t1"), cat("z0"), cat("z1"), cat("cx"), cat("cy"),
            np.concatenate(offs), cat("lon"), cat("lat"),
        )  # fmt: skip


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``concatenate([arange(s, s + c) for s, c in zip(starts, counts)])``, vectorised."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    first = np.cumsum(counts) - counts
    return np.repeat(starts - first, counts) + np.arange(total)


def compile_volumes(ids: Sequence[str], volumes: Sequence[Volume]) -> VolumeSet:
    """Compile checked volumes (:func:`~alliance.airspace.volume.parse_volume`)
    for the engine; geodesic edges are densified here, for all at once."""
    n = len(volumes)
    shape = np.fromiter((_SHAPES.index(v.footprint.shape) for v in volumes), np.int8, n)
    counts = np.fromiter((len(v.footprint.coordinates) for v in volumes), np.int64, n)
    flat = [c for v in volumes for c in v.footprint.coordinates]
    lon = np.fromiter((c[0] for c in flat), np.float64, len(flat))
    lat = np.fromiter((c[1] for c in flat), np.float64, len(flat))
    bands = [v.band.msl_ft() for v in volumes]
    return _compile(
        np.array(ids, dtype=object).reshape(n),
        shape,
        counts,
        lon,
        lat,
        radius=np.fromiter((v.footprint.radius_m for v in volumes), np.float64, n),
        lateral=np.fromiter((v.lateral_buffer_m for v in volumes), np.float64, n),
        vertical=np.fromiter((v.vertical_buffer_ft for v in volumes), np.float64, n),
        t0=np.fromiter((_micros(v.start) for v in volumes), np.int64, n),
        t1=np.fromiter((_micros(v.end) for v in volumes), np.int64, n),
        z0=np.fromiter((b[0] for b in bands), np.float64, n),
        z1=np.fromiter((b[1] for b in bands), np.float64, n),
    )


def _compile(
    ids: np.ndarray,
    shape: np.ndarray,
    counts: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    **columns: np.ndarray,
) -> VolumeSet:
    n = ids.size
    off = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    owner = np.repeat(np.arange(n), counts)
    first = off[:-1][owner] if n else np.zeros(0, np.int64)
    lon = lon[first] + (lon - lon[first] + 180.0) % 360.0 - 180.0  # unwrap per volume
    # Each vertex's edge to the next: polygons close their ring, corridors and
    # circles end at their last vertex (an edge of length 0).
    nxt = np.arange(lon.size) + 1
    last = off[1:] - 1
    nxt[last] = np.where(shape == _POLYGON, off[:-1], last)
    az, _, dist = GEOD.inv(lon, lat, lon[nxt], lat[nxt])
    legs = np.maximum(1, np.ceil(dist / DENSIFY_M)).astype(np.int64)
    legs[last[shape != _POLYGON]] = 1
    step = np.arange(int(legs.sum())) - np.repeat(np.cumsum(legs) - legs, legs)
    src = np.repeat(np.arange(lon.size), legs)
    dlon, dlat = lon[src].copy(), lat[src].copy()
    mid = step > 0
    if mid.any():
        s = src[mid]
        mlon, mlat, _ = GEOD.fwd(lon[s], lat[s], az[s], dist[s] * step[mid] / legs[s])
        ref = lon[first[s]]
        dlon[mid] = ref + (mlon - ref + 180.0) % 360.0 - 180.0
        dlat[mid] = mlat
    dense_counts = np.bincount(owner, weights=legs, minlength=n).astype(np.int64)
    dense_off = np.concatenate([[0], np.cumsum(dense_counts)]).astype(np.int64)
    if n:
        lo_x = np.minimum.reduceat(dlon, dense_off[:-1])
        hi_x = np.maximum.reduceat(dlon, dense_off[:-1])
        lo_y = np.minimum.reduceat(dlat, dense_off[:-1])
        hi_y = np.maximum.reduceat(dlat, dense_off[:-1])
    else:
        lo_x = hi_x = lo_y = hi_y = np.zeros(0)
    cx = ((lo_x + hi_x) / 2 + 180.0) % 360.0 - 180.0
    return VolumeSet(
        ids, shape, columns["radius"], columns["lateral"], columns["vertical"],
        columns["t0"], columns["t1"], columns["z0"], columns["z1"],
        cx, (lo_y + hi_y) / 2, dense_off, dlon, dlat,
    )  # fmt: skip


def _boxes(vs: VolumeSet) -> np.ndarray:
    """Each volume's longitude/latitude box grown by its reach, a bound that holds
    on the ellipsoid: a path of length d changes latitude by at most d/M_min and,
    between latitudes no further from the equator than φ, longitude by at most
    d/(a·cos φ). Within 1° of a pole the box takes every longitude."""
    n = len(vs)
    if n == 0:
        return np.zeros((0, 4))
    starts = vs.off[:-1]
    lo_x = np.minimum.reduceat(vs.lon, starts)
    hi_x = np.maximum.reduceat(vs.lon, starts)
    lo_y = np.minimum.reduceat(vs.lat, starts)
    hi_y = np.maximum.reduceat(vs.lat, starts)
    reach = vs.radius + vs.lateral + _BOX_MARGIN_M
    dlat = np.degrees(reach / _M_MIN)
    lo_y, hi_y = lo_y - dlat, hi_y + dlat
    extreme = np.maximum(np.abs(lo_y), np.abs(hi_y))
    polar = extreme >= 89.0
    dlon = np.degrees(reach / (_A * np.cos(np.radians(np.minimum(extreme, 89.0)))))
    lo_x, hi_x = lo_x - dlon, hi_x + dlon
    shift = np.floor((lo_x + 180.0) / 360.0) * 360.0
    lo_x, hi_x = lo_x - shift, hi_x - shift
    lo_x[polar], hi_x[polar] = -180.0, 180.0
    return np.column_stack([lo_x, np.maximum(lo_y, -90.0), hi_x, np.minimum(hi_y, 90.0)])


def _tree_boxes(box: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Boxes for the tree: one past 180° of longitude is also entered shifted by
    -360°. Returns the geometries and the row each belongs to."""
    rows = np.arange(box.shape[0])
    over = np.flatnonzero(box[:, 2] > 180.0)
    shifted = box[over] - np.array([360.0, 0.0, 360.0, 0.0])
    all_boxes = np.vstack([box, shifted])
    return shapely.box(*all_boxes.T), np.concatenate([rows, over])


# -- the pairs ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pairs:
    """Conflicting pairs: rows ``a`` and ``b`` (of one set, or of a query set
    and the stored set), with how far apart their footprints' outlines are
    (0 when they overlap) and their bands (0 when they overlap)."""

    a: np.ndarray
    b: np.ndarray
    distance_m: np.ndarray
    vertical_gap_ft: np.ndarray

    def __len__(self) -> int:
        return int(self.a.size)


def _interval_filter(
    A: VolumeSet, ia: np.ndarray, B: VolumeSet, ib: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    keep = (A.t0[ia] < B.t1[ib]) & (B.t0[ib] < A.t1[ia])
    gap = np.maximum(A.z0[ia] - B.z1[ib], B.z0[ib] - A.z1[ia])
    keep &= gap < np.maximum(A.vertical[ia], B.vertical[ib])
    return ia[keep], ib[keep]


def _geometries(vs: VolumeSet, rows: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Shapely geometries of ``rows``' base geometries from their projected vertices."""
    counts = vs.off[rows + 1] - vs.off[rows]
    owner = np.repeat(np.arange(rows.size), counts)
    out = np.empty(rows.size, dtype=object)
    coords = np.column_stack([x, y])
    for code in (_POLYGON, _CIRCLE, _CORRIDOR):
        pick = vs.shape[rows] == code
        if not pick.any():
            continue
        renumber = np.cumsum(pick) - 1
        vmask = pick[owner]
        sub, idx = coords[vmask], renumber[owner[vmask]]
        if code == _POLYGON:  # rings closed here: from_ragged_array builds them in one pass
            sizes = np.bincount(idx, minlength=int(pick.sum()))
            ends = np.cumsum(sizes)
            ring = np.insert(sub, ends, sub[ends - sizes], axis=0)
            ring_off = np.concatenate([[0], ends + np.arange(1, sizes.size + 1)])
            out[pick] = shapely.from_ragged_array(
                shapely.GeometryType.POLYGON, ring, (ring_off, np.arange(sizes.size + 1))
            )
        elif code == _CIRCLE:
            out[pick] = shapely.points(sub)
        else:
            out[pick] = shapely.linestrings(sub, indices=idx)
    return out


def _project_rows(
    vs: VolumeSet, rows: np.ndarray, plon: np.ndarray, plat: np.ndarray, *, exact: bool
) -> np.ndarray:
    counts = vs.off[rows + 1] - vs.off[rows]
    verts = _ranges(vs.off[rows], counts)
    pair = np.repeat(np.arange(rows.size), counts)
    how = project if exact else sphere_project
    x, y = how(plon[pair], plat[pair], vs.lon[verts], vs.lat[verts])
    return _geometries(vs, rows, x, y)


def _threshold(A: VolumeSet, ia: np.ndarray, B: VolumeSet, ib: np.ndarray) -> np.ndarray:
    return np.asarray(A.radius[ia] + B.radius[ib] + np.maximum(A.lateral[ia], B.lateral[ib]))


def lateral_distance(A: VolumeSet, ia: np.ndarray, B: VolumeSet, ib: np.ndarray) -> np.ndarray:
    """The distance in metres between the base geometries of each pair (``A[ia]``,
    ``B[ib]``) on the ellipsoid, each measured about the midpoint of its two
    nearest points (see the module note)."""
    return _distance(A, ia, B, ib, decide=False)


def _distance(
    A: VolumeSet, ia: np.ndarray, B: VolumeSet, ib: np.ndarray, *, decide: bool
) -> np.ndarray:
    """Each pair's distance, or with ``decide`` only as well as its threshold needs.

    With ``decide``, a first pass on the mean sphere is within ``tol`` of the ellipsoid (1.2 %
    of the farthest vertex from the pair's centre, plus 10 m): a pair whose
    first-pass distance is further than that from its threshold is decided by
    it (its distance then known to ~1 %, or not at all: ``inf`` when the
    centres alone are too far apart); the rest are measured again on the
    ellipsoid about the midpoint of their nearest points.
    """
    if ia.size == 0:
        return np.zeros(0)
    ax, ay, bx, by = A.cx[ia], A.cy[ia], B.cx[ib], B.cy[ib]
    cx, cy = sphere_project(ax, ay, bx, by)
    plon, plat = sphere_unproject(ax, ay, cx / 2, cy / 2)
    centres = np.hypot(cx, cy)
    threshold = _threshold(A, ia, B, ib)
    reach = centres * 0.506 + np.maximum(A.extent[ia], B.extent[ib])
    tol = 0.012 * reach + 10.0
    dist = np.full(ia.size, np.inf)
    # Too far apart for their outlines to matter: the centres alone decide.
    close = np.flatnonzero(
        ~decide | (centres * 0.994 - A.extent[ia] - B.extent[ib] < threshold + tol)
    )
    ga = _project_rows(A, ia[close], plon[close], plat[close], exact=False)
    gb = _project_rows(B, ib[close], plon[close], plat[close], exact=False)
    dist[close] = shapely.distance(ga, gb)
    doubt = np.abs(dist[close] - threshold[close]) <= tol[close]
    doubt |= (dist[close] == 0.0) & (threshold[close] <= tol[close])
    doubt |= not decide
    near = np.flatnonzero(doubt)
    if near.size:
        rows = close[near]
        qlon, qlat = plon[rows], plat[rows]
        apart = dist[rows] > 0
        if apart.any():  # about the midpoint of the two nearest points
            ends = shapely.get_coordinates(shapely.shortest_line(ga[near[apart]], gb[near[apart]]))
            mx, my = ends.reshape(-1, 2, 2).mean(axis=1).T
            qlon[apart], qlat[apart] = unproject(qlon[apart], qlat[apart], mx, my)
        dist[rows] = shapely.distance(
            _project_rows(A, ia[rows], qlon, qlat, exact=True),
            _project_rows(B, ib[rows], qlon, qlat, exact=True),
        )
    return dist


def _exact(A: VolumeSet, ia: np.ndarray, B: VolumeSet, ib: np.ndarray) -> Pairs:
    ia, ib = _interval_filter(A, ia, B, ib)
    dist = _distance(A, ia, B, ib, decide=True)
    threshold = _threshold(A, ia, B, ib)
    hit = dist < threshold
    ia, ib = ia[hit], ib[hit]
    gap = np.maximum(A.z0[ia] - B.z1[ib], B.z0[ib] - A.z1[ia])
    apart = np.maximum(dist[hit] - A.radius[ia] - B.radius[ib], 0.0)
    return Pairs(ia, ib, apart, np.maximum(gap, 0.0))


def _chunks(size: int, chunk: int = 200_000) -> list[slice]:
    return [slice(s, min(s + chunk, size)) for s in range(0, size, chunk)]


_LONG_SLABS = 4
"""A volume spanning more time slabs than this is checked against the whole set."""


def _box_pairs(vs: VolumeSet, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of ``members`` (rows of ``vs``) whose boxes meet, each once, ``a < b``."""
    geoms, rows = _tree_boxes(vs.box[members])
    left, right = shapely.STRtree(geoms).query(geoms)
    ia, ib = members[rows[left]], members[rows[right]]
    keep = ia < ib
    ia, ib = ia[keep], ib[keep]
    if rows.size > members.size:  # a pair may meet through both copies of a box
        key = np.unique(ia * len(vs) + ib)
        ia, ib = key // len(vs), key % len(vs)
    return ia, ib


def _candidates(vs: VolumeSet) -> tuple[np.ndarray, np.ndarray]:
    """Pairs that meet in time slab and box: the index.

    Time is cut into slabs as long as three windows in four; each volume is
    entered in the slabs its window touches, and an R-tree per slab gives the
    pairs whose boxes meet, kept only in the first slab both share (so once).
    A volume spanning more than four slabs (a training area open all month)
    is instead queried against a tree of every volume.
    """
    n = len(vs)
    if n < 2:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    width = max(int(np.quantile(vs.t1 - vs.t0, 0.75)), 60_000_000)
    s0 = (vs.t0 - int(vs.t0.min())) // width
    s1 = (vs.t1 - 1 - int(vs.t0.min())) // width
    long_ = (s1 - s0) >= _LONG_SLABS
    parts_a: list[np.ndarray] = []
    parts_b: list[np.ndarray] = []
    short = np.flatnonzero(~long_)
    span = (s1 - s0 + 1)[short]
    slot = np.repeat(s0[short], span) + _ranges(np.zeros(short.size, np.int64), span)
    member = np.repeat(short, span)
    order = np.argsort(slot, kind="stable")
    slot, member = slot[order], member[order]
    cuts = np.flatnonzero(np.diff(slot)) + 1
    for group, first in zip(np.split(member, cuts), np.split(slot, cuts), strict=True):
        if group.size < 2:
            continue
        ia, ib = _box_pairs(vs, group)
        here = np.maximum(s0[ia], s0[ib]) == first[0]
        parts_a.append(ia[here])
        parts_b.append(ib[here])
    longs = np.flatnonzero(long_)
    if longs.size:
        geoms, rows = _tree_boxes(vs.box)
        q_geoms, q_rows = _tree_boxes(vs.box[longs])
        left, right = shapely.STRtree(geoms).query(q_geoms)
        la, other = longs[q_rows[left]], rows[right]
        keep = (la != other) & (~long_[other] | (la < other))
        key = np.unique(np.minimum(la, other)[keep] * n + np.maximum(la, other)[keep])
        parts_a.append(key // n)
        parts_b.append(key % n)
    if not parts_a:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    return np.concatenate(parts_a), np.concatenate(parts_b)


def all_pairs(vs: VolumeSet) -> Pairs:
    """Every conflicting pair of ``vs`` (``a < b``), index first."""
    ia, ib = _candidates(vs)
    parts = [_exact(vs, ia[s], vs, ib[s]) for s in _chunks(ia.size)]
    return _merge(parts)


def brute_force(vs: VolumeSet) -> Pairs:
    """Every conflicting pair of ``vs`` without an index: each volume against every
    later one, the same rule. For tests and the benchmark's baseline."""
    parts = []
    for i in range(len(vs) - 1):
        ib = np.arange(i + 1, len(vs))
        parts.append(_exact(vs, np.full(ib.size, i), vs, ib))
    return _merge(parts)


def _merge(parts: Sequence[Pairs]) -> Pairs:
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return Pairs(empty, empty, np.zeros(0), np.zeros(0))
    return Pairs(
        np.concatenate([p.a for p in parts]),
        np.concatenate([p.b for p in parts]),
        np.concatenate([p.distance_m for p in parts]),
        np.concatenate([p.vertical_gap_ft for p in parts]),
    )


__all__ = [
    "Pairs",
    "VolumeSet",
    "all_pairs",
    "brute_force",
    "compile_volumes",
    "lateral_distance",
]
