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

from . import deconflict
from .volume import Footprint, Shape, Volume

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
