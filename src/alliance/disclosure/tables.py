"""The disclosure desk's owned tables: proposals to widen a release, standing guidance."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String
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
    "disclosure_proposal",
    ProposalRow,
    Text("disclosure proposal", "開示提案"),
    national_only=True,
)


class GuidanceRow(OwnedRow):
    """Standing disclosure guidance: the owning nation's foreign disclosure
    officer pre-approves releasing objects of some types to some nations, so
    that staff may create or release such objects without a proposal each
    time (what a delegation of disclosure authority does in US practice).

    National-only, like a proposal. ``object_types`` lists registered object
    type names; ``add_rel`` the nations it covers (compact column form). It
    applies from ``valid_from`` until ``valid_until`` (open-ended when empty)
    or until revoked.
    """

    __tablename__ = "disclosure_guidance"

    object_types: Mapped[list[str]] = mapped_column(JSON)
    add_rel: Mapped[str] = mapped_column(String(limits.REL))
    note: Mapped[str] = mapped_column(RunningText)
    issued_by: Mapped[str] = mapped_column(String(limits.ID))
    issued_by_name: Mapped[str] = mapped_column(String(limits.NAME))
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime())
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(limits.ID), nullable=True)


DISCLOSURE_GUIDANCE = ObjectType(
    "disclosure_guidance",
    GuidanceRow,
    Text("disclosure guidance", "開示基準"),
    national_only=True,
)
