"""Tracks: where units and platforms are, owned by a nation, under a marking.

Position reports are a high-rate stream beside the ledger (DESIGN §3), not
ledger events: the latest state and a bounded history are kept, and each
report is released exactly as its marking says.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from alliance.core.dtg import iso
from alliance.core.markings import Marking, check_nation
from alliance.core.models import MarkingIn
from alliance.core.sidc import Sidc

from .cot import UNKNOWN, CotEvent, cot_type_to_sidc, sidc_to_cot_type


class TrackDomain(StrEnum):
    LAND = "land"
    MARITIME = "maritime"
    SUBSURFACE = "subsurface"
    AIR = "air"
    SPACE = "space"
    INSTALLATION = "installation"


class LinkStatus(StrEnum):
    """Control link of an unmanned aircraft."""

    OK = "ok"
    DEGRADED = "degraded"
    LOST = "lost"


_DIMENSION_DOMAIN = {
    "G": TrackDomain.LAND,
    "S": TrackDomain.MARITIME,
    "U": TrackDomain.SUBSURFACE,
    "A": TrackDomain.AIR,
    "P": TrackDomain.SPACE,
}


def domain_of(sidc: str) -> TrackDomain:
    """From the SIDC battle dimension; ground installations (G-I) are installations."""
    code = sidc.upper()
    if len(code) == 15 and code[2] == "G" and code[4] == "I":
        return TrackDomain.INSTALLATION
    return (
        _DIMENSION_DOMAIN.get(code[2:3], TrackDomain.LAND) if len(code) == 15 else TrackDomain.LAND
    )


def affiliation_of(sidc: str) -> str:
    """Friend, hostile, neutral or unknown, from the SIDC's second character."""
    code = sidc.upper()[1:2]
    return {"F": "friend", "A": "friend", "H": "hostile", "S": "hostile", "N": "neutral"}.get(
        code, "unknown"
    )


@lru_cache(maxsize=1024)
def _marking(owner: str, releasable_to: str, tlp: str | None) -> Marking:
    """A CoT detail's release as a marking (checked; the same few recur)."""
    nations = [n for n in releasable_to.split(",") if n.strip()]
    return Marking.of(owner, nations, tlp)


@lru_cache(maxsize=1024)
def _marking_detail(marking: Marking) -> tuple[str, str]:
    """What a CoT event carries of a marking (few distinct markings, many reports)."""
    return ",".join(marking.nations), marking.banner.en


@dataclass(frozen=True, slots=True)
class Track:
    uid: str
    owner: str
    marking: Marking
    sidc: str
    callsign: str
    lat: float
    lon: float
    time: datetime
    stale: datetime
    hae: float = UNKNOWN
    course: float | None = None
    speed: float | None = None
    how: str = "m-g"
    source: str = "api"
    unmanned: bool = False
    operator_nation: str | None = None
    control_link: LinkStatus | None = None
    remarks: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def cot_type(self) -> str:
        return sidc_to_cot_type(self.sidc)

    @property
    def domain(self) -> TrackDomain:
        return domain_of(self.sidc)

    @property
    def affiliation(self) -> str:
        return affiliation_of(self.sidc)

    def stale_at(self, now: datetime) -> bool:
        return now >= self.stale

    def to_cot(self) -> CotEvent:
        """The track as a CoT event, our marking and ownership in ``<alliance/>``."""
        releasable_to, banner = _marking_detail(self.marking)
        extra = {
            "owner": self.owner,
            "releasable_to": releasable_to,
            "sidc": self.sidc,
            "banner": banner,
        }
        if self.marking.tlp:
            extra["tlp"] = self.marking.tlp.value
        if self.unmanned:
            extra["unmanned"] = "true"
            if self.operator_nation:
                extra["operator"] = self.operator_nation
            if self.control_link:
                extra["control_link"] = self.control_link.value
        return CotEvent(
            uid=self.uid,
            type=self.cot_type,
            time=self.time,
            start=self.time,
            stale=self.stale,
            lat=self.lat,
            lon=self.lon,
            how=self.how,
            hae=self.hae,
            callsign=self.callsign,
            course=self.course,
            speed=self.speed,
            remarks=self.remarks,
            extra=extra,
        )

    def to_wire(self) -> dict[str, Any]:
        """What a partner node receives (see :class:`TrackWire`)."""
        data = self.to_json()
        data["marking"] = self.marking.to_json()
        for derived in ("cot_type", "domain", "affiliation", "source"):
            del data[derived]
        return data

    def to_json(self) -> dict[str, Any]:
        return {
            "uid": self.uid,
            "owner": self.owner,
            "marking": {
                "releasable_to": self.marking.nations,
                "tlp": self.marking.tlp.value if self.marking.tlp else None,
                "banner": self.marking.banner.as_dict(),
            },
            "sidc": self.sidc,
            "cot_type": self.cot_type,
            "domain": self.domain.value,
            "affiliation": self.affiliation,
            "callsign": self.callsign,
            "lat": self.lat,
            "lon": self.lon,
            "hae": None if self.hae == UNKNOWN else self.hae,
            "course": self.course,
            "speed": self.speed,
            "time": iso(self.time),
            "stale": iso(self.stale),
            "source": self.source,
            "unmanned": self.unmanned,
            "operator_nation": self.operator_nation,
            "control_link": self.control_link.value if self.control_link else None,
            "remarks": self.remarks,
        }


