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
from alliance.org import TaskingIn


class RequestKind(StrEnum):
    RFI = "rfi"  # request for information
    RFS = "rfs"  # request for support
    ACTIVITY = "activity"  # activity coordination


class Priority(StrEnum):
    ROUTINE = "routine"
    PRIORITY = "priority"
    IMMEDIATE = "immediate"
    FLASH = "flash"


class Level(StrEnum):
    """The tier of the Alliance Coordination Mechanism a request is coordinated at
    (2015 Guidelines): the Alliance Coordination Group (policy, whole of
    government), the Bilateral Operations Coordination Center, a Component
    Coordination Center."""

    ACG = "acg"
    BOCC = "bocc"
    CCC = "ccc"

    @property
    def rank(self) -> int:
        """Higher is nearer policy: CCC 0, BOCC 1, ACG 2."""
        return LEVELS.index(self)


LEVELS = (Level.CCC, Level.BOCC, Level.ACG)


class ResponseKind(StrEnum):
    """An entry in a request's thread. An RFI is *answered*; other requests get
    positions: concur, concur with comment, non-concur."""

    ACKNOWLEDGE = "acknowledge"
    COMMENT = "comment"
    ANSWER = "answer"  # the answer to an RFI
    CONCUR = "concur"
    CONCUR_WITH_COMMENT = "concur_with_comment"
    NON_CONCUR = "non_concur"

    @property
    def is_position(self) -> bool:
        return self in POSITIONS

    @property
    def concurs(self) -> bool:
        return self in CONCURRING


POSITIONS = frozenset(
    {ResponseKind.CONCUR, ResponseKind.CONCUR_WITH_COMMENT, ResponseKind.NON_CONCUR}
)
CONCURRING = frozenset({ResponseKind.CONCUR, ResponseKind.CONCUR_WITH_COMMENT})


class Grade(StrEnum):
    """How much a comment on a position weighs: a critical comment is a
    non-concurrence until it is resolved; a substantive one concerns content;
    an administrative one, form (spelling, format)."""

    CRITICAL = "critical"
    SUBSTANTIVE = "substantive"
    ADMINISTRATIVE = "administrative"


class Status(StrEnum):
    """The lifecycle users see, derived from the owner's state and the partners' positions."""

    DRAFT = "draft"
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    ANSWERED = "answered"  # an RFI a partner answered
    CONCURRED = "concurred"
    NON_CONCURRED = "non_concurred"
    DECIDED = "decided"
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"


Subject = Title
# A subject or title in Japanese beside the English (or only) one: optional
# ("" when there is none), with the same limit and character check.
SubjectJa = Annotated[
    str, StringConstraints(max_length=limits.TITLE, strip_whitespace=True), NAME_CHARS
]
# Who does it: a name, or none yet.
Assignee = Annotated[
    str, StringConstraints(max_length=limits.NAME, strip_whitespace=True), NAME_CHARS
]
Summary = Annotated[str, StringConstraints(min_length=1, max_length=limits.LONG_TEXT), TEXT_CHARS]
CommentText = Annotated[str, StringConstraints(min_length=1, max_length=limits.NOTE), TEXT_CHARS]


class RequestIn(Strict):
    kind: RequestKind
    level: Level = Field(default=Level.BOCC, description="ACG, BOCC or CCC")
    from_hq_id: Slug
    to_hq_ids: list[Slug] = Field(min_length=1, max_length=20)
    subject: Subject
    subject_ja: SubjectJa = Field(
        default="", description="The subject in Japanese / 件名（日本語）"
    )
    body: LongText = ""
    priority: Priority = Priority.ROUTINE
    due: Moment | None = Field(default=None, description="DTG (271200ZJUL24) or ISO 8601")
    marking: MarkingIn = Field(default_factory=MarkingIn)


class RequestPatch(Strict):
    version: Version | None = None
    subject: Subject | None = None
    subject_ja: SubjectJa | None = Field(
        default=None, description='The subject in Japanese ("" removes it) / 件名（日本語）'
    )
    body: LongText | None = None
    priority: Priority | None = None
    due: Moment | None = None
    marking: MarkingIn | None = None


class CloseIn(Strict):
    version: Version | None = None
    note: LongText = ""


class GradedComment(Strict):
    grade: Grade
    text: CommentText
    ref: ShortText = Field(default="", description="Where it applies: paragraph, page, line")


class ResponseIn(Strict):
    kind: ResponseKind
    text: LongText = ""
    comments: list[GradedComment] = Field(
        default_factory=list,
        max_length=100,
        description="Graded comments of a concur-with-comment or non-concur position",
    )
    revision: Version | None = Field(
        default=None, description="The request revision answered (default: current)"
    )


