"""Plans desk inputs and views.

Real plans are classified: this node holds exercise and template plans only
(:data:`CLASSIFIED_NOTE`, repeated on every plan view)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from alliance.core import limits
from alliance.core.i18n import Text
from alliance.core.models import (
    Label,
    LongText,
    MarkingIn,
    Moment,
    OwnedOut,
    Slug,
    Strict,
    TimeOut,
    Title,
    Trigraph,
    Version,
)
from alliance.core.text import ID_CHARS, NAME_CHARS, TEXT_CHARS

CLASSIFIED_NOTE = Text(
    "Real operation plans are classified: this node holds exercise and template plans only.",
    "実際の作戦計画は秘区分に属するため、このノードは演習用及びひな型の計画のみを扱います。",
)


class PlanKind(StrEnum):
    """What a plan on this node is: the plan of an exercise, or a template
    staffs train with. There is no kind for a real plan (classified)."""

    EXERCISE = "exercise"
    TEMPLATE = "template"


class LineKind(StrEnum):
    EFFORT = "effort"  # a line of effort
    TASK = "task"  # a task line: issues taskings to the nation's units when executed


class PlanStatus(StrEnum):
    """Derived: draft until every participant approved its lines of the current
    revision; executing once some and executed once all executed it."""

    DRAFT = "draft"
    APPROVED = "approved"
    EXECUTING = "executing"
    EXECUTED = "executed"


# A title in Japanese beside the English one: optional ("" when none).
TitleJa = Annotated[
    str, StringConstraints(max_length=limits.TITLE, strip_whitespace=True), NAME_CHARS
]
ContentHash = Annotated[
    str,
    StringConstraints(pattern=r"^sha256:[0-9a-f]{64}$", max_length=limits.CONTENT_HASH),
    ID_CHARS,
]
CommentText = Annotated[str, StringConstraints(min_length=1, max_length=limits.NOTE), TEXT_CHARS]
CommentJa = Annotated[str, StringConstraints(max_length=limits.NOTE), TEXT_CHARS]


class PlanParticipant(Strict):
    nation: Trigraph
    hq_id: Slug = Field(description="The HQ the nation takes part through")


class KeyEvent(Strict):
    title: Title
    title_ja: TitleJa = ""
    at: Label = Field(default="", description="When, relative to the plan (D+2, H-hour)")


class DecisionPoint(Strict):
    id: Slug
    title: Title
    title_ja: TitleJa = ""
    criteria: LongText = ""
    criteria_ja: LongText = ""


class Branch(Strict):
    id: Slug
    title: Title
    title_ja: TitleJa = ""
    condition: LongText = Field(default="", description="When the branch is taken")
    condition_ja: LongText = ""


class Phase(Strict):
    id: Slug
    name: Title
    name_ja: TitleJa = ""
    starts: Label = Field(default="", description="D-7, H-hour, ...")
    ends: Label = ""
    events: list[KeyEvent] = Field(default_factory=list, max_length=50)
    decision_points: list[DecisionPoint] = Field(default_factory=list, max_length=20)
    branches: list[Branch] = Field(default_factory=list, max_length=20)


class PlanIn(Strict):
    kind: PlanKind = Field(
        description="exercise or template: real plans are classified and are not held here"
    )
    title: Title
    title_ja: TitleJa = ""
    purpose: LongText = ""
    purpose_ja: LongText = ""
    hq_id: Slug = Field(description="The lead nation's HQ that holds the plan")
    participants: list[PlanParticipant] = Field(min_length=1, max_length=20)
    phases: list[Phase] = Field(default_factory=list, max_length=30)
    marking: MarkingIn = Field(default_factory=MarkingIn)


class PlanPatch(Strict):
    version: Version | None = None
    title: Title | None = None
    title_ja: TitleJa | None = None
    purpose: LongText | None = None
    purpose_ja: LongText | None = None
    phases: list[Phase] | None = Field(default=None, max_length=30)


class PlanLineIn(Strict):
    kind: LineKind
    hq_id: Slug | None = Field(
        default=None, description="Your HQ holding the line (default: your HQ in the plan)"
    )
    component: Label = Field(default="", description="Component or domain (a matrix row)")
    phase_id: Slug | None = None
    title: Title
    title_ja: TitleJa = ""
    detail: LongText = ""
    detail_ja: LongText = ""
    coordination: LongText = Field(default="", description="What the line needs from partners")
    coordination_ja: LongText = ""
    unit_ids: list[Slug] = Field(default_factory=list, max_length=50)
    due: Moment | None = Field(default=None, description="DTG (271200ZJUL24) or ISO 8601")


class ProposedLine(Strict):
    """The fields a proposal would change on a line (the owner adopts them or not)."""

    title: Title | None = None
    title_ja: TitleJa | None = None
    detail: LongText | None = None
    detail_ja: LongText | None = None
    coordination: LongText | None = None
    coordination_ja: LongText | None = None
    phase_id: Slug | None = None
    due: Moment | None = None


class PlanLinePatch(ProposedLine):
    version: Version | None = None
    component: Label | None = None
    unit_ids: list[Slug] | None = Field(default=None, max_length=50)
    state: Literal["active", "removed"] | None = None


class ApprovalIn(Strict):
    content_hash: ContentHash = Field(description="The content hash of the revision you approve")
    approve: bool = Field(default=True, description="false withdraws your nation's approval")
    note: LongText = ""


class ExecuteIn(Strict):
    content_hash: ContentHash = Field(description="The approved revision you execute")
    note: LongText = ""


class CommentIn(Strict):
    line_id: Slug | None = Field(default=None, description="The line commented on (none: the plan)")
    kind: Literal["comment", "proposal"] = "comment"
    text: CommentText
    text_ja: CommentJa = ""
    proposed: ProposedLine | None = None


class PlanLineOut(OwnedOut):
    plan_id: str
    kind: LineKind
    hq_id: str
    component: str
    phase_id: str
    title: str
    title_ja: str
    detail: str
    detail_ja: str
    coordination: str
    coordination_ja: str
    unit_ids: list[str]
    due: TimeOut | None
    state: str
    edits: int
    tasking_ids: list[str]
    executed_edits: int | None
    executed: TimeOut | None


class NationPart(BaseModel):
    """One participating nation's part of the current revision."""

    nation: str
    hq_id: str
    lines: int
    approved: bool
    approval_id: str | None
    executed: bool


