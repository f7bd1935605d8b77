"""The ACM desk: coordination requests between counterpart HQs at the ACM's
tiers (ACG, BOCC, CCC), answers and graded positions, delegation of concurrence
authority, decisions and the decision log, working groups with meetings and
action items."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from alliance.core.i18n import Text
from alliance.desks import DeskSpec
from alliance.org import OrgDesk
from alliance.store.context import DeskContext

from .desk import AcmDesk
from .models import (
    ActionItemIn,
    ActionItemOut,
    ActionItemPatch,
    CloseIn,
    Course,
    DecisionIn,
    DecisionOut,
    DelegationIn,
    DelegationOut,
    EscalateIn,
    Grade,
    GradedComment,
    Level,
    MeetingIn,
    MeetingOut,
    MeetingPatch,
    NationalDecisionIn,
    NationalDecisionOut,
    Priority,
    RequestIn,
    RequestKind,
    RequestOut,
    RequestPatch,
    ResponseIn,
    ResponseKind,
    ResponseOut,
    RevokeIn,
    Status,
    ThreadOut,
    WorkingGroupIn,
    WorkingGroupOut,
)
from .tables import COORDINATION_REQUEST, OBJECT_TYPES

if TYPE_CHECKING:
    from fastapi import APIRouter


def _make(ctx: DeskContext, built: Mapping[str, object]) -> AcmDesk:
    desk = AcmDesk(ctx)
    org = built.get("org")
    if isinstance(org, OrgDesk):  # taskings implementing an outcome go through it
        desk.org = org
    return desk


def _routes() -> APIRouter:
    from .routes import router

    return router


def _demo(desk: AcmDesk, nation: str, now: datetime) -> None:
    from .demo import content

    content(desk, nation, now)


DESK = DeskSpec(
    name="acm",
    label=Text("Alliance coordination", "同盟調整"),
    object_types=OBJECT_TYPES,
    make=_make,
    routes=_routes,
    console=Path(__file__).parent / "console",
    demo=_demo,
)

__all__ = [
    "COORDINATION_REQUEST",
    "DESK",
    "AcmDesk",
    "ActionItemIn",
    "ActionItemOut",
    "ActionItemPatch",
    "CloseIn",
    "Course",
    "DecisionIn",
    "DecisionOut",
    "DelegationIn",
    "DelegationOut",
    "EscalateIn",
    "Grade",
    "GradedComment",
    "Level",
    "MeetingIn",
    "MeetingOut",
    "MeetingPatch",
    "NationalDecisionIn",
    "NationalDecisionOut",
    "Priority",
    "RequestIn",
    "RequestKind",
    "RequestOut",
    "RequestPatch",
    "ResponseIn",
    "ResponseKind",
    "ResponseOut",
    "RevokeIn",
    "Status",
    "ThreadOut",
    "WorkingGroupIn",
    "WorkingGroupOut",
]
