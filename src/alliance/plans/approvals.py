"""Each nation's acts on its own part of a plan: approving its lines of one
revision, executing them, and commenting on (or proposing changes to) lines.

The approval rule is :mod:`alliance.core.approval`, shared with the ACM's
coordinated outcome: a revision is approved only when every participating
nation's latest approval counts (a commander's, in the chain of that nation's
HQ in the plan) and is pinned to the content hash of **that** revision.

Execution is per nation and on the nation's own node: a commander executes
the nation's task lines of the approved revision, which issues the taskings
to its own units through the org desk (``task_unit_in``) under its own
authority, in one transaction with the record of execution. The lead's node
never issues a partner's taskings: the partner executes its own lines.
"""

from __future__ import annotations

from sqlalchemy import select

from alliance.core.authority import Action, Actor, Grant, Target, require_participant
from alliance.core.errors import Conflict, InvalidInput
from alliance.core.i18n import Text
from alliance.core.ids import new_id
from alliance.core.markings import Marking
from alliance.core.models import MarkingIn
from alliance.org import OrgDesk, TaskingIn, hq_chain
from alliance.store.owned import create_owned, record, released_to, touch
from alliance.store.writer import Tx

from .common import (
    APPROVAL,
    COMMENT,
    LINE,
    PlansBase,
    PlanState,
    approval_view,
    comment_view,
    plan_state,
)
from .models import ApprovalIn, ApprovalOut, CommentIn, CommentOut, ExecuteIn, LineKind
from .plans import PLAN_WORD
from .tables import PlanApprovalRow, PlanCommentRow, PlanLineRow


def _require_current(st: PlanState, content_hash: str) -> None:
    if content_hash != st.content_hash:
        raise Conflict(
            Text(
                f"The plan is now at revision {st.revision} ({st.content_hash[:19]}…), not the "
                "content you named: an approval of one revision never counts for another. "
                "Review the changes (the revisions' diff) and act on the current revision.",
                f"計画は現在第{st.revision}版（{st.content_hash[:19]}…）で、指定された内容では"
                "ありません。ある版の承認は別の版には効力がありません。変更点（版の差分）を確認し、"
                "現在の版について行ってください。",
            ),
            field="content_hash",
            code="stale_revision",
        )


