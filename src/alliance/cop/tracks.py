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

from alliance.core import glossary, limits, markings
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


_AFFILIATION = {
    "F": "friend",
    "A": "friend",
    "H": "hostile",
    "S": "hostile",
    "N": "neutral",
    # MIL-STD-2525C exercise identities: exercise friend / assumed friend,
    # joker (friend playing suspect), faker (friend playing hostile), exercise neutral.
    "D": "friend",
    "M": "friend",
    "J": "hostile",
    "K": "hostile",
    "L": "neutral",
}


def affiliation_of(sidc: str) -> str:
    """Friend, hostile, neutral or unknown, from the SIDC's second character
    (an exercise identity counts as what it plays)."""
    return _AFFILIATION.get(sidc.upper()[1:2], "unknown")


def withheld(sidc: str) -> bool:
    """A submarine's position never leaves the node: no report of one is taken,
    stored, shown or sent (TAK, API, console, exports, federation)."""
    return domain_of(sidc) is TrackDomain.SUBSURFACE


Point = tuple[float, float]  # (lat, lon)


def _points(route: tuple[Point, ...]) -> str:
    """A route as CoT attribute text: ``lat,lon lat,lon ...``."""
    return " ".join(f"{lat:.5f},{lon:.5f}" for lat, lon in route)


def _parse_points(text: str) -> tuple[Point, ...]:
    out = []
    for pair in text.split()[:50]:
        lat, _, lon = pair.partition(",")
        try:
            point = (float(lat), float(lon))
        except ValueError:
            return ()
        if not (-90 <= point[0] <= 90 and -180 <= point[1] <= 180):
            return ()
        out.append(point)
    return tuple(out)


def source_name(source: str) -> Text:
    """Where a report came from, as a user reads it (the glossary's words:
    ``source_api``, ``source_tak``...); an unknown source reads as itself."""
    try:
        return glossary.term(f"source_{source}")
    except KeyError:
        return Text(source, source) if source else Text("unknown", "不明")


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
    # The callsign and remarks in Japanese, where the owner gives them; the
    # fields above are the English (or only) ones, as CoT and TAK clients read them.
    callsign_ja: str = ""
    remarks_ja: str = ""
    # Exercise data (simulated or injected): flagged and named wherever it goes.
    exercise: bool = False
    exercise_name: str = ""
    # Unmanned aircraft: since when the control link is in its state, where it
    # is controlled from, and the route it flies if the link is lost.
    link_since: datetime | None = None
    control_station: str = ""
    control_station_at: Point | None = None
    lost_link_route: tuple[Point, ...] = ()

    @property
    def callsign_text(self) -> Text:
        """The callsign in each language: the Japanese one where the owner gave
        it, else the English (or only) one in both."""
        en = self.callsign or self.uid
        return Text(en, self.callsign_ja or en)

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
        # The Japanese callsign and remarks ride in our own element: a TAK client
        # shows <contact callsign> and <remarks>, the English (or only) ones.
        if self.callsign_ja:
            extra["callsign_ja"] = self.callsign_ja
        if self.remarks_ja:
            extra["remarks_ja"] = self.remarks_ja
        if self.unmanned:
            extra["unmanned"] = "true"
            if self.operator_nation:
                extra["operator"] = self.operator_nation
            if self.control_link:
                extra["control_link"] = self.control_link.value
            if self.link_since is not None:
                extra["link_since"] = iso(self.link_since)
            if self.control_station:
                extra["control_station"] = self.control_station
            if self.control_station_at is not None:
                extra["control_station_at"] = _points((self.control_station_at,))
            if self.lost_link_route:
                extra["lost_link_route"] = _points(self.lost_link_route)
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
            exercise=(self.exercise_name or "EXERCISE") if self.exercise else None,
        )

    def to_wire(self) -> dict[str, Any]:
        """What a partner node receives (see :class:`TrackWire`)."""
        data = self.to_json()
        data["marking"] = self.marking.to_json()
        for derived in ("cot_type", "domain", "affiliation", "source", "source_name", "estimated"):
            del data[derived]
        return data

    def to_json(self, viewer: str | None = None) -> dict[str, Any]:
        """The track as the API shows it to ``viewer`` (its marking as the viewer's
        nation writes it: :func:`alliance.core.markings.view`; neutral without one)."""
        return {
            "uid": self.uid,
            "owner": self.owner,
            "marking": markings.view(self.marking, viewer),
            "sidc": self.sidc,
            "cot_type": self.cot_type,
            "domain": self.domain.value,
            "affiliation": self.affiliation,
            "callsign": self.callsign,
            "callsign_ja": self.callsign_ja,
            "lat": self.lat,
            "lon": self.lon,
            "hae": None if self.hae == UNKNOWN else self.hae,
            "course": self.course,
            "speed": self.speed,
            "time": iso(self.time),
            "stale": iso(self.stale),
            "source": self.source,
            "source_name": source_name(self.source).as_dict(),
            "unmanned": self.unmanned,
            "operator_nation": self.operator_nation,
            "control_link": self.control_link.value if self.control_link else None,
            "remarks": self.remarks,
            "remarks_ja": self.remarks_ja,
            "exercise": self.exercise,
            "exercise_name": self.exercise_name,
            "how": self.how,
            "estimated": self.how.startswith("h-e"),
            "link_since": iso(self.link_since) if self.link_since else None,
            "control_station": {
                "name": self.control_station,
                "lat": self.control_station_at[0],
                "lon": self.control_station_at[1],
            }
            if self.control_station and self.control_station_at
            else (
                {"name": self.control_station, "lat": None, "lon": None}
                if self.control_station
                else None
            ),
            "lost_link_route": [list(p) for p in self.lost_link_route],
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
    callsign_ja = check_text(extra.get("callsign_ja", ""), field="callsign_ja")[: limits.NAME]
    remarks_ja = check_text(extra.get("remarks_ja", ""), kind="text", field="remarks_ja")[
        : limits.REMARKS
    ]
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
    since = extra.get("link_since")
    station_at = _parse_points(extra.get("control_station_at", ""))
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
        callsign_ja=callsign_ja,
        remarks_ja=remarks_ja,
        exercise=ev.exercise is not None,
        exercise_name=check_text(ev.exercise or "", field="exercise")[: limits.NAME],
        link_since=_since(since) if unmanned and since else None,
        control_station=check_text(extra.get("control_station", ""), field="control_station")[
            : limits.NAME
        ]
        if unmanned
        else "",
        control_station_at=station_at[0] if unmanned and station_at else None,
        lost_link_route=_parse_points(extra.get("lost_link_route", "")) if unmanned else (),
    )


