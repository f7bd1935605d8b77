"""What the stored side of the industry desk takes and shows: a nation's
dataset, a release of its aggregates, a joint plan and an approval of one."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from alliance.core import limits
from alliance.core.models import LongText, OwnedOut, Slug, Strict, Title, Trigraph, Version
from alliance.core.text import ID_CHARS

from .model import Model
from .plan import Plan
from .sovereign import Aggregate

ContentHash = Annotated[
    str,
    StringConstraints(pattern=r"^sha256:[0-9a-f]{64}$", max_length=limits.CONTENT_HASH),
    ID_CHARS,
]
TimeLimit = Annotated[float, Field(gt=0, le=120)]
MAX_RELEASES = 8  # partners' releases one joint plan takes


class DatasetIn(Strict):
    name: Title
    model: Model = Field(description="Your nation's own lines, suppliers, costs and claimants")


class DatasetPatch(Strict):
    version: Version | None = None
    name: Title | None = None
    model: Model | None = None


class DatasetOut(OwnedOut):
    hq_id: str
    name: str
    digest: str
    model: Model


class ReleaseIn(Strict):
    name: Title | None = Field(
        default=None, description="What the partner reads (default: '<nation> aggregates')"
    )
    to: list[Trigraph] = Field(
        min_length=1, max_length=limits.MAX_RELEASABLE, description="The nations released to"
    )
    note: LongText = Field(default="", description="Why, and on what authority")


class ReleaseOut(OwnedOut):
    hq_id: str
    name: str
    dataset_digest: str
    digest: str
    note: str
    aggregate: Aggregate


class JointPlanIn(Strict):
    title: Title
    dataset_id: Slug = Field(description="Your nation's dataset (its own detail)")
    release_ids: list[Slug] = Field(
        max_length=MAX_RELEASES,
        description="Partners' releases, one per nation (none: a plan of your nation alone)",
    )
    time_limit_s: TimeLimit = 30.0


class JointPlanRevise(Strict):
    """Solve the plan again (a new revision), on another dataset or other
    releases when named, else on the same ones as they stand now."""

    version: Version | None = None
    dataset_id: Slug | None = None
    release_ids: list[Slug] | None = Field(default=None, min_length=1, max_length=MAX_RELEASES)
    time_limit_s: TimeLimit = 30.0


class JointApprovalIn(Strict):
    content_hash: ContentHash = Field(description="The content hash of the revision approved")
    approve: bool = Field(default=True, description="false withdraws the nation's approval")
    note: LongText = ""


class JointApprovalOut(OwnedOut):
    hq_id: str
    plan_id: str
    revision: int
    content_hash: str
    approve: bool
    note: str
    author_name: str
    current: bool  # of the plan's current revision


class JointPlanOut(OwnedOut):
    hq_id: str
    title: str
    participants: list[str]
    dataset_digest: str
    release_ids: list[str]
    release_digests: list[str]
    model_hash: str
    revision: int
    content_hash: str
    status: Literal["approved", "awaiting_approval"]
    awaiting: list[str]  # participants that have not approved the current revision
    approvals: list[JointApprovalOut]
    plan: Plan
