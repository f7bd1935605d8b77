"""ACM desk inputs and views: coordination requests, responses, decisions, working groups."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from alliance.core import limits
from alliance.core.models import (
    LongText,
    MarkingIn,
    MarkingOut,
    Moment,
    Name,
    OwnedOut,
    ShortText,
    Slug,
    Strict,
    TimeOut,
    Title,
    Trigraph,
    Version,
)
from alliance.core.text import NAME_CHARS, TEXT_CHARS


class RequestKind(StrEnum):
    RFI = "rfi"  # request for information
    RFS = "rfs"  # request for support
    ACTIVITY = "activity"  # activity coordination


class Priority(StrEnum):
    ROUTINE = "routine"
    PRIORITY = "priority"
    IMMEDIATE = "immediate"
    FLASH = "flash"


class ResponseKind(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    REPLY = "reply"
    COMMENT = "comment"
    CONCUR = "concur"
    NON_CONCUR = "non_concur"
    COUNTER_PROPOSAL = "counter_proposal"

    @property
    def is_position(self) -> bool:
        return self in POSITIONS


POSITIONS = frozenset({ResponseKind.CONCUR, ResponseKind.NON_CONCUR, ResponseKind.COUNTER_PROPOSAL})


class Status(StrEnum):
    """The lifecycle users see, derived from the owner's state and the partners' positions."""

    DRAFT = "draft"
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    CONCURRED = "concurred"
    NON_CONCURRED = "non_concurred"
    COUNTER_PROPOSED = "counter_proposed"
    DECIDED = "decided"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


Subject = Title
# Who does it: a name, or none yet.
Assignee = Annotated[
    str, StringConstraints(max_length=limits.NAME, strip_whitespace=True), NAME_CHARS
]
Summary = Annotated[str, StringConstraints(min_length=1, max_length=limits.LONG_TEXT), TEXT_CHARS]


class RequestIn(Strict):
    kind: RequestKind
    from_hq_id: Slug
    to_hq_ids: list[Slug] = Field(min_length=1, max_length=20)
    subject: Subject
    body: LongText = ""
    priority: Priority = Priority.ROUTINE
    due: Moment | None = Field(default=None, description="DTG (271200ZJUL24) or ISO 8601")
    marking: MarkingIn = Field(default_factory=MarkingIn)


class RequestPatch(Strict):
    version: Version | None = None
    subject: Subject | None = None
    body: LongText | None = None
    priority: Priority | None = None
    due: Moment | None = None
    marking: MarkingIn | None = None


class CloseIn(Strict):
    version: Version | None = None
    note: LongText = ""


class ResponseIn(Strict):
    kind: ResponseKind
    text: LongText = ""
    revision: Version | None = Field(
        default=None, description="The request revision answered (default: current)"
    )


class ResponseOut(OwnedOut):
    request_id: str
    request_revision: int
    kind: ResponseKind
    text: str
    author_id: str
    author_name: str
    author_role: str
    author_hq_id: str


class DecisionIn(Strict):
    summary: Summary


class Concurrence(BaseModel):
    nation: str
    response_id: str
    by: str
    role: str
    hq_id: str
    at: TimeOut


class DecisionOut(OwnedOut):
    request_id: str
    request_revision: int
    subject: str
    nations: list[str]
    summary: str
    concurrences: list[Concurrence]
    decided_by: str
    decided_at: TimeOut


class NationPosition(BaseModel):
    nation: str
    position: ResponseKind | None
    response_id: str | None


class RequestOut(OwnedOut):
    kind: RequestKind
    from_hq_id: str
    to_hq_ids: list[str]
    participants: list[str]
    subject: str
    body: str
    priority: Priority
    due: TimeOut | None
    state: str
    status: Status
    status_name: dict[str, str]
    revision: int
    author_id: str
    sent: TimeOut | None
    closed: TimeOut | None
    positions: list[NationPosition]
    awaiting: list[str]
    decision_id: str | None
    release_marking: MarkingOut | None = Field(
        default=None, description="While a draft: the marking that sending will apply"
    )


class ThreadOut(BaseModel):
    request: RequestOut
    responses: list[ResponseOut]
    decision: DecisionOut | None


class Member(Strict):
    nation: Trigraph
    name: Name
    role: ShortText = ""
    hq_id: Slug | None = None


class WorkingGroupIn(Strict):
    id: Slug | None = None
    name_en: Name
    name_ja: Name
    purpose: LongText = ""
    members: list[Member] = Field(min_length=2, max_length=200)
    marking: MarkingIn = Field(default_factory=MarkingIn)


class WorkingGroupOut(OwnedOut):
    name_en: str
    name_ja: str
    purpose: str
    members: list[Member]
    nations: list[str]
    state: str


class MeetingIn(Strict):
    starts_at: Moment
    location: ShortText = ""
    agenda: LongText = ""
    minutes: LongText = ""


class MeetingPatch(Strict):
    version: Version | None = None
    location: ShortText | None = None
    agenda: LongText | None = None
    minutes: LongText | None = None


class MeetingOut(OwnedOut):
    group_id: str
    starts_at: TimeOut
    location: str
    agenda: str
    minutes: str


class ActionItemIn(Strict):
    title: Subject
    assignee: Assignee = ""
    due: Moment | None = None
    meeting_id: Slug | None = None


class ActionItemPatch(Strict):
    version: Version | None = None
    state: Literal["open", "done", "cancelled"] | None = None
    assignee: Assignee | None = None
    due: Moment | None = None


class ActionItemOut(OwnedOut):
    group_id: str
    meeting_id: str | None
    title: str
    assignee: str
    due: TimeOut | None
    state: str