def _since(value: str) -> datetime | None:
    try:
        return check_moment(
            datetime.fromisoformat(value.replace("Z", "+00:00")), field="link_since"
        )
    except (ValueError, InvalidInput):
        return None


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


Lat = Annotated[float, Field(ge=-90, le=90)]
Lon = Annotated[float, Field(ge=-180, le=180)]


class StationWire(BaseModel):
    """An unmanned aircraft's control station as a partner sends it."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    name: Annotated[str, Field(max_length=limits.NAME), NAME_CHARS]
    lat: Lat | None = None
    lon: Lon | None = None

    def at(self) -> Point | None:
        return None if self.lat is None or self.lon is None else (self.lat, self.lon)


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
    # Absent from a partner that does not know them yet: no Japanese given.
    callsign_ja: Annotated[str, Field(max_length=limits.NAME), NAME_CHARS] = ""
    remarks_ja: Annotated[str, Field(max_length=limits.REMARKS), TEXT_CHARS] = ""
    exercise: bool = False
    exercise_name: Annotated[str, Field(max_length=limits.NAME), NAME_CHARS] = ""
    how: Annotated[str, Field(max_length=limits.LABEL), NAME_CHARS] = "m-g"
    link_since: datetime | None = None
    control_station: StationWire | None = None
    lost_link_route: Annotated[list[tuple[Lat, Lon]], Field(max_length=50)] = []

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
            callsign_ja=self.callsign_ja,
            remarks_ja=self.remarks_ja,
            exercise=self.exercise,
            exercise_name=self.exercise_name,
            how=self.how or "m-g",
            link_since=check_moment(self.link_since, field="link_since")
            if self.link_since
            else None,
            control_station=self.control_station.name if self.control_station else "",
            control_station_at=self.control_station.at() if self.control_station else None,
            lost_link_route=tuple(self.lost_link_route),
        )
