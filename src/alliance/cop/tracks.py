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

from alliance.core import limits
from alliance.core.dtg import check_moment, iso
from alliance.core.errors import InvalidInput
from alliance.core.i18n import Text
from alliance.core.markings import Marking, check_nation
from alliance.core.models import MarkingIn
from alliance.core.sidc import Sidc, check_sidc
from alliance.core.text import ID_CHARS, NAME_CHARS, TEXT_CHARS, check_text

from .cot import UNKNOWN, CotEvent, cot_type_to_sidc, sidc_to_cot_type

# A track uid as the API and partners give it (TAK clients' uids are checked in
# :func:`track_from_cot`): printable ASCII, no spaces, at most ``limits.TRACK_UID``.
TrackUid = Annotated[
    str,
    Field(
        pattern=rf"^[A-Za-z0-9][A-Za-z0-9._:@-]{{0,{limits.TRACK_UID - 1}}}$",
        max_length=limits.TRACK_UID,
    ),
    ID_CHARS,
]


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

    What a track cannot hold is refused here, as at every other track edge
    (:class:`~alliance.core.errors.InvalidInput`): control and invisible
    characters (TAK protocol v1 can carry a NUL that XML cannot), times outside
    the node's range, a symbol code that is not one.
    """
    extra = ev.extra
    check_text(ev.uid, field="uid")
    check_text(ev.callsign, field="callsign")
    check_text(ev.remarks, kind="text", field="remarks")
    time = check_moment(ev.time, field="time")
    check_moment(ev.start, field="start")
    stale = check_moment(ev.stale, field="stale")
    marking = default
    if "releasable_to" in extra:
        tlp = extra.get("tlp") or (default.tlp.value if default.tlp else None)
        marking = _marking(owner, extra["releasable_to"], tlp)
    sidc = check_sidc(extra["sidc"]) if extra.get("sidc") else cot_type_to_sidc(ev.type)
    unmanned = extra.get("unmanned", "").lower() == "true"
    operator = extra.get("operator")
    link = extra.get("control_link")
    return Track(
        uid=ev.uid,
        owner=owner,
        marking=marking,
        sidc=sidc,
        callsign=ev.callsign or ev.uid,
        lat=ev.lat,
        lon=ev.lon,
        time=time,
        stale=stale if stale > time else time + timedelta(minutes=5),
        hae=ev.hae,
        course=ev.course if ev.course is not None and ev.course >= 0 else None,
        speed=ev.speed if ev.speed is not None and ev.speed >= 0 else None,
        how=_label(ev.how, "how"),
        source=source,
        unmanned=unmanned,
        operator_nation=check_nation(operator, field="operator") if unmanned and operator else None,
        control_link=LinkStatus(link)
        if unmanned and link in {s.value for s in LinkStatus}
        else None,
        remarks=ev.remarks,
    )


def _label(value: str, field: str) -> str:
    """A short code that fits its column (``limits.LABEL``), without control characters."""
    if len(value) > limits.LABEL:
        raise InvalidInput(
            Text(
                f"{field} is longer than {limits.LABEL} characters.",
                f"{field}が{limits.LABEL}文字を超えています。",
            ),
            field=field,
        )
    return check_text(value, field=field)


def moved(track: Track, *, lat: float, lon: float, at: datetime, **changes: Any) -> Track:
    return replace(
        track, lat=lat, lon=lon, time=at, stale=at + (track.stale - track.time), **changes
    )


class TrackWire(BaseModel):
    """A track as it travels between nodes (``Track.to_json``), checked on arrival."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    uid: TrackUid
    owner: str
    marking: MarkingIn
    sidc: Sidc
    callsign: Annotated[str, Field(min_length=1, max_length=limits.NAME), NAME_CHARS]
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
    remarks: Annotated[str, Field(max_length=limits.REMARKS), TEXT_CHARS] = ""

    def track(self, *, source: str) -> Track:
        """The track, or :class:`~alliance.core.errors.InvalidInput` (a bad owner,
        a time without a zone or outside the node's range)."""
        owner = check_nation(self.owner, field="owner")
        return Track(
            uid=self.uid,
            owner=owner,
            marking=self.marking.build(owner),
            sidc=self.sidc,
            callsign=self.callsign,
            lat=self.lat,
            lon=self.lon,
            time=check_moment(self.time, field="time"),
            stale=check_moment(self.stale, field="stale"),
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
