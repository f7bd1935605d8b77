"""Org desk tables and object types: nations, HQs, units, command relationships,
counterparts, taskings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from alliance.core import limits
from alliance.core.i18n import Text as Label
from alliance.store.schema.base import OwnedRow, UTCDateTime
from alliance.store.types import ObjectType


class NationRow(OwnedRow):
    __tablename__ = "nations"

    name_en: Mapped[str] = mapped_column(String(limits.NAME))
    name_ja: Mapped[str] = mapped_column(String(limits.NAME))


class HqRow(OwnedRow):
    """A headquarters (or ministry / department) in one nation's structure."""

    __tablename__ = "hqs"

    parent_id: Mapped[str | None] = mapped_column(String(limits.ID), index=True)
    kind: Mapped[str] = mapped_column(String(limits.LABEL))
    name_en: Mapped[str] = mapped_column(String(limits.NAME))
    name_ja: Mapped[str] = mapped_column(String(limits.NAME))
    short_en: Mapped[str] = mapped_column(String(limits.SHORT_NAME))
    short_ja: Mapped[str] = mapped_column(String(limits.SHORT_NAME))
    location_en: Mapped[str] = mapped_column(String(limits.SHORT_TEXT), default="")
    location_ja: Mapped[str] = mapped_column(String(limits.SHORT_TEXT), default="")
    note_en: Mapped[str] = mapped_column(Text, default="")
    note_ja: Mapped[str] = mapped_column(Text, default="")
    operational_authority: Mapped[bool] = mapped_column(Boolean, default=False)


class UnitRow(OwnedRow):
    """A unit or platform, with its MIL-STD-2525 symbol identification code."""

    __tablename__ = "units"

    hq_id: Mapped[str] = mapped_column(String(limits.ID), index=True)
    name_en: Mapped[str] = mapped_column(String(limits.NAME))
    name_ja: Mapped[str] = mapped_column(String(limits.NAME))
    sidc: Mapped[str] = mapped_column(String(limits.SIDC))
    domain: Mapped[str] = mapped_column(String(limits.CODE))
    echelon: Mapped[str] = mapped_column(String(limits.LABEL), default="")
    home_en: Mapped[str] = mapped_column(String(limits.SHORT_TEXT), default="")
    home_ja: Mapped[str] = mapped_column(String(limits.SHORT_TEXT), default="")


class CommandRelationshipRow(OwnedRow):
    """COCOM/OPCON/TACON/ADCON (same nation only) or support (may cross nations)."""

    __tablename__ = "command_relationships"

    kind: Mapped[str] = mapped_column(String(limits.CODE))
    superior_kind: Mapped[str] = mapped_column(String(limits.CODE))
    superior_id: Mapped[str] = mapped_column(String(limits.ID), index=True)
    subordinate_kind: Mapped[str] = mapped_column(String(limits.CODE))
    subordinate_id: Mapped[str] = mapped_column(String(limits.ID), index=True)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime())
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    caveats_en: Mapped[str] = mapped_column(Text, default="")
    caveats_ja: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(limits.CODE), default="active")


class CounterpartRow(OwnedRow):
    """A counterpart link from one of the owner's HQs to a partner HQ."""

    __tablename__ = "counterparts"

    hq_id: Mapped[str] = mapped_column(String(limits.ID), index=True)
    partner_hq_id: Mapped[str] = mapped_column(String(limits.ID), index=True)
    note_en: Mapped[str] = mapped_column(Text, default="")
    note_ja: Mapped[str] = mapped_column(Text, default="")


class TaskingRow(OwnedRow):
    """A task given to a unit by an HQ in its national chain of command."""

    __tablename__ = "taskings"

    unit_id: Mapped[str] = mapped_column(String(limits.ID), index=True)
    issuing_hq_id: Mapped[str] = mapped_column(String(limits.ID))
    title: Mapped[str] = mapped_column(String(limits.TITLE))
    detail: Mapped[str] = mapped_column(Text, default="")
    due: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    state: Mapped[str] = mapped_column(String(limits.CODE), default="issued")


NATION = ObjectType("nation", NationRow, Label("nation", "国"))
HQ = ObjectType("hq", HqRow, Label("HQ", "司令部"))
UNIT = ObjectType("unit", UnitRow, Label("unit", "部隊"))
RELATIONSHIP = ObjectType(
    "relationship", CommandRelationshipRow, Label("relationship", "指揮・支援関係")
)
COUNTERPART = ObjectType("counterpart", CounterpartRow, Label("counterpart", "カウンターパート"))
TASKING = ObjectType("tasking", TaskingRow, Label("tasking", "任務付与"))

OBJECT_TYPES = (NATION, HQ, UNIT, RELATIONSHIP, COUNTERPART, TASKING)
