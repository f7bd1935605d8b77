"""What the disclosure desk's API reads and answers."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from alliance.core import limits
from alliance.core.models import Note, OwnedOut, Slug, Strict, TimeOut, Trigraph, Version


class ProposalState(StrEnum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"


class ProposalIn(Strict):
    """Propose releasing one of your nation's objects to more nations."""

    object_type: str = Field(
        max_length=limits.LABEL, description="e.g. hq, unit / 対象の種類（例: hq, unit）"
    )
    object_id: Slug
    releasable_to: list[Trigraph] = Field(
        min_length=1,
        max_length=limits.MAX_RELEASABLE,
        description="Nations to add to its release / 提供先に加える国",
    )
    reason: Note = Field(description="Why they need it / 提供の理由")


class DecisionIn(Strict):
    version: Version | None = None
    note: str = Field(default="", max_length=limits.NOTE)


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
