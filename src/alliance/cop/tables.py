"""COP tables: the latest state of each track and a bounded history (beside the ledger).

A track is identified by its owner and its uid: tracks of different nations
may share a uid (each nation chooses its own), and neither can touch the other's.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Float, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from alliance.core import limits
from alliance.store.schema.base import Base, UTCDateTime


class TrackRow(Base):
    __tablename__ = "tracks"

    owner: Mapped[str] = mapped_column(String(limits.NATION), primary_key=True)
    uid: Mapped[str] = mapped_column(String(limits.TRACK_UID), primary_key=True)
    rel: Mapped[str] = mapped_column(String(limits.REL))
    tlp: Mapped[str | None] = mapped_column(String(limits.TLP), default=None)
    sidc: Mapped[str] = mapped_column(String(limits.SIDC))
    callsign: Mapped[str] = mapped_column(String(limits.NAME))
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    hae: Mapped[float] = mapped_column(Float)
    course: Mapped[float | None] = mapped_column(Float, default=None)
    speed: Mapped[float | None] = mapped_column(Float, default=None)
    time: Mapped[datetime] = mapped_column(UTCDateTime())
    stale: Mapped[datetime] = mapped_column(UTCDateTime())
    how: Mapped[str] = mapped_column(String(limits.LABEL))
    source: Mapped[str] = mapped_column(String(limits.CODE))
    unmanned: Mapped[bool] = mapped_column(Boolean, default=False)
    operator_nation: Mapped[str | None] = mapped_column(String(limits.NATION), default=None)
    control_link: Mapped[str | None] = mapped_column(String(limits.CODE), default=None)
    remarks: Mapped[str] = mapped_column(Text, default="")
    exercise: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    exercise_name: Mapped[str] = mapped_column(String(limits.NAME), default="", server_default="")
    # The callsign and remarks in Japanese, where the owner gives them ("" if not).
    callsign_ja: Mapped[str] = mapped_column(String(limits.NAME), default="", server_default="")
    remarks_ja: Mapped[str] = mapped_column(Text, default="", server_default="")
    # An unmanned aircraft's link_since, control station and lost-link route (JSON).
    uas: Mapped[str | None] = mapped_column(Text, default=None)


class TrackHistoryRow(Base):
    __tablename__ = "track_history"

    # INTEGER on SQLite so that it is the auto-incrementing rowid.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    owner: Mapped[str] = mapped_column(String(limits.NATION))
    uid: Mapped[str] = mapped_column(String(limits.TRACK_UID))
    time: Mapped[datetime] = mapped_column(UTCDateTime())
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    hae: Mapped[float] = mapped_column(Float)
    course: Mapped[float | None] = mapped_column(Float, default=None)
    speed: Mapped[float | None] = mapped_column(Float, default=None)

    __table_args__ = (Index("ix_track_history_owner_uid_time", "owner", "uid", "time"),)
