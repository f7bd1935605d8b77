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

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select

from alliance.core.authority import Actor
from alliance.core.ids import new_id
from alliance.core.markings import Marking
from alliance.org import HqRow
from alliance.store.owned import create_owned_many, record, released_to, touch
from alliance.store.writer import Tx

from .common import DELIVERY, INJECT, ExerciseBase, delivery_view, inject_due_ex, release_marking
from .models import DeliveryOut, InjectState
from .tables import ExerciseRow, InjectDeliveryRow, InjectRow


class Delivery(ExerciseBase):
    """Deliveries of injects, and the inboxes they reach."""

    def deliver_in(self, tx: Tx, inject_id: str, due_at: datetime) -> InjectDeliveryRow | None:
        """Deliver the inject now (``due_at``: the real moment it was due);
        None when it is not (or no longer) approved for delivery."""
        done = self.deliver_many_in(tx, [(inject_id, due_at)])
        return done[0] if done else None

    def deliver_many_in(
        self, tx: Tx, due: Sequence[tuple[str, datetime]]
    ) -> list[InjectDeliveryRow]:
        """:meth:`deliver_in` for many injects in one job (the scheduler's
        batches): each is checked and delivered as alone, in order; what they
        name (their exercises, the addressed HQs) is read once and held for
        the job, so the session finds it again instead of reading it per
        inject. Returns the deliveries made."""
        s = tx.session
        ids = sorted({i for i, _at in due})
        injects = {r.id: r for r in s.scalars(select(InjectRow).where(InjectRow.id.in_(ids)))}
        wanted = sorted({r.exercise_id for r in injects.values()})
        held: dict[str, object] = {
            r.id: r for r in s.scalars(select(ExerciseRow).where(ExerciseRow.id.in_(wanted)))
        }
        hqs = sorted({r.addressee_hq_id for r in injects.values()})
        held.update({r.id: r for r in s.scalars(select(HqRow).where(HqRow.id.in_(hqs)))})
        prepared: list[tuple[InjectDeliveryRow, str, Marking]] = []
        sources: dict[str, InjectRow] = {}
        for inject_id, due_at in due:
            inject = injects.get(inject_id)
            row = self._delivery_of(tx, inject, due_at)
            if row is None or inject is None:
                continue
            prepared.append((row, inject.owner, release_marking(inject)))
            sources[row.id] = inject
            # Delivered: a second attempt (a restart, a race, a repeat in
            # ``due``) finds it so and writes nothing.
            inject.state = InjectState.DELIVERED.value
            inject.delivery_id = row.id
            inject.delivered_at = tx.now
            touch(inject, tx.now)

        def then(row: InjectDeliveryRow) -> None:
            inject = sources[row.id]
            record(tx, inject, INJECT.object_type, "exercise.inject.delivered", None, None)

        out = create_owned_many(
            tx,
            DELIVERY,
            prepared,
            actor=None,
            grant=None,
            event="exercise.inject.delivered",
            then=then,
        )
        held.clear()
        return out

    def _delivery_of(
        self, tx: Tx, inject: InjectRow | None, due_at: datetime
    ) -> InjectDeliveryRow | None:
        """What the player receives of ``inject``, or None when it is not (or
        no longer) approved for delivery by this node."""
        s = tx.session
        if (
            inject is None
            or inject.state != InjectState.APPROVED.value
            or inject.owner not in self.ctx.hosted
        ):
            return None
        exercise = s.get(ExerciseRow, inject.exercise_id)
        if exercise is None:
            return None
        return InjectDeliveryRow(
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
