"""The disclosure desk: widening a release beyond the owner nation.

Allies route the release of their information to another nation through a
foreign disclosure officer. Here a staff officer (or commander) of the owning
chain of command *proposes* releasing one of the nation's objects to more
nations (``propose_in``); a user of the owning nation holding the node's
disclosure role (``Settings.disclosure_role``, by default
``foreign_disclosure_officer``) *approves* it (``approve_in``: the object is
released to those nations as well, recorded as the object's own
``disclosure.released`` event beside the proposal's ``disclosure.approved``)
or *rejects* it. Editing an object's marking directly may narrow it at once,
never widen it (``store.owned.change_owned`` refuses with
``disclosure_required``, pointing here). Existing releases stand: nothing is
migrated.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from alliance.core import release
from alliance.core.authority import Action, Actor, Target, authorize, authorize_disclosure
from alliance.core.errors import Conflict, InvalidInput, named
from alliance.core.i18n import Text
from alliance.core.ids import new_id
from alliance.core.markings import Marking, check_nation
from alliance.core.models import TimeOut
from alliance.store.context import DeskContext
from alliance.store.owned import (
    OwnedKind,
    check_version,
    create_owned,
    owned_kind,
    record,
    released_to,
    snapshot,
    touch,
    view,
    widen_owned,
)
from alliance.store.writer import Tx

from .guidance import GuidanceDesk, not_releasable
from .models import ProposalDecisionIn, ProposalIn, ProposalOut, ProposalState
from .tables import DISCLOSURE_PROPOSAL, ProposalRow


def _object_chain(s: Session, row: ProposalRow) -> tuple[str, ...]:
    """A proposal is held by the chain of command of the object it proposes to release."""
    kind = owned_kind(row.object_type)
    target = s.get(kind.model, row.object_id) if kind is not None else None
    return kind.chain(s, target) if kind is not None and target is not None else ()


PROPOSALS: OwnedKind[ProposalRow] = OwnedKind(DISCLOSURE_PROPOSAL, _object_chain)


def proposal_view(row: ProposalRow) -> ProposalOut:
    return view(
        ProposalOut,
        row,
        releasable_to=sorted(release.rel_nations(row.add_rel)),
        state=ProposalState(row.state),
        decided_at=TimeOut.maybe(row.decided_at),
    )


class DisclosureDesk(GuidanceDesk):
    def __init__(self, ctx: DeskContext) -> None:
        self.ctx = ctx

    # -- the object a proposal is about --------------------------------------

    def _kind(self, name: str) -> OwnedKind[Any]:
        known = self.ctx.types.releasable()
        kind = owned_kind(name) if name in known else None
        if kind is None:
            raise not_releasable(name, known, "object_type")
        return kind

    def _target(self, s: Session, actor: Actor, row: ProposalRow) -> tuple[OwnedKind[Any], Target]:
        kind = self._kind(row.object_type)
        obj = kind.find(s, actor.nation, row.object_id, "object_id")
        return kind, kind.target(s, obj)

    # -- propose -------------------------------------------------------------

    def propose(self, actor: Actor, data: ProposalIn) -> ProposalOut:
        return self.ctx.writer.run(lambda tx: self.propose_in(tx, actor, data))

    def propose_in(self, tx: Tx, actor: Actor, data: ProposalIn) -> ProposalOut:
        """Propose releasing an object to more nations: whoever may change the
        object (its owner's chain of command) may propose it."""
        s = tx.session
        kind = self._kind(data.object_type)
        obj = kind.find(s, actor.nation, data.object_id, "object_id")
        target = kind.target(s, obj)
        grant = authorize(actor, Action.CHANGE, target, hosted=self.ctx.hosted)
        nations = frozenset(
            check_nation(n, field=f"releasable_to.{i}") for i, n in enumerate(data.releasable_to)
        )
        added = sorted(nations - obj.marking.releasable_to)
        if not added:
            raise InvalidInput(
                Text(
                    f"{named(target.kind, obj.id).en} is already released to "
                    f"{', '.join(sorted(nations))}: there is nothing to propose.",
                    f"{named(target.kind, obj.id).ja}は既に{', '.join(sorted(nations))}へ提供されています。"
                    "提案する内容がありません。",
                ),
                field="releasable_to",
                code="already_released",
            )
        row = ProposalRow(
            id=new_id(),
            object_type=kind.object_type,
            object_id=obj.id,
            add_rel=release.rel_text(added),
            reason=data.reason,
            state=ProposalState.PROPOSED.value,
            proposed_by=actor.user_id,
            decided_by=None,
            decided_at=None,
            decision_note="",
        )
        create_owned(
            tx,
            PROPOSALS,
            row,
            owner=obj.owner,
            marking=Marking.national(obj.owner),
            actor=actor,
            grant=grant,
            event="disclosure.proposed",
        )
        return proposal_view(row)

    # -- decide --------------------------------------------------------------

    def approve(self, actor: Actor, proposal_id: str, data: ProposalDecisionIn) -> ProposalOut:
        return self.ctx.writer.run(lambda tx: self.approve_in(tx, actor, proposal_id, data))

    def approve_in(
        self, tx: Tx, actor: Actor, proposal_id: str, data: ProposalDecisionIn
    ) -> ProposalOut:
        """Approve: the object is released to the proposed nations as well (its own
        ledger event), and the proposal records the approval (another)."""
        return self._decide_in(tx, actor, proposal_id, data, ProposalState.APPROVED)

    def reject(self, actor: Actor, proposal_id: str, data: ProposalDecisionIn) -> ProposalOut:
        return self.ctx.writer.run(lambda tx: self.reject_in(tx, actor, proposal_id, data))

    def reject_in(
        self, tx: Tx, actor: Actor, proposal_id: str, data: ProposalDecisionIn
    ) -> ProposalOut:
        return self._decide_in(tx, actor, proposal_id, data, ProposalState.REJECTED)

    def _decide_in(
        self, tx: Tx, actor: Actor, proposal_id: str, data: ProposalDecisionIn, state: ProposalState
    ) -> ProposalOut:
        s = tx.session
        row = PROPOSALS.find(s, actor.nation, proposal_id)
        kind, target = self._target(s, actor, row)
        grant = authorize_disclosure(
            actor, target, hosted=self.ctx.hosted, role=self.ctx.disclosure_role
        )
        check_version(row, data.version)
        if row.state != ProposalState.PROPOSED.value:
            raise Conflict(
                Text(
                    f"Disclosure proposal '{row.id}' is already {row.state}.",
                    f"開示提案「{row.id}」は既に決定済み（{row.state}）です。",
                ),
                field="state",
                code="invalid_state",
            )
        added = sorted(release.rel_nations(row.add_rel))
        if state is ProposalState.APPROVED:
            widen_owned(
                tx,
                actor,
                kind,
                row.object_id,
                added,
                grant=grant,
                event="disclosure.released",
                extra={"proposal": row.id, "added": added},
            )
        before = snapshot(row)
        row.state = state.value
        row.decided_by = actor.user_id
        row.decided_at = tx.now
        row.decision_note = data.note
        if snapshot(row) != before:
            touch(row, tx.now)
            record(tx, row, PROPOSALS.object_type, f"disclosure.{state.value}", actor, grant)
        return proposal_view(row)

    # -- read ----------------------------------------------------------------

    def list(self, actor: Actor, state: ProposalState | None = None) -> list[ProposalOut]:
        stmt = released_to(select(ProposalRow), ProposalRow, actor.nation)
        if state is not None:
            stmt = stmt.where(ProposalRow.state == state.value)
        with self.ctx.db.read() as s:
            return [proposal_view(r) for r in s.scalars(stmt.order_by(ProposalRow.id))]

    def get(self, actor: Actor, proposal_id: str) -> ProposalOut:
        with self.ctx.db.read() as s:
            return proposal_view(PROPOSALS.find(s, actor.nation, proposal_id))
