"""The plans desk: bilateral plans with national lines, approved nation by
nation on one exact revision (pinned to its content hash), executed by each
nation through its own chain of command, with versions, a readable diff,
comments and proposals from partners, and the synchronization matrix.

Real operation plans are classified: this node holds exercise and template
plans only."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from alliance.core.i18n import Text
from alliance.desks import DeskSpec
from alliance.org import OrgDesk
from alliance.store.context import DeskContext

from .desk import PlansDesk
from .models import (
    CLASSIFIED_NOTE,
    ApprovalIn,
    ApprovalOut,
    CommentIn,
    CommentOut,
    DiffOut,
    ExecuteIn,
    LineKind,
    Phase,
    PlanIn,
    PlanKind,
    PlanLineIn,
    PlanLineOut,
    PlanLinePatch,
    PlanOut,
    PlanParticipant,
    PlanPatch,
    PlanStatus,
    ProposedLine,
    RevisionOut,
    SyncMatrixOut,
)
from .tables import OBJECT_TYPES, PLAN, PLAN_APPROVAL, PLAN_COMMENT, PLAN_LINE

if TYPE_CHECKING:
    from fastapi import APIRouter


def _make(ctx: DeskContext, built: Mapping[str, object]) -> PlansDesk:
    desk = PlansDesk(ctx)
    org = built.get("org")
    if isinstance(org, OrgDesk):  # executing a plan issues taskings through it
        desk.org = org
    return desk


def _routes() -> APIRouter:
    from .routes import router

    return router


def _demo(desk: PlansDesk, nation: str, now: datetime) -> None:
    from .demo import content

    content(desk, nation, now)


DESK = DeskSpec(
    name="plans",
    label=Text("Plans", "計画"),
    object_types=OBJECT_TYPES,
    make=_make,
    routes=_routes,
    demo=_demo,
    console=Path(__file__).parent / "console",
)

__all__ = [
    "CLASSIFIED_NOTE",
    "DESK",
    "PLAN",
    "PLAN_APPROVAL",
    "PLAN_COMMENT",
    "PLAN_LINE",
    "ApprovalIn",
    "ApprovalOut",
    "CommentIn",
    "CommentOut",
    "DiffOut",
    "ExecuteIn",
    "LineKind",
    "Phase",
    "PlanIn",
    "PlanKind",
    "PlanLineIn",
    "PlanLineOut",
    "PlanLinePatch",
    "PlanOut",
    "PlanParticipant",
    "PlanPatch",
    "PlanStatus",
    "PlansDesk",
    "ProposedLine",
    "RevisionOut",
    "SyncMatrixOut",
]
