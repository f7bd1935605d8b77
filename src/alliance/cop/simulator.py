"""A fictional bilateral exercise for the demo: SAKURA SHIELD 26 (exercise only).

Each node simulates only its own nation's forces — the partner's arrive
through federation, as they would for real. Ships, aircraft, unmanned
aircraft and ground units move along closed routes at plausible speeds on the
WGS-84 ellipsoid (GeographicLib geodesics); installations stay put. Positions
are a pure function of time, so the simulation is deterministic and testable:
:meth:`Simulator.tracks_at` gives the picture at any moment.

Names, routes and units are illustrative; nothing here describes a real plan.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property

from geographiclib.geodesic import Geodesic

from alliance.core.markings import Marking

from .desk import CopDesk
from .tracks import LinkStatus, Track

log = logging.getLogger(__name__)

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)  # positions are a function of time since this
KNOT = 0.514444  # m/s
_GEOD = Geodesic.WGS84


@dataclass(frozen=True)
class Mover:
    """One simulated unit or platform on a closed route (one point: it stays put)."""

    uid: str
    callsign: str
    sidc: str
    route: tuple[tuple[float, float], ...]
    speed: float = 0.0  # m/s along the route
    hae: float = 0.0
    release_to: tuple[str, ...] = ()
    unmanned: bool = False
    remarks: str = ""
    offset: float = 0.0  # metres along the route at EPOCH

    @cached_property
    def legs(self) -> list[tuple[float, float, float, float]]:
        """(lat, lon, azimuth, length m) of each leg, the last one closing the loop."""
        out = []
        points = list(self.route)
        for (lat1, lon1), (lat2, lon2) in zip(points, points[1:] + points[:1], strict=True):
            inv = _GEOD.Inverse(lat1, lon1, lat2, lon2)
            out.append((lat1, lon1, float(inv["azi1"]), float(inv["s12"])))
        return out

    @cached_property
    def length(self) -> float:
        return sum(leg[3] for leg in self.legs)

    def where(self, at: datetime) -> tuple[float, float, float | None]:
        """Latitude, longitude and course (degrees true, None when stationary)."""
        if self.speed <= 0 or len(self.route) < 2 or self.length <= 0:
            lat, lon = self.route[0]
            return lat, lon, None
        travelled = (self.offset + self.speed * (at - EPOCH).total_seconds()) % self.length
        for lat, lon, azi, length in self.legs:
            if travelled <= length:
                pos = _GEOD.Direct(lat, lon, azi, travelled)
                return float(pos["lat2"]), float(pos["lon2"]), float(pos["azi2"]) % 360.0
            travelled -= length
        lat, lon = self.route[0]  # pragma: no cover - rounding at the very end of a loop
        return lat, lon, None


def link_status(uid: str, at: datetime) -> LinkStatus:
    """Control link of an unmanned aircraft: mostly up, with a short degradation
    and a brief loss every ten minutes (staggered per aircraft)."""
    phase = (int((at - EPOCH).total_seconds()) + sum(map(ord, uid)) * 37) % 600
    if phase < 45:
        return LinkStatus.DEGRADED
    if phase < 60:
        return LinkStatus.LOST
    return LinkStatus.OK


def _m(*args: object, **kw: object) -> Mover:
    return Mover(*args, **kw)  # type: ignore[arg-type]


FORCES: dict[str, list[Mover]] = {
    "JPN": [
        _m(
            "JPN-SIM-DDH183",
            "JS IZUMO (DDH-183) / いずも",
            "SFSPCLCV-------",
            ((33.6, 135.6), (32.6, 137.4), (31.9, 135.0)),
            16 * KNOT,
            release_to=("USA",),
        ),
        _m(
            "JPN-SIM-DDG179",
            "JS MAYA (DDG-179) / まや",
            "SFSPCLDD-------",
            ((29.6, 127.6), (28.1, 126.1), (27.1, 128.1)),
            18 * KNOT,
            release_to=("USA",),
        ),
        _m(
            "JPN-SIM-SS",
            "JMSDF submarine / 潜水艦",
            "SFUPSN---------",
            ((31.2, 131.8), (30.4, 132.6)),
            6 * KNOT,
            remarks="National only / 自国限り",
        ),
        _m(
            "JPN-SIM-F15-1",
            "JASDF F-15J CAP EAGLE 11 / 要撃機",
            "SFAPMFF--------",
            ((26.8, 127.0), (27.6, 128.2)),
            230.0,
            hae=9000.0,
            release_to=("USA",),
        ),
        _m(
            "JPN-SIM-RQ4",
            "JASDF RQ-4B Global Hawk / 無人偵察機",
            "SFAPMFQ--------",
            ((37.6, 134.0), (39.0, 136.2), (38.2, 137.5)),
            170.0,
            hae=17000.0,
            release_to=("USA",),
            unmanned=True,
        ),
        _m(
            "JPN-SIM-ARDB",
            "JGSDF ARDB 1st Regiment / 水陸機動連隊",
            "SFGPUCI----G---",
            ((33.18, 129.66), (33.05, 129.98), (32.95, 129.8)),
            3.0,
            release_to=("USA",),
        ),
        _m(
            "JPN-SIM-RECON",
            "JGSDF 15th Recon / 偵察隊",
            "SFGPUCR----E---",
            ((26.2, 127.7), (26.35, 127.8)),
            4.0,
            remarks="National only / 自国限り",
        ),
        _m(
            "JPN-SIM-YOKOSUKA",
            "JMSDF Yokosuka / 横須賀基地",
            "SFGPIBN---H----",
            ((35.29, 139.67),),
            release_to=("USA",),
        ),
    ],
    "USA": [
        _m(
            "USA-SIM-CG67",
            "USS SHILOH (CG-67)",
            "SFSPCLCC-------",
            ((24.6, 131.0), (26.1, 133.0), (23.6, 134.1)),
            17 * KNOT,
            release_to=("JPN",),
        ),
        _m(
            "USA-SIM-DDG69",
            "USS MILIUS (DDG-69)",
            "SFSPCLDD-------",
            ((26.9, 129.2), (25.8, 128.4), (26.3, 130.2)),
            19 * KNOT,
            release_to=("JPN",),
        ),
        _m(
            "USA-SIM-SSN",
            "US submarine",
            "SFUPSN---------",
            ((28.5, 133.5), (27.8, 134.4)),
            8 * KNOT,
            remarks="National only",
        ),
        _m(
            "USA-SIM-P8",
            "P-8A Poseidon MAD FOX 21",
            "SFAPMFP--------",
            ((26.4, 127.8), (28.0, 126.2), (29.2, 127.9), (27.2, 129.4)),
            210.0,
            hae=6000.0,
            release_to=("JPN",),
        ),
        _m(
            "USA-SIM-F35-1",
            "F-35A RAIDER 31",
            "SFAPMFF--------",
            ((27.9, 129.0), (28.6, 130.1)),
            240.0,
            hae=10000.0,
            release_to=("JPN",),
        ),
        _m(
            "USA-SIM-MQ9",
            "MQ-9A REAPER 07",
            "SFAPMFQ--------",
            ((26.5, 128.2), (27.0, 128.9), (26.4, 129.3)),
            80.0,
            hae=7600.0,
            release_to=("JPN",),
            unmanned=True,
        ),
        _m(
            "USA-SIM-12MLR",
            "USMC 12th MLR (exercise)",
            "SFGPUCFRM--G---",
            ((26.33, 127.80), (26.46, 127.92)),
            2.0,
            release_to=("JPN",),
        ),
        _m(
            "USA-SIM-OPFOR",
            "OPFOR surface group (exercise) / 仮想敵",
            "SHSPCL---------",
            ((30.2, 125.2), (29.2, 124.4), (28.8, 125.6)),
            14 * KNOT,
            release_to=("JPN",),
            remarks="Exercise OPFOR, not a real contact / 演習上の仮想敵",
        ),
        _m(
            "USA-SIM-KADENA",
            "Kadena AB",
            "SFGPIBA---H----",
            ((26.355, 127.768),),
            release_to=("JPN",),
        ),
    ],
}


def picture(
    nation: str, movers: list[Mover], at: datetime, *, stale_after: float = 60.0
) -> list[Track]:
    """Where ``nation``'s simulated forces are at ``at``, as tracks it owns."""
    out = []
    for m in movers:
        lat, lon, course = m.where(at)
        out.append(
            Track(
                uid=m.uid,
                owner=nation,
                marking=Marking.of(nation, m.release_to),
                sidc=m.sidc,
                callsign=m.callsign,
                lat=round(lat, 6),
                lon=round(lon, 6),
                time=at,
                stale=at + timedelta(seconds=stale_after),
                hae=m.hae,
                course=None if course is None else round(course, 1),
                speed=m.speed if m.speed > 0 else None,
                source="simulator",
                unmanned=m.unmanned,
                operator_nation=nation if m.unmanned else None,
                control_link=link_status(m.uid, at) if m.unmanned else None,
                remarks=m.remarks,
            )
        )
    return out


@dataclass
class Simulator:
    """Reports a nation's simulated forces every ``interval`` seconds."""

    desk: CopDesk
    nation: str
    clock: Callable[[], datetime]
    interval: float = 2.0
    movers: list[Mover] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.movers:
            self.movers = list(FORCES.get(self.nation, []))
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def tracks_at(self, at: datetime) -> list[Track]:
        return picture(self.nation, self.movers, at, stale_after=max(60.0, 10 * self.interval))

    def step(self) -> int:
        tracks = self.tracks_at(self.clock())
        for t in tracks:
            self.desk.accept(t)
        return len(tracks)

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="simulator", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.step()
            except Exception:
                log.exception("simulator step failed")
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Geodesic distance between two (lat, lon) points, metres."""
    return float(_GEOD.Inverse(a[0], a[1], b[0], b[1])["s12"])


__all__ = ["FORCES", "KNOT", "Mover", "Simulator", "distance_m", "link_status", "picture"]
