"""What the disclosure desk's API reads and answers."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field, StringConstraints

from alliance.core import limits
from alliance.core.models import Label, Note, OwnedOut, Slug, Strict, TimeOut, Trigraph, Version
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
