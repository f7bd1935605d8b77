"""Conformance monitoring: each unmanned aircraft against its operating volume.

The desk follows the common operational picture (the COP desk's track hub,
fed by the API, TAK clients, partners and the simulator alike). Each report
of an unmanned track assigned to an approved volume of a nation this node
hosts is checked: inside the footprint (the exact test of
:mod:`alliance.airspace.deconflict`, from the point to the footprint's base
geometry on the ellipsoid), inside the band (the track's height above the
ellipsoid taken as MSL: the geoid is within ~100 m of it everywhere, ~40 m
around Japan; an unknown height is not judged), and inside the window.

An aircraft that leaves raises **one** alert (an owned object on the
volume's marking: its HQ and the partners it is released to see it); it
raises another only after it has been seen back inside. The control link's
state (lost, degraded) joins the alert. The check runs on the hub's thread
and hands the alert to the writer without waiting: a slow store never holds
up the picture.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import select

from alliance.cop import CopDesk, Track
from alliance.core.authority import Action, Actor, Role, Target, authorize
from alliance.core.ids import new_id
from alliance.core.markings import Marking
from alliance.core.models import TimeOut
from alliance.org import hq_chain
from alliance.store.context import DeskContext
from alliance.store.owned import create_owned, released_to, view
from alliance.store.writer import Tx

from . import deconflict
from .kinds import (
    ALERTS,
    CONFORMANCE,
    live,
    log_failure,
)
from .models import (
    AlertOut,
)
from .tables import (
    AIRSPACE_ALERT,
    AlertRow,
    VolumeRow,
)
from .volume import Footprint, Shape, Volume, parse_volume

log = logging.getLogger(__name__)

FT_PER_M = 1 / 0.3048
UNKNOWN_HAE = 9_999_999.0  # CoT's "not known"


@dataclass(frozen=True, slots=True)
class Assigned:
    """An approved volume of a hosted nation and what conformance needs of it."""

    id: str
    owner: str
    hq_id: str
    designator: str
    volume: Volume
    compiled: deconflict.VolumeSet


@dataclass(frozen=True, slots=True)
class Excursion:
    volume: Assigned
    uid: str
    callsign: str
    reasons: tuple[str, ...]
    lat: float
    lon: float
    alt_ft: float | None
    seen_at: datetime
    control_link: str | None


def outside(
    v: Assigned, lon: float, lat: float, hae_m: float | None, at: datetime
) -> tuple[str, ...]:
    """What of the volume a position is outside of: footprint, band, window."""
    reasons: list[str] = []
    point = deconflict.compile_volumes(
        ["(position)"],
        [Volume(Footprint(Shape.CIRCLE, ((lon, lat),), 0.0), v.volume.band, at, at)],
    )
    d = float(deconflict.lateral_distance(point, np.array([0]), v.compiled, np.array([0]))[0])
    if d > v.volume.footprint.radius_m:
        reasons.append("footprint")
    if hae_m is not None:
        lower, upper = v.volume.band.msl_ft()
        if not lower <= hae_m * FT_PER_M <= upper:
            reasons.append("band")
    if not v.volume.start <= at < v.volume.end:
        reasons.append("window")
    return tuple(reasons)


class Monitor:
    """Which aircraft fly in which approved volumes, and which are out now."""

    def __init__(self, raise_alert: Callable[[Excursion], None]) -> None:
        self._lock = threading.Lock()
        self._by_uid: dict[str, dict[str, Assigned]] = {}
        self._out: set[tuple[str, str]] = set()  # (volume id, uid) seen outside
        self._raise = raise_alert

    def assign(self, volume: Assigned | None, ident: str, aircraft: tuple[str, ...] = ()) -> None:
        """Replace volume ``ident``'s assignment (None: no longer monitored)."""
        with self._lock:
            for uid in list(self._by_uid):
                self._by_uid[uid].pop(ident, None)
                if not self._by_uid[uid]:
                    del self._by_uid[uid]
            if volume is not None:
                for uid in aircraft:
                    self._by_uid.setdefault(uid, {})[ident] = volume

    def seen(
        self,
        uid: str,
        callsign: str,
        lon: float,
        lat: float,
        hae_m: float | None,
        at: datetime,
        control_link: str | None,
        *,
        owner: str | None = None,
    ) -> list[Excursion]:
        """Check one report against the volumes its aircraft flies in (of
        ``owner``'s nation only, where given); raise (and return) the excursions
        it begins."""
        with self._lock:
            volumes = [
                v for v in self._by_uid.get(uid, {}).values() if owner is None or v.owner == owner
            ]
        begun: list[Excursion] = []
        for v in volumes:
            reasons = outside(v, lon, lat, hae_m, at)
            key = (v.id, uid)
            with self._lock:
                was_out = key in self._out
                if reasons:
                    self._out.add(key)
                else:
                    self._out.discard(key)
            if reasons and not was_out:
                excursion = Excursion(
                    v, uid, callsign, reasons, lat, lon, _ft(hae_m), at, control_link
                )
                begun.append(excursion)
                self._raise(excursion)
        return begun