def track_from_cot(ev: CotEvent, *, owner: str, default: Marking, source: str) -> Track:
    """A CoT event from a client acting for ``owner``.

    The owner is who sent it, never what the event claims. An ``<alliance
    releasable_to="...">`` detail may widen or narrow the release; the owner
    is always included, and without it the client's default marking applies.
    """
    extra = ev.extra
    marking = default
    if "releasable_to" in extra:
        tlp = extra.get("tlp") or (default.tlp.value if default.tlp else None)
        marking = _marking(owner, extra["releasable_to"], tlp)
    sidc = extra.get("sidc") or cot_type_to_sidc(ev.type)
    unmanned = extra.get("unmanned", "").lower() == "true"
    operator = extra.get("operator")
    link = extra.get("control_link")
    return Track(
        uid=ev.uid,
        owner=owner,
        marking=marking,
        sidc=sidc.upper(),
        callsign=ev.callsign or ev.uid,
        lat=ev.lat,
        lon=ev.lon,
        time=ev.time,
        stale=ev.stale if ev.stale > ev.time else ev.time + timedelta(minutes=5),
        hae=ev.hae,
        course=ev.course if ev.course is not None and ev.course >= 0 else None,
        speed=ev.speed if ev.speed is not None and ev.speed >= 0 else None,
        how=ev.how,
        source=source,
        unmanned=unmanned,
        operator_nation=check_nation(operator, field="operator") if unmanned and operator else None,
        control_link=LinkStatus(link)
        if unmanned and link in {s.value for s in LinkStatus}
        else None,
        remarks=ev.remarks,
    )


def moved(track: Track, *, lat: float, lon: float, at: datetime, **changes: Any) -> Track:
    return replace(
        track, lat=lat, lon=lon, time=at, stale=at + (track.stale - track.time), **changes
    )


class TrackWire(BaseModel):
    """A track as it travels between nodes (``Track.to_json``), checked on arrival."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    uid: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}$")]
    owner: str
    marking: MarkingIn
    sidc: Sidc
    callsign: Annotated[str, Field(min_length=1, max_length=200)]
    lat: Annotated[float, Field(ge=-90, le=90)]
    lon: Annotated[float, Field(ge=-180, le=180)]
    hae: float | None = None
    course: Annotated[float, Field(ge=0, lt=360)] | None = None
    speed: Annotated[float, Field(ge=0, le=1e5)] | None = None
    time: datetime
    stale: datetime
    unmanned: bool = False
    operator_nation: str | None = None
    control_link: LinkStatus | None = None
    remarks: Annotated[str, Field(max_length=2000)] = ""

    def track(self, *, source: str) -> Track:
        owner = check_nation(self.owner, field="owner")
        if self.time.tzinfo is None or self.stale.tzinfo is None:
            raise ValueError("times must carry a zone")
        return Track(
            uid=self.uid,
            owner=owner,
            marking=self.marking.build(owner),
            sidc=self.sidc,
            callsign=self.callsign,
            lat=self.lat,
            lon=self.lon,
            time=self.time,
            stale=self.stale,
            hae=UNKNOWN if self.hae is None else self.hae,
            course=self.course,
            speed=self.speed,
            source=source,
            unmanned=self.unmanned,
            operator_nation=check_nation(self.operator_nation, field="operator_nation")
            if self.operator_nation
            else None,
            control_link=self.control_link,
            remarks=self.remarks,
        )
