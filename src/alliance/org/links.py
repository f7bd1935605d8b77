"""The org desk's links between forces: command and support relationships,
counterpart HQs, and taskings.

A command relationship (COCOM, OPCON, TACON, ADCON) never crosses nations, nor
does a dual-hat link, and each follows doctrine (:mod:`.doctrine`); a
support relationship may, and it belongs to the nation of the supporting
force — a nation commits its own forces, never a partner's. A counterpart link
joins one of the owner's HQs to a partner nation's HQ.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from alliance.core.authority import Action, Actor, Target
from alliance.core.dtg import coerce_time
from alliance.core.errors import Conflict, InvalidInput
from alliance.core.i18n import Text
from alliance.core.ids import new_id
from alliance.core.markings import Marking
from alliance.store.owned import change_owned, create_owned, released_to
from alliance.store.writer import Tx

from .chain import hq_chain
from .common import (
    COUNTERPART,
    RELATIONSHIP,
    TASKING,
    UNIT,
    OrgBase,
    counterpart_view,
    hq_view,
    party_chain,
    relationship_view,
    side,
    structure_of,
    tasking_view,
)
from .doctrine import check_doctrine
from .models import (
    CounterpartIn,
    CounterpartOut,
    HqOut,
    Party,
    RelationshipIn,
    RelationshipOut,
    TaskingIn,
    TaskingOut,
)
from .tables import CommandRelationshipRow, CounterpartRow, HqRow, TaskingRow, UnitRow


class Links(OrgBase):
    """Relationships, counterparts and taskings."""

    # -- command and support relationships ----------------------------------

    def _party(self, s: Session, actor: Actor, party: Party, field: str) -> HqRow | UnitRow:
        if party.kind == "hq":
            return self._hq(s, actor, party.id, field=f"{field}.id")
        return self._unit(s, actor, party.id, field=f"{field}.id")

    def list_relationships(
        self, actor: Actor, party_id: str | None = None
    ) -> list[RelationshipOut]:
        model = CommandRelationshipRow
        stmt = released_to(select(model), model, actor.nation).order_by(model.valid_from, model.id)
        if party_id:
            stmt = stmt.where((model.superior_id == party_id) | (model.subordinate_id == party_id))
        now = self.ctx.clock()
        with self.ctx.db.read() as s:
            return [relationship_view(r, now) for r in s.scalars(stmt)]

    def create_relationship(self, actor: Actor, data: RelationshipIn) -> RelationshipOut:
        _check_relationship(data)
        return self.ctx.writer.run(lambda tx: self.create_relationship_in(tx, actor, data))

    def create_relationship_in(self, tx: Tx, actor: Actor, data: RelationshipIn) -> RelationshipOut:
        valid_from, valid_to = _check_relationship(data)
        s = tx.session
        sup = self._party(s, actor, data.superior, "superior")
        sub = self._party(s, actor, data.subordinate, "subordinate")
        if data.kind.same_nation and sup.owner != sub.owner:
            raise InvalidInput(
                Text(
                    f"A command relationship ({data.kind.value.upper()}) never crosses nations: "
                    f"{sup.id} is {sup.owner}, {sub.id} is {sub.owner}. Each nation keeps command "
                    "of its own forces; use a support relationship or an ACM request.",
                    f"指揮関係（{data.kind.value.upper()}）は国をまたげません: {sup.id}は{sup.owner}、"
                    f"{sub.id}は{sub.owner}です。各国は自国部隊の指揮権を保持します。"
                    "支援関係またはACM調整要請を使ってください。",
                ),
                field="superior",
                code="command_crosses_nations",
            )
        check_doctrine(data.kind, side(sup), side(sub), structure_of(s, sub))
        # The supporting (subordinate) force's nation commits it; the
        # authority is over that force.
        owner = sub.owner
        marking = data.marking.build(owner)
        if sup.owner != owner:
            marking = Marking(marking.releasable_to | {sup.owner}, marking.tlp)
        target = Target("relationship", "new", owner, marking, party_chain(s, sub))
        grant = self._authorize(actor, Action.TASK, target)
        row = CommandRelationshipRow(
            id=new_id(),
            kind=data.kind.value,
            superior_kind=data.superior.kind,
            superior_id=sup.id,
            subordinate_kind=data.subordinate.kind,
            subordinate_id=sub.id,
            valid_from=valid_from,
            valid_to=valid_to,
            caveats_en=data.caveats_en,
            caveats_ja=data.caveats_ja,
            state="active",
        )
        create_owned(
            tx,
            RELATIONSHIP,
            row,
            owner=owner,
            marking=marking,
            actor=actor,
            grant=grant,
            event="org.relationship.created",
        )
        return relationship_view(row, tx.now)

    def revoke_relationship(self, actor: Actor, rel_id: str) -> RelationshipOut:
        return self.ctx.writer.run(lambda tx: self.revoke_relationship_in(tx, actor, rel_id))

    def revoke_relationship_in(self, tx: Tx, actor: Actor, rel_id: str) -> RelationshipOut:
        def revoke(row: CommandRelationshipRow) -> None:
            row.state = "revoked"
            row.valid_to = min(row.valid_to or tx.now, tx.now)

        row = change_owned(
            tx,
            actor,
            RELATIONSHIP,
            rel_id,
            hosted=self.ctx.hosted,
            action=Action.TASK,
            version=None,
            require=_active,
            change=revoke,
            event="org.relationship.revoked",
        )
        return relationship_view(row, tx.now)

    # -- counterparts --------------------------------------------------------

    def list_counterparts(self, actor: Actor) -> list[CounterpartOut]:
        stmt = released_to(select(CounterpartRow), CounterpartRow, actor.nation).order_by(
            CounterpartRow.id
        )
        with self.ctx.db.read() as s:
            return [counterpart_view(r) for r in s.scalars(stmt)]

    def create_counterpart(self, actor: Actor, data: CounterpartIn) -> CounterpartOut:
        return self.ctx.writer.run(lambda tx: self.create_counterpart_in(tx, actor, data))

    def create_counterpart_in(self, tx: Tx, actor: Actor, data: CounterpartIn) -> CounterpartOut:
        s = tx.session
        own = self._hq(s, actor, data.hq_id)
        partner = self._hq(s, actor, data.partner_hq_id, field="partner_hq_id")
        if own.owner == partner.owner:
            raise InvalidInput(
                Text(
                    "Counterparts are HQs of different nations.",
                    "カウンターパートは異なる国の司令部同士です。",
                ),
                field="partner_hq_id",
                code="same_nation_counterpart",
            )
        marking = data.marking.build(own.owner)
        grant = self._authorize(
            actor,
            Action.CHANGE,
            Target("counterpart", "new", own.owner, marking, hq_chain(s, own.id)),
        )
        row = CounterpartRow(
            id=new_id(),
            hq_id=own.id,
            partner_hq_id=partner.id,
            note_en=data.note_en,
            note_ja=data.note_ja,
        )
        create_owned(
            tx,
            COUNTERPART,
            row,
            owner=own.owner,
            marking=marking,
            actor=actor,
            grant=grant,
            event="org.counterpart.created",
        )
        return counterpart_view(row)

    def counterparts_of(self, actor: Actor, hq_id: str) -> list[HqOut]:
        """Partner HQs linked to ``hq_id`` by either side's counterpart link."""
        with self.ctx.db.read() as s:
            self._hq(s, actor, hq_id, field="id")
            links = s.scalars(
                released_to(select(CounterpartRow), CounterpartRow, actor.nation).where(
                    (CounterpartRow.hq_id == hq_id) | (CounterpartRow.partner_hq_id == hq_id)
                )
            ).all()
            ids = {link.partner_hq_id if link.hq_id == hq_id else link.hq_id for link in links}
            rows = [s.get(HqRow, i) for i in sorted(ids)]
            return [
                hq_view(r) for r in rows if r is not None and r.marking.releases_to(actor.nation)
            ]

    # -- taskings ------------------------------------------------------------

    def task_unit(self, actor: Actor, data: TaskingIn) -> TaskingOut:
        coerce_time(data.due, field="due")  # bad input is refused before the writer
        return self.ctx.writer.run(lambda tx: self.task_unit_in(tx, actor, data))

    def task_unit_in(self, tx: Tx, actor: Actor, data: TaskingIn) -> TaskingOut:
        due = coerce_time(data.due, field="due")
        s = tx.session
        unit = self._unit(s, actor, data.unit_id)
        grant = self._authorize(actor, Action.TASK, UNIT.target(s, unit))
        row = TaskingRow(
            id=new_id(),
            unit_id=unit.id,
            issuing_hq_id=actor.hq_id,
            title=data.title,
            detail=data.detail,
            due=due,
            state="issued",
        )
        create_owned(
            tx,
            TASKING,
            row,
            owner=unit.owner,
            marking=data.marking.build(unit.owner),
            actor=actor,
            grant=grant,
            event="org.tasking.issued",
        )
        return tasking_view(row)

    def list_taskings(self, actor: Actor, unit_id: str | None = None) -> list[TaskingOut]:
        stmt = released_to(select(TaskingRow), TaskingRow, actor.nation).order_by(TaskingRow.id)
        if unit_id:
            stmt = stmt.where(TaskingRow.unit_id == unit_id)
        with self.ctx.db.read() as s:
            return [tasking_view(r) for r in s.scalars(stmt)]


def _check_relationship(data: RelationshipIn) -> tuple[datetime, datetime | None]:
    """The validity window (``valid_to`` after ``valid_from``), and no self-relation."""
    valid_from = coerce_time(data.valid_from, field="valid_from")
    valid_to = coerce_time(data.valid_to, field="valid_to")
    assert valid_from is not None
    if valid_to is not None and valid_to <= valid_from:
        raise InvalidInput(
            Text(
                "valid_to must be after valid_from.",
                "valid_toはvalid_fromより後にしてください。",
            ),
            field="valid_to",
            code="bad_window",
        )
    if data.superior.kind == data.subordinate.kind and data.superior.id == data.subordinate.id:
        raise InvalidInput(
            Text("A force cannot be related to itself.", "同一の部隊同士は関係付けできません。"),
            field="subordinate",
            code="self_relationship",
        )
    return valid_from, valid_to


def _active(row: CommandRelationshipRow) -> None:
    if row.state != "active":
        raise Conflict(
            Text("This relationship is already revoked.", "この関係は既に解除されています。"),
            code="already_revoked",
        )
