"""Every participant's side of a coordination: responses and the bilateral decision.

An RFI is *answered* (acknowledge, comment, answer), never concurred. Other
requests get positions: concur, concur with comment, non-concur. A
non-concurrence carries at least one graded comment (critical, substantive,
administrative); a concurrence with comment at least one, none critical (a
critical comment is a non-concurrence until resolved).

Each nation answers with responses it owns, so no nation writes another's
object. A decision is recorded only when every participating nation has
concurred on the current revision, by a commander or by a staff officer by
direction of the commander (a delegation in force, :mod:`.delegations`).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from alliance.core.approval import approvals_of
from alliance.core.approval import missing as approval_missing
from alliance.core.authority import (
    Action,
    Actor,
    Target,
    authorize_position,
    concurrence_counts,
    require_participant,
    require_speaks_for,
)
from alliance.core.errors import Conflict, InvalidInput
from alliance.core.i18n import Text
from alliance.core.ids import new_id
from alliance.core.markings import Marking
from alliance.core.models import TimeOut
from alliance.org import hq_chain
from alliance.store.owned import create_owned, record, released_to, touch
from alliance.store.writer import Tx

from .common import (
    DECISION,
    REQUEST,
    RESPONSE,
    AcmBase,
    Req,
    Resp,
    decision_view,
    delegation_rule,
    require_state,
    response_view,
)
from .models import (
    DecisionIn,
    DecisionOut,
    Grade,
    RequestKind,
    ResponseIn,
    ResponseKind,
    ResponseOut,
)
from .status import positions_of, request_hash
from .tables import DecisionRow, DelegationRow

_REQUEST = Text("request", "要請")


def check_response(kind: RequestKind, data: ResponseIn) -> None:
    """What a response must be for the request's kind (bad input is refused
    before anything is stored)."""
    if kind == RequestKind.RFI and data.kind.is_position:
        raise InvalidInput(
            Text(
                "A request for information is answered, not concurred: respond with "
                "kind 'answer' (or acknowledge, comment).",
                "情報要求（RFI）には同意・不同意ではなく回答します。kindに'answer'"
                "（または受領確認・意見）を指定してください。",
            ),
            field="kind",
            code="rfi_not_concurred",
        )
    if data.kind == ResponseKind.ANSWER:
        if kind != RequestKind.RFI:
            raise InvalidInput(
                Text(
                    "Only a request for information is answered; state a position on this "
                    "request (concur, concur_with_comment, non_concur).",
                    "回答（answer）は情報要求（RFI）にのみ行います。この要請には立場"
                    "（同意・意見付き同意・不同意）を表明してください。",
                ),
                field="kind",
                code="answer_only_for_rfi",
            )
        if not data.text.strip():
            raise InvalidInput(
                Text("An answer needs its text.", "回答には本文が必要です。"),
                field="text",
                code="answer_needs_text",
            )
    if data.comments and data.kind not in (
        ResponseKind.CONCUR_WITH_COMMENT,
        ResponseKind.NON_CONCUR,
    ):
        hint = " Use concur_with_comment." if data.kind == ResponseKind.CONCUR else ""
        hint_ja = "意見付き同意（concur_with_comment）を使ってください。" if hint else ""
        raise InvalidInput(
            Text(
                f"Graded comments go with a concurrence with comment or a non-concurrence.{hint}",
                f"区分付き意見は意見付き同意または不同意に付けます。{hint_ja}",
            ),
            field="comments",
            code="comments_need_position",
        )
    if data.kind == ResponseKind.NON_CONCUR and not data.comments:
        raise InvalidInput(
            Text(
                "A non-concurrence needs at least one graded comment (critical, substantive "
                "or administrative) saying what must change.",
                "不同意には、何を変えるべきかを示す区分付き意見（重大・実質・事務）が"
                "少なくとも一つ必要です。",
            ),
            field="comments",
            code="non_concur_needs_comment",
        )
    if data.kind == ResponseKind.CONCUR_WITH_COMMENT:
        if not data.comments:
            raise InvalidInput(
                Text(
                    "A concurrence with comment needs at least one graded comment "
                    "(substantive or administrative).",
                    "意見付き同意には区分付き意見（実質・事務）が少なくとも一つ必要です。",
                ),
                field="comments",
                code="comment_missing",
            )
        for i, comment in enumerate(data.comments):
            if comment.grade == Grade.CRITICAL:
                raise InvalidInput(
                    Text(
                        "A critical comment means non-concurrence until it is resolved: "
                        "non-concur, or grade the comment substantive or administrative.",
                        "重大意見は解決されるまで不同意を意味します。不同意とするか、"
                        "意見を実質または事務に区分してください。",
                    ),
                    field=f"comments.{i}.grade",
                    code="critical_means_non_concur",
                )


class Decisions(AcmBase):
    """Responses to coordination requests, and decisions."""

    def respond(self, actor: Actor, request_id: str, data: ResponseIn) -> ResponseOut:
        """Add the actor's nation's entry to the thread (it owns that entry)."""
        return self.ctx.writer.run(lambda tx: self.respond_in(tx, actor, request_id, data))

    def _delegations_of(self, s: Session, actor: Actor) -> list[DelegationRow]:
        stmt = select(DelegationRow).where(
            DelegationRow.delegate_id == actor.user_id, DelegationRow.owner == actor.nation
        )
        return list(s.scalars(stmt.order_by(DelegationRow.created_at, DelegationRow.id)))

    def respond_in(self, tx: Tx, actor: Actor, request_id: str, data: ResponseIn) -> ResponseOut:
        s = tx.session
        req = self._request(s, actor, request_id)
        require_state(req, {"sent"})
        # Who may take part in the thread at all comes first (an administrator
        # or a viewer is refused as such, whatever it sends).
        target = Target("coordination_request", req.id, req.owner, req.marking, ())
        grant = self._authorize(actor, Action.COMMENT, target)
        check_response(RequestKind(req.kind), data)
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
        if data.kind != ResponseKind.COMMENT:
            require_participant(actor, participants, _REQUEST)
        if data.kind in (ResponseKind.ACKNOWLEDGE, ResponseKind.ANSWER) and (
            actor.nation == req.owner
        ):
            raise InvalidInput(
                Text(
                    "The sender does not acknowledge or answer its own request.",
                    "送信国は自らの要請の受領確認・回答を行いません。",
                ),
                field="kind",
                code="self_acknowledge",
            )
        delegation = None
        if data.kind.is_position:
            speaker = participants[actor.nation]
            require_speaks_for(actor, speaker, hq_chain(s, speaker), _REQUEST)
            grant, delegation = authorize_position(
                actor,
                target,
                req.level,
                tx.now,
                [delegation_rule(d) for d in self._delegations_of(s, actor)],
                hosted=self.ctx.hosted,
            )
        # The thread is seen by the same nations as the request; the
        # responder's nation owns its entry.
        marking = Marking(req.marking.releasable_to | {actor.nation}, req.marking.tlp)
        row = Resp(
            id=new_id(),
            request_id=req.id,
            request_revision=revision,
            request_hash=request_hash(req),
            kind=data.kind.value,
            text=data.text,
            comments=[c.model_dump(mode="json") for c in data.comments],
            delegation_id=delegation.ident if delegation is not None else None,
            by_direction_of=delegation.commander if delegation is not None else None,
            author_id=actor.user_id,
            author_name=actor.name,
            author_role=actor.role.value,
            author_hq_id=actor.hq_id,
        )
        create_owned(
            tx,
            RESPONSE,
            row,
            owner=actor.nation,
            marking=marking,
            actor=actor,
            grant=grant,
            event=f"acm.response.{data.kind.value}",
        )
        return response_view(row)

    def _counts(self, s: Session, req: Req, r: Resp) -> bool:
        """Whether a concurrence commits its nation: a commander's, or a staff
        officer's given under a delegation in force when it was given. The
        responder's node judged the delegation and signed the position; where
        this node holds the delegation (its own nation's, or a partner's released
        to it), it is judged again here."""
        if r.kind not in {k.value for k in (ResponseKind.CONCUR, ResponseKind.CONCUR_WITH_COMMENT)}:
            return False
        delegated = False
        if r.delegation_id is not None:
            held = s.get(DelegationRow, r.delegation_id)
            delegated = held is None or (
                held.owner == r.owner
                and held.delegate_id == r.author_id
                and delegation_rule(held).in_force(r.created_at, req.level)
            )
        return concurrence_counts(r.author_role, delegated=delegated)

    def decide(self, actor: Actor, request_id: str, data: DecisionIn) -> DecisionOut:
        """Record the bilateral decision: only once every participant concurred."""
        return self.ctx.writer.run(lambda tx: self.decide_in(tx, actor, request_id, data))

    def decide_in(self, tx: Tx, actor: Actor, request_id: str, data: DecisionIn) -> DecisionOut:
        s = tx.session
        req = self._request(s, actor, request_id)
        grant = self._authorize(actor, Action.DECIDE, REQUEST.target(s, req))
        require_state(req, {"sent"})
        if req.kind == RequestKind.RFI.value:
            raise Conflict(
                Text(
                    "A request for information is answered, not decided: close it once it "
                    "is answered.",
                    "情報要求（RFI）は決定ではなく回答で完結します。回答後に完結してください。",
                ),
                code="rfi_not_decided",
            )
        participants = self._participants(s, req)
        responses = list(s.scalars(select(Resp).where(Resp.request_id == req.id)))
        # The shared approval rule (alliance.core.approval): every participant's
        # latest position concurs, commits its nation, and is pinned to the
        # content hash of the current revision.
        current = request_hash(req)
        positions = positions_of(responses, req, lambda r: self._counts(s, req, r))
        by_id = {r.id: r for r in responses}
        concurred = {n: by_id[p.ident] for n, p in approvals_of(positions, current).items()}
        missing = approval_missing(participants, positions, current)
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
                    "kind": r.kind,
                    "by_direction_of": r.by_direction_of,
                    "delegation_id": r.delegation_id,
                }
                for n, r in sorted(concurred.items())
            ],
            decided_by=actor.user_id,
            decided_at=tx.now,
        )
        create_owned(
            tx,
            DECISION,
            row,
            owner=req.owner,
            marking=req.marking,
            actor=actor,
            grant=grant,
            event="acm.decision.recorded",
        )
        req.state = "closed"
        req.closed_at = tx.now
        touch(req, tx.now)
        record(tx, req, REQUEST.object_type, "acm.request.decided", actor, grant)
        return decision_view(row, req)

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
                    out.append(self._outcome(s, row, req, actor.nation))
            return out