def _ft(hae_m: float | None) -> float | None:
    return None if hae_m is None else round(hae_m * FT_PER_M, 1)


class Conformance:
    """The desk's side of conformance (a mixin): which volumes are monitored,
    the COP's reports in, alerts out. Needs ``ctx``, ``cop``, ``monitor`` and
    ``_watching`` of the desk."""

    ctx: DeskContext
    cop: CopDesk | None
    monitor: Monitor
    _watching: list[object]

    def _monitor(self, row: VolumeRow | None, ident: str | None = None) -> None:
        """Monitor the aircraft of an approved volume of a hosted nation (or stop)."""
        key = row.id if row is not None else ident
        assert key is not None
        if (
            row is None
            or not live(row)
            or row.status != "approved"
            or row.owner not in self.ctx.hosted
            or not row.aircraft
        ):
            self.monitor.assign(None, key)
            return
        volume = parse_volume(row.volume)
        assigned = Assigned(
            row.id, row.owner, row.hq_id, row.designator, volume,
            deconflict.compile_volumes([row.id], [volume]),
        )  # fmt: skip
        self.monitor.assign(assigned, row.id, tuple(row.aircraft))

    def _watcher(self, nation: str) -> Callable[[Track], None]:
        return lambda track: self._track(nation, track)

    def _track(self, nation: str, track: Track) -> None:
        """A COP report seen by ``nation``: its own volumes' aircraft are checked."""
        if not track.unmanned:
            return
        hae = None if track.hae >= UNKNOWN_HAE * 0.999 else track.hae
        link = track.control_link.value if track.control_link is not None else None
        self.monitor.seen(
            track.uid, track.callsign, track.lon, track.lat, hae, track.time, link, owner=nation
        )

    def _alert(self, e: Excursion) -> None:
        def job(tx: Tx) -> str | None:
            return self.alert_in(tx, e)

        self.ctx.writer.submit(job).add_done_callback(log_failure)

    def alert_in(self, tx: Tx, e: Excursion) -> str:
        s = tx.session
        volume = s.get(VolumeRow, e.volume.id)
        marking = volume.marking if volume is not None else Marking.national(e.volume.owner)
        actor = Actor(
            CONFORMANCE, "Airspace conformance / 空域逸脱監視", e.volume.owner, e.volume.hq_id,
            Role.STAFF_OFFICER,
        )  # fmt: skip
        row = AlertRow(
            id=new_id(), hq_id=e.volume.hq_id, volume_id=e.volume.id,
            designator=e.volume.designator, track_uid=e.uid, callsign=e.callsign,
            reasons=list(e.reasons), lat=e.lat, lon=e.lon, alt_ft=e.alt_ft, seen_at=e.seen_at,
            control_link=e.control_link,
        )  # fmt: skip
        grant = authorize(
            actor,
            Action.CREATE,
            Target(AIRSPACE_ALERT.name, row.id, e.volume.owner, marking, hq_chain(s, row.hq_id)),
            hosted=self.ctx.hosted,
        )
        create_owned(
            tx, ALERTS, row, owner=e.volume.owner, marking=marking, actor=actor, grant=grant,
            event="airspace.alert.raised",
        )  # fmt: skip
        return row.id

    def alert(self, actor: Actor, ident: str) -> AlertOut:
        with self.ctx.db.read() as s:
            row = ALERTS.find(s, actor.nation, ident, "id")
            return view(AlertOut, row, seen_at=TimeOut.of(row.seen_at))

    def alerts(self, actor: Actor) -> list[AlertOut]:
        with self.ctx.db.read() as s:
            rows = s.scalars(
                released_to(select(AlertRow), AlertRow, actor.nation).order_by(
                    AlertRow.seen_at.desc(), AlertRow.id
                )
            )
            return [view(AlertOut, r, seen_at=TimeOut.of(r.seen_at)) for r in rows]
