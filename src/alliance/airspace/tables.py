"""The airspace desk's tables: each measure is two owned objects.

* ``airspace_volumes`` (type ``airspace_volume``): what deconfliction needs
  and a partner may be given — footprint, altitude band, window, buffers,
  kind, status, a designator and the owning HQ. Released on its own marking.
* ``airspace_measures`` (type ``airspace_measure``): what the measure is for
  — its name and purpose — on a marking of its own, national-only unless the
  owner releases it. A partner given the volume and not the measure sees that
  airspace is taken, where, how high and when, never the mission
  (release by separate object).

Both are written by their owner only (one writer per object) and shipped to
partners like every owned object; a partner's volume that arrives or is
withdrawn is re-checked here (:mod:`alliance.airspace.desk`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, Index, Integer, String
from sqlalchemy import Text as RunningText
from sqlalchemy.orm import Mapped, mapped_column

from alliance.core import limits
from alliance.core.i18n import Text
from alliance.store.schema import OwnedRow, UTCDateTime
from alliance.store.types import ObjectType

KINDS = ("roz", "uas_volume", "uas_route", "training_area", "corridor", "restricted", "other")
"""Kinds of coordination measure: restricted operations zone, unmanned-aircraft
operating volume and route, training area, transit corridor, restricted area."""
STATUSES = ("proposed", "approved", "withdrawn")
"""Stored statuses; ``active`` and ``expired`` are an approved measure inside
and after its window (derived from the clock, never stored)."""


class VolumeRow(OwnedRow):
    __tablename__ = "airspace_volumes"
    __table_args__ = (Index("ix_airspace_volumes_end", "end_at"),)

    hq_id: Mapped[str] = mapped_column(String(limits.ID))
    designator: Mapped[str] = mapped_column(String(limits.SHORT_NAME))
    kind: Mapped[str] = mapped_column(String(limits.CODE))
    status: Mapped[str] = mapped_column(String(limits.CODE), default="proposed")
    volume: Mapped[dict[str, Any]] = mapped_column(JSON)
    """The volume as :func:`alliance.airspace.volume.parse_volume` reads it."""
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lower_ft: Mapped[float] = mapped_column(Float)
    upper_ft: Mapped[float] = mapped_column(Float)
    volume_rev: Mapped[int] = mapped_column(Integer, default=1)
    """Counts changes of the volume itself (not of its status or release): a
    coordinated outcome holds for the revisions it was opened about."""
    aircraft: Mapped[list[str]] = mapped_column(JSON, default=list)
    """Unmanned aircraft (COP track uids) that fly in it: checked for conformance."""


AIRSPACE_VOLUME = ObjectType(
    "airspace_volume", VolumeRow, Text("airspace volume", "空域ボリューム")
)


class MeasureRow(OwnedRow):
    __tablename__ = "airspace_measures"

    hq_id: Mapped[str] = mapped_column(String(limits.ID))
    volume_id: Mapped[str] = mapped_column(String(limits.ID), index=True)
    name: Mapped[str] = mapped_column(String(limits.TITLE))
    name_ja: Mapped[str] = mapped_column(String(limits.TITLE), default="")
    purpose: Mapped[str] = mapped_column(RunningText, default="")


AIRSPACE_MEASURE = ObjectType(
    "airspace_measure", MeasureRow, Text("coordination measure", "空域調整措置")
)


class CoordinationRow(OwnedRow):
    """The coordination request opened about one cross-nation conflict: which
    pair of volumes (``volume_a`` < ``volume_b``) and which ACM request. Owned
    by the nation that opened it, released to the other, so that both nodes
    know the pair is being coordinated (one request per pair and revisions,
    never a second from the other side) and both read its outcome."""

    __tablename__ = "airspace_coordinations"

    hq_id: Mapped[str] = mapped_column(String(limits.ID))
    request_id: Mapped[str] = mapped_column(String(limits.ID))
    volume_a: Mapped[str] = mapped_column(String(limits.ID), index=True)
    volume_b: Mapped[str] = mapped_column(String(limits.ID), index=True)
    rev_a: Mapped[int] = mapped_column(Integer, default=1)
    rev_b: Mapped[int] = mapped_column(Integer, default=1)
    """The volumes' revisions it is about: a volume changed since needs a new one."""


AIRSPACE_COORDINATION = ObjectType(
    "airspace_coordination",
    CoordinationRow,
    Text("airspace coordination", "空域調整"),
)


class AlertRow(OwnedRow):
    """An unmanned aircraft outside its approved operating volume: left the
    footprint or the band, or flying outside the window. Owned by the volume's
    nation, for its HQ, on the volume's own marking (so the partner the volume is
    released to is told too); the control link's state when it was seen joins it."""

    __tablename__ = "airspace_alerts"

    hq_id: Mapped[str] = mapped_column(String(limits.ID))
    volume_id: Mapped[str] = mapped_column(String(limits.ID), index=True)
    designator: Mapped[str] = mapped_column(String(limits.SHORT_NAME))
    track_uid: Mapped[str] = mapped_column(String(limits.TRACK_UID))
    callsign: Mapped[str] = mapped_column(String(limits.NAME))
    reasons: Mapped[list[str]] = mapped_column(JSON)
    """``footprint``, ``band``, ``window``: what it is outside of."""
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    alt_ft: Mapped[float | None] = mapped_column(Float, default=None)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    control_link: Mapped[str | None] = mapped_column(String(limits.CODE), default=None)


AIRSPACE_ALERT = ObjectType("airspace_alert", AlertRow, Text("conformance alert", "逸脱警報"))
