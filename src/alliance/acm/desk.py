"""The ACM desk: coordination between counterpart HQs under the Alliance
Coordination Mechanism, the decision log, and working groups.

Single writer holds here too. A request belongs to the nation that sends it;
each partner answers with responses it owns. The lifecycle shown to users
(draft → sent → acknowledged → concurred / non-concurred / counter-proposed →
decided / closed) is derived from the owner's state and the partners' latest
positions on the current revision, so no nation ever writes another's object.
A decision is recorded only when every participating nation's commander has
concurred on the current revision.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from alliance.core.authority import Action, Actor, Grant, Target, authorize
from alliance.core.dtg import coerce_time
from alliance.core.errors import Conflict, Forbidden, InvalidInput
from alliance.core.i18n import Text
from alliance.core.ids import claim_id, new_id
from alliance.core.markings import Marking
from alliance.core.models import MarkingOut, TimeOut
from alliance.org import HQ, HqRow, hq_chain
from alliance.store.context import DeskContext
from alliance.store.owned import (
    check_version,
    owned_fields,
    record,
    released_to,
    snapshot,
    stamp_new,
    touch,
    view,
    visible,
)
from alliance.store.writer import Tx

from .models import (
    ActionItemIn,
    ActionItemOut,
    ActionItemPatch,
    CloseIn,
    Concurrence,
    DecisionIn,
    DecisionOut,
    MeetingIn,
    MeetingOut,
    MeetingPatch,
    Member,
    NationPosition,
    Priority,
    RequestIn,
    RequestKind,
    RequestOut,
    RequestPatch,
    ResponseIn,
    ResponseKind,
    ResponseOut,
    Status,
    ThreadOut,
    WorkingGroupIn,
    WorkingGroupOut,
)
from .status import STATUS_NAMES, derive_status, latest_positions
from .tables import (
    ACTION_ITEM,
    COORDINATION_REQUEST,
    MEETING,
    WORKING_GROUP,
    ActionItemRow,
    CoordinationRequestRow,
    CoordinationResponseRow,
    DecisionRow,
    MeetingRow,
    WorkingGroupRow,
)

Req = CoordinationRequestRow
Resp = CoordinationResponseRow

# -- views ---------------------------------------------------------------------


def response_view(row: Resp) -> ResponseOut:
    return view(ResponseOut, row)


def decision_view(row: DecisionRow, req: Req) -> DecisionOut:
    return DecisionOut(
        **owned_fields(row),
        request_id=row.request_id,
        request_revision=row.request_revision,
        subject=req.subject,
        nations=sorted({c["nation"] for c in row.concurrences}),
        summary=row.summary,
        concurrences=[Concurrence.model_validate(c) for c in row.concurrences],
        decided_by=row.decided_by,
        decided_at=TimeOut.of(row.decided_at),
    )


class AcmDesk:
    def __init__(self, ctx: DeskContext) -> None:
        self.ctx = ctx

    def _authorize(self, actor: Actor, action: Action, target: Target) -> Grant:
        return authorize(actor, action, target, hosted=self.ctx.hosted)

    # -- reading -------------------------------------------------------------

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

    def _view(self, s: Session, req: Req, nation: str) -> RequestOut:
        participants = self._participants(s, req)
        responses = self._responses(s, req, nation)
        decision = s.scalar(select(DecisionRow).where(DecisionRow.request_id == req.id))
        positions = latest_positions(responses, req.revision)
        status = derive_status(req, responses, participants, decision is not None)
        awaiting = (
            sorted(
                n
                for n in participants
                if (positions.get(n) is None or positions[n].kind != ResponseKind.CONCUR.value)
            )
            if req.state == "sent"
            else []
        )
        return RequestOut(
            **owned_fields(req),
            kind=RequestKind(req.kind),
            from_hq_id=req.from_hq_id,
            to_hq_ids=list(req.to_hq_ids),
            participants=sorted(participants),
            subject=req.subject,
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
            awaiting=awaiting,
            decision_id=decision.id if decision is not None else None,
            release_marking=MarkingOut.of(Marking.from_columns(req.release_rel, req.release_tlp))
            if req.state == "draft"
            else None,
        )

    def _request(self, s: Session, actor: Actor, request_id: str) -> Req:
        return visible(
            s.get(Req, request_id), actor.nation, COORDINATION_REQUEST.label, request_id, "id"
        )

    def list_requests(
        self, actor: Actor, *, status: Status | None = None, hq_id: str | None = None
    ) -> list[RequestOut]:
        stmt = released_to(select(Req), Req, actor.nation).order_by(Req.created_at.desc(), Req.id)
        if hq_id:
            stmt = stmt.where(Req.from_hq_id == hq_id)
        with self.ctx.db.read() as s:
            views = [self._view(s, r, actor.nation) for r in s.scalars(stmt)]
        if hq_id:
            views = [v for v in views if v.from_hq_id == hq_id or hq_id in v.to_hq_ids]
        return [v for v in views if status is None or v.status == status]

    def thread(self, actor: Actor, request_id: str) -> ThreadOut:
        with self.ctx.db.read() as s:
            req = self._request(s, actor, request_id)
            decision = s.scalar(select(DecisionRow).where(DecisionRow.request_id == req.id))
            return ThreadOut(
                request=self._view(s, req, actor.nation),
                responses=[response_view(r) for r in self._responses(s, req, actor.nation)],
                decision=decision_view(decision, req)
                if decision is not None and decision.marking.releases_to(actor.nation)
                else None,
            )

    # -- the requesting nation's side ----------------------------------------

    def _owner_target(self, s: Session, req: Req) -> Target:
        return Target(
            "coordination_request", req.id, req.owner, req.marking, hq_chain(s, req.from_hq_id)
        )

    def create_request(self, actor: Actor, data: RequestIn) -> RequestOut:
        due = coerce_time(data.due, field="due")

        def job(tx: Tx) -> RequestOut:
            s = tx.session
            from_hq = visible(
                s.get(HqRow, data.from_hq_id), actor.nation, HQ.label, data.from_hq_id, "from_hq_id"
            )
            owner = from_hq.owner
            marking = data.marking.build(owner)
            to_nations: set[str] = set()
            for i, hq_id in enumerate(data.to_hq_ids):
                hq = visible(s.get(HqRow, hq_id), actor.nation, HQ.label, hq_id, f"to_hq_ids.{i}")
                if hq.owner == owner:
                    raise InvalidInput(
                        Text(
                            f"'{hq_id}' is a {owner} HQ; coordination requests go to partner HQs. "
                            "Use your own chain of command inside your nation.",
                            f"「{hq_id}」は{owner}の司令部です。調整要請は相手国の司令部へ送ります。",
                        ),
                        field=f"to_hq_ids.{i}",
                        code="addressee_same_nation",
                    )
                to_nations.add(hq.owner)
            missing = sorted(to_nations - marking.releasable_to)
            if missing:
                raise InvalidInput(
                    Text(
                        f"The marking does not release this request to {', '.join(missing)}, "
                        "the nation(s) it is addressed to. Add them to releasable_to.",
                        f"この要請の区分は宛先国（{', '.join(missing)}）への提供を許していません。"
                        "releasable_toに追加してください。",
                    ),
                    field="marking.releasable_to",
                    code="not_released_to_addressee",
                )
            grant = self._authorize(
                actor,
                Action.REQUEST,
                Target("coordination_request", "new", owner, marking, hq_chain(s, from_hq.id)),
            )
            row = Req(
                id=new_id(),
                kind=data.kind.value,
                from_hq_id=from_hq.id,
                to_hq_ids=list(dict.fromkeys(data.to_hq_ids)),
                subject=data.subject,
                body=data.body,
                priority=data.priority.value,
                due=due,
                state="draft",
                revision=1,
                author_id=actor.user_id,
            )
            # Staff work stays at home until it is sent: the draft is national-only,
            # and the marking asked for is applied by send().
            stamp_new(row, owner=owner, marking=_national(marking, owner), now=tx.now)
            _set_release(row, marking)
            s.add(row)
            s.flush()
            record(tx, row, "coordination_request", "acm.request.created", actor, grant)
            return self._view(s, row, actor.nation)

        return self.ctx.writer.run(job)

    def update_request(self, actor: Actor, request_id: str, patch: RequestPatch) -> RequestOut:
        """Amend a request. Amending a sent request opens a new revision:
        positions taken on the old revision no longer count."""
        due = coerce_time(patch.due, field="due") if patch.due is not None else None

        def job(tx: Tx) -> RequestOut:
            s = tx.session
            row = self._request(s, actor, request_id)
            grant = self._authorize(actor, Action.REQUEST, self._owner_target(s, row))
            check_version(row, patch.version)
            _require_state(row, {"draft", "sent"})
            before = snapshot(row)
            for key in ("subject", "body"):
                value = getattr(patch, key)
                if value is not None:
                    setattr(row, key, value)
            if patch.priority is not None:
                row.priority = patch.priority.value
            if due is not None:
                row.due = due
            if patch.marking is not None:
                marking = patch.marking.build(row.owner)
                missing = sorted(set(self._participants(s, row)) - marking.releasable_to)
                if missing:
                    raise InvalidInput(
                        Text(
                            f"The marking must still release the request to {', '.join(missing)}.",
                            f"区分は引き続き{', '.join(missing)}への提供を許す必要があります。",
                        ),
                        field="marking.releasable_to",
                        code="not_released_to_addressee",
                    )
                _set_release(row, marking)
                row.set_marking(marking if row.state == "sent" else _national(marking, row.owner))
            if snapshot(row) == before:
                return self._view(s, row, actor.nation)  # nothing changed
            if row.state == "sent":
                row.revision += 1
            touch(row, tx.now)
            record(tx, row, "coordination_request", "acm.request.amended", actor, grant)
            return self._view(s, row, actor.nation)

        return self.ctx.writer.run(job)

    def _transition(
        self,
        actor: Actor,
        request_id: str,
        allowed: set[str],
        new_state: str,
        kind: str,
        version: int | None = None,
        note: str = "",
        action: Action = Action.CHANGE,
    ) -> RequestOut:
        def job(tx: Tx) -> RequestOut:
            s = tx.session
            row = self._request(s, actor, request_id)
            grant = self._authorize(actor, action, self._owner_target(s, row))
            check_version(row, version)
            _require_state(row, allowed)
            row.state = new_state
            if new_state == "sent":
                row.sent_at = tx.now
                row.set_marking(Marking.from_columns(row.release_rel, row.release_tlp))
            if new_state in {"closed", "withdrawn"}:
                row.closed_at = tx.now
            touch(row, tx.now)
            record(
                tx,
                row,
                "coordination_request",
                kind,
                actor,
                grant,
                {"note": note} if note else None,
            )
            return self._view(s, row, actor.nation)

        return self.ctx.writer.run(job)

    def send(self, actor: Actor, request_id: str, version: int | None = None) -> RequestOut:
        # Drafting, amending and sending are requesting (a liaison officer may);
        # closing and withdrawing end the coordination for the nation (staff work).
        return self._transition(
            actor,
            request_id,
            {"draft"},
            "sent",
            "acm.request.sent",
            version,
            action=Action.REQUEST,
        )

    def close(self, actor: Actor, request_id: str, data: CloseIn) -> RequestOut:
        return self._transition(
            actor, request_id, {"sent"}, "closed", "acm.request.closed", data.version, data.note
        )

    def withdraw(self, actor: Actor, request_id: str, data: CloseIn) -> RequestOut:
        return self._transition(
            actor,
            request_id,
            {"draft", "sent"},
            "withdrawn",
            "acm.request.withdrawn",
            data.version,
            data.note,
        )

    # -- every participant's side --------------------------------------------

    def respond(self, actor: Actor, request_id: str, data: ResponseIn) -> ResponseOut:
        """Add the actor's nation's entry to the thread (it owns that entry)."""

        def job(tx: Tx) -> ResponseOut:
            s = tx.session
            req = self._request(s, actor, request_id)
            _require_state(req, {"sent"})
            participants = self._participants(s, req)
            revision = data.revision if data.revision is not None else req.revision
            if revision != req.revision:
                raise Conflict(
                    Text(
                        f"The request is at revision {req.revision}; you answered revision {revision}.",
                        f"要請は第{req.revision}版です。第{revision}版への回答は受け付けません。",
                    ),
                    field="revision",
                    code="stale_revision",
                )
            action = Action.CONCUR if data.kind.is_position else Action.COMMENT
            if data.kind != ResponseKind.COMMENT and actor.nation not in participants:
                raise Forbidden(
                    Text(
                        f"{actor.nation} is not a participant in this request; it may only comment.",
                        f"{actor.nation}はこの要請の当事国ではありません。意見のみ可能です。",
                    ),
                    code="not_participant",
                )
            chain = hq_chain(s, participants[actor.nation]) if actor.nation in participants else ()
            if data.kind.is_position and actor.hq_id not in chain:
                raise Forbidden(
                    Text(
                        f"{actor.hq_id} does not speak for {actor.nation} in this request; "
                        f"the position must come from {participants[actor.nation]} or a superior HQ.",
                        f"{actor.hq_id}はこの要請で{actor.nation}を代表しません。"
                        f"立場の表明は{participants[actor.nation]}またはその上級司令部が行います。",
                    ),
                    code="not_in_chain",
                )
            if data.kind == ResponseKind.ACKNOWLEDGE and actor.nation == req.owner:
                raise InvalidInput(
                    Text(
                        "The sender does not acknowledge its own request.",
                        "送信国は自らの要請を受領確認しません。",
                    ),
                    field="kind",
                    code="self_acknowledge",
                )
            grant = self._authorize(
                actor,
                action,
                Target("coordination_request", req.id, req.owner, req.marking, ()),
            )
            # The thread is seen by the same nations as the request; the
            # responder's nation owns its entry.
            marking = Marking(req.marking.releasable_to | {actor.nation}, req.marking.tlp)
            row = Resp(
                id=new_id(),
                request_id=req.id,
                request_revision=revision,
                kind=data.kind.value,
                text=data.text,
                author_id=actor.user_id,
                author_name=actor.name,
                author_role=actor.role.value,
                author_hq_id=actor.hq_id,
            )
            stamp_new(row, owner=actor.nation, marking=marking, now=tx.now)
            s.add(row)
            s.flush()
            record(
                tx, row, "coordination_response", f"acm.response.{data.kind.value}", actor, grant
            )
            return response_view(row)

        return self.ctx.writer.run(job)

    def decide(self, actor: Actor, request_id: str, data: DecisionIn) -> DecisionOut:
        """Record the bilateral decision: only once every participant concurred."""

        def job(tx: Tx) -> DecisionOut:
            s = tx.session
            req = self._request(s, actor, request_id)
            grant = self._authorize(
                actor,
                Action.DECIDE,
                Target(
                    "coordination_request",
                    req.id,
                    req.owner,
                    req.marking,
                    hq_chain(s, req.from_hq_id),
                ),
            )
            _require_state(req, {"sent"})
            participants = self._participants(s, req)
            responses = list(s.scalars(select(Resp).where(Resp.request_id == req.id)))
            positions = latest_positions(responses, req.revision)
            concurred = {
                n: r
                for n, r in positions.items()
                if r.kind == ResponseKind.CONCUR.value and r.author_role == "commander"
            }
            missing = sorted(set(participants) - set(concurred))
            if missing:
                raise Conflict(
                    Text(
                        f"No decision yet: {', '.join(missing)} has not concurred on revision "
                        f"{req.revision}. A bilateral decision needs each nation's concurrence.",
                        f"まだ決定できません: {', '.join(missing)}が第{req.revision}版に同意していません。"
                        "二国間の決定には各国の同意が必要です。",
                    ),
                    code="concurrence_missing",
                )
            row = DecisionRow(
                id=new_id(),
                request_id=req.id,
                request_revision=req.revision,
                summary=data.summary,
                concurrences=[
                    {
                        "nation": n,
                        "response_id": r.id,
                        "by": r.author_name,
                        "role": r.author_role,
                        "hq_id": r.author_hq_id,
                        "at": TimeOut.of(r.created_at).model_dump(),
                    }
                    for n, r in sorted(concurred.items())
                ],
                decided_by=actor.user_id,
                decided_at=tx.now,
            )
            stamp_new(row, owner=req.owner, marking=req.marking, now=tx.now)
            s.add(row)
            req.state = "closed"
            req.closed_at = tx.now
            touch(req, tx.now)
            s.flush()
            record(tx, row, "decision", "acm.decision.recorded", actor, grant)
            record(tx, req, "coordination_request", "acm.request.decided", actor, grant)
            return decision_view(row, req)

        return self.ctx.writer.run(job)

    def decision_log(self, actor: Actor) -> list[DecisionOut]:
        """Every decision released to the actor's nation, newest first."""
        stmt = released_to(select(DecisionRow), DecisionRow, actor.nation).order_by(
            DecisionRow.decided_at.desc(), DecisionRow.id
        )
        with self.ctx.db.read() as s:
            out = []
            for row in s.scalars(stmt):
                req = s.get(Req, row.request_id)
                if req is not None:
                    out.append(decision_view(row, req))
            return out

    # -- working groups --------------------------------------------------------

    def _group(self, s: Session, actor: Actor, group_id: str) -> WorkingGroupRow:
        return visible(
            s.get(WorkingGroupRow, group_id),
            actor.nation,
            WORKING_GROUP.label,
            group_id,
            "group_id",
        )

    def list_groups(self, actor: Actor) -> list[WorkingGroupOut]:
        stmt = released_to(select(WorkingGroupRow), WorkingGroupRow, actor.nation).order_by(
            WorkingGroupRow.id
        )
        with self.ctx.db.read() as s:
            return [group_view(r) for r in s.scalars(stmt)]

    def create_group(self, actor: Actor, data: WorkingGroupIn) -> WorkingGroupOut:
        nations = sorted({m.nation for m in data.members})
        marking = data.marking.build(actor.nation)
        if len(nations) < 2 or actor.nation not in nations:
            raise InvalidInput(
                Text(
                    "A working group has members from at least two nations, yours among them.",
                    "作業部会には自国を含む2か国以上のメンバーが必要です。",
                ),
                field="members",
                code="not_bilateral",
            )
        missing = sorted(set(nations) - marking.releasable_to)
        if missing:
            raise InvalidInput(
                Text(
                    f"The marking must release the group to every member nation ({', '.join(missing)}).",
                    f"区分は全メンバー国（{', '.join(missing)}）への提供を許す必要があります。",
                ),
                field="marking.releasable_to",
                code="not_released_to_members",
            )
        if not any(m.nation == actor.nation and m.hq_id for m in data.members):
            raise InvalidInput(
                Text(
                    f"Name the HQ your nation's members come from (members[].hq_id): that HQ's "
                    f"chain of command holds {actor.nation}'s meetings and action items in the group.",
                    f"自国メンバーの所属司令部（members[].hq_id）を指定してください。その司令部の"
                    f"指揮系統が作業部会における{actor.nation}の会議と行動項目を保持します。",
                ),
                field="members",
                code="no_member_hq",
            )

        def job(tx: Tx) -> WorkingGroupOut:
            s = tx.session
            _check_member_hqs(s, actor, data.members)
            chain = _held_by(s, [m.model_dump() for m in data.members], actor.nation)
            grant = self._authorize(
                actor, Action.CREATE, Target("working_group", "new", actor.nation, marking, chain)
            )
            row = WorkingGroupRow(
                id=claim_id(actor.nation, data.id, lambda i: s.get(WorkingGroupRow, i) is not None),
                name_en=data.name_en,
                name_ja=data.name_ja,
                purpose=data.purpose,
                members=[m.model_dump() for m in data.members],
                state="active",
            )
            stamp_new(row, owner=actor.nation, marking=marking, now=tx.now)
            s.add(row)
            s.flush()
            record(tx, row, "working_group", "acm.group.created", actor, grant)
            return group_view(row)

        return self.ctx.writer.run(job)

    def _member_nation(self, group: WorkingGroupRow, actor: Actor) -> None:
        if actor.nation not in {m["nation"] for m in group.members}:
            raise Forbidden(
                Text(
                    f"{actor.nation} is not a member of this working group.",
                    f"{actor.nation}はこの作業部会のメンバーではありません。",
                ),
                code="not_member",
            )

    def add_meeting(self, actor: Actor, group_id: str, data: MeetingIn) -> MeetingOut:
        starts = coerce_time(data.starts_at, field="starts_at")
        assert starts is not None

        def job(tx: Tx) -> MeetingOut:
            s = tx.session
            group = self._group(s, actor, group_id)
            self._member_nation(group, actor)
            chain = _held_by(s, group.members, actor.nation)
            grant = self._authorize(
                actor, Action.CREATE, Target("meeting", "new", actor.nation, group.marking, chain)
            )
            row = MeetingRow(
                id=new_id(),
                group_id=group.id,
                starts_at=starts,
                location=data.location,
                agenda=data.agenda,
                minutes=data.minutes,
            )
            stamp_new(row, owner=actor.nation, marking=group.marking, now=tx.now)
            s.add(row)
            s.flush()
            record(tx, row, "meeting", "acm.meeting.created", actor, grant)
            return meeting_view(row)

        return self.ctx.writer.run(job)

    def update_meeting(self, actor: Actor, meeting_id: str, patch: MeetingPatch) -> MeetingOut:
        def job(tx: Tx) -> MeetingOut:
            s = tx.session
            row = visible(
                s.get(MeetingRow, meeting_id), actor.nation, MEETING.label, meeting_id, "id"
            )
            chain = _group_chain(s, row.group_id, row.owner)
            grant = self._authorize(
                actor, Action.CHANGE, Target("meeting", row.id, row.owner, row.marking, chain)
            )
            check_version(row, patch.version)
            before = snapshot(row)
            for key, value in patch.model_dump(exclude={"version"}, exclude_none=True).items():
                setattr(row, key, value)
            if snapshot(row) == before:
                return meeting_view(row)
            touch(row, tx.now)
            record(tx, row, "meeting", "acm.meeting.updated", actor, grant)
            return meeting_view(row)

        return self.ctx.writer.run(job)

    def list_meetings(self, actor: Actor, group_id: str) -> list[MeetingOut]:
        with self.ctx.db.read() as s:
            self._group(s, actor, group_id)
            stmt = released_to(select(MeetingRow), MeetingRow, actor.nation).where(
                MeetingRow.group_id == group_id
            )
            return [meeting_view(r) for r in s.scalars(stmt.order_by(MeetingRow.starts_at))]

    def add_action(self, actor: Actor, group_id: str, data: ActionItemIn) -> ActionItemOut:
        """A nation commits itself to an action; only it changes the item later."""
        due = coerce_time(data.due, field="due")

        def job(tx: Tx) -> ActionItemOut:
            s = tx.session
            group = self._group(s, actor, group_id)
            self._member_nation(group, actor)
            if data.meeting_id is not None:
                meeting = visible(
                    s.get(MeetingRow, data.meeting_id),
                    actor.nation,
                    MEETING.label,
                    data.meeting_id,
                    "meeting_id",
                )
                if meeting.group_id != group.id:
                    raise InvalidInput(
                        Text(
                            "That meeting belongs to another group.",
                            "その会議は別の作業部会のものです。",
                        ),
                        field="meeting_id",
                        code="wrong_group",
                    )
            chain = _held_by(s, group.members, actor.nation)
            grant = self._authorize(
                actor,
                Action.CREATE,
                Target("action_item", "new", actor.nation, group.marking, chain),
            )
            row = ActionItemRow(
                id=new_id(),
                group_id=group.id,
                meeting_id=data.meeting_id,
                title=data.title,
                assignee=data.assignee,
                due=due,
                state="open",
            )
            stamp_new(row, owner=actor.nation, marking=group.marking, now=tx.now)
            s.add(row)
            s.flush()
            record(tx, row, "action_item", "acm.action.created", actor, grant)
            return action_view(row)

        return self.ctx.writer.run(job)

    def update_action(self, actor: Actor, item_id: str, patch: ActionItemPatch) -> ActionItemOut:
        due = coerce_time(patch.due, field="due") if patch.due is not None else None

        def job(tx: Tx) -> ActionItemOut:
            s = tx.session
            row = visible(
                s.get(ActionItemRow, item_id), actor.nation, ACTION_ITEM.label, item_id, "id"
            )
            chain = _group_chain(s, row.group_id, row.owner)
            grant = self._authorize(
                actor, Action.CHANGE, Target("action_item", row.id, row.owner, row.marking, chain)
            )
            check_version(row, patch.version)
            before = snapshot(row)
            if patch.state is not None:
                row.state = patch.state
            if patch.assignee is not None:
                row.assignee = patch.assignee
            if due is not None:
                row.due = due
            if snapshot(row) == before:
                return action_view(row)
            touch(row, tx.now)
            record(tx, row, "action_item", "acm.action.updated", actor, grant)
            return action_view(row)

        return self.ctx.writer.run(job)

    def list_actions(self, actor: Actor, group_id: str) -> list[ActionItemOut]:
        with self.ctx.db.read() as s:
            self._group(s, actor, group_id)
            stmt = released_to(select(ActionItemRow), ActionItemRow, actor.nation).where(
                ActionItemRow.group_id == group_id
            )
            return [action_view(r) for r in s.scalars(stmt.order_by(ActionItemRow.created_at))]


