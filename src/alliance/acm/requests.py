"""The requesting nation's side of a coordination: draft, amend, send, close,
withdraw; and reading requests and their threads.

A request belongs to the nation that sends it. Staff work stays at home until
it is sent: a draft is national-only, and the marking asked for is applied when
it is sent. Amending a sent request opens a new revision.
"""

from __future__ import annotations

from sqlalchemy import select

from alliance.core.authority import Action, Actor, Target
from alliance.core.dtg import coerce_time
from alliance.core.errors import InvalidInput
from alliance.core.i18n import Text
from alliance.core.ids import new_id
from alliance.core.markings import Marking
from alliance.org import HQ as HQ_TYPE
from alliance.org import HqRow, hq_chain
from alliance.store.owned import (
    change_owned,
    create_owned,
    released_to,
    visible,
)
from alliance.store.writer import Tx

from .common import (
    REQUEST,
    AcmBase,
    Req,
    decision_view,
    national,
    require_state,
    response_view,
    set_release,
)
from .models import CloseIn, RequestIn, RequestOut, RequestPatch, Status, ThreadOut
from .tables import DecisionRow


class Requests(AcmBase):
    """Coordination requests, from the requesting nation's side."""

    # -- reading -------------------------------------------------------------

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

    # -- drafting and amending -------------------------------------------------

    def create_request(self, actor: Actor, data: RequestIn) -> RequestOut:
        coerce_time(data.due, field="due")  # bad input is refused before the writer
        return self.ctx.writer.run(lambda tx: self.create_request_in(tx, actor, data))

    def create_request_in(self, tx: Tx, actor: Actor, data: RequestIn) -> RequestOut:
        due = coerce_time(data.due, field="due")
        s = tx.session
        from_hq = visible(
            s.get(HqRow, data.from_hq_id),
            actor.nation,
            HQ_TYPE.label,
            data.from_hq_id,
            "from_hq_id",
        )
        owner = from_hq.owner
        marking = data.marking.build(owner)
        to_nations: set[str] = set()
        for i, hq_id in enumerate(data.to_hq_ids):
            hq = visible(s.get(HqRow, hq_id), actor.nation, HQ_TYPE.label, hq_id, f"to_hq_ids.{i}")
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
        # and the marking asked for is applied by send() (where what it names is
        # judged: a draft may wait for its HQ to be released).
        set_release(row, marking)
        create_owned(
            tx,
            REQUEST,
            row,
            owner=owner,
            marking=national(marking, owner),
            actor=actor,
            grant=grant,
            event="acm.request.created",
        )
        return self._view(s, row, actor.nation)

    def update_request(self, actor: Actor, request_id: str, patch: RequestPatch) -> RequestOut:
        """Amend a request. Amending a sent request opens a new revision:
        positions taken on the old revision no longer count."""
        if patch.due is not None:
            coerce_time(patch.due, field="due")  # bad input is refused before the writer
        return self.ctx.writer.run(lambda tx: self.update_request_in(tx, actor, request_id, patch))

    def update_request_in(
        self, tx: Tx, actor: Actor, request_id: str, patch: RequestPatch
    ) -> RequestOut:
        due = coerce_time(patch.due, field="due") if patch.due is not None else None
        s = tx.session

        def amend(row: Req) -> None:
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
                set_release(row, marking)
                row.set_marking(marking if row.state == "sent" else national(marking, row.owner))

        def new_revision(row: Req) -> None:
            if row.state == "sent":
                row.revision += 1

        row = change_owned(
            tx,
            actor,
            REQUEST,
            request_id,
            hosted=self.ctx.hosted,
            action=Action.REQUEST,
            version=patch.version,
            require=lambda row: require_state(row, {"draft", "sent"}),
            change=amend,
            changed=new_revision,
            event="acm.request.amended",
        )
        return self._view(s, row, actor.nation)

    # -- moving a request on ---------------------------------------------------

    def _transition_in(
        self,
        tx: Tx,
        actor: Actor,
        request_id: str,
        allowed: set[str],
        new_state: str,
        kind: str,
        version: int | None = None,
        note: str = "",
        action: Action = Action.CHANGE,
    ) -> RequestOut:
        def move(row: Req) -> None:
            row.state = new_state
            if new_state == "sent":
                row.sent_at = tx.now
                row.set_marking(Marking.from_columns(row.release_rel, row.release_tlp))
            if new_state in {"closed", "withdrawn"}:
                row.closed_at = tx.now

        row = change_owned(
            tx,
            actor,
            REQUEST,
            request_id,
            hosted=self.ctx.hosted,
            action=action,
            version=version,
            require=lambda row: require_state(row, allowed),
            change=move,
            event=kind,
            extra={"note": note} if note else None,
        )
        return self._view(tx.session, row, actor.nation)

    def send(self, actor: Actor, request_id: str, version: int | None = None) -> RequestOut:
        return self.ctx.writer.run(lambda tx: self.send_in(tx, actor, request_id, version))

    def send_in(
        self, tx: Tx, actor: Actor, request_id: str, version: int | None = None
    ) -> RequestOut:
        # Drafting, amending and sending are requesting (a liaison officer may);
        # closing and withdrawing end the coordination for the nation (staff work).
        return self._transition_in(
            tx,
            actor,
            request_id,
            {"draft"},
            "sent",
            "acm.request.sent",
            version,
            action=Action.REQUEST,
        )

    def close(self, actor: Actor, request_id: str, data: CloseIn) -> RequestOut:
        return self.ctx.writer.run(lambda tx: self.close_in(tx, actor, request_id, data))

    def close_in(self, tx: Tx, actor: Actor, request_id: str, data: CloseIn) -> RequestOut:
        return self._transition_in(
            tx, actor, request_id, {"sent"}, "closed", "acm.request.closed", data.version, data.note
        )

    def withdraw(self, actor: Actor, request_id: str, data: CloseIn) -> RequestOut:
        return self.ctx.writer.run(lambda tx: self.withdraw_in(tx, actor, request_id, data))

    def withdraw_in(self, tx: Tx, actor: Actor, request_id: str, data: CloseIn) -> RequestOut:
        return self._transition_in(
            tx,
            actor,
            request_id,
            {"draft", "sent"},
            "withdrawn",
            "acm.request.withdrawn",
            data.version,
            data.note,
        )
