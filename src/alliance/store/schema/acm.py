"""ACM desk tables: coordination requests and their thread, decisions, working groups."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import OwnedRow, UTCDateTime


class CoordinationRequestRow(OwnedRow):
    """A request between counterpart HQs. Its owner writes it; partners answer
    with responses of their own (single writer); the lifecycle status shown to
    users is derived from both."""

    __tablename__ = "coordination_requests"

    kind: Mapped[str] = mapped_column(String(16))
    from_hq_id: Mapped[str] = mapped_column(String(64))
    to_hq_ids: Mapped[list[str]] = mapped_column(JSON)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    priority: Mapped[str] = mapped_column(String(16))
    due: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    state: Mapped[str] = mapped_column(String(16), default="draft")
    # What sending releases: a draft stays national-only until it is sent.
    release_rel: Mapped[str] = mapped_column(String(400), default="")
    release_tlp: Mapped[str | None] = mapped_column(String(16), default=None)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    author_id: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class CoordinationResponseRow(OwnedRow):
    """One entry in a request's thread, owned by the responding nation."""

    __tablename__ = "coordination_responses"

    request_id: Mapped[str] = mapped_column(String(64), index=True)
    request_revision: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[str] = mapped_column(String(64))
    author_name: Mapped[str] = mapped_column(String(200))
    author_role: Mapped[str] = mapped_column(String(32))
    author_hq_id: Mapped[str] = mapped_column(String(64))


class DecisionRow(OwnedRow):
    """A bilateral decision, recorded once every participating nation concurred."""

    __tablename__ = "decisions"

    request_id: Mapped[str] = mapped_column(String(64), unique=True)
    request_revision: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text)
    concurrences: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    decided_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WorkingGroupRow(OwnedRow):
    __tablename__ = "working_groups"

    name_en: Mapped[str] = mapped_column(String(200))
    name_ja: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(Text, default="")
    members: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default="active")


class MeetingRow(OwnedRow):
    __tablename__ = "wg_meetings"

    group_id: Mapped[str] = mapped_column(String(64), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    location: Mapped[str] = mapped_column(String(200), default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[str] = mapped_column(Text, default="")


class ActionItemRow(OwnedRow):
    """An action a nation commits itself to; only that nation changes it."""

    __tablename__ = "action_items"

    group_id: Mapped[str] = mapped_column(String(64), index=True)
    meeting_id: Mapped[str | None] = mapped_column(String(64), default=None)
    title: Mapped[str] = mapped_column(String(300))
    assignee: Mapped[str] = mapped_column(String(200), default="")
    due: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    state: Mapped[str] = mapped_column(String(16), default="open")
