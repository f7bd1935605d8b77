"""Every participant's side of a coordination: responses (acknowledge, comment,
concur, non-concur, counter-propose) and the bilateral decision.

Each nation answers with responses it owns, so no nation writes another's
object. A decision is recorded only when every participating nation has
concurred on the current revision, by a role whose concurrence commits it.
"""

from __future__ import annotations

from sqlalchemy import select

from alliance.core.authority import (
    Action,
    Actor,
    Target,
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
    require_state,
    response_view,
)
from .models import DecisionIn, DecisionOut, ResponseIn, ResponseKind, ResponseOut
from .status import latest_positions
from .tables import DecisionRow

_REQUEST = Text("request", "要請")


class Decisions(AcmBase):
    """Responses to coordination requests, and decisions."""

    def respond(self, actor: Actor, request_id: str, data: ResponseIn) -> ResponseOut:
        """Add the actor's nation's entry to the thread (it owns that entry)."""
        return self.ctx.writer.run(lambda tx: self.respond_in(tx, actor, request_id, data))

    def respond_in(self, tx: Tx, actor: Actor, request_id: str, data: ResponseIn) -> ResponseOut:
        s = tx.session
        req = self._request(s, actor, request_id)
        require_state(req, {"sent"})
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
        if data.kind != ResponseKind.COMMENT:
            require_participant(actor, participants, _REQUEST)
        if data.kind.is_position:
            speaker = participants[actor.nation]
            require_speaks_for(actor, speaker, hq_chain(s, speaker), _REQUEST)
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

    def decide(self, actor: Actor, request_id: str, data: DecisionIn) -> DecisionOut:
        """Record the bilateral decision: only once every participant concurred."""
        return self.ctx.writer.run(lambda tx: self.decide_in(tx, actor, request_id, data))

    def decide_in(self, tx: Tx, actor: Actor, request_id: str, data: DecisionIn) -> DecisionOut:
        s = tx.session
        req = self._request(s, actor, request_id)
        grant = self._authorize(actor, Action.DECIDE, REQUEST.target(s, req))
        require_state(req, {"sent"})
        participants = self._participants(s, req)
        responses = list(s.scalars(select(Resp).where(Resp.request_id == req.id)))
        positions = latest_positions(responses, req.revision)
        concurred = {
            n: r
            for n, r in positions.items()
            if r.kind == ResponseKind.CONCUR.value and concurrence_counts(r.author_role)
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
                    out.append(decision_view(row, req))
            return out
