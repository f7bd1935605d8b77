"""What the ACM desk's parts share: views, the owned kinds, lookups and rules."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from alliance.core.authority import Action, Actor, Delegation, Grant, Target, authorize
from alliance.core.errors import Conflict
from alliance.core.i18n import Text
from alliance.core.markings import Marking
from alliance.core.models import MarkingOut, TimeOut
from alliance.org import DESK as ORG_DESK
from alliance.org import HQ as HQ_TYPE
from alliance.org import HqRow, hq_chain
from alliance.store.context import DeskContext
from alliance.store.owned import OwnedKind, Ref, owned_fields, released_to, view

from . import tables
from .models import (
    ActionItemOut,
    Concurrence,
    Course,
    DecisionOut,
    DelegationOut,
    Escalation,
    GradedComment,
    Level,
    MeetingOut,
    Member,
    NationalDecisionOut,
    NationPosition,
    Priority,
    RequestKind,
    RequestOut,
    ResponseKind,
    ResponseOut,
    WorkingGroupOut,
)
from .status import LEVEL_NAMES, STATUS_NAMES, awaiting, derive_status, latest_positions
from .tables import (
    ActionItemRow,
    CoordinationRequestRow,
    CoordinationResponseRow,
    DecisionRow,
    DelegationRow,
    MeetingRow,
    NationalDecisionRow,
    WorkingGroupRow,
)

Req = CoordinationRequestRow
Resp = CoordinationResponseRow

# The org desk's tasking type (a national decision names the taskings it issued).
TASKING_TYPE = next(t for t in ORG_DESK.object_types if t.name == "tasking")

# -- views ---------------------------------------------------------------------


def response_view(row: Resp) -> ResponseOut:
    return view(
        ResponseOut, row, comments=[GradedComment.model_validate(c) for c in row.comments or []]
    )


def delegation_view(row: DelegationRow) -> DelegationOut:
    return view(
        DelegationOut,
        row,
        level=Level(row.level),
        valid_from=TimeOut.of(row.valid_from),
        valid_until=TimeOut.of(row.valid_until),
        revoked=TimeOut.maybe(row.revoked_at),
    )


def delegation_rule(row: DelegationRow) -> Delegation:
    """The delegation as :mod:`alliance.core.authority` judges it."""
    return Delegation(
        ident=row.id,
        nation=row.owner,
        hq_id=row.hq_id,
        commander=row.commander_name,
        delegate_id=row.delegate_id,
        level=row.level,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        revoked_at=row.revoked_at,
    )


def national_view(row: NationalDecisionRow) -> NationalDecisionOut:
    return view(
        NationalDecisionOut,
        row,
        course=Course(row.course),
        tasking_ids=list(row.tasking_ids),
        decided_at=TimeOut.of(row.decided_at),
    )


def decision_view(
    row: DecisionRow, req: Req, national: list[NationalDecisionOut] | None = None
) -> DecisionOut:
    return DecisionOut(
        national_decisions=national or [],
        **owned_fields(row),
        request_id=row.request_id,
        request_revision=row.request_revision,
        subject=req.subject,
        subject_ja=req.subject_ja or "",
        nations=sorted({c["nation"] for c in row.concurrences}),
        summary=row.summary,
        concurrences=[Concurrence.model_validate(c) for c in row.concurrences],
        decided_by=row.decided_by,
        decided_at=TimeOut.of(row.decided_at),
    )


def group_view(row: WorkingGroupRow) -> WorkingGroupOut:
    members = [Member.model_validate(m) for m in row.members]
    return WorkingGroupOut(
        **owned_fields(row),
        name_en=row.name_en,
        name_ja=row.name_ja,
        purpose=row.purpose,
        members=members,
        nations=sorted({m.nation for m in members}),
        state=row.state,
    )


def meeting_view(row: MeetingRow) -> MeetingOut:
    return view(MeetingOut, row, starts_at=TimeOut.of(row.starts_at))


def action_view(row: ActionItemRow) -> ActionItemOut:
    return view(ActionItemOut, row, title_ja=row.title_ja or "", due=TimeOut.maybe(row.due))


# -- chains of command, and the owned kinds ------------------------------------


def held_by(s: Session, members: list[dict[str, Any]], nation: str) -> tuple[str, ...]:
    """The chain of command holding ``nation``'s part of a working group: the HQ
    its members come from (the first one named, as for a request's
    participants) and that HQ's superiors. Empty when the group names no HQ of
    ``nation``: then no HQ holds that nation's meetings and action items, and
    only its node administrator creates or changes them."""
    for member in members:
        hq_id = member.get("hq_id")
        if member.get("nation") != nation or not hq_id:
            continue
        hq = s.get(HqRow, hq_id)
        if hq is not None and hq.owner == nation:
            return hq_chain(s, hq.id)
    return ()


def group_chain(s: Session, group_id: str, nation: str) -> tuple[str, ...]:
    group = s.get(WorkingGroupRow, group_id)
    return held_by(s, group.members, nation) if group is not None else ()


# A request is held by the chain of command of the HQ it is sent from. Each
# kind names what it refers to: a released object never names an unreleased one.
REQUEST: OwnedKind[Req] = OwnedKind(
    tables.COORDINATION_REQUEST,
    lambda s, row: hq_chain(s, row.from_hq_id),
    refs=(
        Ref("from_hq_id", HQ_TYPE, "from_hq_id"),
        Ref("to_hq_ids", HQ_TYPE, "to_hq_ids"),
    ),
)
# A response is its nation's entry in the thread; a decision is the owner's.
RESPONSE: OwnedKind[Resp] = OwnedKind(
    tables.COORDINATION_RESPONSE,
    lambda s, r: (),
    refs=(Ref("request_id", tables.COORDINATION_REQUEST, "request_id"),),
)
DECISION: OwnedKind[DecisionRow] = OwnedKind(
    tables.DECISION,
    lambda s, r: (),
    refs=(Ref("request_id", tables.COORDINATION_REQUEST, "request_id"),),
)
GROUP: OwnedKind[WorkingGroupRow] = OwnedKind(
    tables.WORKING_GROUP,
    lambda s, row: held_by(s, row.members, row.owner),
    refs=(Ref("members", HQ_TYPE, "members", key="hq_id"),),
)
MEETING: OwnedKind[MeetingRow] = OwnedKind(
    tables.MEETING,
    lambda s, r: group_chain(s, r.group_id, r.owner),
    refs=(Ref("group_id", tables.WORKING_GROUP, "group_id"),),
)
# A national decision is held by the chain of command of the HQ deciding for
# the nation; it names the outcome it implements and the taskings it issued.
NATIONAL_DECISION: OwnedKind[NationalDecisionRow] = OwnedKind(
    tables.NATIONAL_DECISION,
    lambda s, row: hq_chain(s, row.hq_id),
    refs=(
        Ref("outcome_id", tables.DECISION, "outcome_id"),
        Ref("request_id", tables.COORDINATION_REQUEST, "request_id"),
        Ref("hq_id", HQ_TYPE, "hq_id"),
        Ref("tasking_ids", TASKING_TYPE, "tasking_ids"),
    ),
)
# A delegation is held by the chain of command of the delegating commander's HQ.
DELEGATION: OwnedKind[DelegationRow] = OwnedKind(
    tables.DELEGATION,
    lambda s, row: hq_chain(s, row.hq_id),
    refs=(Ref("hq_id", HQ_TYPE, "hq_id"),),
)
ACTION_ITEM: OwnedKind[ActionItemRow] = OwnedKind(
    tables.ACTION_ITEM,
    lambda s, r: group_chain(s, r.group_id, r.owner),
    refs=(
        Ref("group_id", tables.WORKING_GROUP, "group_id"),
        Ref("meeting_id", tables.MEETING, "meeting_id"),
    ),
)

# -- small rules ---------------------------------------------------------------


def national(marking: Marking, owner: str) -> Marking:
    return Marking(frozenset({owner}), marking.tlp)


def set_release(row: Req, marking: Marking) -> None:
    row.release_rel = marking.rel_text()
    row.release_tlp = marking.tlp.value if marking.tlp else None


def require_state(row: Req, allowed: set[str]) -> None:
    if row.state not in allowed:
        raise Conflict(
            Text(
                f"The request is {row.state}; this needs it to be {' or '.join(sorted(allowed))}.",
                f"要請の状態は{row.state}です。この操作には{'または'.join(sorted(allowed))}である必要があります。",
            ),
            code="wrong_state",
        )


class AcmBase:
    """What every part of the ACM desk holds: the node's context, and the
    request's derived view (participants, positions, status)."""

    ctx: DeskContext

    def __init__(self, ctx: DeskContext) -> None:
        self.ctx = ctx

    def _authorize(self, actor: Actor, action: Action, target: Target) -> Grant:
        return authorize(actor, action, target, hosted=self.ctx.hosted)

    def _participants(self, s: Session, req: Req) -> dict[str, str]:
        """Participating nation → its HQ in this request (the owner's is the sender)."""
        out = {req.owner: req.from_hq_id}
        for hq_id in req.to_hq_ids:
            hq = s.get(HqRow, hq_id)
            if hq is not None:
                out.setdefault(hq.owner, hq_id)
        return out

    def _responses(self, s: Session, req: Req, nation: str) -> list[Resp]:
        stmt = released_to(select(Resp), Resp, nation).where(Resp.request_id == req.id)
        return list(s.scalars(stmt.order_by(Resp.created_at, Resp.id)))

    def _request(self, s: Session, actor: Actor, request_id: str) -> Req:
        return REQUEST.find(s, actor.nation, request_id, "id")

    def _outcome(self, s: Session, row: DecisionRow, req: Req, nation: str) -> DecisionOut:
        """A coordinated outcome with the national decisions released to ``nation``."""
        stmt = released_to(select(NationalDecisionRow), NationalDecisionRow, nation).where(
            NationalDecisionRow.outcome_id == row.id
        )
        national = [
            national_view(n)
            for n in s.scalars(
                stmt.order_by(NationalDecisionRow.decided_at, NationalDecisionRow.id)
            )
        ]
        return decision_view(row, req, national)

    def _view(self, s: Session, req: Req, nation: str) -> RequestOut:
        participants = self._participants(s, req)
        responses = self._responses(s, req, nation)
        decision = s.scalar(select(DecisionRow).where(DecisionRow.request_id == req.id))
        positions = latest_positions(responses, req)
        status = derive_status(req, responses, participants, decision is not None)
        return RequestOut(
            **owned_fields(req),
            kind=RequestKind(req.kind),
            level=Level(req.level),
            level_name=LEVEL_NAMES[Level(req.level)].as_dict(),
            escalations=[Escalation.model_validate(e) for e in req.escalations or []],
            from_hq_id=req.from_hq_id,
            to_hq_ids=list(req.to_hq_ids),
            participants=sorted(participants),
            subject=req.subject,
            subject_ja=req.subject_ja or "",
            body=req.body,
            priority=Priority(req.priority),
            due=TimeOut.maybe(req.due),
            state=req.state,
            status=status,
            status_name=STATUS_NAMES[status].as_dict(),
            revision=req.revision,
            author_id=req.author_id,
            sent=TimeOut.maybe(req.sent_at),
            closed=TimeOut.maybe(req.closed_at),
            positions=[
                NationPosition(
                    nation=n,
                    position=ResponseKind(positions[n].kind) if n in positions else None,
                    response_id=positions[n].id if n in positions else None,
                )
                for n in sorted(participants)
            ],
            awaiting=awaiting(req, responses, participants),
            decision_id=decision.id if decision is not None else None,
            release_marking=MarkingOut.of(Marking.from_columns(req.release_rel, req.release_tlp))
            if req.state == "draft"
            else None,
        )
