"""What the plans desk's parts share: the owned kinds, a revision's content and
its hash, the derived state of a plan (approvals, execution) and the views."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from alliance.core import approval
from alliance.core.authority import ROLES_FOR, Action, Actor, Grant, Target, authorize
from alliance.core.i18n import Text
from alliance.core.models import TimeOut
from alliance.org import DESK as ORG_DESK
from alliance.org import HQ as HQ_TYPE
from alliance.org import hq_chain
from alliance.store.context import DeskContext
from alliance.store.owned import OwnedKind, Ref, owned_fields, released_to, snapshot, view

from . import tables
from .models import (
    CLASSIFIED_NOTE,
    ApprovalOut,
    CommentOut,
    LineKind,
    NationPart,
    Phase,
    PlanKind,
    PlanLineOut,
    PlanOut,
    PlanParticipant,
    PlanStatus,
)
from .tables import PlanApprovalRow, PlanCommentRow, PlanLineRow, PlanRow

UNIT_TYPE = next(t for t in ORG_DESK.object_types if t.name == "unit")
_TASKING = next(t for t in ORG_DESK.object_types if t.name == "tasking")

PLAN: OwnedKind[PlanRow] = OwnedKind(
    tables.PLAN,
    lambda s, row: hq_chain(s, row.hq_id),
    refs=(
        Ref("hq_id", HQ_TYPE, "hq_id"),
        Ref("participants", HQ_TYPE, "participants", key="hq_id"),
    ),
)
LINE: OwnedKind[PlanLineRow] = OwnedKind(
    tables.PLAN_LINE,
    lambda s, row: hq_chain(s, row.hq_id),
    refs=(
        Ref("plan_id", tables.PLAN, "plan_id"),
        Ref("hq_id", HQ_TYPE, "hq_id"),
        Ref("unit_ids", UNIT_TYPE, "unit_ids"),
        Ref("tasking_ids", _TASKING, "tasking_ids"),
    ),
)
APPROVAL: OwnedKind[PlanApprovalRow] = OwnedKind(
    tables.PLAN_APPROVAL,
    lambda s, row: hq_chain(s, row.hq_id),
    refs=(
        Ref("plan_id", tables.PLAN, "plan_id"),
        Ref("tasking_ids", _TASKING, "tasking_ids"),
    ),
)
COMMENT: OwnedKind[PlanCommentRow] = OwnedKind(
    tables.PLAN_COMMENT,
    lambda s, row: (),
    refs=(
        Ref("plan_id", tables.PLAN, "plan_id"),
        Ref("line_id", tables.PLAN_LINE, "line_id"),
    ),
)

STATUS_NAMES: dict[PlanStatus, Text] = {
    PlanStatus.DRAFT: Text("draft (awaiting approvals)", "起案中（承認待ち）"),
    PlanStatus.APPROVED: Text("approved", "承認済"),
    PlanStatus.EXECUTING: Text("being executed", "実行中"),
    PlanStatus.EXECUTED: Text("executed", "実行済"),
}

# -- a revision's content ------------------------------------------------------

PLAN_FIELDS = (
    "kind",
    "title",
    "title_ja",
    "purpose",
    "purpose_ja",
    "hq_id",
    "participants",
    "phases",
)
LINE_FIELDS = (
    "owner",
    "kind",
    "hq_id",
    "component",
    "phase_id",
    "title",
    "title_ja",
    "detail",
    "detail_ja",
    "coordination",
    "coordination_ja",
    "unit_ids",
    "due",
    "state",
)


def plan_content(state: Mapping[str, Any]) -> dict[str, Any]:
    """The content of a plan row's state (a ledger snapshot or :func:`snapshot`)."""
    return {k: state.get(k) for k in PLAN_FIELDS}


def line_content(state: Mapping[str, Any]) -> dict[str, Any]:
    return {k: state.get(k) for k in LINE_FIELDS}


def revision_hash(
    plan_id: str, revision: int, plan: Mapping[str, Any], lines: Mapping[str, Mapping[str, Any]]
) -> str:
    """The content hash of one revision: the plan's content, the content of its
    active lines, and the revision number (so that no two revisions share one)."""
    return approval.content_hash(
        {
            "plan": plan_id,
            "revision": revision,
            "content": plan,
            "lines": {i: c for i, c in lines.items() if c.get("state") == "active"},
        }
    )


