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
from alliance.core.models import TimeOut
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
    national,
    require_state,
    response_view,
    set_release,
)
from .models import (
    CloseIn,
    EscalateIn,
    Level,
    RequestIn,
    RequestOut,
    RequestPatch,
    Status,
    ThreadOut,
)
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
                decision=self._outcome(s, decision, req, actor.nation)
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
            level=data.level.value,
            escalations=[],
            from_hq_id=from_hq.id,
            to_hq_ids=list(dict.fromkeys(data.to_hq_ids)),
            subject=data.subject,
            subject_ja=data.subject_ja or None,  # none given: NULL, as before 0016
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
            if patch.subject_ja is not None:
                row.subject_ja = patch.subject_ja or None
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

    # -- escalating to a higher tier -------------------------------------------

    def escalate(self, actor: Actor, request_id: str, data: EscalateIn) -> RequestOut:
        return self.ctx.writer.run(lambda tx: self.escalate_in(tx, actor, request_id, data))

    def escalate_in(self, tx: Tx, actor: Actor, request_id: str, data: EscalateIn) -> RequestOut:
        """Raise a request to a higher ACM tier (CCC → BOCC → ACG), in place: the
        same request, so its thread stays with it, under the same marking. It may
        move up to a superior HQ of its chain and to partner HQs at the new tier;
        a sent request opens a new revision (positions taken at the lower tier do
        not commit the higher one). Recorded as its own ledger event."""
        s = tx.session
        current = self._request(s, actor, request_id)
        from_level = Level(current.level)
        if data.level.rank <= from_level.rank:
            raise InvalidInput(
                Text(
                    f"The request is coordinated at the {from_level.value.upper()} level; "
                    f"escalation goes to a higher tier (CCC → BOCC → ACG), not to "
                    f"{data.level.value.upper()}.",
                    f"この要請は{from_level.value.upper()}レベルで調整中です。エスカレーションは"
                    f"上位の階層（CCC → BOCC → ACG）へのみ行えます（{data.level.value.upper()}は不可）。",
                ),
                field="level",
                code="not_a_higher_level",
            )
        new_from = current.from_hq_id
        if data.from_hq_id is not None and data.from_hq_id != current.from_hq_id:
            chain = hq_chain(s, current.from_hq_id)
            if data.from_hq_id not in chain:
                raise InvalidInput(
                    Text(
                        f"'{data.from_hq_id}' is not a superior HQ of {current.from_hq_id}: an "
                        "escalated request moves up its own chain of command.",
                        f"「{data.from_hq_id}」は{current.from_hq_id}の上級司令部ではありません。"
                        "エスカレーションは自らの指揮系統を上がります。",
                    ),
                    field="from_hq_id",
                    code="not_a_superior_hq",
                )
            new_from = data.from_hq_id
            # The actor must hold the request where it goes, too.
            self._authorize(
                actor,
                Action.REQUEST,
                Target(
                    "coordination_request",
                    current.id,
                    current.owner,
                    current.marking,
                    hq_chain(s, new_from),
                ),
            )
        new_to = list(current.to_hq_ids)
        if data.to_hq_ids is not None:
            new_to = list(dict.fromkeys(data.to_hq_ids))
            marking = Marking.from_columns(current.release_rel, current.release_tlp)
            for i, hq_id in enumerate(new_to):
                hq = visible(
                    s.get(HqRow, hq_id), actor.nation, HQ_TYPE.label, hq_id, f"to_hq_ids.{i}"
                )
                if hq.owner == current.owner:
                    raise InvalidInput(
                        Text(
                            f"'{hq_id}' is a {current.owner} HQ; coordination requests go to "
                            "partner HQs.",
                            f"「{hq_id}」は{current.owner}の司令部です。調整要請は相手国の司令部へ送ります。",
                        ),
                        field=f"to_hq_ids.{i}",
                        code="addressee_same_nation",
                    )
                if not marking.releases_to(hq.owner):
                    raise InvalidInput(
                        Text(
                            f"The request's marking does not release it to {hq.owner}; "
                            "escalation keeps the marking. Amend the marking first.",
                            f"この要請の区分は{hq.owner}への提供を許していません。"
                            "エスカレーションでは区分を変えません。先に区分を修正してください。",
                        ),
                        field=f"to_hq_ids.{i}",
                        code="not_released_to_addressee",
                    )

        def raise_level(row: Req) -> None:
            row.level = data.level.value
            row.from_hq_id = new_from
            row.to_hq_ids = new_to
            row.escalations = [
                *(row.escalations or []),
                {
                    "from_level": from_level.value,
                    "to_level": data.level.value,
                    "from_hq_id": new_from,
                    "to_hq_ids": new_to,
                    "revision": row.revision + (1 if row.state == "sent" else 0),
                    "by": actor.name,
                    "at": TimeOut.of(tx.now).model_dump(),
                    "note": data.note,
                },
            ]

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
            version=data.version,
            require=lambda row: require_state(row, {"draft", "sent"}),
            change=raise_level,
            changed=new_revision,
            event="acm.request.escalated",
            extra={"from_level": from_level.value, "to_level": data.level.value},
        )
        return self._view(s, row, actor.nation)
