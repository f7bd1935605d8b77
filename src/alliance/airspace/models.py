"""The airspace desk's API models."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from alliance.cop import TrackUid
from alliance.core.models import (
    LongText,
    MarkingIn,
    MarkingOut,
    Moment,
    OwnedOut,
    ShortName,
    Slug,
    Strict,
    TimeOut,
    Title,
    Version,
)

from .volume import MAX_ALTITUDE_FT, MAX_REACH_M, MAX_VERTICES

Lon = Annotated[float, Field(ge=-180.0, le=180.0, description="longitude / 経度")]
Lat = Annotated[float, Field(ge=-90.0, le=90.0, description="latitude / 緯度")]
Position = tuple[Lon, Lat]
Feet = Annotated[float, Field(ge=-2_000.0, le=MAX_ALTITUDE_FT)]
Datum = Literal["MSL", "AGL", "FL"]


class FootprintIn(Strict):
    """A polygon (``coordinates``: its ring), a circle (``center``, ``radius_m``)
    or a corridor (``coordinates``: its centre line, ``width_m``), WGS 84,
    ``[longitude, latitude]`` as GeoJSON writes them."""

    shape: Literal["polygon", "circle", "corridor"]
    coordinates: list[Position] | None = Field(default=None, max_length=MAX_VERTICES)
    center: Position | None = None
    radius_m: Annotated[float, Field(ge=0.0, le=MAX_REACH_M)] | None = None
    width_m: Annotated[float, Field(ge=0.0, le=200_000.0)] | None = None


class AltitudeIn(Strict):
    """Lower and upper bounds, each with its datum: feet MSL, feet AGL, or a
    flight level (hundreds of feet). AGL needs the ground elevation under the
    footprint (feet MSL) to be compared with anything else."""

    lower: Feet
    lower_datum: Datum
    upper: Feet
    upper_datum: Datum
    ground_min_ft: Feet | None = None
    ground_max_ft: Feet | None = None


class WindowIn(Strict):
    start: Moment
    end: Moment


class BufferIn(Strict):
    lateral_m: Annotated[float, Field(ge=0.0, le=100_000.0)] = 5_556.0
    vertical_ft: Annotated[float, Field(ge=0.0, le=10_000.0)] = 500.0


class VolumeIn(Strict):
    """Footprint × altitude band × time window, and the separation asked of
    every other measure (default 3 NM and 500 ft)."""

    footprint: FootprintIn
    altitude: AltitudeIn
    window: WindowIn
    buffer: BufferIn = Field(default_factory=BufferIn)

    def raw(self) -> dict[str, Any]:
        """As :func:`alliance.airspace.volume.parse_volume` reads it."""
        out = self.model_dump(exclude_none=True, exclude={"window"})
        out["window"] = {"start": _iso(self.window.start), "end": _iso(self.window.end)}
        return out


def _iso(t: datetime | str) -> str:
    return t.isoformat() if isinstance(t, datetime) else t


Kind = Literal["roz", "uas_volume", "uas_route", "training_area", "corridor", "restricted", "other"]


class MeasureIn(Strict):
    """A proposed coordination measure: its volume (released on ``marking``) and
    what it is for (on ``purpose_marking``, national-only unless given)."""

    id: Slug | None = Field(default=None, description="Client-chosen id (jpn-…) / ID")
    designator: ShortName = Field(description="Short public designator, e.g. ROZ EX-12 / 呼称")
    kind: Kind
    volume: VolumeIn
    name: Title
    name_ja: Title | None = None
    purpose: LongText = ""
    aircraft: list[TrackUid] = Field(
        default_factory=list,
        max_length=50,
        description="Unmanned aircraft (COP track uids) flying in it: conformance is "
        "monitored once approved / 運用する無人機（COPの航跡UID）",
    )
    marking: MarkingIn = Field(default_factory=MarkingIn)
    purpose_marking: MarkingIn = Field(default_factory=MarkingIn)


class MeasurePatch(Strict):
    """A change to one's own measure. A new volume or new aircraft sends an
    approved measure back to proposed: it is deconflicted again and approved
    again."""

    version: Version | None = None
    designator: ShortName | None = None
    volume: VolumeIn | None = None
    aircraft: list[TrackUid] | None = Field(default=None, max_length=50)
    marking: MarkingIn | None = None


class VolumeCheckIn(Strict):
    volume: VolumeIn
    id: Slug | None = Field(default=None, description="A stored measure this replaces / 置換対象")


class PurposeOut(BaseModel):
    name: str
    name_ja: str
    purpose: str
    marking: MarkingOut


class MeasureOut(OwnedOut):
    hq_id: str
    designator: str
    kind: str
    status: str
    """proposed, approved, active, expired or withdrawn (active and expired from the clock)."""
    volume: dict[str, Any]
    aircraft: list[str]
    purpose: PurposeOut | None = None
    """Present where the measure's purpose is released to the reader."""


class ConflictOut(BaseModel):
    request_id: str | None = None
    """The ACM coordination request opened about it, where one is released to you."""
    a: str
    b: str
    a_owner: str
    b_owner: str
    a_designator: str
    b_designator: str
    cross_nation: bool
    distance_m: float
    vertical_gap_ft: float
    overlap_start: TimeOut
    overlap_end: TimeOut


class CoordinationOut(OwnedOut):
    """Which coordination request covers a cross-nation conflict."""

    hq_id: str
    request_id: str
    volume_a: str
    volume_b: str


class AlertOut(OwnedOut):
    """An unmanned aircraft outside its approved operating volume."""

    hq_id: str
    volume_id: str
    designator: str
    track_uid: str
    callsign: str
    reasons: list[str]
    """footprint, band, window: what it was outside of."""
    lat: float
    lon: float
    alt_ft: float | None
    seen_at: TimeOut
    control_link: str | None


class CheckOut(BaseModel):
    conflicts: list[ConflictOut]


__all__ = [
    "AlertOut",
    "AltitudeIn",
    "BufferIn",
    "CheckOut",
    "ConflictOut",
    "CoordinationOut",
    "FootprintIn",
    "MeasureIn",
    "MeasureOut",
    "MeasurePatch",
    "PurposeOut",
    "VolumeCheckIn",
    "VolumeIn",
    "WindowIn",
]
