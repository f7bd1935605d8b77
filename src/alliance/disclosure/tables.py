"""The disclosure desk's one owned table: proposals to widen a release."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy import Text as RunningText
from sqlalchemy.orm import Mapped, mapped_column

from alliance.core import limits
from alliance.core.i18n import Text
from alliance.store.schema import OwnedRow, UTCDateTime
from alliance.store.types import ObjectType


class ProposalRow(OwnedRow):
    """A proposal to release one owned object to more nations.

    Owned by the object's owner and marked national-only: a disclosure
    proposal is the owning nation's own business. ``add_rel`` holds the
    nations to add (the compact column form); on approval they are added to
    the object's release as it then stands.
    """

    __tablename__ = "disclosure_proposals"

    object_type: Mapped[str] = mapped_column(String(limits.LABEL))
    object_id: Mapped[str] = mapped_column(String(limits.ID), index=True)
    add_rel: Mapped[str] = mapped_column(String(limits.REL))
    reason: Mapped[str] = mapped_column(RunningText)
    state: Mapped[str] = mapped_column(String(limits.CODE), index=True)
    proposed_by: Mapped[str] = mapped_column(String(limits.ID))
    decided_by: Mapped[str | None] = mapped_column(String(limits.ID), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decision_note: Mapped[str] = mapped_column(RunningText, default="")


DISCLOSURE_PROPOSAL = ObjectType(
    "disclosure_proposal", ProposalRow, Text("disclosure proposal", "開示提案")
)
