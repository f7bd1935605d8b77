"""Industry desk tables: a nation's dataset, what it releases of it, joint
plans and each nation's approval of one.

Single writer holds throughout, and sovereignty is in the types:

* ``industry_datasets`` (type ``industry_dataset``, **national only**): a
  nation's own industrial detail — its sites, lines with their rates, ramps
  and outages, its suppliers, costs and expansion options, its claimants'
  requirements — as one model. Never released: the type cannot be put under
  disclosure guidance nor proposed for release, and the desk stores it on a
  national marking only.
* ``industry_releases`` (type ``industry_release``): the aggregates a nation
  decided to release from one of its datasets (capacity and supply per item
  and period, stocks, its claimants' requirements: :mod:`.sovereign`), to the
  nations it names. Creating one *is* the owner's decision, recorded in the
  ledger and gated like every release beyond the owner.
* ``industry_plans`` (type ``industry_plan``): a joint plan the owning nation
  solved on its own dataset plus partners' releases, released to those
  partners, per nation and item (its own per-line plan is solved again on
  request for the owner alone, never stored). Each solve is a revision; the
  content hash covers the revision, the inputs' and joint model's hashes
  and the plan.
* ``industry_plan_approvals`` (type ``industry_plan_approval``): one nation's
  approval (or its withdrawal) of one revision of a joint plan, pinned to its
  content hash; the plan is approved when every participant's latest one is
  an approval of the current hash (:mod:`alliance.core.approval`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Integer, String
from sqlalchemy import Text as RunningText
from sqlalchemy.orm import Mapped, mapped_column

from alliance.core import limits
from alliance.core.i18n import Text
from alliance.store.schema import OwnedRow
from alliance.store.types import ObjectType


class DatasetRow(OwnedRow):
    __tablename__ = "industry_datasets"

    hq_id: Mapped[str] = mapped_column(String(limits.ID))
    name: Mapped[str] = mapped_column(String(limits.TITLE))
    model: Mapped[dict[str, Any]] = mapped_column(JSON)
    """The model as :func:`alliance.industry.model.parse_model` reads it."""
    digest: Mapped[str] = mapped_column(String(limits.CONTENT_HASH))
    author_id: Mapped[str] = mapped_column(String(limits.ID))


INDUSTRY_DATASET = ObjectType(
    "industry_dataset",
    DatasetRow,
    Text("industrial dataset", "産業データセット"),
    national_only=True,
)


class ReleaseRow(OwnedRow):
    __tablename__ = "industry_releases"

    hq_id: Mapped[str] = mapped_column(String(limits.ID))
    name: Mapped[str] = mapped_column(String(limits.TITLE))
    dataset_digest: Mapped[str] = mapped_column(String(limits.CONTENT_HASH))
    """The digest of the dataset it was drawn from (the dataset itself stays home)."""
    aggregate: Mapped[dict[str, Any]] = mapped_column(JSON)
    """:class:`alliance.industry.sovereign.Aggregate`."""
    digest: Mapped[str] = mapped_column(String(limits.CONTENT_HASH))
    note: Mapped[str] = mapped_column(RunningText, default="")
    author_id: Mapped[str] = mapped_column(String(limits.ID))


INDUSTRY_RELEASE = ObjectType(
    "industry_release", ReleaseRow, Text("released industrial aggregate", "提供された産業集計値")
)


class JointPlanRow(OwnedRow):
    __tablename__ = "industry_plans"

    hq_id: Mapped[str] = mapped_column(String(limits.ID))
    title: Mapped[str] = mapped_column(String(limits.TITLE))
    participants: Mapped[list[str]] = mapped_column(JSON)
    """The nations whose approval the plan needs: the owner and each releaser."""
    dataset_digest: Mapped[str] = mapped_column(String(limits.CONTENT_HASH))
    release_ids: Mapped[list[str]] = mapped_column(JSON)
    release_digests: Mapped[list[str]] = mapped_column(JSON)
    model_hash: Mapped[str] = mapped_column(String(limits.CONTENT_HASH))
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    """The plan of the joint model as every participant sees it, per nation and
    item (:func:`alliance.industry.sovereign.shared_plan`): the owner's lines
    and suppliers are summed like the partners' released aggregates are."""
    revision: Mapped[int] = mapped_column(Integer, default=1)
    content_hash: Mapped[str] = mapped_column(String(limits.CONTENT_HASH))
    author_id: Mapped[str] = mapped_column(String(limits.ID))


INDUSTRY_PLAN = ObjectType("industry_plan", JointPlanRow, Text("joint plan", "共同生産計画"))


class PlanApprovalRow(OwnedRow):
    __tablename__ = "industry_plan_approvals"

    hq_id: Mapped[str] = mapped_column(String(limits.ID))
    plan_id: Mapped[str] = mapped_column(String(limits.ID), index=True)
    revision: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(limits.CONTENT_HASH))
    approve: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(RunningText, default="")
    author_id: Mapped[str] = mapped_column(String(limits.ID))
    author_name: Mapped[str] = mapped_column(String(limits.NAME))


INDUSTRY_PLAN_APPROVAL = ObjectType(
    "industry_plan_approval",
    PlanApprovalRow,
    Text("joint plan approval", "共同生産計画の承認"),
)

OBJECT_TYPES = (INDUSTRY_DATASET, INDUSTRY_RELEASE, INDUSTRY_PLAN, INDUSTRY_PLAN_APPROVAL)