class PlanOut(OwnedOut):
    classification: dict[str, str] = Field(description="Real plans are classified: not held here")
    kind: PlanKind
    title: str
    title_ja: str
    purpose: str
    purpose_ja: str
    hq_id: str
    participants: list[PlanParticipant]
    phases: list[Phase]
    revision: int
    content_hash: str
    status: PlanStatus
    status_name: dict[str, str]
    parts: list[NationPart]
    awaiting: list[str] = Field(description="Nations that have not approved this revision")
    lines: list[PlanLineOut]


class ApprovalOut(OwnedOut):
    plan_id: str
    act: str
    revision: int
    content_hash: str
    counts: bool
    note: str
    tasking_ids: list[str]
    hq_id: str
    author_name: str
    author_role: str


class CommentOut(OwnedOut):
    plan_id: str
    line_id: str | None
    kind: str
    revision: int
    content_hash: str
    text: str
    text_ja: str
    proposed: dict[str, object]
    author_name: str
    author_hq_id: str


class RevisionOut(BaseModel):
    revision: int
    content_hash: str
    at: TimeOut
    nation: str = Field(description="The nation whose change made this revision")
    object_type: str
    object_id: str


class FieldChange(BaseModel):
    field: str
    label: dict[str, str]
    before: object = None
    after: object = None


class Change(BaseModel):
    what: Literal["plan", "phase", "line"]
    id: str
    change: Literal["added", "removed", "changed"]
    label: dict[str, str] = Field(description="What changed, in both languages")
    owner: str = ""
    fields: list[FieldChange] = Field(default_factory=list)


class DiffOut(BaseModel):
    plan_id: str
    from_revision: int
    to_revision: int
    from_hash: str
    to_hash: str
    changes: list[Change]


class MatrixTask(BaseModel):
    line_id: str
    kind: LineKind
    title: str
    title_ja: str
    coordination: str
    coordination_ja: str


class MatrixRow(BaseModel):
    nation: str
    component: str
    cells: dict[str, list[MatrixTask]] = Field(description="phase id -> the row's lines")


class MatrixPhase(BaseModel):
    id: str
    name: str
    name_ja: str
    starts: str
    ends: str
    events: list[KeyEvent]
    decision_points: list[DecisionPoint]
    branches: list[Branch]


class SyncMatrixOut(BaseModel):
    """The synchronization matrix of the current revision: phases as columns,
    nations and their components as rows (an extra column ``""`` holds lines
    given no phase)."""

    plan_id: str
    title: str
    title_ja: str
    revision: int
    content_hash: str
    classification: dict[str, str]
    phases: list[MatrixPhase]
    rows: list[MatrixRow]
