"""Delegation of concurrence authority ("by direction" / 命により).

A commander delegates the authority to concur for their HQ to a named staff
officer of it, at one ACM level and for a period. The delegation is an owned
object of the commander's nation, held by the chain of command of the
commander's HQ: creating and revoking it are ledger events, and released to a
partner it replicates, so the partner sees by whose direction a position was
given. The rule itself is :func:`alliance.core.authority.authorize_position`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from alliance.core.authority import Action, Actor, Target, require_may_delegate
from alliance.core.dtg import coerce_time
from alliance.core.errors import Conflict, InvalidInput, not_found
from alliance.core.i18n import Text
from alliance.core.ids import new_id
from alliance.org import hq_chain
from alliance.store.owned import change_owned, create_owned, released_to
from alliance.store.schema.access import UserRow
from alliance.store.writer import Tx

from .common import DELEGATION, AcmBase, delegation_view
from .models import DelegationIn, DelegationOut, RevokeIn
from .tables import DelegationRow

_USER = Text("user", "利用者")


class Delegations(AcmBase):
    """Delegations of concurrence authority: given, listed, revoked."""

    def list_delegations(self, actor: Actor) -> list[DelegationOut]:
        stmt = released_to(select(DelegationRow), DelegationRow, actor.nation).order_by(
            DelegationRow.created_at.desc(), DelegationRow.id
        )
        with self.ctx.db.read() as s:
            return [delegation_view(r) for r in s.scalars(stmt)]

    def delegate(self, actor: Actor, data: DelegationIn) -> DelegationOut:
        _period(data)  # bad input is refused before the writer
        return self.ctx.writer.run(lambda tx: self.delegate_in(tx, actor, data))

    def delegate_in(self, tx: Tx, actor: Actor, data: DelegationIn) -> DelegationOut:
        start, until = _period(data)
        s = tx.session
        delegate = s.get(UserRow, data.delegate_id)
        if delegate is None or delegate.nation != actor.nation or delegate.disabled:
            # Another nation's users are not this nation's business: as absent.
            raise not_found(_USER, data.delegate_id, "delegate_id")
        require_may_delegate(actor, delegate.nation, delegate.hq_id, delegate.role)
        marking = data.marking.build(actor.nation)
        grant = self._authorize(
            actor,
            Action.APPROVE,
            Target("delegation", "new", actor.nation, marking, hq_chain(s, actor.hq_id)),
        )
        row = DelegationRow(
            id=new_id(),
            hq_id=actor.hq_id,
            commander_id=actor.user_id,
            commander_name=actor.name,
            delegate_id=delegate.id,
            delegate_name=delegate.name,
            level=data.level.value,
            valid_from=start,
            valid_until=until,
        )
        create_owned(
            tx,
            DELEGATION,
            row,
            owner=actor.nation,
            marking=marking,
            actor=actor,
            grant=grant,
            event="acm.delegation.given",
        )
        return delegation_view(row)

    def revoke_delegation(self, actor: Actor, delegation_id: str, data: RevokeIn) -> DelegationOut:
        return self.ctx.writer.run(
            lambda tx: self.revoke_delegation_in(tx, actor, delegation_id, data)
        )

    def revoke_delegation_in(
        self, tx: Tx, actor: Actor, delegation_id: str, data: RevokeIn
    ) -> DelegationOut:
        """Revoke at once: from now on the staff officer's positions are refused
        (positions given while it was in force stand until superseded)."""

        def not_revoked(row: DelegationRow) -> None:
            if row.revoked_at is not None:
                raise Conflict(
                    Text(
                        "The delegation is already revoked.", "この委任は既に取り消されています。"
                    ),
                    code="wrong_state",
                )

        def revoke(row: DelegationRow) -> None:
            row.revoked_at = tx.now
            row.revoked_by = actor.user_id

        row = change_owned(
            tx,
            actor,
            DELEGATION,
            delegation_id,
            hosted=self.ctx.hosted,
            action=Action.APPROVE,
            version=data.version,
            require=not_revoked,
            change=revoke,
            event="acm.delegation.revoked",
            extra={"note": data.note} if data.note else None,
        )
        return delegation_view(row)


def _period(data: DelegationIn) -> tuple[datetime, datetime]:
    start = coerce_time(data.valid_from, field="valid_from")
    until = coerce_time(data.valid_until, field="valid_until")
    assert start is not None
    assert until is not None
    if until <= start:
        raise InvalidInput(
            Text(
                "A delegation ends after it begins: valid_until must be later than valid_from.",
                "委任の終了は開始より後でなければなりません（valid_untilをvalid_fromより後に）。",
            ),
            field="valid_until",
            code="empty_period",
        )
    return start, until