class Approvals(PlansBase):
    """Approvals, execution and comments."""

    org: OrgDesk | None = None

    def _own_part(
        self, tx: Tx, actor: Actor, plan_id: str, action: Action
    ) -> tuple[PlanState, Grant, str]:
        """The plan's state, and the grant for ``action`` on the actor's nation's
        part of it (by its HQ in the plan's chain of command)."""
        s = tx.session
        st = plan_state(s, self._plan(s, actor, plan_id), actor.nation)
        hq_id = st.participants.get(actor.nation, actor.hq_id)
        target = Target(
            "plan_approval", st.plan.id, actor.nation, st.plan.marking, hq_chain(s, hq_id)
        )
        grant = self._authorize(actor, action, target)
        require_participant(actor, st.participants, PLAN_WORD)
        return st, grant, hq_id

    def _act(
        self,
        tx: Tx,
        actor: Actor,
        st: PlanState,
        grant: Grant,
        hq_id: str,
        act: str,
        note: str,
        tasking_ids: list[str],
    ) -> PlanApprovalRow:
        row = PlanApprovalRow(
            id=new_id(),
            plan_id=st.plan.id,
            act=act,
            revision=st.revision,
            content_hash=st.content_hash,
            counts=True,  # only a commander in the chain gets this far (Action.APPROVE/TASK)
            note=note,
            tasking_ids=tasking_ids,
            hq_id=hq_id,
            author_id=actor.user_id,
            author_name=actor.name,
            author_role=actor.role.value,
        )
        marking = Marking(st.plan.marking.releasable_to | {st.plan.owner}, st.plan.marking.tlp)
        create_owned(
            tx,
            APPROVAL,
            row,
            owner=actor.nation,
            marking=marking,
            actor=actor,
            grant=grant,
            event=f"plans.approval.{act}",
        )
        return row

    # -- approving ---------------------------------------------------------------

    def approve(self, actor: Actor, plan_id: str, data: ApprovalIn) -> ApprovalOut:
        return self.ctx.writer.run(lambda tx: self.approve_in(tx, actor, plan_id, data))

    def approve_in(self, tx: Tx, actor: Actor, plan_id: str, data: ApprovalIn) -> ApprovalOut:
        """Approve (or withdraw the approval of) the actor's nation's lines of the
        revision named by its content hash, which must be the current one."""
        st, grant, hq_id = self._own_part(tx, actor, plan_id, Action.APPROVE)
        _require_current(st, data.content_hash)
        act = "approve" if data.approve else "withdraw"
        return approval_view(self._act(tx, actor, st, grant, hq_id, act, data.note, []))

    # -- executing -----------------------------------------------------------------

    def execute(self, actor: Actor, plan_id: str, data: ExecuteIn) -> ApprovalOut:
        return self.ctx.writer.run(lambda tx: self.execute_in(tx, actor, plan_id, data))

    def execute_in(self, tx: Tx, actor: Actor, plan_id: str, data: ExecuteIn) -> ApprovalOut:
        """Issue the actor's nation's taskings for its task lines of the approved
        current revision (lines already tasked for their present content are not
        tasked again), and record the execution."""
        st, grant, hq_id = self._own_part(tx, actor, plan_id, Action.TASK)
        if st.awaiting:
            raise Conflict(
                Text(
                    f"Revision {st.revision} is not approved yet: {', '.join(st.awaiting)} has "
                    "not approved its lines of it. A plan is executed only once every "
                    "participating nation has approved its own lines.",
                    f"第{st.revision}版はまだ承認されていません（{', '.join(st.awaiting)}が自国の"
                    "系列を承認していません）。計画は全参加国が自国の系列を承認して初めて実行できます。",
                ),
                code="not_approved",
            )
        _require_current(st, data.content_hash)
        if actor.nation in st.executed_by:
            raise Conflict(
                Text(
                    f"{actor.nation} has already executed revision {st.revision}.",
                    f"{actor.nation}は第{st.revision}版を実行済みです。",
                ),
                code="already_executed",
            )
        issued: list[str] = []
        for line in st.lines:
            if line.owner != actor.nation or line.state != "active":
                continue
            if line.kind != LineKind.TASK.value or line.executed_edits == line.edits:
                continue
            issued.extend(self._task_line(tx, actor, line))
        row = self._act(tx, actor, st, grant, hq_id, "execute", data.note, issued)
        return approval_view(row)

    def _task_line(self, tx: Tx, actor: Actor, line: PlanLineRow) -> list[str]:
        """One tasking per unit of the line, through the org desk (its own
        authority check: the actor's chain must command the unit)."""
        org = self.org
        if org is None:
            raise RuntimeError("the plans desk was built without the org desk")
        marking = MarkingIn(
            releasable_to=sorted(line.marking.releasable_to - {line.owner}),
            tlp=line.marking.tlp.value if line.marking.tlp else "",
        )
        ids = [
            org.task_unit_in(
                tx,
                actor,
                TaskingIn(
                    unit_id=unit_id,
                    title=line.title,
                    detail=line.detail,
                    due=line.due,
                    marking=marking,
                ),
            ).id
            for unit_id in line.unit_ids or []
        ]
        line.tasking_ids = [*(line.tasking_ids or []), *ids]
        line.executed_edits = line.edits
        line.executed_at = tx.now
        touch(line, tx.now)
        grant = self._authorize(actor, Action.TASK, LINE.target(tx.session, line))
        record(tx, line, LINE.object_type, "plans.line.executed", actor, grant)
        return ids

    # -- comments and proposals ----------------------------------------------------

    def comment(self, actor: Actor, plan_id: str, data: CommentIn) -> CommentOut:
        return self.ctx.writer.run(lambda tx: self.comment_in(tx, actor, plan_id, data))

    def comment_in(self, tx: Tx, actor: Actor, plan_id: str, data: CommentIn) -> CommentOut:
        s = tx.session
        plan = self._plan(s, actor, plan_id)
        grant = self._authorize(
            actor, Action.COMMENT, Target("plan", plan.id, plan.owner, plan.marking, ())
        )
        if data.line_id is not None:
            line = LINE.find(s, actor.nation, data.line_id, "line_id")
            if line.plan_id != plan.id:
                raise InvalidInput(
                    Text(
                        f"Line '{line.id}' is not a line of this plan.",
                        f"系列「{line.id}」はこの計画の系列ではありません。",
                    ),
                    field="line_id",
                    code="line_of_other_plan",
                )
        if data.kind == "proposal" and (data.line_id is None or data.proposed is None):
            raise InvalidInput(
                Text(
                    "A proposal names the line (line_id) and the change it proposes (proposed).",
                    "変更提案には対象の系列（line_id）と提案内容（proposed）が必要です。",
                ),
                field="proposed" if data.line_id else "line_id",
                code="proposal_incomplete",
            )
        if data.kind == "comment" and data.proposed is not None:
            raise InvalidInput(
                Text(
                    "A proposed change goes with kind 'proposal'.",
                    "変更提案にはkind「proposal」を指定してください。",
                ),
                field="kind",
                code="proposal_needs_kind",
            )
        st = plan_state(s, plan, actor.nation)
        proposed = data.proposed.model_dump(mode="json", exclude_none=True) if data.proposed else {}
        row = PlanCommentRow(
            id=new_id(),
            plan_id=plan.id,
            line_id=data.line_id,
            kind=data.kind,
            revision=st.revision,
            content_hash=st.content_hash,
            text=data.text,
            text_ja=data.text_ja,
            proposed=proposed,
            author_id=actor.user_id,
            author_name=actor.name,
            author_hq_id=actor.hq_id,
        )
        # Seen by those who see the plan, and the commenter's nation (its owner).
        marking = Marking(plan.marking.releasable_to | {plan.owner}, plan.marking.tlp)
        create_owned(
            tx,
            COMMENT,
            row,
            owner=actor.nation,
            marking=marking,
            actor=actor,
            grant=grant,
            event=f"plans.comment.{data.kind}",
        )
        return comment_view(row)

    def comments(self, actor: Actor, plan_id: str) -> list[CommentOut]:
        with self.ctx.db.read() as s:
            plan = self._plan(s, actor, plan_id)
            stmt = released_to(select(PlanCommentRow), PlanCommentRow, actor.nation)
            stmt = stmt.where(PlanCommentRow.plan_id == plan.id)
            rows = s.scalars(stmt.order_by(PlanCommentRow.created_at, PlanCommentRow.id))
            return [comment_view(r) for r in rows]

    def approvals(self, actor: Actor, plan_id: str) -> list[ApprovalOut]:
        with self.ctx.db.read() as s:
            plan = self._plan(s, actor, plan_id)
            return [approval_view(a) for a in plan_state(s, plan, actor.nation).acts]


__all__ = ["Approvals"]
