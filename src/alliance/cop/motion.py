"""How the simulator's platforms move: closed routes on the WGS-84 ellipsoid
(GeographicLib geodesics), positions as a pure function of time, and an
unmanned aircraft's control link as the scenario's events list sets it — an
estimated position along the lost-link route while the link is lost, then a
flight back to its route at its own speed (never a jump).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property, lru_cache

from geographiclib.geodesic import Geodesic

from .tracks import LinkStatus, Point

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)  # positions are a function of time since this
KNOT = 0.514444  # m/s
_GEOD = Geodesic.WGS84

# The scenario's events list repeats every cycle, so a demo session sees each inject.
CYCLE = timedelta(hours=2)


def _route(points: tuple[Point, ...]) -> list[tuple[float, float, float, float]]:
    """(lat, lon, azimuth, length m) of each leg from one point to the next."""
    out = []
    for (lat1, lon1), (lat2, lon2) in itertools.pairwise(points):
        inv = _GEOD.Inverse(lat1, lon1, lat2, lon2)
        out.append((lat1, lon1, float(inv["azi1"]), float(inv["s12"])))
    return out


def _along(
    legs: list[tuple[float, float, float, float]], travelled: float
) -> tuple[float, float, float | None]:
    """Where ``travelled`` metres along ``legs`` lead (the end if beyond it)."""
    for lat, lon, azi, length in legs:
        if travelled <= length:
            pos = _GEOD.Direct(lat, lon, azi, travelled)
            return float(pos["lat2"]), float(pos["lon2"]), float(pos["azi2"]) % 360.0
        travelled -= length
    if not legs:  # pragma: no cover - a route of one point
        raise ValueError("no legs")
    lat, lon, azi, length = legs[-1]
    pos = _GEOD.Direct(lat, lon, azi, length)
    return float(pos["lat2"]), float(pos["lon2"]), None


@dataclass(frozen=True)
class LinkEvent:
    """A scenario event (MSEL inject): an unmanned aircraft's control link is
    ``status`` from ``start`` into each cycle for ``duration``."""

    uid: str
    start: timedelta
    duration: timedelta
    status: LinkStatus


@dataclass(frozen=True)
class Station:
    """Where an unmanned aircraft is controlled from (notional)."""

    name: str
    at: Point


@dataclass(frozen=True)
class Mover:
    """One simulated unit or platform on a closed route (one point: it stays put)."""

    uid: str
    callsign: str
    sidc: str
    route: tuple[Point, ...]
    speed: float = 0.0  # m/s along the route
    hae: float = 0.0
    release_to: tuple[str, ...] = ()
    unmanned: bool = False
    remarks: str = ""
    offset: float = 0.0  # metres along the route at EPOCH
    station: Station | None = None  # unmanned: its control station
    lost_link: tuple[Point, ...] = ()  # unmanned: its programmed lost-link route
    callsign_ja: str = ""  # the callsign in Japanese, where its nation gives one
    remarks_ja: str = ""  # ``remarks`` in Japanese

    @cached_property
    def legs(self) -> list[tuple[float, float, float, float]]:
        """(lat, lon, azimuth, length m) of each leg, the last one closing the loop."""
        return _route((*self.route, self.route[0]))

    @cached_property
    def length(self) -> float:
        return sum(leg[3] for leg in self.legs)

    def where(self, at: datetime) -> tuple[float, float, float | None]:
        """Latitude, longitude and course (degrees true, None when stationary)."""
        if self.speed <= 0 or len(self.route) < 2 or self.length <= 0:
            lat, lon = self.route[0]
            return lat, lon, None
        travelled = (self.offset + self.speed * (at - EPOCH).total_seconds()) % self.length
        return _along(self.legs, travelled)

    def estimated(
        self, lost_at: datetime, at: datetime, origin: Point | None = None
    ) -> tuple[float, float, float | None]:
        """Where it should be at ``at`` if its link was lost at ``lost_at``: from
        where it was then (``origin``, by default its place on the route),
        along its lost-link route (holding at its end)."""
        lat, lon = origin if origin is not None else self.where(lost_at)[:2]
        legs = _route(((lat, lon), *self.lost_link))
        if not legs:
            return lat, lon, None
        return _along(legs, self.speed * (at - lost_at).total_seconds())

    def phase(self, at: datetime) -> float:
        """Metres along its route where its schedule puts it at ``at``."""
        return (self.offset + self.speed * (at - EPOCH).total_seconds()) % self.length

    def position(
        self, at: datetime, events: tuple[LinkEvent, ...] = ()
    ) -> tuple[float, float, float | None, bool]:
        """Where it is at ``at`` given the scenario's link events: latitude,
        longitude, course and whether the position is an estimate (link lost).

        On its route unless a lost link has taken it off: then an estimate along
        its lost-link route from where the link went, and, once the link is
        back, a :class:`Rejoin` — out to a point of its route at its own speed
        and a hold there until its schedule comes round — so that it never
        moves faster than it flies."""
        if not self.unmanned or self.speed <= 0 or len(self.route) < 2:
            return (*self.where(at), False)
        return _position(self, _lost_periods(self.uid, at, events), at)


@dataclass(frozen=True)
class Rejoin:
    """How an unmanned aircraft gets back onto its route once its link is back
    at ``start`` (it is then at ``origin``): straight to the route's point
    ``point`` at its own speed, arriving at ``arrive``, then holding there until
    its schedule reaches that point at ``join``; on its route from then on."""

    start: datetime
    origin: Point
    point: Point
    arrive: datetime
    join: datetime

    def where(self, at: datetime, speed: float) -> tuple[float, float, float | None]:
        if at >= self.arrive:
            return self.point[0], self.point[1], None  # holding
        (lat1, lon1), (lat2, lon2) = self.origin, self.point
        inv = _GEOD.Inverse(lat1, lon1, lat2, lon2)
        pos = _GEOD.Direct(lat1, lon1, inv["azi1"], speed * (at - self.start).total_seconds())
        return float(pos["lat2"]), float(pos["lon2"]), float(pos["azi2"]) % 360.0


# Candidate points of the route to rejoin at, evenly spaced along it.
REJOIN_POINTS = 120


def _rejoin(mover: Mover, start: datetime, origin: Point) -> Rejoin:
    """The earliest rejoin: of points along the route, the one where the
    aircraft (flying there at its own speed) is back on schedule first."""
    best: Rejoin | None = None
    for k in range(REJOIN_POINTS):
        s = mover.length * k / REJOIN_POINTS
        lat, lon, _ = _along(mover.legs, s)
        fly = distance_m(origin, (lat, lon)) / mover.speed
        arrive = start + timedelta(seconds=fly)
        wait = ((s - mover.phase(arrive)) % mover.length) / mover.speed
        join = arrive + timedelta(seconds=wait)
        if best is None or join < best.join:
            best = Rejoin(start, origin, (lat, lon), arrive, join)
    assert best is not None
    return best


def _lost_periods(
    uid: str, at: datetime, events: tuple[LinkEvent, ...]
) -> tuple[tuple[datetime, datetime], ...]:
    """The lost-link periods of ``uid`` begun by ``at``, over the cycles that
    can still bear on where it is (a rejoin takes less than a lap and a flight
    across the exercise area, well inside three cycles)."""
    mine = [e for e in events if e.uid == uid and e.status is LinkStatus.LOST]
    cycle = int((at - EPOCH) / CYCLE)
    periods = sorted(
        (EPOCH + n * CYCLE + e.start, EPOCH + n * CYCLE + e.start + e.duration)
        for n in range(cycle - 3, cycle + 1)
        for e in mine
    )
    return tuple((b, e) for b, e in periods if b <= at)


@lru_cache(maxsize=256)
def _after_lost(mover: Mover, periods: tuple[tuple[datetime, datetime], ...]) -> Rejoin:
    """The rejoin after the last of ``periods`` (the earlier ones set where the
    link went: a period may begin while the last rejoin is still under way)."""
    begin, end = periods[-1]
    origin = _position(mover, periods[:-1], begin)[:2]
    lat, lon, _ = mover.estimated(begin, end, origin)
    return _rejoin(mover, end, (lat, lon))


def _position(
    mover: Mover, periods: tuple[tuple[datetime, datetime], ...], at: datetime
) -> tuple[float, float, float | None, bool]:
    if not periods:
        return (*mover.where(at), False)
    begin, end = periods[-1]
    if at < end:  # the link is lost: an estimate from where it went
        origin = _position(mover, periods[:-1], begin)[:2]
        return (*mover.estimated(begin, at, origin), True)
    rejoin = _after_lost(mover, periods)
    if at < rejoin.join:
        return (*rejoin.where(at, mover.speed), False)
    return (*mover.where(at), False)


def link_state(
    uid: str, at: datetime, events: tuple[LinkEvent, ...]
) -> tuple[LinkStatus, datetime, LinkEvent | None]:
    """An unmanned aircraft's link at ``at``: its status, since when, and the
    scenario event that set it (None: nominal, up since the last event ended)."""
    mine = sorted((e for e in events if e.uid == uid), key=lambda e: e.start)
    cycle = int((at - EPOCH) / CYCLE)
    last_end = EPOCH
    for n in (cycle - 1, cycle):
        base = EPOCH + n * CYCLE
        for event in mine:
            begin, end = base + event.start, base + event.start + event.duration
            if begin <= at < end:
                return event.status, begin, event
            if end <= at:
                last_end = max(last_end, end)
    return LinkStatus.OK, last_end, None


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Geodesic distance between two (lat, lon) points, metres."""
    return float(_GEOD.Inverse(a[0], a[1], b[0], b[1])["s12"])


__all__ = [
    "CYCLE",
    "EPOCH",
    "KNOT",
    "LinkEvent",
    "Mover",
    "Rejoin",
    "Station",
    "distance_m",
    "link_state",
]
