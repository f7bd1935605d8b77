"""Coordinated outcomes, implemented nation by nation.

The ACM coordinates; it commands no one. A coordinated outcome records what
the participating nations concurred on; each government then decides for
itself. A participating nation records its own national decision on the
outcome — to implement it or not — by a commander in the chain of command of
its HQ in the coordination, and, implementing it, issues the taskings to its
own units in the same transaction, through the org desk's transaction form
(``task_unit_in``). The national decision names the outcome and its taskings;
it is the deciding nation's object, released as that nation chooses. A nation
may decide again (a government may change its mind): the latest stands, and
every decision stays on record.
"""

from __future__ import annotations

from sqlalchemy import select

from alliance.core.authority import Action, Actor, Target, require_participant
from alliance.core.errors import InvalidInput
from alliance.core.i18n import Text
from alliance.core.ids import new_id
from alliance.org import OrgDesk, hq_chain
from alliance.store.owned import create_owned, released_to, visible
from alliance.store.writer import Tx

from .common import NATIONAL_DECISION, AcmBase, Req, national_view
from .models import Course, NationalDecisionIn, NationalDecisionOut
from .tables import DECISION, DecisionRow, NationalDecisionRow

_OUTCOME = Text("coordinated outcome", "調整結果")


class Outcomes(AcmBase):
    """National decisions implementing coordinated outcomes."""

    org: OrgDesk | None = None

    def decide_nationally(
        self, actor: Actor, outcome_id: str, data: NationalDecisionIn
    ) -> NationalDecisionOut:
        return self.ctx.writer.run(
            lambda tx: self.decide_nationally_in(tx, actor, outcome_id, data)
        )

    def decide_nationally_in(
        self, tx: Tx, actor: Actor, outcome_id: str, data: NationalDecisionIn
    ) -> NationalDecisionOut:
        s = tx.session
        outcome = visible(
            s.get(DecisionRow, outcome_id), actor.nation, DECISION.label, outcome_id, "id"
        )
        req = s.get(Req, outcome.request_id)
        assert req is not None  # an outcome is recorded with its request
        participants = self._participants(s, req)
        require_participant(actor, participants, _OUTCOME)
        if data.course == Course.NOT_IMPLEMENT and data.taskings:
            raise InvalidInput(
                Text(
                    "A decision not to implement issues no taskings.",
                    "実施しないとする決定では任務を付与しません。",
                ),
                field="taskings",
                code="taskings_need_implement",
            )
        own_hq = participants[actor.nation]
        hq_id = data.hq_id or own_hq
        chain = hq_chain(s, own_hq)
        if hq_id not in chain:
            raise InvalidInput(
                Text(
                    f"'{hq_id}' does not decide for {actor.nation} here: the national decision "
                    f"comes from {own_hq}, {actor.nation}'s HQ in the coordination, or a "
                    "superior HQ.",
                    f"「{hq_id}」はここで{actor.nation}として決定しません。国別の決定は調整に"
                    f"参加した{own_hq}またはその上級司令部が行います。",
                ),
                field="hq_id",
                code="not_in_chain",
            )
        marking = data.marking.build(actor.nation)
        grant = self._authorize(
            actor,
            Action.DECIDE,
            Target("national_decision", "new", actor.nation, marking, hq_chain(s, hq_id)),
        )
        org = self.org
        if data.taskings and org is None:
            raise RuntimeError("the ACM desk was built without the org desk")
        tasking_ids = (
            [org.task_unit_in(tx, actor, tasking).id for tasking in data.taskings]
            if org is not None
            else []
        )
        row = NationalDecisionRow(
            id=new_id(),
            outcome_id=outcome.id,
            request_id=req.id,
            hq_id=hq_id,
            course=data.course.value,
            summary=data.summary,
            tasking_ids=tasking_ids,
            decided_by=actor.user_id,
            decided_by_name=actor.name,
            decided_at=tx.now,
        )
        create_owned(
            tx,
            NATIONAL_DECISION,
            row,
            owner=actor.nation,
            marking=marking,
            actor=actor,
            grant=grant,
            event=f"acm.national_decision.{data.course.value}",
        )
        return national_view(row)

    def national_decisions(self, actor: Actor, outcome_id: str) -> list[NationalDecisionOut]:
        """The national decisions on an outcome released to the actor's nation."""
        with self.ctx.db.read() as s:
            visible(s.get(DecisionRow, outcome_id), actor.nation, DECISION.label, outcome_id, "id")
            stmt = released_to(select(NationalDecisionRow), NationalDecisionRow, actor.nation)
            stmt = stmt.where(NationalDecisionRow.outcome_id == outcome_id)
            rows = s.scalars(stmt.order_by(NationalDecisionRow.decided_at, NationalDecisionRow.id))
            return [national_view(r) for r in rows]