def _held_by(s: Session, members: list[dict[str, Any]], nation: str) -> tuple[str, ...]:
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


def _group_chain(s: Session, group_id: str, nation: str) -> tuple[str, ...]:
    group = s.get(WorkingGroupRow, group_id)
    return _held_by(s, group.members, nation) if group is not None else ()


def _check_member_hqs(s: Session, actor: Actor, members: list[Member]) -> None:
    """A member's HQ is an HQ of the member's nation. The actor's own nation's
    HQs are all known here; a partner HQ this node does not show the actor is
    taken as given (it is checked where that nation holds it)."""
    for i, member in enumerate(members):
        if member.hq_id is None:
            continue
        field = f"members.{i}.hq_id"
        row = s.get(HqRow, member.hq_id)
        if member.nation == actor.nation:
            row = visible(row, actor.nation, HQ.label, member.hq_id, field)
        elif row is None or not row.marking.releases_to(actor.nation):
            continue
        if row.owner != member.nation:
            raise InvalidInput(
                Text(
                    f"'{member.hq_id}' is a {row.owner} HQ; a {member.nation} member comes "
                    f"from a {member.nation} HQ.",
                    f"「{member.hq_id}」は{row.owner}の司令部です。{member.nation}のメンバーは"
                    f"{member.nation}の司令部に所属します。",
                ),
                field=field,
                code="member_hq_wrong_nation",
            )


def _national(marking: Marking, owner: str) -> Marking:
    return Marking(frozenset({owner}), marking.tlp)


def _set_release(row: Req, marking: Marking) -> None:
    row.release_rel = marking.rel_text()
    row.release_tlp = marking.tlp.value if marking.tlp else None


def _require_state(row: Req, allowed: set[str]) -> None:
    if row.state not in allowed:
        raise Conflict(
            Text(
                f"The request is {row.state}; this needs it to be {' or '.join(sorted(allowed))}.",
                f"要請の状態は{row.state}です。この操作には{'または'.join(sorted(allowed))}である必要があります。",
            ),
            code="wrong_state",
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
    return view(ActionItemOut, row, due=TimeOut.maybe(row.due))
