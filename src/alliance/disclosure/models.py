"""What the disclosure desk's API reads and answers."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

from alliance.core import limits
from alliance.core.models import (
    Label,
    Moment,
    Note,
    OwnedOut,
    Slug,
    Strict,
    TimeOut,
    Trigraph,
    Version,
)
from alliance.core.text import TEXT_CHARS

# The note a decision may carry (may be empty; no control characters but line breaks).
DecisionNote = Annotated[str, StringConstraints(max_length=limits.NOTE), TEXT_CHARS]


class ProposalState(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"


class ProposalIn(Strict):
    """Propose releasing one of your nation's objects to more nations."""

    object_type: Label = Field(description="e.g. hq, unit / 対象の種類（例: hq, unit）")
    object_id: Slug
    releasable_to: list[Trigraph] = Field(
        min_length=1,
        max_length=limits.MAX_RELEASABLE,
        description="Nations to add to its release / 提供先に加える国",
    )
    reason: Note = Field(description="Why they need it / 提供の理由")


class ProposalDecisionIn(Strict):
    version: Version | None = None
    note: DecisionNote = ""


class ProposalOut(OwnedOut):
    object_type: str
    object_id: str
    releasable_to: list[str]
    reason: str
    state: ProposalState
    proposed_by: str
    decided_by: str | None
    decided_at: TimeOut | None
    decision_note: str


class GuidanceIn(Strict):
    """Standing guidance: objects of these types may be released to these nations."""

    object_types: list[Label] = Field(
        min_length=1,
        max_length=50,
        description="Object types it covers, e.g. coordination_request / 対象の種類",
    )
    releasable_to: list[Trigraph] = Field(
        min_length=1,
        max_length=limits.MAX_RELEASABLE,
        description="Nations they may be released to / 提供してよい国",
    )
    note: Note = Field(description="Its basis, e.g. the disclosure authority it rests on / 根拠")
    valid_from: Moment | None = Field(default=None, description="Default: now / 既定は現在")
    valid_until: Moment | None = Field(
        default=None, description="Open-ended when empty / 空欄は無期限"
    )


class GuidanceOut(OwnedOut):
    object_types: list[str]
    releasable_to: list[str]
    note: str
    issued_by: str
    issued_by_name: str
    valid_from: TimeOut
    valid_until: TimeOut | None
    revoked: TimeOut | None
    revoked_by: str | None
    active: bool
