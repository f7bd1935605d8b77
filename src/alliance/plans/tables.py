"""Plans desk tables and object types: bilateral plans, their national lines,
each nation's approval (and execution) of its own lines, and comments.

**This node holds exercise and template plans only.** Real operation plans
are classified and never enter an unclassified coordination node: a plan here
is either the plan of an exercise or a template staffs train with.

Single writer holds throughout. The lead nation owns the plan row: its
title, purpose, participants and its framing — phases with their key events,
decision points and branches (kept in the plan row as JSON: see
:class:`PlanRow`). Each line (a line of effort, or a task line assigned to
units) is owned by ONE nation and changed only by it; a partner comments on
it or proposes a change with a comment it owns. Each nation approves, and
later executes, its own lines of one revision with a row it owns.

A revision is the plan row plus its lines. Every content change of either
counts as one edit (``edits`` on each row); the revision number is the sum
of the edits of the plan and of all its lines, the same on every node that
holds them, and the content hash (:func:`alliance.core.approval.content_hash`)
covers the content and that number, so every revision has its own hash.
Execution records (tasking ids on a line) are not content: they make no new
revision.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from alliance.core import limits
from alliance.core.i18n import Text as Label
from alliance.store.schema.base import OwnedRow, UTCDateTime
from alliance.store.types import ObjectType


class PlanRow(OwnedRow):
    """A bilateral plan, owned by the lead nation: an exercise or a template
    plan only (real plans are classified and are not held here).

    The phases, with their key events, decision points and branches, are the
    lead's framing of the plan and are kept in this row as JSON rather than as
    rows of their own: they have one writer (the lead), they change together
    (renumbering a phase moves its decision points), they are part of every
    revision's content hash, and one row gives one ledger event per change of
    the framing. Lines, which are owned nation by nation, are rows.
    """

    __tablename__ = "plans"

    kind: Mapped[str] = mapped_column(String(limits.CODE))  # exercise | template
    title: Mapped[str] = mapped_column(String(limits.TITLE))
    title_ja: Mapped[str] = mapped_column(String(limits.TITLE), default="")
    purpose: Mapped[str] = mapped_column(Text, default="")
    purpose_ja: Mapped[str] = mapped_column(Text, default="")
    # The lead's HQ holding the plan (its chain of command changes it).
    hq_id: Mapped[str] = mapped_column(String(limits.ID))
    # Participating nations and the HQ each takes part through:
    # [{"nation": "JPN", "hq_id": "jpn-jjoc"}, ...]; the lead is one of them.
    participants: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    # [{"id", "name", "name_ja", "starts", "ends", "events": [...],
    #   "decision_points": [...], "branches": [...]}], see PhaseIn.
    phases: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Content edits of this row (1 when created): see the module docstring.
    edits: Mapped[int] = mapped_column(Integer, default=1)
    author_id: Mapped[str] = mapped_column(String(limits.ID))


class PlanLineRow(OwnedRow):
    """A line of effort or a task line of a plan, owned by ONE nation and
    assigned to that nation's units; only that nation changes it.

    A task line holds what the org desk's tasking needs (its title and
    detail, a due time, the units); executing the approved revision issues
    the taskings through the org desk and records their ids here
    (``tasking_ids``): the tasking itself is the org desk's row, never copied.
    """

    __tablename__ = "plan_lines"

    plan_id: Mapped[str] = mapped_column(String(limits.ID), index=True)
    kind: Mapped[str] = mapped_column(String(limits.CODE))  # effort | task
    # The owner's HQ holding the line (its chain of command changes it).
    hq_id: Mapped[str] = mapped_column(String(limits.ID))
    # The component (domain) it is for: a row of the synchronization matrix.
    component: Mapped[str] = mapped_column(String(limits.LABEL), default="")
    phase_id: Mapped[str] = mapped_column(String(limits.ID), default="")
    title: Mapped[str] = mapped_column(String(limits.TITLE))
    title_ja: Mapped[str] = mapped_column(String(limits.TITLE), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    detail_ja: Mapped[str] = mapped_column(Text, default="")
    # What the line needs from the partner (coordination needs).
    coordination: Mapped[str] = mapped_column(Text, default="")
    coordination_ja: Mapped[str] = mapped_column(Text, default="")
    unit_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    due: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    # active | removed (a removed line stays, so that revisions can be read back).
    state: Mapped[str] = mapped_column(String(limits.CODE), default="active")
    edits: Mapped[int] = mapped_column(Integer, default=1)
    # Execution, not content: the taskings issued for this line and the edit
    # of the line they were issued for.
    tasking_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    executed_edits: Mapped[int | None] = mapped_column(Integer, default=None)
    executed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    author_id: Mapped[str] = mapped_column(String(limits.ID))


class PlanApprovalRow(OwnedRow):
    """One nation's act on its own lines of one revision, pinned to that
    revision's content hash: ``approve``, ``withdraw`` (its approval), or
    ``execute`` (it issued its taskings for that revision). Owned by the
    acting nation."""

    __tablename__ = "plan_approvals"

    plan_id: Mapped[str] = mapped_column(String(limits.ID), index=True)
    act: Mapped[str] = mapped_column(String(limits.CODE))
    revision: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(limits.CONTENT_HASH))
    # Whether its author commits the nation (a commander), as judged when given.
    counts: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    tasking_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    hq_id: Mapped[str] = mapped_column(String(limits.ID))
    author_id: Mapped[str] = mapped_column(String(limits.ID))
    author_name: Mapped[str] = mapped_column(String(limits.NAME))
    author_role: Mapped[str] = mapped_column(String(limits.LABEL))


class PlanCommentRow(OwnedRow):
    """A comment on a plan or one of its lines, or a proposed change to a line
    (the fields it would change and their new values): owned by the
    commenter's nation. The line's owner decides whether to adopt it."""

    __tablename__ = "plan_comments"

    plan_id: Mapped[str] = mapped_column(String(limits.ID), index=True)
    line_id: Mapped[str | None] = mapped_column(String(limits.ID), default=None)
    kind: Mapped[str] = mapped_column(String(limits.CODE))  # comment | proposal
    revision: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(limits.CONTENT_HASH))
    text: Mapped[str] = mapped_column(Text)
    text_ja: Mapped[str] = mapped_column(Text, default="")
    proposed: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    author_id: Mapped[str] = mapped_column(String(limits.ID))
    author_name: Mapped[str] = mapped_column(String(limits.NAME))
    author_hq_id: Mapped[str] = mapped_column(String(limits.ID))


PLAN = ObjectType("plan", PlanRow, Label("plan", "計画"))
PLAN_LINE = ObjectType("plan_line", PlanLineRow, Label("plan line", "計画の系列"))
PLAN_APPROVAL = ObjectType("plan_approval", PlanApprovalRow, Label("plan approval", "計画の承認"))
PLAN_COMMENT = ObjectType("plan_comment", PlanCommentRow, Label("plan comment", "計画への意見"))

OBJECT_TYPES = (PLAN, PLAN_LINE, PLAN_APPROVAL, PLAN_COMMENT)

__all__ = [
    "OBJECT_TYPES",
    "PLAN",
    "PLAN_APPROVAL",
    "PLAN_COMMENT",
    "PLAN_LINE",
    "PlanApprovalRow",
    "PlanCommentRow",
    "PlanLineRow",
    "PlanRow",
]