class ResponseOut(OwnedOut):
    request_id: str
    request_revision: int
    request_hash: str | None = Field(
        default=None,
        description="The content hash of the revision answered (none on responses before 0018)",
    )
    kind: ResponseKind
    text: str
    comments: list[GradedComment]
    author_id: str
    author_name: str
    author_role: str
    author_hq_id: str
    delegation_id: str | None = Field(
        default=None, description="The delegation a staff officer concurred under"
    )
    by_direction_of: str | None = Field(
        default=None, description="The commander the position was given for (命により)"
    )


class DecisionIn(Strict):
    summary: Summary


class Concurrence(BaseModel):
    nation: str
    response_id: str
    by: str
    role: str
    hq_id: str
    at: TimeOut
    kind: ResponseKind = ResponseKind.CONCUR
    by_direction_of: str | None = None
    delegation_id: str | None = None


class Course(StrEnum):
    """What a nation decides to do with a coordinated outcome."""

    IMPLEMENT = "implement"
    NOT_IMPLEMENT = "not_implement"


class NationalDecisionIn(Strict):
    """A nation's own decision on a coordinated outcome; implementing it, the
    taskings it issues to its own units (through its chain of command)."""

    course: Course
    summary: Summary
    hq_id: Slug | None = Field(
        default=None,
        description="The HQ deciding for the nation (default: its HQ in the coordination)",
    )
    taskings: list[TaskingIn] = Field(default_factory=list, max_length=50)
    marking: MarkingIn = Field(default_factory=MarkingIn)


class NationalDecisionOut(OwnedOut):
    outcome_id: str
    request_id: str
    hq_id: str
    course: Course
    summary: str
    tasking_ids: list[str]
    decided_by: str
    decided_by_name: str
    decided_at: TimeOut


class DecisionOut(OwnedOut):
    """A coordinated outcome: what the participating nations concurred on. Each
    implements it by a national decision of its own (those released to you)."""

    request_id: str
    request_revision: int
    subject: str
    subject_ja: str = Field(default="", description="The request's subject in Japanese, if any")
    nations: list[str]
    summary: str
    concurrences: list[Concurrence]
    decided_by: str
    decided_at: TimeOut
    national_decisions: list[NationalDecisionOut] = Field(default_factory=list)


class EscalateIn(Strict):
    """Raise a request to a higher tier. The thread and the marking stay; a sent
    request opens a new revision (positions taken at the lower tier do not commit
    the higher one)."""

    version: Version | None = None
    level: Level
    from_hq_id: Slug | None = Field(
        default=None, description="A superior HQ that now holds the request (default: unchanged)"
    )
    to_hq_ids: list[Slug] | None = Field(
        default=None, min_length=1, max_length=20, description="The partner HQs at the new level"
    )
    note: LongText = ""


class Escalation(BaseModel):
    from_level: Level
    to_level: Level
    from_hq_id: str
    to_hq_ids: list[str]
    revision: int
    by: str
    at: TimeOut
    note: str


class NationPosition(BaseModel):
    nation: str
    position: ResponseKind | None
    response_id: str | None


class RequestOut(OwnedOut):
    kind: RequestKind
    level: Level
    level_name: dict[str, str]
    escalations: list[Escalation]
    from_hq_id: str
    to_hq_ids: list[str]
    participants: list[str]
    subject: str
    subject_ja: str = Field(
        default="", description="The subject in Japanese, if any / 件名（日本語）"
    )
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
    title_ja: SubjectJa = Field(default="", description="The title in Japanese / 表題（日本語）")
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
    title_ja: str = Field(default="", description="The title in Japanese, if any / 表題（日本語）")
    assignee: str
    due: TimeOut | None
    state: str


class DelegationIn(Strict):
    """A commander delegates the authority to concur, for the commander's HQ, to
    a named staff officer of it: at one level, for a period."""

    delegate_id: Slug = Field(description="The staff officer's user id")
    level: Level
    valid_from: Moment
    valid_until: Moment
    marking: MarkingIn = Field(default_factory=MarkingIn)


class RevokeIn(Strict):
    version: Version | None = None
    note: LongText = ""


class DelegationOut(OwnedOut):
    hq_id: str
    commander_id: str
    commander_name: str
    delegate_id: str
    delegate_name: str
    level: Level
    valid_from: TimeOut
    valid_until: TimeOut
    revoked: TimeOut | None
    revoked_by: str | None