@dataclass(frozen=True, slots=True)
class PlanState:
    """A plan as this node holds it now: its lines, the current revision and
    hash, and each nation's approval and execution of it."""

    plan: PlanRow
    lines: list[PlanLineRow]
    acts: list[PlanApprovalRow]
    revision: int
    content_hash: str

    @property
    def participants(self) -> dict[str, str]:
        return {p["nation"]: p["hq_id"] for p in self.plan.participants}

    def positions(self) -> list[approval.Position]:
        commanders = {r.value for r in ROLES_FOR[Action.APPROVE]}
        return [
            approval.Position(
                nation=a.owner,
                pinned=a.content_hash,
                approves=a.act == "approve",
                counts=a.counts and a.author_role in commanders,
                at=a.created_at,
                ident=a.id,
            )
            for a in self.acts
            if a.act in ("approve", "withdraw")
        ]

    @property
    def awaiting(self) -> list[str]:
        return approval.missing(self.participants, self.positions(), self.content_hash)

    @property
    def executed_by(self) -> set[str]:
        return {
            a.owner for a in self.acts if a.act == "execute" and a.content_hash == self.content_hash
        }

    @property
    def status(self) -> PlanStatus:
        if self.awaiting:
            return PlanStatus.DRAFT
        done = self.executed_by
        if not done:
            return PlanStatus.APPROVED
        return PlanStatus.EXECUTED if set(self.participants) <= done else PlanStatus.EXECUTING


def plan_state(s: Session, plan: PlanRow, nation: str) -> PlanState:
    """The plan's state as ``nation`` sees it on this node. Lines carry the
    plan's marking, so every participant holds them all."""
    lines = list(
        s.scalars(
            released_to(select(PlanLineRow), PlanLineRow, nation)
            .where(PlanLineRow.plan_id == plan.id)
            .order_by(PlanLineRow.created_at, PlanLineRow.id)
        )
    )
    acts = list(
        s.scalars(
            released_to(select(PlanApprovalRow), PlanApprovalRow, nation)
            .where(PlanApprovalRow.plan_id == plan.id)
            .order_by(PlanApprovalRow.created_at, PlanApprovalRow.id)
        )
    )
    return state_of(plan, lines, acts)


def state_of(
    plan: PlanRow, lines: Iterable[PlanLineRow], acts: Iterable[PlanApprovalRow]
) -> PlanState:
    lines, acts = list(lines), list(acts)
    revision = plan.edits + sum(line.edits for line in lines)
    content = plan_content(snapshot(plan))
    by_line = {line.id: line_content(snapshot(line)) for line in lines}
    digest = revision_hash(plan.id, revision, content, by_line)
    return PlanState(plan, lines, acts, revision, digest)


# -- views -------------------------------------------------------------------


def line_view(row: PlanLineRow) -> PlanLineOut:
    return view(
        PlanLineOut,
        row,
        kind=LineKind(row.kind),
        unit_ids=list(row.unit_ids or []),
        tasking_ids=list(row.tasking_ids or []),
        due=TimeOut.maybe(row.due),
        executed=TimeOut.maybe(row.executed_at),
    )


def approval_view(row: PlanApprovalRow) -> ApprovalOut:
    return view(ApprovalOut, row, tasking_ids=list(row.tasking_ids or []))


def comment_view(row: PlanCommentRow) -> CommentOut:
    return view(CommentOut, row, proposed=dict(row.proposed or {}))


def plan_view(st: PlanState) -> PlanOut:
    plan = st.plan
    awaiting = st.awaiting
    approvals = approval.approvals_of(st.positions(), st.content_hash)
    executed = st.executed_by
    status = st.status
    parts = [
        NationPart(
            nation=n,
            hq_id=hq,
            lines=sum(1 for line in st.lines if line.owner == n and line.state == "active"),
            approved=n in approvals,
            approval_id=approvals[n].ident if n in approvals else None,
            executed=n in executed,
        )
        for n, hq in sorted(st.participants.items())
    ]
    return PlanOut(
        **owned_fields(plan),
        classification=CLASSIFIED_NOTE.as_dict(),
        kind=PlanKind(plan.kind),
        title=plan.title,
        title_ja=plan.title_ja,
        purpose=plan.purpose,
        purpose_ja=plan.purpose_ja,
        hq_id=plan.hq_id,
        participants=[PlanParticipant.model_validate(p) for p in plan.participants],
        phases=[Phase.model_validate(p) for p in plan.phases or []],
        revision=st.revision,
        content_hash=st.content_hash,
        status=status,
        status_name=STATUS_NAMES[status].as_dict(),
        parts=parts,
        awaiting=awaiting,
        lines=[line_view(line) for line in st.lines],
    )


class PlansBase:
    """What every part of the plans desk holds."""

    ctx: DeskContext

    def __init__(self, ctx: DeskContext) -> None:
        self.ctx = ctx

    def _authorize(self, actor: Actor, action: Action, target: Target) -> Grant:
        return authorize(actor, action, target, hosted=self.ctx.hosted)

    def _plan(self, s: Session, actor: Actor, plan_id: str, field: str | None = "id") -> PlanRow:
        return PLAN.find(s, actor.nation, plan_id, field)


__all__ = [
    "APPROVAL",
    "COMMENT",
    "LINE",
    "PLAN",
    "UNIT_TYPE",
    "PlanState",
    "PlansBase",
    "approval_view",
    "comment_view",
    "line_content",
    "line_view",
    "plan_content",
    "plan_state",
    "plan_view",
    "revision_hash",
    "state_of",
]
