"""Delivering an inject: the one write that releases it.

:meth:`Delivery.deliver_in` is the whole of a delivery, in one transaction
of the owner's writer: the inject (approved, not yet delivered) becomes
``delivered`` and an :class:`~.tables.InjectDeliveryRow` — what the player
receives, without the expected action or the controller's notes — is
created under the marking the inject releases, recorded in the ledger and
so shipped by federation to the nations it is released to. It is written by
the node (no user acts at that moment: the release was judged when the
inject was written and approved) and happens at most once: the inject's
state is checked inside the transaction and a delivery's ``inject_id`` is
unique.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from alliance.core.authority import Actor
from alliance.core.ids import new_id
from alliance.store.owned import create_owned, record, released_to, touch
from alliance.store.writer import Tx

from .common import DELIVERY, INJECT, ExerciseBase, delivery_view, inject_due_ex, release_marking
from .models import DeliveryOut, InjectState
from .tables import ExerciseRow, InjectDeliveryRow, InjectRow


class Delivery(ExerciseBase):
    """Deliveries of injects, and the inboxes they reach."""

    def deliver_in(self, tx: Tx, inject_id: str, due_at: datetime) -> InjectDeliveryRow | None:
        """Deliver the inject now (``due_at``: the real moment it was due);
        None when it is not (or no longer) approved for delivery."""
        s = tx.session
        inject = s.get(InjectRow, inject_id)
        if (
            inject is None
            or inject.state != InjectState.APPROVED.value
            or inject.owner not in self.ctx.hosted
        ):
            return None
        exercise = s.get(ExerciseRow, inject.exercise_id)
        if exercise is None:
            return None
        row = InjectDeliveryRow(
            id=new_id(),
            exercise_id=inject.exercise_id,
            inject_id=inject.id,
            serial=inject.serial,
            sender=inject.sender,
            addressee_hq_id=inject.addressee_hq_id,
            method=inject.method,
            description=inject.description,
            description_ja=inject.description_ja,
            due_ex=inject_due_ex(inject, exercise),
            due_at=due_at,
            delivered_at=tx.now,
        )
        create_owned(
            tx,
            DELIVERY,
            row,
            owner=inject.owner,
            marking=release_marking(inject),
            actor=None,
            grant=None,
            event="exercise.inject.delivered",
        )
        inject.state = InjectState.DELIVERED.value
        inject.delivery_id = row.id
        inject.delivered_at = tx.now
        touch(inject, tx.now)
        record(tx, inject, INJECT.object_type, "exercise.inject.delivered", None, None)
        return row

    def inbox(
        self, actor: Actor, hq_id: str | None = None, exercise_id: str | None = None
    ) -> list[DeliveryOut]:
        """Deliveries released to the actor's nation addressed to ``hq_id`` (by
        default the actor's own HQ), of one exercise (``exercise_id``, which
        must be visible to the actor) or of all, newest first."""
        target = hq_id or actor.hq_id
        with self.ctx.db.read() as s:
            stmt = released_to(select(InjectDeliveryRow), InjectDeliveryRow, actor.nation).where(
                InjectDeliveryRow.addressee_hq_id == target
            )
            if exercise_id is not None:
                self._exercise(s, actor, exercise_id)
                stmt = stmt.where(InjectDeliveryRow.exercise_id == exercise_id)
            rows = s.scalars(
                stmt.order_by(InjectDeliveryRow.delivered_at.desc(), InjectDeliveryRow.id)
            )
            return [delivery_view(r) for r in rows]
