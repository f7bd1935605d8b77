"""The example desk's one owned table and object type."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from alliance.core import limits
from alliance.core.i18n import Text
from alliance.store.schema import OwnedRow
from alliance.store.types import ObjectType


class NoteRow(OwnedRow):
    """A short note held by one HQ."""

    __tablename__ = "example_notes"

    hq_id: Mapped[str] = mapped_column(String(limits.ID), index=True)
    text: Mapped[str] = mapped_column(String(limits.TITLE))


NOTE = ObjectType("note", NoteRow, Text("note", "メモ"))
