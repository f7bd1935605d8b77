"""ACM desk tables and object types: coordination requests and their thread,
decisions, working groups."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from alliance.core import limits
from alliance.core.i18n import Text as Label
from alliance.store.schema.base import OwnedRow, UTCDateTime
from alliance.store.types import ObjectType


class CoordinationRequestRow(OwnedRow):
    """A request between counterpart HQs. Its owner writes it; partners answer
    with responses of their own (single writer); the lifecycle status shown to
    users is derived from both."""

    __tablename__ = "coordination_requests"

    kind: Mapped[str] = mapped_column(String(limits.CODE))
    # The ACM tier it is coordinated at (acg, bocc, ccc), and how it got there.
    level: Mapped[str] = mapped_column(String(limits.CODE), default="bocc")
    escalations: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    from_hq_id: Mapped[str] = mapped_column(String(limits.ID))
    to_hq_ids: Mapped[list[str]] = mapped_column(JSON)
    subject: Mapped[str] = mapped_column(String(limits.TITLE))
    # The subject in Japanese beside the English (or only) one; NULL when none
    # was given, as in every request written before it existed (0016).
    subject_ja: Mapped[str | None] = mapped_column(String(limits.TITLE), default=None)
    body: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[str] = mapped_column(String(limits.CODE))
    due: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    state: Mapped[str] = mapped_column(String(limits.CODE), default="draft")
    # What sending releases: a draft stays national-only until it is sent.
    release_rel: Mapped[str] = mapped_column(String(limits.REL), default="")
    release_tlp: Mapped[str | None] = mapped_column(String(limits.TLP), default=None)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    author_id: Mapped[str] = mapped_column(String(limits.ID))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class CoordinationResponseRow(OwnedRow):
    """One entry in a request's thread, owned by the responding nation."""

    __tablename__ = "coordination_responses"

    request_id: Mapped[str] = mapped_column(String(limits.ID), index=True)
    request_revision: Mapped[int] = mapped_column(Integer)
    # The content hash of the request revision the responder saw
    # (alliance.core.approval); NULL on responses written before 0018, which
    # are judged by their revision number alone.
    request_hash: Mapped[str | None] = mapped_column(String(limits.CONTENT_HASH), default=None)
    kind: Mapped[str] = mapped_column(String(limits.LABEL))
    text: Mapped[str] = mapped_column(Text, default="")
    # Graded comments of a position: [{grade, text, ref}].
    comments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # A staff officer's position given by direction of their commander: the
    # delegation it was given under, and the commander's name (命により).
    delegation_id: Mapped[str | None] = mapped_column(String(limits.ID), default=None)
    by_direction_of: Mapped[str | None] = mapped_column(String(limits.NAME), default=None)
    author_id: Mapped[str] = mapped_column(String(limits.ID))
    author_name: Mapped[str] = mapped_column(String(limits.NAME))
    author_role: Mapped[str] = mapped_column(String(limits.LABEL))
    author_hq_id: Mapped[str] = mapped_column(String(limits.ID))


class DecisionRow(OwnedRow):
    """A coordinated outcome (the record of agreement), recorded by the requesting
    nation once every participating nation concurred. It commits no government:
    each nation implements it through a national decision of its own."""

    __tablename__ = "decisions"

    request_id: Mapped[str] = mapped_column(String(limits.ID), unique=True)
    request_revision: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text)
    concurrences: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    decided_by: Mapped[str] = mapped_column(String(limits.ID))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())


class NationalDecisionRow(OwnedRow):
    """One nation's own decision on a coordinated outcome: to implement it (with
    the taskings it issued through its chain of command) or not."""

    __tablename__ = "national_decisions"

    outcome_id: Mapped[str] = mapped_column(String(limits.ID), index=True)
    request_id: Mapped[str] = mapped_column(String(limits.ID))
    hq_id: Mapped[str] = mapped_column(String(limits.ID))
    course: Mapped[str] = mapped_column(String(limits.CODE))
    summary: Mapped[str] = mapped_column(Text)
    tasking_ids: Mapped[list[str]] = mapped_column(JSON)
    decided_by: Mapped[str] = mapped_column(String(limits.ID))
    decided_by_name: Mapped[str] = mapped_column(String(limits.NAME))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())


class DelegationRow(OwnedRow):
    """A commander's delegation of the authority to concur for their HQ, to a
    named staff officer, at one ACM level, for a period; revocable."""

    __tablename__ = "concurrence_delegations"

    hq_id: Mapped[str] = mapped_column(String(limits.ID))
    commander_id: Mapped[str] = mapped_column(String(limits.ID))
    commander_name: Mapped[str] = mapped_column(String(limits.NAME))
    delegate_id: Mapped[str] = mapped_column(String(limits.ID), index=True)
    delegate_name: Mapped[str] = mapped_column(String(limits.NAME))
    level: Mapped[str] = mapped_column(String(limits.CODE))
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime())
    valid_until: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    revoked_by: Mapped[str | None] = mapped_column(String(limits.ID), default=None)


class WorkingGroupRow(OwnedRow):
    __tablename__ = "working_groups"

    name_en: Mapped[str] = mapped_column(String(limits.NAME))
    name_ja: Mapped[str] = mapped_column(String(limits.NAME))
    purpose: Mapped[str] = mapped_column(Text, default="")
    members: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(limits.CODE), default="active")


class MeetingRow(OwnedRow):
    __tablename__ = "wg_meetings"

    group_id: Mapped[str] = mapped_column(String(limits.ID), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    location: Mapped[str] = mapped_column(String(limits.SHORT_TEXT), default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[str] = mapped_column(Text, default="")


class ActionItemRow(OwnedRow):
    """An action a nation commits itself to; only that nation changes it."""

    __tablename__ = "action_items"

    group_id: Mapped[str] = mapped_column(String(limits.ID), index=True)
    meeting_id: Mapped[str | None] = mapped_column(String(limits.ID), default=None)
    title: Mapped[str] = mapped_column(String(limits.TITLE))
    # The title in Japanese; NULL when none was given (as before 0016).
    title_ja: Mapped[str | None] = mapped_column(String(limits.TITLE), default=None)
    assignee: Mapped[str] = mapped_column(String(limits.NAME), default="")
    due: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    state: Mapped[str] = mapped_column(String(limits.CODE), default="open")


COORDINATION_REQUEST = ObjectType(
    "coordination_request", CoordinationRequestRow, Label("coordination request", "調整要請")
)
COORDINATION_RESPONSE = ObjectType(
    "coordination_response", CoordinationResponseRow, Label("response", "回答")
)
DECISION = ObjectType("decision", DecisionRow, Label("coordinated outcome", "調整結果"))
NATIONAL_DECISION = ObjectType(
    "national_decision", NationalDecisionRow, Label("national decision", "国別の決定")
)
DELEGATION = ObjectType(
    "delegation", DelegationRow, Label("delegation of concurrence", "同意権限の委任")
)
WORKING_GROUP = ObjectType("working_group", WorkingGroupRow, Label("working group", "作業部会"))
MEETING = ObjectType("meeting", MeetingRow, Label("meeting", "会議"))
ACTION_ITEM = ObjectType("action_item", ActionItemRow, Label("action item", "処置事項"))

OBJECT_TYPES = (
    COORDINATION_REQUEST,
    COORDINATION_RESPONSE,
    DECISION,
    WORKING_GROUP,
    MEETING,
    ACTION_ITEM,
    DELEGATION,
    NATIONAL_DECISION,
)
