"""A fictional bilateral exercise for the demo (:data:`EXERCISE_NAME`, FICTIONAL).

Each node simulates only its own nation's forces — the partner's arrive
through federation, as they would for real. Ships, aircraft, unmanned
aircraft and ground units move along closed routes at plausible speeds on the
WGS-84 ellipsoid (GeographicLib geodesics, :mod:`.motion`); installations stay put. Positions
are a pure function of time, so the simulation is deterministic and testable:
:meth:`Simulator.tracks_at` gives the picture at any moment.

Exercise safety, as an exercise picture must have it:

* every track is flagged as exercise data and named (``exercise``,
  ``exercise_name``), its symbol code carries a MIL-STD-2525C *exercise*
  identity (exercise friend ``D``; the opposing force is a *faker* ``K``, a
  friend playing hostile) and its remarks begin with EXERCISE (演習 in its
  Japanese remarks);
* platforms and callsigns are notional, from a fictional list (BLUE for the
  alliance, ORANGE for the opposing force): no real hull name or number, no
  real squadron callsign. Japan's forces have their callsigns in Japanese too
  (as a JSDF staff writes them), the United States' in English only, as the
  US writes them (a Japanese console shows those in English);
* no submarine is simulated, and the COP desk refuses any submarine position
  (:func:`alliance.cop.tracks.withheld`);
* ships stay at sea and ground units on land over a day of simulated time,
  against the coastline the console draws (tests/cop/test_exercise.py);
* the opposing force stays inside TRAINING BOX KILO, a notional area in the
  Philippine Sea far from any maritime boundary between states;
* an unmanned aircraft's control link changes only when the scenario's
  events list (MSEL) says so; while the link is lost its position is an
  estimate along its programmed lost-link route (CoT ``how="h-e"``); when
  the link is back it flies to the nearest-in-time point of its route at its
  own speed and holds there until its schedule comes round — it never jumps.

Nothing here describes a real plan, unit or platform.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from alliance.core.exercise import EXERCISE_NAME, FICTIONAL
from alliance.core.markings import Marking

from .desk import CopDesk
from .motion import (
    CYCLE,
    EPOCH,
    KNOT,
    LinkEvent,
    Mover,
    Station,
    distance_m,
    link_state,
)
from .tracks import LinkStatus, Point, Track

log = logging.getLogger(__name__)


REMARKS_PREFIX = f"EXERCISE EXERCISE EXERCISE — {EXERCISE_NAME} ({FICTIONAL})"
REMARKS_PREFIX_JA = f"演習 演習 演習 — {EXERCISE_NAME}（架空）"

# The opposing force's notional training area: (lat, lon) corners, clockwise.
# Philippine Sea, south of the Izu Islands and west of the Ogasawara Islands,
# hundreds of kilometres from any maritime boundary between states.
TRAINING_BOX_NAME = "TRAINING BOX KILO (FICTIONAL)"
TRAINING_BOX: tuple[Point, ...] = ((29.0, 139.0), (29.0, 141.0), (27.0, 141.0), (27.0, 139.0))


def scenario() -> dict[str, object]:
    """What the console shows of the exercise beside its tracks: its name,
    that it is fictional, and its notional areas (the OPFOR's training box)."""
    return {
        "name": EXERCISE_NAME,
        "fictional": True,
        "label": {
            "en": f"Exercise {EXERCISE_NAME} — FICTIONAL scenario, notional forces",
            "ja": f"演習 {EXERCISE_NAME} — 架空の想定、想定上の部隊",
        },
        "areas": [
            {
                "name": {
                    "en": TRAINING_BOX_NAME,
                    "ja": "訓練区域 KILO（架空）",
                },
                "polygon": [list(p) for p in TRAINING_BOX],
            }
        ],
    }


def _m(*args: object, **kw: object) -> Mover:
    return Mover(*args, **kw)  # type: ignore[arg-type]


# The fictional platform and callsign list. Identities: exercise friend (D),
# faker (K: a friend playing hostile). No submarine: its position would never
# be shown.
FORCES: dict[str, list[Mover]] = {
    "JPN": [
        _m(
            "JPN-EX-DD01",
            "BLUE DD 01 (notional destroyer)",
            "SDSPCLDD-------",
            ((31.5, 134.0), (31.0, 136.5), (30.2, 135.0)),
            16 * KNOT,
            release_to=("USA",),
            callsign_ja="演習護衛艦01（想定）",
        ),
        _m(
            "JPN-EX-DD02",
            "BLUE DD 02 (notional helicopter destroyer)",
            "SDSPCLDD-------",
            ((29.5, 132.5), (29.0, 134.0), (28.2, 133.0)),
            18 * KNOT,
            release_to=("USA",),
            callsign_ja="演習ヘリ護衛艦02（想定）",
        ),
        _m(
            "JPN-EX-FTR11",
            "BLUE FTR 11 (notional fighter CAP)",
            "SDAPMFF--------",
            ((27.0, 129.5), (27.8, 130.6)),
            230.0,
            hae=9000.0,
            release_to=("USA",),
            callsign_ja="演習要撃機11（想定・戦闘空中哨戒）",
        ),
        _m(
            "JPN-EX-UAS12",
            "BLUE UAS 12 (notional long-endurance UAS)",
            "SDAPMFQ--------",
            ((30.5, 136.0), (31.5, 138.0), (30.0, 138.5)),
            170.0,
            hae=17000.0,
            release_to=("USA",),
            unmanned=True,
            station=Station("BLUE GCS NORTH (notional) / 演習地上管制所北", (33.62, 133.0)),
            lost_link=((31.0, 135.0), (31.6, 134.6)),
            callsign_ja="演習無人機12（想定・長時間滞空型）",
        ),
        _m(
            "JPN-EX-LT1",
            "BLUE LANDING TEAM 1 (notional regiment)",
            "SDGPUCI----G---",
            ((32.80, 130.75), (32.95, 130.95), (32.70, 131.05)),
            3.0,
            release_to=("USA",),
            callsign_ja="演習上陸隊1（想定・連隊）",
        ),
        _m(
            "JPN-EX-RCN1",
            "BLUE RECON 1 (notional company)",
            "SDGPUCR----E---",
            ((33.20, 131.25), (33.30, 131.40)),
            4.0,
            remarks="National only",
            callsign_ja="演習偵察隊1（想定・中隊）",
            remarks_ja="自国限り",
        ),
        _m(
            "JPN-EX-HQ",
            "BLUE EXERCISE HQ NORTH (notional)",
            "SDGPIB----H----",
            ((33.55, 130.70),),
            release_to=("USA",),
            callsign_ja="演習司令部北（想定）",
        ),
    ],
    "USA": [
        _m(
            "USA-EX-DDG21",
            "BLUE DDG 21 (notional destroyer)",
            "SDSPCLDD-------",
            ((27.5, 135.5), (28.5, 137.0), (26.8, 137.5)),
            17 * KNOT,
            release_to=("JPN",),
        ),
        _m(
            "USA-EX-DDG22",
            "BLUE DDG 22 (notional destroyer)",
            "SDSPCLDD-------",
            ((25.5, 133.0), (26.5, 134.5), (25.0, 135.0)),
            19 * KNOT,
            release_to=("JPN",),
        ),
        _m(
            "USA-EX-MPA31",
            "BLUE MPA 31 (notional maritime patrol)",
            "SDAPMFP--------",
            ((27.0, 131.5), (28.5, 133.0), (27.5, 135.0), (26.3, 133.4)),
            210.0,
            hae=6000.0,
            release_to=("JPN",),
        ),
        _m(
            "USA-EX-FTR32",
            "BLUE FTR 32 (notional fighter)",
            "SDAPMFF--------",
            ((27.5, 131.0), (28.3, 132.2)),
            240.0,
            hae=10000.0,
            release_to=("JPN",),
        ),
        _m(
            "USA-EX-UAS07",
            "BLUE UAS 07 (notional medium-altitude UAS)",
            "SDAPMFQ--------",
            ((26.8, 131.8), (27.5, 133.0), (26.5, 133.5)),
            80.0,
            hae=7600.0,
            release_to=("JPN",),
            unmanned=True,
            station=Station("BLUE GCS SOUTH (notional)", (32.20, 130.85)),
            lost_link=((27.8, 131.6), (28.2, 131.3)),
        ),
        _m(
            "USA-EX-LT2",
            "BLUE LITTORAL TEAM 2 (notional regiment)",
            "SDGPUCI----G---",
            ((31.75, 130.60), (31.90, 130.75), (31.85, 130.55)),
            2.0,
            release_to=("JPN",),
        ),
        _m(
            "USA-EX-OPFOR1",
            "ORANGE SAG 1 (FICTIONAL OPFOR)",
            "SKSPCL---------",
            ((28.6, 139.4), (28.6, 140.6), (27.4, 140.6), (27.4, 139.4)),
            14 * KNOT,
            release_to=("JPN",),
            remarks=f"Exercise OPFOR in {TRAINING_BOX_NAME}, not a real contact",
            # The opposing force is the exercise's, not a US platform: both languages.
            callsign_ja="仮想敵水上部隊1（架空）",
            remarks_ja="演習上の仮想敵（架空の訓練区域 KILO 内）。実在の目標ではありません",
        ),
        _m(
            "USA-EX-HQ",
            "BLUE EXERCISE HQ SOUTH (notional)",
            "SDGPIB----H----",
            ((32.45, 131.0),),
            remarks="National only",
            remarks_ja="自国限り",
        ),
    ],
}

# The scenario's events list (MSEL): the only times a control link changes.
LINK_EVENTS: tuple[LinkEvent, ...] = (
    LinkEvent("JPN-EX-UAS12", timedelta(minutes=20), timedelta(minutes=4), LinkStatus.DEGRADED),
    LinkEvent("JPN-EX-UAS12", timedelta(minutes=70), timedelta(minutes=15), LinkStatus.LOST),
    LinkEvent("USA-EX-UAS07", timedelta(minutes=40), timedelta(minutes=12), LinkStatus.LOST),
    LinkEvent("USA-EX-UAS07", timedelta(minutes=95), timedelta(minutes=5), LinkStatus.DEGRADED),
)


def picture(
    nation: str,
    movers: list[Mover],
    at: datetime,
    *,
    stale_after: float = 60.0,
    events: tuple[LinkEvent, ...] = LINK_EVENTS,
) -> list[Track]:
    """Where ``nation``'s simulated forces are at ``at``, as exercise tracks it owns."""
    out = []
    for m in movers:
        lat, lon, course, estimate = m.position(at, events)
        how = "h-e" if estimate else "m-g"  # an estimate: nothing reports where it is
        link: LinkStatus | None = None
        since: datetime | None = None
        if m.unmanned:
            link, since, _event = link_state(m.uid, at, events)
        remarks = f"{REMARKS_PREFIX}. {m.remarks}" if m.remarks else REMARKS_PREFIX
        # Exercise data says so in both languages, whoever owns the track.
        remarks_ja = f"{REMARKS_PREFIX_JA}。{m.remarks_ja}" if m.remarks_ja else REMARKS_PREFIX_JA
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
                speed=m.speed if m.speed > 0 and course is not None else None,
                how=how,
                source="simulator",
                unmanned=m.unmanned,
                operator_nation=nation if m.unmanned else None,
                control_link=link,
                remarks=remarks,
                callsign_ja=m.callsign_ja,
                remarks_ja=remarks_ja,
                exercise=True,
                exercise_name=EXERCISE_NAME,
                link_since=since,
                control_station=m.station.name if m.station else "",
                control_station_at=m.station.at if m.station else None,
                lost_link_route=m.lost_link,
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
    events: tuple[LinkEvent, ...] = LINK_EVENTS  # the scenario's events list

    def __post_init__(self) -> None:
        if not self.movers:
            self.movers = list(FORCES.get(self.nation, []))
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def tracks_at(self, at: datetime) -> list[Track]:
        return picture(
            self.nation,
            self.movers,
            at,
            stale_after=max(60.0, 10 * self.interval),
            events=self.events,
        )

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


__all__ = [
    "CYCLE",
    "EPOCH",
    "EXERCISE_NAME",
    "FORCES",
    "KNOT",
    "LINK_EVENTS",
    "TRAINING_BOX",
    "LinkEvent",
    "Mover",
    "Simulator",
    "Station",
    "distance_m",
    "link_state",
    "picture",
    "scenario",
]
