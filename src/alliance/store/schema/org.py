"""Org desk tables: nations, HQs, units, command relationships, counterparts, taskings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import OwnedRow, UTCDateTime


class NationRow(OwnedRow):
    __tablename__ = "nations"

    name_en: Mapped[str] = mapped_column(String(200))
    name_ja: Mapped[str] = mapped_column(String(200))


class HqRow(OwnedRow):
    """A headquarters (or ministry / department) in one nation's structure."""

    __tablename__ = "hqs"

    parent_id: Mapped[str | None] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    name_en: Mapped[str] = mapped_column(String(200))
    name_ja: Mapped[str] = mapped_column(String(200))
    short_en: Mapped[str] = mapped_column(String(40))
    short_ja: Mapped[str] = mapped_column(String(40))
    location_en: Mapped[str] = mapped_column(String(200), default="")
    location_ja: Mapped[str] = mapped_column(String(200), default="")
    note_en: Mapped[str] = mapped_column(Text, default="")
    note_ja: Mapped[str] = mapped_column(Text, default="")
    operational_authority: Mapped[bool] = mapped_column(Boolean, default=False)


class UnitRow(OwnedRow):
    """A unit or platform, with its MIL-STD-2525 symbol identification code."""

    __tablename__ = "units"

    hq_id: Mapped[str] = mapped_column(String(64), index=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_ja: Mapped[str] = mapped_column(String(200))
    sidc: Mapped[str] = mapped_column(String(30))
    domain: Mapped[str] = mapped_column(String(16))
    echelon: Mapped[str] = mapped_column(String(32), default="")
    home_en: Mapped[str] = mapped_column(String(200), default="")
    home_ja: Mapped[str] = mapped_column(String(200), default="")


class CommandRelationshipRow(OwnedRow):
    """COCOM/OPCON/TACON/ADCON (same nation only) or support (may cross nations)."""

    __tablename__ = "command_relationships"

    kind: Mapped[str] = mapped_column(String(16))
    superior_kind: Mapped[str] = mapped_column(String(8))
    superior_id: Mapped[str] = mapped_column(String(64), index=True)
    subordinate_kind: Mapped[str] = mapped_column(String(8))
    subordinate_id: Mapped[str] = mapped_column(String(64), index=True)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime())
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    caveats_en: Mapped[str] = mapped_column(Text, default="")
    caveats_ja: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16), default="active")


class CounterpartRow(OwnedRow):
    """A counterpart link from one of the owner's HQs to a partner HQ."""

    __tablename__ = "counterparts"

    hq_id: Mapped[str] = mapped_column(String(64), index=True)
    partner_hq_id: Mapped[str] = mapped_column(String(64), index=True)
    note_en: Mapped[str] = mapped_column(Text, default="")
    note_ja: Mapped[str] = mapped_column(Text, default="")


class TaskingRow(OwnedRow):
    """A task given to a unit by an HQ in its national chain of command."""

    __tablename__ = "taskings"

    unit_id: Mapped[str] = mapped_column(String(64), index=True)
    issuing_hq_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    detail: Mapped[str] = mapped_column(Text, default="")
    due: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    state: Mapped[str] = mapped_column(String(16), default="issued")
